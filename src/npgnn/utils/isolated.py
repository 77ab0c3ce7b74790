"""Isolated nodes: nodes on no edge other than their own self-loops (PyG's definition)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.utils._args import Values, edge_index_arg, last_per_group, take, values_arg


def contains_isolated_nodes(edge_index: Any, num_nodes: int | None = None) -> bool:
    """True if fewer than N nodes lie on a non-loop edge.

    O(E log E): counts the distinct endpoints of non-loop edges; nothing of size N.
    """
    ei, n = edge_index_arg(edge_index, num_nodes)
    return np.unique(ei[:, ei[0] != ei[1]]).size < n


def remove_isolated_nodes(edge_index: Any, edge_attr: Any = None, num_nodes: int | None = None,
                          ) -> tuple[np.ndarray, Values | None, np.ndarray]:
    """Drop the isolated nodes and relabel the others 0..N'-1 in increasing id order.

    As in PyG: a node whose only edges are self-loops counts as isolated and its loops go; the
    kept nodes' self-loops come after the other edges, one per node (of several, the last),
    ordered by node.

    Returns:
        (edge_index (2, E') int64, edge_attr (E', ...) or None, mask (N,) bool of kept nodes).
        The mask is O(N) by nature; the rest is O(E log E).
    """
    ei, n = edge_index_arg(edge_index, num_nodes)
    attr = values_arg("edge_attr", edge_attr, ei.shape[1])
    is_loop = ei[0] == ei[1]
    kept = np.unique(ei[:, ~is_loop])               # sorted ids of the kept nodes
    mask = np.zeros(n, dtype=bool)
    mask[kept] = True
    loop_pos = np.flatnonzero(is_loop)
    loop_nodes, last = last_per_group(ei[0][loop_pos])
    on_kept = np.isin(loop_nodes, kept, assume_unique=True)
    rows = np.concatenate([np.flatnonzero(~is_loop), loop_pos[last[on_kept]]])
    out = np.searchsorted(kept, ei[:, rows])          # new id = rank among the kept nodes
    return out, None if attr is None else take(attr, rows), mask
