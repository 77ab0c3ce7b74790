"""Plots (the ``plot`` extra, matplotlib): training curves, hidden embeddings, attention on a graph.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no GUI backend), so they work on
headless machines; ``save_figure`` writes PNG/PDF/SVG by the path's suffix.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def require_matplotlib(who: str = "plotting") -> None:
    """Raise ImportError now, naming ``who`` (e.g. ``"--plot"``), if matplotlib cannot be
    imported: the CLI calls it before training so a finished run is never lost to it."""
    _figure_class(who)


def _figure_class(who: str = "plotting") -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            f"{who} needs matplotlib, which is not installed: pip install 'npgnn[plot]' (or "
            "pip install matplotlib)"
        ) from exc
    return Figure


def pca_2d(h: Any) -> np.ndarray:
    """Project rows of h (N, D) on their first two principal components -> (N, 2)."""
    h = np.asarray(getattr(h, "data", h), dtype=np.float64)
    if h.ndim != 2 or h.shape[0] < 2:
        raise ValueError(f"pca_2d: expected an (N, D) array with N >= 2, got shape {h.shape}")
    centred = h - h.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    out = centred @ vt[:2].T
    return out if out.shape[1] == 2 else np.pad(out, ((0, 0), (0, 2 - out.shape[1])))


def _has_data(history: Sequence[dict[str, float]], key: str) -> bool:
    """True when some epoch records a finite ``key`` (no validation set: every value is NaN)."""
    values = np.array([h.get(key, np.nan) for h in history], dtype=float)
    return bool(np.isfinite(values).any())


def plot_curves(history: Sequence[dict[str, float]], ax: Any = None) -> Any:
    """Loss (left axis) and accuracy (right axis) per epoch from a training history.

    Only series with at least one finite value are drawn and listed in the legend (a run without
    a validation set has no ``val_loss`` line); an axis with no series is hidden.
    """
    if ax is None:
        ax = _figure_class()(figsize=(6, 4)).add_subplot()
    epochs = [h["epoch"] + 1 for h in history]
    losses = [k for k in ("train_loss", "val_loss") if _has_data(history, k)]
    accs = [k for k in ("train_acc", "val_acc", "test_acc") if _has_data(history, k)]
    styles = {"train": "-", "val": "--", "test": ":"}
    for key in losses:
        ax.plot(epochs, [h[key] for h in history], styles[key.split("_")[0]], color="tab:blue", label=key)
    ax.set_xlabel("epoch")
    if losses:
        ax.set_ylabel("loss", color="tab:blue")
    else:
        ax.set_yticks([])
    acc = ax.twinx()
    for key in accs:
        acc.plot(epochs, [h[key] for h in history], styles[key.split("_")[0]], color="tab:orange", label=key)
    if accs:
        acc.set_ylabel("accuracy", color="tab:orange")
        acc.set_ylim(0, 1.02)
    else:
        acc.set_yticks([])
    lines = ax.get_legend_handles_labels()[0] + acc.get_legend_handles_labels()[0]
    if lines:
        ax.legend(lines, [ln.get_label() for ln in lines], loc="center right", fontsize=8)
    ax.set_title("training curves")
    return ax


def class_colors(labels: Any) -> dict[Any, Any]:
    """One colour per class (matplotlib's tab10/tab20 by the class's rank), so that every panel
    of a figure colours the same class alike: ``{class: RGBA}``."""
    classes = np.unique(np.asarray(labels).reshape(-1))
    cmap = _colormap("tab10" if classes.size <= 10 else "tab20")
    return {c: cmap(k % cmap.N) for k, c in enumerate(classes.tolist())}


def plot_embedding(hidden: Any, labels: Any, ax: Any = None, title: str = "hidden representation (PCA)") -> Any:
    """Scatter of the 2-D PCA projection of ``hidden`` (N, D), coloured by class ``labels`` (N,)
    with :func:`class_colors`."""
    if ax is None:
        ax = _figure_class()(figsize=(5, 5)).add_subplot()
    xy, labels = pca_2d(hidden), np.asarray(labels).reshape(-1)
    for c, colour in class_colors(labels).items():
        pts = xy[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=12, color=colour, label=f"class {c}", alpha=0.8)
    ax.legend(fontsize=8, markerscale=1.5)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_attention(edge_index: Any, alpha: Any, labels: Any = None, ax: Any = None, seed: int = 0) -> Any:
    """Draw a small graph with each edge's width and colour set by its attention weight.

    Args:
        edge_index: (2, E) edges j -> i (self-loops are skipped in the drawing).
        alpha: (E,) or (E, H) attention coefficients (averaged over heads).
        labels: optional (N,) node classes for the node colours (:func:`class_colors`, as in
            :func:`plot_embedding`).
    """
    import networkx as nx

    if ax is None:
        ax = _figure_class()(figsize=(6, 6)).add_subplot()
    edge_index = np.asarray(edge_index)
    weight = np.asarray(getattr(alpha, "data", alpha), dtype=float)
    weight = weight.mean(axis=1) if weight.ndim == 2 else weight
    keep = edge_index[0] != edge_index[1]
    graph = nx.DiGraph()
    n = int(edge_index.max()) + 1 if edge_index.size else 0
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(zip(edge_index[0][keep].tolist(), edge_index[1][keep].tolist(),
                                      weight[keep].tolist()))
    pos = nx.spring_layout(graph.to_undirected(), seed=seed)
    w = np.array([d["weight"] for _, _, d in graph.edges(data=True)])
    scale = w / w.max() if w.size and w.max() > 0 else w
    if labels is None:
        colours: Any = "tab:gray"
    else:
        labels = np.asarray(labels).reshape(-1)
        palette = class_colors(labels)
        colours = [palette[c] for c in labels.tolist()]
        for c, colour in palette.items():   # invisible points: a legend of the node classes
            ax.scatter([], [], s=30, color=colour, label=f"class {c}")
        ax.legend(fontsize=8, loc="lower right")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=120, node_color=colours)
    nx.draw_networkx_edges(graph, pos, ax=ax, width=0.3 + 3.0 * scale, edge_color=scale,
                           edge_cmap=_colormap("viridis"), arrows=True, arrowsize=6,
                           connectionstyle="arc3,rad=0.08")
    ax.set_title("attention α of edges j → i (width, colour)")
    ax.set_axis_off()
    return ax


def _colormap(name: str) -> Any:
    from matplotlib import colormaps

    return colormaps[name]


def new_figure(panels: int, size: float = 5.0) -> tuple[Any, list[Any]]:
    """A figure with ``panels`` side-by-side axes."""
    fig = _figure_class()(figsize=(size * panels, size))
    return fig, [fig.add_subplot(1, panels, k + 1) for k in range(panels)]


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix; PNG by default), creating folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
