"""Induced subgraphs: PyG's ``subgraph`` and ``k_hop_subgraph``.

Membership tests use ``np.isin`` over the E edges (O((E + S) log S) for S chosen nodes), so a
few nodes of a huge graph cost nothing of size N unless a mask is asked for.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph._checks import as_count
from npgnn.utils._args import edge_index_arg, index_arg, take, values_arg


def subgraph(subset: Any, edge_index: Any, edge_attr: Any = None, relabel_nodes: bool = False,
             num_nodes: int | None = None, *, return_edge_mask: bool = False) -> tuple:
    """The edges whose two endpoints are both in ``subset``, in their order.

    Args:
        subset: node ids (list or 1-D int array), or an (N,) bool mask (then N = its length).
        edge_index: (2, E). edge_attr: (E, ...) values or None.
        relabel_nodes: renumber node ``subset[k]`` as k (for a mask: the k-th True node).
        num_nodes: N (default max id + 1); with a mask, the mask's length.
        return_edge_mask: also return the (E,) bool mask of the kept edges.

    Returns:
        (edge_index, edge_attr) or (edge_index, edge_attr, edge_mask), as PyG.

    Raises:
        TypeError / ValueError / IndexError: malformed arguments; ``subset`` ids outside [0, N);
            duplicate ids in ``subset`` with ``relabel_nodes`` (the numbering would be ambiguous).
    """
    subset = np.asarray(subset)
    if subset.dtype == np.bool_:
        if subset.ndim != 1:
            raise ValueError(f"subset: expected a 1-D bool mask, got shape {subset.shape}")
        ei, _ = edge_index_arg(edge_index, subset.size)
        edge_mask = subset[ei[0]] & subset[ei[1]]
        nodes = np.flatnonzero(subset)
    else:
        ei, n = edge_index_arg(edge_index, num_nodes)
        nodes = index_arg("subset", subset, n)
        edge_mask = np.isin(ei[0], nodes) & np.isin(ei[1], nodes)
    attr = values_arg("edge_attr", edge_attr, ei.shape[1])
    out = ei[:, edge_mask]
    if relabel_nodes:
        out = _relabel(out, nodes)
    kept_attr = None if attr is None else take(attr, edge_mask)
    return (out, kept_attr, edge_mask) if return_edge_mask else (out, kept_attr)


def k_hop_subgraph(node_idx: Any, num_hops: int, edge_index: Any, relabel_nodes: bool = False,
                   num_nodes: int | None = None, flow: str = "source_to_target",
                   directed: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The nodes within ``num_hops`` hops of ``node_idx`` and the edges among them (PyG's).

    With ``flow='source_to_target'`` a hop follows an edge j -> i backwards (the nodes whose
    messages reach ``node_idx``); 'target_to_source' follows edges forwards. Each hop expands
    from the nodes reached at the previous hop. ``directed=False`` keeps every edge between
    two reached nodes; ``directed=True`` only the edges traversed.

    Returns:
        (subset (S,) sorted node ids, edge_index (2, E'), mapping (len(node_idx),) positions of
        ``node_idx`` in ``subset``, edge_mask (E,) bool). With ``relabel_nodes`` the edges use
        positions in ``subset``.

    Raises:
        ValueError: unknown ``flow``, negative ``num_hops``. TypeError / IndexError: malformed
            ``node_idx`` or ``edge_index``.
    """
    if flow not in ("source_to_target", "target_to_source"):
        raise ValueError(f"flow: expected 'source_to_target' or 'target_to_source', got {flow!r}")
    num_hops = as_count("num_hops", num_hops)
    ei, n = edge_index_arg(edge_index, num_nodes)
    start = index_arg("node_idx", np.atleast_1d(np.asarray(node_idx)), n)
    reached_by, reaches = (ei[0], ei[1]) if flow == "target_to_source" else (ei[1], ei[0])
    frontier, parts = start, [start]
    traversed = np.zeros(ei.shape[1], dtype=bool)
    for _ in range(num_hops):  # a loop over hops, each vectorized over the edges
        step = np.isin(reached_by, frontier)
        traversed |= step
        frontier = reaches[step]
        parts.append(frontier)
    subset = np.unique(np.concatenate(parts))
    mapping = np.searchsorted(subset, start)
    edge_mask = traversed if directed else (np.isin(reached_by, subset, assume_unique=False)
                                            & np.isin(reaches, subset))
    out = ei[:, edge_mask]
    if relabel_nodes:
        out = np.searchsorted(subset, out)
    return subset, out, mapping, edge_mask


def _relabel(ei: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Replace each id by its position in ``nodes`` (every id of ``ei`` is in ``nodes``)."""
    order = np.argsort(nodes, kind="stable")
    ranked = nodes[order]
    if ranked.size > 1 and (ranked[1:] == ranked[:-1]).any():
        raise ValueError("subset: contains duplicate node ids; relabel_nodes needs each node "
                         "once")
    return order[np.searchsorted(ranked, ei)].astype(np.int64, copy=False)
