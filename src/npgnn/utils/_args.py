"""Argument checks and value helpers shared by the ``npgnn.utils`` functions.

PyG's utils take ``edge_index`` as a (2, E) LongTensor and values (``edge_attr``,
``edge_weight``, ``src``) as tensors. Here ``edge_index`` is anything NumPy turns into a (2, E)
integer array, and values are NumPy arrays or npgnn Tensors: a Tensor stays a Tensor and every
reshuffle of its rows (indexing, concatenation, reduction) is recorded for autodiff.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.graph._checks import as_count, as_edge_index, check_edge_ids
from npgnn.ops.math import concatenate, getitem
from npgnn.ops.segments import check_index


class _Missing:
    """PyG's ``MISSING``: an ``edge_attr`` that was not passed (return ``edge_index`` alone)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

Values = np.ndarray | Tensor


def edge_index_arg(edge_index: Any, num_nodes: Any = None) -> tuple[np.ndarray, int]:
    """``edge_index`` as (2, E) int64 and the node count N (PyG's ``maybe_num_nodes``).

    N is ``num_nodes`` when given (then every id must be below it), else max id + 1 (0 without
    edges).

    Raises:
        TypeError: non-integer ids or ``num_nodes``. ValueError: shape not (2, E), negative
            ``num_nodes``. IndexError: an id outside [0, N).
    """
    ei = as_edge_index(edge_index)
    if num_nodes is None:
        n = int(ei.max()) + 1 if ei.size else 0
    else:
        n = as_count("num_nodes", num_nodes)
    check_edge_ids(ei, n)
    return ei, n


def index_arg(name: str, index: Any, size: int | None = None) -> np.ndarray:
    """A 1-D int64 index array (ids in [0, size) when ``size`` is given; never negative)."""
    index = np.asarray(index)
    if index.size == 0 and index.ndim <= 1:
        return np.empty(0, dtype=np.int64)
    if index.ndim != 1 or index.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected a 1-D integer array of ids, got dtype={index.dtype} "
                        f"shape={index.shape}")
    if size is None:
        if index.min() < 0:
            raise IndexError(f"{name}: ids must be >= 0, found {index.min()}")
        return index.astype(np.int64, copy=False)
    return check_index(name, index, size)


def values_arg(name: str, values: Any, num_rows: int) -> Values | None:
    """``values`` (None, an npgnn Tensor, or array-like) with ``num_rows`` rows.

    Raises:
        TypeError: not numeric. ValueError: 0-d, or the first dimension is not ``num_rows``.
    """
    if values is None:
        return None
    if not isinstance(values, Tensor):
        values = np.asarray(values)
        if values.dtype.kind not in "biuf":
            raise TypeError(f"{name}: expected real numbers, got dtype {values.dtype}")
    if values.ndim == 0 or values.shape[0] != num_rows:
        raise ValueError(f"{name}: expected {num_rows} rows (one per column of edge_index), "
                         f"got shape {tuple(values.shape)}")
    return values


def take(values: Values, rows: Any) -> Values:
    """``values[rows]``, recorded for autodiff when ``values`` is a Tensor."""
    if isinstance(values, Tensor):
        return getitem(values, rows)
    if isinstance(rows, np.ndarray) and rows.dtype.kind in "iu":
        return np.take(values, rows, axis=0)  # several times faster than values[rows]
    return values[rows]


def cat(parts: list[Values]) -> Values:
    """Concatenate along rows; a Tensor among the parts makes the result a Tensor."""
    if any(isinstance(p, Tensor) for p in parts):
        return concatenate(parts, axis=0)
    return np.concatenate(parts, axis=0)


def last_per_group(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct id, the position of its last occurrence; (ids, positions) by id.

    O(L log L) for L = ids.size: a stable sort, nothing of the size of the id range.
    """
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    last = np.ones(order.size, dtype=bool)
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=last[:-1])
    return sorted_ids[last], order[last]
