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
    return dx.astype(g.dtype), sgx, sg


# ------------------------------------------------------------------------------ compiled versions
@functools.lru_cache(maxsize=1)
def _compiled():
    from numba import njit

    @njit(cache=True, nogil=True)
    def aggregate(x, src, dst, scale):  # pragma: no cover - compiled
        n, c = x.shape
        out = np.empty_like(x)
        s = x.dtype.type(scale)
        for i in range(n):
            for j in range(c):
                out[i, j] = s * x[i, j]
        for e in range(src.shape[0]):
            a, b = src[e], dst[e]
            for j in range(c):
                out[b, j] += x[a, j]
        return out

    @njit(cache=True, nogil=True)
    def scatter_rows(h, index, num_segments):  # pragma: no cover - compiled
        c = h.shape[1]
        acc = np.zeros((num_segments, c))
        for i in range(h.shape[0]):
            s = index[i]
            for j in range(c):
                acc[s, j] += h[i, j]
        return acc.astype(h.dtype)

    @njit(cache=True, nogil=True)
    def bn_stats(h):  # pragma: no cover - compiled
        n, c = h.shape
        mean = np.zeros(c)
        for i in range(n):
            for j in range(c):
                mean[j] += h[i, j]
        mean /= n
        var = np.zeros(c)
        for i in range(n):
            for j in range(c):
                d = h[i, j] - mean[j]
                var[j] += d * d
        var /= n
        return mean, var

    @njit(cache=True, nogil=True)
    def bn_relu_apply(h, mean, invstd, gamma, beta, relu):  # pragma: no cover - compiled
        n, c = h.shape
        xhat = np.empty_like(h)
        y = np.empty_like(h)
        for i in range(n):
            for j in range(c):
                xh = (h[i, j] - mean[j]) * invstd[j]
                v = xh * gamma[j] + beta[j]
                xhat[i, j] = xh
                y[i, j] = v if (v > 0 or not relu) else 0.0
        return xhat, y

    @njit(cache=True, nogil=True)
    def bn_relu_backward(g, y, xhat, gamma, invstd, relu, batch_stats):  # pragma: no cover
        n, c = g.shape
        sg = np.zeros(c)
        sgx = np.zeros(c)
        for i in range(n):
            for j in range(c):
                if relu and not y[i, j] > 0:
                    continue
                sg[j] += g[i, j]
                sgx[j] += g[i, j] * xhat[i, j]
        dx = np.empty_like(g)
        scale = gamma * invstd
        for i in range(n):
            for j in range(c):
                gm = g[i, j] if (y[i, j] > 0 or not relu) else 0.0
                if batch_stats:
                    dx[i, j] = scale[j] / n * (n * gm - sg[j] - xhat[i, j] * sgx[j])
                else:
                    dx[i, j] = gm * scale[j]
        return dx, sgx, sg

    return aggregate, scatter_rows, bn_stats, bn_relu_apply, bn_relu_backward


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
      ``batch_stats``): (dh in g's dtype, dγ, dβ float64). With gm = g · [y > 0] and M rows:
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


def kernels() -> Kernels:
    """The compiled kernels, or their NumPy versions when numba is off (read at each call)."""
    return _compiled_kernels() if numba_enabled() else _NUMPY
