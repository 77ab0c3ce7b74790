"""Coercion and checks of the fields of a Graph; every error names the argument and gives a hint."""
from __future__ import annotations

import operator
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._format import show
from npgnn._validate import check_supported_dtype


def unwrap(value: Any) -> Any:
    """An npgnn ``Tensor``'s or a torch tensor's ndarray; anything else unchanged."""
    if isinstance(value, (np.ndarray, list, int, float)) or value is None or sp.issparse(value):
        return value
    from npgnn.autodiff.tensor import Tensor  # here: graph must not import autodiff at load

    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value.detach().cpu().numpy()
    return value


def as_array(name: str, value: Any) -> np.ndarray:
    """``np.asarray(value)``, with NumPy's errors for values that are no array (a ragged nested
    list, a dict, a generator) turned into a TypeError naming ``name``."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged lists, objects NumPy cannot convert
        raise TypeError(f"{name}: expected an array, got {type(value).__name__} that NumPy "
                        f"cannot convert ({exc})") from None
    if array.dtype == object and array.ndim == 0 and not isinstance(value, np.ndarray):
        raise TypeError(f"{name}: expected an array, got {type(value).__name__} {show(value)}")
    return array


def as_count(name: str, value: Any, minimum: int = 0) -> int:
    """Return ``value`` as a Python int >= ``minimum``.

    Raises:
        TypeError: ``value`` is not an integer. ValueError: it is below ``minimum``.
    """
    expected = f"expected an int >= {minimum}"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: {expected}, got bool {show(value)}")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: {expected}, got {type(value).__name__} {show(value)}; pass "
                        f"int({show(value)}) if it is a whole number") from None
    if n < minimum:
        raise ValueError(f"{name}: {expected}, got {n}")
    return n


def as_edge_index(value: Any) -> np.ndarray:
    """Return ``value`` as a (2, E) int64 array; an empty list, a 1-D empty array or a (2, 0)
    array means no edges.

    Raises:
        TypeError: the ids are not integers. ValueError: the shape is not (2, E) (including an
        empty (k, 0) array with k != 2, e.g. (3, 0): a wrongly shaped edge list, not "no edges").
    """
    ei = as_array("edge_index", value)
    if ei.size == 0 and (ei.ndim == 1 or ei.shape == (2, 0)) and ei.dtype.kind in "biuf":
        return np.empty((2, 0), dtype=np.int64)
    if ei.dtype.kind not in "iu":
        raise TypeError(f"edge_index: expected integer node ids, got {ei.dtype}; cast with "
                        f".astype(np.int64) if the values are whole numbers")
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"edge_index: expected shape (2, E) (row 0 sources, row 1 targets), "
                         f"got {ei.shape}; pass edge_index.T if you have an (E, 2) edge list")
    return ei.astype(np.int64, copy=False)


def check_edge_ids(ei: np.ndarray, num_nodes: int) -> None:
    """Raise IndexError unless every id in ``ei`` lies in [0, num_nodes)."""
    if ei.size and (ei.min() < 0 or ei.max() >= num_nodes):
        raise IndexError(f"edge_index: node ids must lie in [0, {num_nodes}), found "
                         f"min={ei.min()} max={ei.max()}; is num_nodes right, or the edge list "
                         f"1-based?")


def as_features(x: Any, num_nodes: int | None) -> Any:
    """Return ``x`` as a 2-D numeric ndarray or a scipy CSR matrix/array.

    Raises:
        TypeError: a dtype npgnn does not compute in (float16, complex, object, strings;
        :func:`npgnn._validate.unsupported_dtype`), dense or sparse. ValueError: not 2-D, or not ``num_nodes`` rows.
    """
    if sp.issparse(x):
        x = x.tocsr()
    else:
        x = as_array("x", x)
    check_supported_dtype("x", x.dtype)
    if x.ndim != 2:
        raise ValueError(f"x: expected shape (num_nodes, F), got {x.shape}; use x.reshape(-1, 1) "
                         f"for one feature per node")
    if num_nodes is not None and x.shape[0] != num_nodes:
        raise ValueError(f"x: expected {num_nodes} rows (one per node, num_nodes={num_nodes}), got "
                         f"{x.shape[0]}; is num_nodes right?")
    return x


def as_edge_weight(w: Any, num_edges: int) -> np.ndarray:
    """Return ``w`` as an (E,) float array (integers become float64) without NaN.

    Raises:
        TypeError: an unsupported dtype (:func:`npgnn._validate.unsupported_dtype`).
        ValueError: wrong shape, or NaN present.
    """
    w = as_array("edge_weight", w)
    check_supported_dtype("edge_weight", w.dtype)
    if w.dtype.kind != "f":
        w = w.astype(np.float64)
    if w.shape != (num_edges,):
        raise ValueError(f"edge_weight: expected shape (E,) = ({num_edges},), one weight per "
                         f"column of edge_index, got {w.shape}")
    nan = np.isnan(w)
    if nan.any():
        raise ValueError(f"edge_weight: contains {int(nan.sum())} NaN value(s), first at edge "
                         f"{int(np.argmax(nan))}; drop those edges or replace the NaNs")
    return w


def check_degrees(owner: str, deg: np.ndarray, kind: str) -> None:
    """Raise ValueError if a weighted degree is negative (``deg ** -0.5`` would be NaN).

    PyG computes ``deg.pow(-0.5)`` and returns NaN for such a node; npgnn refuses it before
    normalising, naming ``edge_weight`` (the cause) and the first offending node.
    """
    neg = deg < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise ValueError(f"{owner}: edge_weight gives {int(neg.sum())} node(s) a negative "
                         f"weighted {kind} (first: node {i}, degree {show(deg[i].item())}); "
                         f"D^-1/2 is undefined for it (PyG would return NaN); pass non-negative "
                         f"edge weights")


def as_edge_attr(a: Any, num_edges: int) -> np.ndarray:
    """Return ``a`` as an array whose first dimension is E.

    Raises:
        TypeError: an unsupported dtype (:func:`npgnn._validate.unsupported_dtype`).
        ValueError: it is 0-d or its first dimension is not E.
    """
    a = as_array("edge_attr", a)
    check_supported_dtype("edge_attr", a.dtype)
    if a.ndim == 0 or a.shape[0] != num_edges:
        raise ValueError(f"edge_attr: expected shape (E, D) with E = {num_edges}, one row per "
                         f"column of edge_index, got {a.shape}")
    return a


def as_mask(name: str, m: Any, num_nodes: int) -> np.ndarray:
    """Return ``m`` as an (N,) bool array; an integer mask must hold only 0 and 1.

    Float masks are refused, not rounded: a float array here is almost always a mistake (a
    probability or a feature column), and 0.5 has no meaning as "in the split".

    Raises:
        TypeError: a float, complex, object or string dtype, or integers other than 0/1.
        ValueError: wrong shape.
    """
    m = as_array(name, m)
    if m.dtype != np.bool_:
        check_supported_dtype(name, m.dtype)
        if m.dtype.kind == "f":
            raise TypeError(f"{name}: expected a boolean mask (bool, or 0/1 integers), got dtype "
                            f"{m.dtype}; a float mask is refused (no rounding); pass "
                            f"{name}.astype(bool) if its values are exactly 0 and 1")
    if m.shape != (num_nodes,):
        raise ValueError(f"{name}: expected a boolean mask of shape ({num_nodes},) (num_nodes), "
                         f"got shape {m.shape}; if you have node indices, build a mask: "
                         f"m = np.zeros(num_nodes, bool); m[idx] = True")
    if m.dtype != np.bool_:
        if not np.isin(m, (0, 1)).all():
            raise TypeError(f"{name}: expected a boolean mask (bool, or only 0/1 values), got "
                            f"dtype {m.dtype} with other values; if you have node indices, "
                            f"build a mask: m = np.zeros(num_nodes, bool); m[idx] = True")
        m = m.astype(np.bool_)
    return m


def as_labels(y: Any) -> np.ndarray:
    """Return the targets ``y`` as an ndarray: integer class ids or float regression targets.

    Any shape is kept (node-level (N,) or (N, C), graph-level (G,) ...: PyG does not fix it);
    NaN floats are allowed (missing labels, as in OGB). bool targets are refused: cast them to
    int64 (class ids 0/1) or to float (BCE targets), the loss needs to know which one.

    Raises:
        TypeError: a bool, complex, object, string or float16 dtype.
    """
    y = as_array("y", y)
    if y.dtype == np.bool_:
        raise TypeError("y: expected integer class ids or float targets, got dtype bool; cast it "
                        "with y.astype(np.int64) (class ids) or y.astype(np.float32) (binary "
                        "targets for binary_cross_entropy)")
    if y.dtype.kind not in "iu":
        check_supported_dtype("y", y.dtype, allow_int=False)   # float32 / float64 only
    return y


def as_batch(b: Any, num_nodes: int) -> np.ndarray:
    """Return ``b`` as an (N,) int64 array of graph ids, non-negative and non-decreasing.

    Raises:
        TypeError: not integers. ValueError: wrong length, negative or unsorted ids.
    """
    b = as_array("batch", b)
    if b.size == 0 and b.ndim == 1 and b.dtype.kind in "biuf":  # [] is float64
        b = b.astype(np.int64)
    if b.dtype.kind not in "iu":
        raise TypeError(f"batch: expected integer graph ids, got {b.dtype}")
    if b.shape != (num_nodes,):
        raise ValueError(f"batch: expected shape ({num_nodes},) (one graph id per node), "
                         f"got {b.shape}")
    b = b.astype(np.int64, copy=False)
    if b.size and b[0] < 0:
        raise ValueError(f"batch: graph ids must be >= 0, found {b.min()}")
    if b.size > 1 and (np.diff(b) < 0).any():
        raise ValueError("batch: graph ids must be sorted non-decreasing (the nodes of each "
                         "graph contiguous); build batches with Batch.from_graphs")
    return b


def as_ptr(p: Any, num_nodes: int | None) -> np.ndarray:
    """Return ``p`` as a (G+1,) int64 array of node offsets: 0, non-decreasing, ends at N.

    Raises:
        TypeError: not integers. ValueError: not a valid offsets vector.
    """
    p = as_array("ptr", p)
    if p.dtype.kind not in "iu":
        raise TypeError(f"ptr: expected integer node offsets, got {p.dtype}")
    p = p.astype(np.int64, copy=False)
    if p.ndim != 1 or p.size == 0 or p[0] != 0 or (np.diff(p) < 0).any():
        raise ValueError(f"ptr: expected non-decreasing node offsets [0, ..., num_nodes] of "
                         f"shape (G+1,), got {p if p.size <= 10 else p.shape}")
    if num_nodes is not None and p[-1] != num_nodes:
        raise ValueError(f"ptr: last offset must equal num_nodes={num_nodes}, got {p[-1]}")
    return p


def check_batch_matches_ptr(batch: np.ndarray, ptr: np.ndarray) -> None:
    """Raise ValueError unless ``batch`` is the node -> graph map that ``ptr`` describes."""
    expected = np.repeat(np.arange(ptr.size - 1, dtype=np.int64), np.diff(ptr))
    if not np.array_equal(batch, expected):
        raise ValueError("batch: does not match ptr (graph g owns nodes ptr[g]:ptr[g+1]); "
                         "pass only one of them")
