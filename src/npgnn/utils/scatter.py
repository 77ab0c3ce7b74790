"""PyG's ``scatter``: reduce rows of ``src`` into groups given by ``index`` (differentiable)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.graph._checks import as_count
from npgnn.ops.graph import segment_max, segment_mean, segment_sum
from npgnn.ops.math import neg, transpose
from npgnn.ops.segments import Segments
from npgnn.utils._args import index_arg

REDUCES = ("sum", "add", "mean", "min", "max")


def scatter(src: Any, index: Any, dim: int = 0, dim_size: int | None = None,
            reduce: str = "sum") -> np.ndarray | Tensor:
    """Reduce the slices of ``src`` along ``dim`` that share an ``index`` value (PyG's scatter).

    ``out[..., s, ...] = reduce({src[..., e, ...] : index[e] == s})`` with the output's ``dim``
    of size ``dim_size`` (default ``index.max() + 1``, 0 for an empty index). A group that
    receives nothing is 0 for every reduction, as in PyG.

    Args:
        src: (..., E, ...) ndarray or npgnn Tensor; E = ``src.shape[dim]``.
        index: (E,) integer ids in [0, dim_size).
        dim: the axis of ``src`` that ``index`` runs along (negative counts from the end).
        dim_size: number of groups.
        reduce: 'sum' (= 'add'), 'mean', 'min' or 'max'. 'mean' divides by the group size
            (integer input gives floats: PyG floor-divides integer tensors); tied maxima/minima
            share the gradient equally (as torch's scatter_reduce; where the tied extreme is
            exactly 0, torch also counts its zero-filled output slot as a tie and passes on a
            smaller share: here the k tied inputs get 1/k each).

    Returns:
        An ndarray for an ndarray ``src``; a Tensor (recorded for autodiff) for a Tensor.

    Raises:
        TypeError: ``index`` not 1-D integers, ``dim_size`` not an int. ValueError: unknown
            ``reduce`` (PyG's 'mul' and 'any' are not supported), ``dim`` out of range, or
            ``index`` not of length ``src.shape[dim]``. IndexError: an id outside [0, dim_size).
    """
    if reduce not in REDUCES:
        raise ValueError(f"reduce: expected one of {list(REDUCES)}, got {reduce!r}")
    as_tensor = isinstance(src, Tensor)
    x = src if as_tensor else np.asarray(src)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"src: expected real numbers, got dtype {x.dtype}")
    if x.ndim == 0:
        raise ValueError(f"src: expected an array with the groups along dim, got a scalar "
                         f"({x.dtype})")
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"dim: expected an axis of src (shape {tuple(x.shape)}), got {dim}")
    dim = dim % x.ndim
    if dim_size is None:
        index = index_arg("index", index)
        size = int(index.max()) + 1 if index.size else 0
    else:
        size = as_count("dim_size", dim_size)
        index = index_arg("index", index, size)
    if index.size != x.shape[dim]:
        raise ValueError(f"index: expected {x.shape[dim]} ids (src.shape[{dim}]), got "
                         f"{index.size}")
    if not as_tensor and index.size > 1 and (index[1:] >= index[:-1]).all():
        return np.moveaxis(_sorted_reduce(np.moveaxis(x, dim, 0), index, size, reduce), 0, dim)
    if dim != 0:  # move the scattered axis to the front and back again
        axes = (dim, *range(dim), *range(dim + 1, x.ndim))
        x = transpose(x, axes)
    seg = Segments(index, size, validate=False)
    if reduce in ("sum", "add"):
        out = segment_sum(x, seg)
    elif reduce == "mean":
        out = segment_mean(x if x.dtype.kind == "f" else x.astype(np.float64), seg)
    elif reduce == "max":
        out = segment_max(x, seg)
    else:
        out = neg(segment_max(neg(x), seg))
    if dim != 0:
        out = transpose(out, tuple(np.argsort(axes)))
    return out if as_tensor else out.data



_UFUNCS = {"sum": np.add, "add": np.add, "mean": np.add, "max": np.maximum, "min": np.minimum}


def _sorted_reduce(x: np.ndarray, index: np.ndarray, size: int, reduce: str) -> np.ndarray:
    """The same reduction for arrays whose ``index`` is non-decreasing (as after a sort):
    one ``ufunc.reduceat`` over the runs, no grouping pass. (E, ...) -> (size, ...)."""
    first = np.empty(index.size, dtype=bool)
    first[0] = True
    np.not_equal(index[1:], index[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    values = _UFUNCS[reduce].reduceat(x, starts, axis=0)
    if reduce == "mean":
        counts = np.diff(starts, append=index.size).reshape(-1, *([1] * (x.ndim - 1)))
        values = values / counts.astype(values.dtype if values.dtype.kind == "f" else np.float64)
    if starts.size == size:  # every group is hit (as when coalescing): already in place
        return values
    out = np.zeros((size, *x.shape[1:]), dtype=values.dtype)
    out[index[starts]] = values
    return out
