"""The figure ``npgnn train --plot`` writes: curves, the hidden embedding, and GAT attention."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from npgnn.autodiff.grad_mode import no_grad
from npgnn.experiment import TrainConfig, is_graph_task, load_node_data


def training_figure(config: TrainConfig, details: list[Any], path: str) -> Path:
    """Panels: training curves of the first run; for node tasks the PCA of the trained model's
    hidden layer coloured by class; for GAT on a graph of at most 100 nodes, the first layer's
    attention weights drawn on the graph."""
    from npgnn import plot

    model, result = details[0]
    if is_graph_task(config.dataset, config.root):
        fig, (ax,) = plot.new_figure(1)
        plot.plot_curves([dict(epoch=e, test_acc=a) for e, a in enumerate(result.mean_curve)], ax)
        ax.set_title("test accuracy per epoch, mean over folds")
        return plot.save_figure(fig, path)
    graph, _ = load_node_data(config.dataset, config.root, progress=False)
    show_attention = config.model.lower() == "gat" and graph.num_nodes <= 100
    fig, axes = plot.new_figure(3 if show_attention else 2)
    plot.plot_curves(result.history, axes[0])
    model.eval()
    with no_grad():
        _, hidden = model(graph.x, graph, return_hidden=True)
    plot.plot_embedding(hidden.data, graph.y, axes[1])
    if show_attention:
        with no_grad():
            _, (edges, alpha) = model.conv1(graph.x, graph, return_attention_weights=True)
        plot.plot_attention(edges, alpha.data, graph.y, axes[2])
    return plot.save_figure(fig, path)
