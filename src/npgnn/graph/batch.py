"""Many graphs of different sizes as one block-diagonal Graph, and a loader of such batches."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph import _checks
from npgnn.graph.graph import Graph
from npgnn.random import default_generator

_STACKED = ("x", "edge_weight", "edge_attr", "train_mask", "val_mask", "test_mask")
_Y_LEVEL = "batch_y_level"  # _cache key: "node" or "graph", how from_graphs packed y


class Batch:
    """Packing of graphs into one disjoint union (the second batch layout of the design)."""

    @staticmethod
    def from_graphs(graphs: Sequence[Graph]) -> Graph:
        """One Graph holding ``graphs`` block-diagonally, with ``batch`` and ``ptr`` set.

        Graph k's node ids are offset by the node count of graphs 0..k-1; x (dense, or CSR
        via ``scipy.sparse.vstack``), edge_weight, edge_attr and masks are concatenated. ``y`` is
        node-level (concatenated) when every graph's y has one row per node, else graph-level
        (stacked: scalars give (G,), vectors (G, k)). ``ptr`` keeps the node counts, so graphs
        with 0 nodes survive and ``unbatch`` restores the originals (the inputs' own
        ``batch``/``ptr``, which describe a single graph, are not kept).

        Raises:
            TypeError: an item is not a Graph.
            ValueError: no graphs; an item is already a batch of several graphs; a field is set
                on some graphs but not others; feature shapes disagree.
        """
        graphs = list(graphs)
        if not graphs:
            raise ValueError("graphs: expected at least one Graph, got an empty sequence")
        for k, g in enumerate(graphs):
            if not isinstance(g, Graph):
                raise TypeError(f"graphs[{k}]: expected a Graph, got {type(g).__name__}")
            if g.num_graphs != 1:
                raise ValueError(f"graphs[{k}]: is already a batch of {g.num_graphs} graphs; "
                                 f"unbatch it first")
        node_counts = np.array([g.num_nodes for g in graphs], dtype=np.int64)
        edge_counts = np.array([g.num_edges for g in graphs], dtype=np.int64)
        ptr = np.concatenate([[0], np.cumsum(node_counts)])
        edge_index = (np.concatenate([g.edge_index for g in graphs], axis=1)
                      + np.repeat(ptr[:-1], edge_counts))
        fields = {name: _concat(name, [getattr(g, name) for g in graphs]) for name in _STACKED}
        y, level = _pack_y(graphs)
        out = Graph(edge_index, num_nodes=int(ptr[-1]), y=y, ptr=ptr, **fields)
        out._cache[_Y_LEVEL] = level
        return out


def _concat(name: str, values: list[Any]) -> Any:
    present = [v is not None for v in values]
    if not any(present):
        return None
    if not all(present):
        raise ValueError(f"{name}: set on graph {present.index(True)} but not on graph "
                         f"{present.index(False)}; give every graph the same fields")
    sparse = [sp.issparse(v) for v in values]
    if any(sparse) and not all(sparse):
        raise ValueError(f"{name}: graph {sparse.index(True)} has scipy sparse features but graph "
                         f"{sparse.index(False)} dense ones; convert them to one kind")
    for k, v in enumerate(values):
        if v.shape[1:] != values[0].shape[1:]:
            raise ValueError(f"{name}: graph {k} has per-row shape {v.shape[1:]}, graph 0 has "
                             f"{values[0].shape[1:]}; all graphs need the same feature shape")
    return sp.vstack(values, format="csr") if all(sparse) else np.concatenate(values)


def _pack_y(graphs: list[Graph]) -> tuple[np.ndarray | None, str | None]:
    present = [g.y is not None for g in graphs]
    if not any(present):
        return None, None
    if not all(present):
        raise ValueError(f"y: set on graph {present.index(True)} but not on graph "
                         f"{present.index(False)}; give every graph the same fields")
    ys = [np.asarray(g.y) for g in graphs]
    if all(y.ndim >= 1 and y.shape[0] == g.num_nodes for y, g in zip(ys, graphs)):
        return np.concatenate(ys), "node"
    for k, y in enumerate(ys):
        if y.shape != ys[0].shape:
            raise ValueError(f"y: graph {k} has shape {y.shape}, graph 0 has {ys[0].shape}; "
                             f"expected one label per node (num_nodes rows) in every graph, or "
                             f"graph-level labels of one shape")
    return np.stack(ys), "graph"


def unbatch(g: Graph) -> list[Graph]:
    """Split a batched Graph into its graphs, with local node ids (the inverse of from_graphs).

    Works on any Graph with ``batch`` (e.g. after a transform, which may reorder edges: each
    graph's edges keep their relative order). ``y`` is split per node or per graph as
    ``Batch.from_graphs`` packed it; on a Graph it did not build, y is node-level if it has
    num_nodes rows, else graph-level. Without ``batch`` the result is ``[g]``.

    Raises:
        ValueError: an edge joins two graphs, or ``y`` fits neither level.
    """
    if g.batch is None:
        return [g]
    num_graphs = g.num_graphs
    ptr = g.ptr
    if ptr is None:
        ptr = np.concatenate([[0], np.cumsum(np.bincount(g.batch, minlength=num_graphs))])
    src, dst = g.edge_index
    edge_graph = g.batch[src]
    crossing = np.flatnonzero(edge_graph != g.batch[dst])
    if crossing.size:
        e = crossing[0]
        raise ValueError(f"edge_index: edge {e} ({src[e]} -> {dst[e]}) joins graph "
                         f"{edge_graph[e]} and {g.batch[dst[e]]}; cannot unbatch")
    perm = np.argsort(edge_graph, kind="stable")
    eptr = np.concatenate([[0], np.cumsum(np.bincount(edge_graph, minlength=num_graphs))])
    edge_index = g.edge_index[:, perm] - ptr[edge_graph[perm]]
    edge_weight = None if g.edge_weight is None else g.edge_weight[perm]
    edge_attr = None if g.edge_attr is None else g.edge_attr[perm]
    level, labels = _y_level(g, num_graphs), g.y
    out = []
    for k in range(num_graphs):
        nodes, edges = slice(ptr[k], ptr[k + 1]), slice(eptr[k], eptr[k + 1])
        y = None if labels is None else labels[nodes] if level == "node" else labels[k, ...]
        out.append(Graph(
            edge_index[:, edges], num_nodes=int(ptr[k + 1] - ptr[k]), x=_part(g.x, nodes),
            edge_weight=_part(edge_weight, edges), edge_attr=_part(edge_attr, edges), y=y,
            train_mask=_part(g.train_mask, nodes), val_mask=_part(g.val_mask, nodes),
            test_mask=_part(g.test_mask, nodes)))
    return out


def _part(value: Any, rows: slice) -> Any:
    return None if value is None else value[rows]


def _y_level(g: Graph, num_graphs: int) -> str | None:
    if g.y is None:
        return None
    if _Y_LEVEL in g._cache:
        return g._cache[_Y_LEVEL]
    rows = g.y.shape[0] if g.y.ndim else None
    if rows == g.num_nodes:
        return "node"
    if rows == num_graphs:
        return "graph"
    raise ValueError(f"y: expected {g.num_nodes} rows (node labels) or {num_graphs} rows (graph "
                     f"labels), got shape {g.y.shape}; cannot unbatch")


class DataLoader:
    """Iterate over a dataset of Graphs in batches made by ``Batch.from_graphs``.

    Args:
        dataset: a sequence of Graphs (``len`` and integer indexing).
        batch_size: graphs per batch (the last one may be smaller unless ``drop_last``).
        shuffle: draw a new permutation each epoch from the loader's own
            ``np.random.default_rng(seed)``: deterministic for a given seed; with ``seed=None``
            from npgnn's global generator (``npgnn.manual_seed``).
        drop_last: skip a final incomplete batch.

    ``len(loader)`` is the number of batches per epoch.

    Raises:
        TypeError, ValueError: ``batch_size`` is not an int >= 1.
    """

    def __init__(self, dataset: Sequence[Graph], batch_size: int = 32, shuffle: bool = False,
                 seed: int | None = None, drop_last: bool = False) -> None:
        self.batch_size = _checks.as_count("batch_size", batch_size, minimum=1)
        self.dataset = dataset
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.rng = default_generator() if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Graph]:
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            chunk = order[start:start + self.batch_size]
            yield Batch.from_graphs([self.dataset[int(i)] for i in chunk])
