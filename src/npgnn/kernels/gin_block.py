"""Kernels of the fused GIN ops (:mod:`npgnn.ops.gin`): sum aggregation, batch norm + ReLU, readout.

Graph-classification batches are small (about a thousand nodes × 32 channels): NumPy's axis-0
reductions and temporaries cost more there than the arithmetic, so each step is one serial
compiled pass over the rows (no thread pool to wake; deterministic sums in a fixed order).
Every kernel has a NumPy version with the same result, used when numba is off
(``NPGNN_DISABLE_NUMBA=1``). Statistics are accumulated in float64 whatever the input dtype.
"""
from __future__ import annotations

import functools

import numpy as np

from npgnn.kernels import numba_enabled


# ------------------------------------------------------------------------------ NumPy versions
def _aggregate_np(x, src, dst, scale):
    out = x * x.dtype.type(scale)
    np.add.at(out, dst, x[src])
    return out


def _scatter_rows_np(h, index, num_segments):
    out = np.zeros((num_segments, h.shape[1]), dtype=np.float64)
    np.add.at(out, index, h)
    return out.astype(h.dtype, copy=False)


def _bn_stats_np(h):
    h64 = h.astype(np.float64, copy=False)
    mean = h64.mean(axis=0)
    centred = h64 - mean
    return mean, (centred * centred).mean(axis=0)


def _bn_relu_apply_np(h, mean, invstd, gamma, beta, relu):
    xhat64 = (h - mean) * invstd
    v = xhat64 * gamma + beta
    if relu:
        v = np.maximum(v, 0.0)
    return xhat64.astype(h.dtype), v.astype(h.dtype)


def _bn_relu_backward_np(g, y, xhat, gamma, invstd, relu, batch_stats):
    g64 = g.astype(np.float64)
    if relu:
        g64 = np.where(y > 0, g64, 0.0)
    sg = g64.sum(axis=0)
    sgx = (g64 * xhat).sum(axis=0)
    scale = gamma * invstd
    if batch_stats:
        n = g.shape[0]
        dx = scale / n * (n * g64 - sg - xhat * sgx)
    else:
        dx = g64 * scale
    return dx.astype(g.dtype), sgx, sg, dx.sum(axis=0)


# ------------------------------------------------------------------------------ compiled versions
@functools.lru_cache(maxsize=1)
def _compiled() -> tuple:
    from npgnn.kernels import _gin_numba as C  # imports numba: only when a kernel first runs

    return C.aggregate, C.scatter_rows, C.bn_stats, C.bn_relu_apply, C.bn_relu_backward


# ------------------------------------------------------------------------------ entry points
class Kernels:
    """The five kernels, compiled or NumPy, chosen once (``kernels()``) for a whole op.

    - ``aggregate(x, src, dst, scale)``: ``out[i] = scale · x[i] + Σ_{e: dst[e] = i} x[src[e]]``
      (GIN's ``(1 + ε) x_i + Σ_j x_j``; with src and dst swapped, its transpose). x (N, C)
      C-contiguous; src, dst (E,) int64 in [0, N), validated by the caller (the compiled loop
      does not check bounds). Edges are added in their order: deterministic.
    - ``scatter_rows(h, index, S)``: ``out[s] = Σ_{i: index[i] = s} h[i]``, (N, C) -> (S, C),
      summed in float64; index (N,) int64 in [0, S), validated by the caller.
    - ``bn_stats(h)``: per-column mean and biased variance of h (N, C), two passes, float64.
    - ``bn_relu_apply(h, mean, invstd, gamma, beta, relu)``: ``xhat = (h − mean) · invstd`` and
      ``y = [ReLU](xhat · γ + β)``, both in h's dtype; the (C,) vectors float64.
    - ``bn_relu_backward(g, y, xhat, gamma, invstd, relu, batch_stats)``: the vector-Jacobian
      product of ``bn_relu_apply`` (with the batch statistics' own dependence on h when
      ``batch_stats``): (dh in g's dtype, dγ, dβ, Σ_rows dh float64; the last is the gradient
      of a bias added before the norm). With gm = g · [y > 0] and M rows:
      dβ = Σ gm, dγ = Σ gm x̂, dh = γ invstd / M · (M gm − dβ − x̂ dγ) for batch statistics,
      else gm γ invstd.
    """

    __slots__ = ("aggregate", "scatter_rows", "bn_stats", "bn_relu_apply", "bn_relu_backward")

    def __init__(self, funcs: tuple) -> None:
        (self.aggregate, self.scatter_rows, self.bn_stats, self.bn_relu_apply,
         self.bn_relu_backward) = funcs


@functools.lru_cache(maxsize=1)
def _compiled_kernels() -> Kernels:
    return Kernels(_compiled())


_NUMPY = Kernels((_aggregate_np, _scatter_rows_np, _bn_stats_np, _bn_relu_apply_np,
                  _bn_relu_backward_np))


#: Below this many array elements the NumPy versions run: the difference is microseconds, and
#: a process whose first GIN/batch-norm call is on a tiny input (a test, a toy) does not pay
#: numba's first compilation (seconds, once per checkout; later processes load the cache).
MIN_WORK = 4096


def kernels(work: int = MIN_WORK) -> Kernels:
    """The compiled kernels for a job of ``work`` elements, or their NumPy versions when numba
    is off (``NPGNN_DISABLE_NUMBA``, read at each call) or the job is small (``MIN_WORK``)."""
    return _compiled_kernels() if work >= MIN_WORK and numba_enabled() else _NUMPY
