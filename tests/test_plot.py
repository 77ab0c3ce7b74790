"""Plots: legends list only series with data; every panel colours a class alike."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")

from npgnn import plot  # noqa: E402


def legend_labels(ax):
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def test_curves_without_validation_list_only_the_series_with_data():
    history = [dict(epoch=e, train_loss=1.0 / (e + 1), val_loss=np.nan, train_acc=0.5, val_acc=np.nan,
                    test_acc=0.6) for e in range(5)]
    ax = plot.plot_curves(history)
    assert legend_labels(ax) == ["train_loss", "train_acc", "test_acc"]


def test_curves_of_accuracy_alone_hide_the_empty_loss_axis():
    ax = plot.plot_curves([dict(epoch=e, test_acc=0.1 * e) for e in range(4)])
    assert legend_labels(ax) == ["test_acc"] and ax.get_ylabel() == "" and len(ax.get_yticks()) == 0


def test_embedding_and_attention_colour_each_class_alike():
    from matplotlib.colors import to_rgba

    labels = np.array([2, 0, 1, 2, 0, 1])
    hidden = np.random.default_rng(0).standard_normal((6, 4))
    edges = np.array([[0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 0]])
    fig, (left, right) = plot.new_figure(2)
    plot.plot_embedding(hidden, labels, left)
    plot.plot_attention(edges, np.linspace(0.1, 1, 6), labels, right)
    scatter_colour = {int(col.get_label().split()[1]): to_rgba(col.get_facecolor()[0])
                      for col in left.collections}
    nodes = next(c for c in right.collections if len(c.get_offsets()) == 6)   # the node markers
    node_colour = [to_rgba(c) for c in nodes.get_facecolor()]
    assert len(set(scatter_colour.values())) == 3
    for node, c in enumerate(labels):
        assert node_colour[node][:3] == pytest.approx(scatter_colour[c][:3])   # (alpha differs)
    assert legend_labels(left) == legend_labels(right) == ["class 0", "class 1", "class 2"]
