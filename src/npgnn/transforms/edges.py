"""Edge transforms: ToUndirected, AddSelfLoops, RemoveSelfLoops, GCNNorm, TargetIndegree."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph.graph import Graph
from npgnn.graph.transforms import gcn_norm
from npgnn.transforms._fields import edge_values
from npgnn.transforms.base_transform import BaseTransform
from npgnn.utils.coalesce import to_undirected
from npgnn.utils.degree import degree
from npgnn.utils.loop import add_self_loops, remove_self_loops
from npgnn.utils.scatter import REDUCES

_REDUCE_HINT = f"expected one of {list(REDUCES)}"


class ToUndirected(BaseTransform):
    """Add every edge's reverse and merge duplicates with ``reduce`` (PyG's ToUndirected).

    Every edge-level attribute follows (``npgnn.utils.to_undirected``); edges come out sorted.
    ``merge`` only matters for heterogeneous graphs in PyG and is kept for the signature.
    O(E log E) when N >> E (see ``npgnn.utils.coalesce``).

    Raises:
        ValueError: unknown ``reduce``.
    """

    def __init__(self, reduce: str = "add", merge: bool = True):
        if reduce not in REDUCES:
            raise ValueError(f"reduce: {_REDUCE_HINT}, got {reduce!r}")
        self.reduce, self.merge = reduce, merge

    def forward(self, data: Graph) -> Graph:
        values = edge_values(data)
        edge_index, merged = to_undirected(data.edge_index, list(values.values()),
                                           data.num_nodes, self.reduce)
        return data.replace(edge_index=edge_index, **dict(zip(values, merged)))


class AddSelfLoops(BaseTransform):
    """Append a self-loop to every node (even where one exists) (PyG's AddSelfLoops).

    ``data.<attr>`` (default 'edge_weight') gets the loops' ``fill_value`` (a number, an array
    row, or a reduction 'add'/'mean'/'min'/'max' of each node's incoming values; see
    ``npgnn.utils.add_self_loops``); if it is not set it stays unset. Unlike PyG, which leaves
    the other edge attributes one row short per node, every other edge-level attribute gets
    loop rows with the same ``fill_value``.
    """

    def __init__(self, attr: str = "edge_weight", fill_value: Any = 1.0):
        self.attr, self.fill_value = attr, fill_value

    def forward(self, data: Graph) -> Graph:
        changes = {}
        edge_index = data.edge_index
        for name, value in edge_values(data).items():
            edge_index, changes[name] = add_self_loops(data.edge_index, value, self.fill_value,
                                                       data.num_nodes)
        if not changes:
            edge_index, _ = add_self_loops(data.edge_index, num_nodes=data.num_nodes)
        return data.replace(edge_index=edge_index, **changes)


class RemoveSelfLoops(BaseTransform):
    """Drop every edge (i, i) (PyG's RemoveSelfLoops).

    ``attr`` is kept for PyG's signature: every edge-level attribute loses the loops' rows
    (PyG updates only ``data.<attr>``).
    """

    def __init__(self, attr: str = "edge_weight"):
        self.attr = attr

    def forward(self, data: Graph) -> Graph:
        edge_index, rows = remove_self_loops(data.edge_index, np.arange(data.num_edges))
        return data.replace(edge_index=edge_index,
                            **{name: v[rows] for name, v in edge_values(data).items()})


class GCNNorm(BaseTransform):
    """Store GCN's symmetric normalisation in ``edge_weight`` (PyG's GCNNorm).

    ``D^-1/2 (A + I) D^-1/2`` (Kipf & Welling 2017, eq. 2) via ``npgnn.graph.gcn_norm`` with
    ``add_self_loops`` (the remaining ones, weight 1); float32 weights unless ``edge_weight``
    is float64. ``edge_attr`` gets loop rows of ones (PyG leaves it one row short per node).
    """

    def __init__(self, add_self_loops: bool = True):
        self.add_self_loops = add_self_loops

    def forward(self, data: Graph) -> Graph:
        return gcn_norm(data, "sym", add_self_loops=self.add_self_loops)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(add_self_loops={self.add_self_loops})"


class TargetIndegree(BaseTransform):
    """Put each edge's target in-degree into ``edge_attr`` (PyG's TargetIndegree).

    ``u(j, i) = deg(i) / max_value`` (default the largest in-degree; ``norm=False`` keeps raw
    degrees), float32, as one column appended to ``edge_attr`` (``cat=True``, cast to its dtype)
    or replacing it (Monti et al., MoNet, 2017).
    """

    def __init__(self, norm: bool = True, max_value: float | None = None, cat: bool = True):
        self.norm, self.max, self.cat = norm, max_value, cat

    def forward(self, data: Graph) -> Graph:
        col = data.edge_index[1]
        deg = degree(col, data.num_nodes)
        if self.norm and deg.size:
            deg = deg / np.float32(deg.max() if self.max is None else self.max)
        column = deg[col].reshape(-1, 1)
        pseudo = data.edge_attr
        if pseudo is not None and self.cat:
            pseudo = pseudo.reshape(-1, 1) if pseudo.ndim == 1 else pseudo
            return data.replace(edge_attr=np.concatenate([pseudo, column.astype(pseudo.dtype)],
                                                         axis=-1))
        return data.replace(edge_attr=column)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(norm={self.norm}, max_value={self.max})"
