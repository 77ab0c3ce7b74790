"""Sorting and merging edges: PyG's sort_edge_index, coalesce, to_undirected, is_undirected.

Ordering uses ``npgnn.ops.segments.sort_pairs``: a counting sort while N is comparable to E,
a comparison sort of the E edges otherwise, so 3 edges among 10**9 nodes cost O(E log E) and
allocate nothing of size N. Unlike PyG, no N * N int64 key is formed, so no overflow error.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.ops.segments import sort_pairs
from npgnn.utils._args import MISSING, Values, cat, edge_index_arg, take, values_arg
from npgnn.utils.scatter import REDUCES, scatter

EdgeAttr = Any  # None | array | Tensor | list of them | MISSING


def sort_edge_index(edge_index: Any, edge_attr: EdgeAttr = MISSING, num_nodes: int | None = None,
                    sort_by_row: bool = True) -> Any:
    """Sort edges by (row, col) (``sort_by_row=True``) or by (col, row); stable.

    Args:
        edge_index: (2, E) integer ids. num_nodes: N (default max id + 1).
        edge_attr: omitted, None, one (E, ...) array/Tensor, or a list of them: reordered alike.

    Returns:
        ``edge_index`` alone when ``edge_attr`` is omitted, else ``(edge_index, edge_attr)``
        with ``edge_attr`` of the kind passed (None, one array, or a list), as PyG.
    """
    ei, n = edge_index_arg(edge_index, num_nodes)
    attrs, kind = _attrs_arg(edge_attr, ei.shape[1])
    first, second = (ei[0], ei[1]) if sort_by_row else (ei[1], ei[0])
    perm = sort_pairs(first, second, n)
    return _result(np.take(ei, perm, axis=1), [take(a, perm) for a in attrs], kind)


def coalesce(edge_index: Any, edge_attr: EdgeAttr = MISSING, num_nodes: int | None = None,
             reduce: str = "sum", is_sorted: bool = False, sort_by_row: bool = True) -> Any:
    """Sort edges as ``sort_edge_index`` and merge duplicates (PyG's coalesce).

    The values of duplicate edges are merged with ``reduce`` ('sum'/'add', 'mean', 'min',
    'max'; see ``scatter``: 'mean' of integers gives floats). ``is_sorted=True`` promises the
    edges are already sorted and skips the sort. Tensors stay differentiable.

    Returns:
        As ``sort_edge_index``; E' <= E edges without duplicates.

    Raises:
        ValueError: unknown ``reduce``; malformed arguments as ``sort_edge_index``.
    """
    if reduce not in REDUCES:
        raise ValueError(f"reduce: expected one of {list(REDUCES)}, got {reduce!r}")
    ei, n = edge_index_arg(edge_index, num_nodes)
    attrs, kind = _attrs_arg(edge_attr, ei.shape[1])
    if not is_sorted:
        first, second = (ei[0], ei[1]) if sort_by_row else (ei[1], ei[0])
        perm = sort_pairs(first, second, n)
        ei, attrs = np.take(ei, perm, axis=1), [take(a, perm) for a in attrs]
    new = np.ones(ei.shape[1], dtype=bool)
    new[1:] = (ei[:, 1:] != ei[:, :-1]).any(axis=0)
    if new.all():
        return _result(ei, attrs, kind)
    group = np.cumsum(new) - 1  # the merged edge each sorted edge belongs to
    size = int(group[-1]) + 1
    return _result(ei[:, new], [scatter(a, group, 0, size, reduce) for a in attrs], kind)


def to_undirected(edge_index: Any, edge_attr: EdgeAttr = MISSING, num_nodes: int | None = None,
                  reduce: str = "add") -> Any:
    """Add the reverse of every edge, then ``coalesce`` with ``reduce`` (PyG's to_undirected).

    With 'add', an edge present in both directions gets the sum of both values in each
    direction and a self-loop's value doubles. ``to_undirected(edge_index, N)`` (an int second
    argument) is read as ``num_nodes``, as PyG.

    Returns:
        As ``coalesce``.
    """
    if isinstance(edge_attr, (int, np.integer)) and not isinstance(edge_attr, bool):
        edge_attr, num_nodes = MISSING, edge_attr
    ei, n = edge_index_arg(edge_index, num_nodes)
    attrs, kind = _attrs_arg(edge_attr, ei.shape[1])
    both = np.concatenate([ei, ei[::-1]], axis=1)
    return coalesce(both, _pack([cat([a, a]) for a in attrs], kind), n, reduce)


def is_undirected(edge_index: Any, edge_attr: Any = None, num_nodes: int | None = None) -> bool:
    """True if the edges sorted by (row, col) equal the reversed edges sorted by (col, row).

    Every edge (i, j) needs a reverse (j, i) with equal multiplicity and, for each of
    ``edge_attr`` (None, one array, or a list), exactly equal values (compared as PyG, after
    both stable sorts).
    """
    ei, n = edge_index_arg(edge_index, num_nodes)
    attrs, _ = _attrs_arg(edge_attr, ei.shape[1])
    by_row = sort_pairs(ei[0], ei[1], n)
    by_col = sort_pairs(ei[1], ei[0], n)
    if not (np.array_equal(ei[0, by_row], ei[1, by_col])
            and np.array_equal(ei[1, by_row], ei[0, by_col])):
        return False
    values = [np.asarray(getattr(a, "data", a)) for a in attrs]
    return all(np.array_equal(v[by_row], v[by_col]) for v in values)


def _attrs_arg(edge_attr: EdgeAttr, num_edges: int) -> tuple[list[Values], str]:
    if edge_attr is MISSING:
        return [], "missing"
    if edge_attr is None:
        return [], "none"
    if isinstance(edge_attr, (list, tuple)):
        return [values_arg(f"edge_attr[{k}]", a, num_edges)
                for k, a in enumerate(edge_attr)], "list"
    return [values_arg("edge_attr", edge_attr, num_edges)], "one"


def _pack(attrs: list[Values], kind: str) -> EdgeAttr:
    """The ``edge_attr`` argument of the kind given: MISSING, None, a list, or one array."""
    return {"missing": MISSING, "none": None, "list": attrs}.get(kind, attrs[0] if attrs else None)


def _result(ei: np.ndarray, attrs: list[Values], kind: str) -> Any:
    return ei if kind == "missing" else (ei, _pack(attrs, kind))
