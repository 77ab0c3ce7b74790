"""Differentiable graph ops: gather, segment sum/mean/max, SpMM and segment softmax.

Convention (DESIGN §2): an edge e carries a message from its source j = edge_index[0, e] to its
target i = edge_index[1, e]. Segment ops reduce items (edges) into segments (target nodes). Every
backward is the adjoint of its forward, written by hand: gather <-> segment sum, A <-> Aᵀ.
All kernels are deterministic: the same inputs give bit-identical outputs, run after run.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._validate import check_size
from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.ops.adjacency import Adjacency
from npgnn.ops.segments import Segments, check_index

SegmentsLike = Segments | np.ndarray


def _segments(index: SegmentsLike, num_segments: int | None, name: str = "index") -> Segments:
    if isinstance(index, Segments):
        if num_segments is not None:
            num_segments = check_size(name, "num_segments", num_segments, minimum=0)
        if num_segments is not None and num_segments != index.num_segments:
            raise ValueError(
                f"{name}: num_segments={num_segments} disagrees with the Segments given "
                f"({index.num_segments})"
            )
        return index
    if num_segments is None:
        raise ValueError(f"{name}: pass num_segments (the number of target nodes) with an index array")
    num_segments = check_size(name, "num_segments", num_segments, minimum=0)
    return Segments(check_index(name, index, num_segments), num_segments, validate=False)


def _check_rows(name: str, x: Tensor, expected: int, what: str) -> None:
    if x.ndim == 0 or x.shape[0] != expected:
        raise ValueError(f"{name}: expected {expected} rows ({what}), got shape {x.shape}")


# ---------------------------------------------------------------------------- gather / scatter
class Gather(Function):
    """out[e] = x[index[e]]  (N, ...) -> (E, ...); backward: segment sum of the gradient."""

    def __init__(self, segments: Segments):
        self.segments = segments

    def forward(self, x):
        return x[self.segments.index]

    def backward(self, g):
        return self.segments.sum(g)


class SegmentSum(Function):
    """out[s] = Σ_{e: index[e]=s} x[e]  (E, ...) -> (S, ...); backward: gather."""

    def __init__(self, segments: Segments):
        self.segments = segments

    def forward(self, x):
        return self.segments.sum(x)

    def backward(self, g):
        return g[self.segments.index]


class SegmentMean(Function):
    """out[s] = mean of x[e] over segment s; 0 for an empty segment."""

    def __init__(self, segments: Segments):
        self.segments = segments

    def forward(self, x):
        counts = np.maximum(self.segments.counts, 1).astype(x.dtype)
        self.inv = (1 / counts).reshape((-1,) + (1,) * (x.ndim - 1))
        return self.segments.sum(x) * self.inv

    def backward(self, g):
        return (g * self.inv)[self.segments.index]


class SegmentMax(Function):
    """out[s] = max of x[e] over segment s; 0 for an empty segment. Ties share the gradient."""

    def __init__(self, segments: Segments):
        self.segments = segments

    def forward(self, x):
        self.x = x
        self.out = self.segments.max(x)
        return self.out

    def backward(self, g):
        seg = self.segments
        hit = (self.x == self.out[seg.index]).astype(g.dtype)
        ties = seg.sum(hit)
        share = hit / np.maximum(ties, 1)[seg.index]
        return g[seg.index] * share


class SegmentSoftmax(Function):
    """Softmax of scores over each segment: y[e] = exp(s[e]) / Σ_{e' in seg(e)} exp(s[e']).

    Scores (E,) or (E, H) (one softmax per head). The segment max is subtracted first (no
    gradient flows through that shift: softmax is shift-invariant). Backward:
    ds[e] = y[e] (g[e] − Σ_{e' in seg(e)} g[e'] y[e']).

    Non-finite scores: a −inf score gets weight 0 and the rest of its segment is unchanged; a
    segment whose scores are all −inf (every edge masked out) gets weights 0 and no gradient, so
    a weighted sum over it is 0, as for a node with no in-edges. This is torch's rule for fully
    masked rows in ``scaled_dot_product_attention`` and npgnn's ``MultiHeadAttention``; PyG's
    ``softmax`` gives NaN there. A +inf score makes its segment NaN (as torch and PyG).
    """

    def __init__(self, segments: Segments):
        self.segments = segments

    def forward(self, s):
        seg = self.segments
        top = seg.max(s)
        top[np.isneginf(top)] = 0                 # an all −inf segment: no shift, exp(−inf) = 0
        with np.errstate(invalid="ignore"):       # +inf scores: NaN, as torch
            z = np.exp(s - top[seg.index])
            total = seg.sum(z)
            total[total == 0] = 1                 # all −inf: 0 / 1 = 0
            self.y = z / total[seg.index]
        return self.y

    def backward(self, g):
        seg = self.segments
        return self.y * (g - seg.sum(g * self.y)[seg.index])


def gather(x: Any, index: SegmentsLike, num_segments: int | None = None) -> Tensor:
    """Rows of ``x`` picked by ``index``: ``out[e] = x[index[e]]``.

    Args:
        x: (N, ...) node values.
        index: (E,) ids in [0, N), or a prebuilt :class:`Segments` over N segments.
    """
    x = as_tensor(x)
    seg = _segments(index, x.shape[0] if num_segments is None else num_segments)
    _check_rows("gather: x", x, seg.num_segments, "one per node")
    return Gather(seg)(x)


def segment_sum(x: Any, index: SegmentsLike, num_segments: int | None = None) -> Tensor:
    """Scatter-add: ``out[s] = Σ_{e: index[e] = s} x[e]``; (E, ...) -> (num_segments, ...)."""
    x, seg = as_tensor(x), _segments(index, num_segments)
    _check_rows("segment_sum: x", x, seg.num_items, "one per index entry")
    return SegmentSum(seg)(x)


def segment_mean(x: Any, index: SegmentsLike, num_segments: int | None = None) -> Tensor:
    """Scatter-mean; an empty segment gives 0."""
    x, seg = as_tensor(x), _segments(index, num_segments)
    _check_rows("segment_mean: x", x, seg.num_items, "one per index entry")
    return SegmentMean(seg)(x)


def segment_max(x: Any, index: SegmentsLike, num_segments: int | None = None) -> Tensor:
    """Scatter-max; an empty segment gives 0; tied maxima share the gradient equally."""
    x, seg = as_tensor(x), _segments(index, num_segments)
    _check_rows("segment_max: x", x, seg.num_items, "one per index entry")
    return SegmentMax(seg)(x)


def segment_softmax(scores: Any, index: SegmentsLike, num_segments: int | None = None) -> Tensor:
    """Softmax of (E,) or (E, H) scores within each segment (e.g. over each node's incoming edges)."""
    s, seg = as_tensor(scores), _segments(index, num_segments)
    _check_rows("segment_softmax: scores", s, seg.num_items, "one per index entry")
    return SegmentSoftmax(seg)(s)


# ---------------------------------------------------------------------------- sparse matmul
def _operator(adj: Any, dtype: np.dtype) -> Any:
    """``adj`` as an Adjacency (sparse) or ndarray (dense) with values in ``dtype``."""
    if isinstance(adj, np.ndarray):
        return adj if adj.dtype == dtype else adj.astype(dtype)
    return (adj if isinstance(adj, Adjacency) else Adjacency(adj)).astype(dtype)


def _matmul_signals(adj: Any, x: np.ndarray) -> np.ndarray:
    """adj @ x for x (C, F) or a batch of signals (B, C, F) on the same graph."""
    if x.ndim == 2:
        return adj @ x
    # one (C, B·F) product instead of B products: a single BLAS call / one pass over A
    b, c, f = x.shape
    flat = np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(c, b * f)
    return (adj @ flat).reshape(adj.shape[0], b, f).transpose(1, 0, 2)


class SpMM(Function):
    """out = A x with a fixed matrix A (sparse or dense); backward dx = Aᵀ g.

    Using Aᵀ (not A) is what makes the gradient right on directed graphs. A sparse A is an
    :class:`Adjacency`, whose transpose is built once and cached.
    """

    def __init__(self, adj: Any):
        self.adj = adj

    def forward(self, x):
        self.adj = _operator(self.adj, x.dtype)
        return _matmul_signals(self.adj, x)

    def backward(self, g):
        return _matmul_signals(self.adj.T, g)


def spmm(adj: Any, x: Any) -> Tensor:
    """Multiply node signals by a fixed (sparse or dense) matrix: ``out[..., i, :] = Σ_j A[i, j] x[..., j, :]``.

    Args:
        adj: (R, C) :class:`Adjacency`, scipy sparse matrix or ndarray. In npgnn's convention
            ``A[i, j] != 0`` is an edge j -> i (``Graph.csr_by_target()`` builds it), so
            ``spmm(A, x)`` sums messages at their targets. Pass an Adjacency (a Graph caches one)
            to reuse the transpose across calls.
        x: (C, F) node features, or (B, C, F): B signals on the same graph (the article's layout).
    Returns:
        (R, F) or (B, R, F), in x's dtype.
    """
    x = as_tensor(x)
    if not (isinstance(adj, (Adjacency, np.ndarray)) or sp.issparse(adj)) or len(adj.shape) != 2:
        raise TypeError(
            f"spmm: adj must be a 2-D ndarray, scipy sparse matrix or Adjacency, got {type(adj).__name__}"
        )
    if x.ndim not in (2, 3) or x.shape[-2] != adj.shape[1]:
        raise ValueError(
            f"spmm: x must have shape ({adj.shape[1]}, F) or (B, {adj.shape[1]}, F) to match adj "
            f"{adj.shape}, got {x.shape}"
        )
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return SpMM(adj)(x)


class EdgeSpMM(Function):
    """out[i] = Σ_{e: j -> i} w[e] x[j] with learned edge weights w (E,) or per head w (E, H).

    x is (N, C) for w (E,), or (N, H, C) for w (E, H). Backward:
    dx[j] = Σ_{e: j -> i} w[e] g[i] (the transpose), dw[e] = <g[i], x[j]>.
    """

    def __init__(self, src: np.ndarray, dst: Segments, num_src: int):
        self.src, self.dst, self.num_src = src, dst, num_src

    def _matrix(self, w: np.ndarray) -> sp.csr_matrix:
        d = self.dst
        return sp.csr_matrix(
            (w[d.perm], self.src[d.perm], d.indptr), shape=(d.num_segments, self.num_src)
        )

    def forward(self, w, x):
        self.w, self.x = w, x
        if w.ndim == 1:
            self.mats = [self._matrix(w)]
            return np.asarray(self.mats[0] @ x)
        self.mats = [self._matrix(np.ascontiguousarray(w[:, h])) for h in range(w.shape[1])]
        return np.stack([np.asarray(m @ x[:, h]) for h, m in enumerate(self.mats)], axis=1)

    def backward(self, g):
        dw = dx = None
        i, j = self.dst.index, self.src
        if self.w.ndim == 1:
            if self.needs_input_grad[1]:
                dx = np.asarray(self.mats[0].T @ g)
            if self.needs_input_grad[0]:
                dw = np.einsum("ec,ec->e", g[i], self.x[j])
            return dw, dx
        if self.needs_input_grad[1]:
            dx = np.stack([np.asarray(m.T @ g[:, h]) for h, m in enumerate(self.mats)], axis=1)
        if self.needs_input_grad[0]:
            dw = np.stack(
                [np.einsum("ec,ec->e", g[i, h], self.x[j, h]) for h in range(self.w.shape[1])], axis=1
            )
        return dw, dx


def edge_spmm(
    edge_weight: Any, x: Any, edge_index: np.ndarray, num_nodes: int | None = None,
    target_segments: Segments | None = None,
) -> Tensor:
    """Weighted sum of source features at targets, differentiable in the weights and the features.

    Args:
        edge_weight: (E,) or (E, H) per-edge (per-head) weights, e.g. attention coefficients.
        x: (N_src, C) for (E,) weights, (N_src, H, C) for (E, H) weights.
        edge_index: (2, E) int64, row 0 sources j, row 1 targets i.
        num_nodes: number of targets (defaults to x's rows).
        target_segments: a prebuilt :class:`Segments` over the targets (saves a sort per call).
    Returns:
        (N, C) or (N, H, C).
    """
    w, x = as_tensor(edge_weight), as_tensor(x)
    edge_index = np.asarray(edge_index)
    if edge_index.ndim != 2 or edge_index.shape[0] != 2:
        raise ValueError(f"edge_spmm: edge_index must have shape (2, E), got {edge_index.shape}")
    num_targets = x.shape[0] if num_nodes is None else num_nodes
    src = check_index("edge_spmm: edge_index[0] (sources)", edge_index[0], x.shape[0])
    dst = target_segments or Segments(
        check_index("edge_spmm: edge_index[1] (targets)", edge_index[1], num_targets), num_targets,
        validate=False,
    )
    e = src.shape[0]
    if w.shape[:1] != (e,) or w.ndim > 2:
        raise ValueError(f"edge_spmm: edge_weight must have shape ({e},) or ({e}, H), got {w.shape}")
    if w.ndim == 2 and (x.ndim != 3 or x.shape[1] != w.shape[1]):
        raise ValueError(
            f"edge_spmm: with per-head weights {w.shape}, x must be (N, {w.shape[1]}, C), got {x.shape}"
        )
    if w.ndim == 1 and x.ndim != 2:
        raise ValueError(f"edge_spmm: with (E,) weights, x must be (N, C), got {x.shape}")
    return EdgeSpMM(src, dst, x.shape[0])(w, x)
