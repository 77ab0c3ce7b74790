"""Compiled (numba) versions of the GIN kernels; see :mod:`npgnn.kernels.gin_block` for what each
computes. Defined at module level (not in a closure) so a call dispatches without rebuilding its
globals; serial on purpose (a batch is ~1,000 rows: waking a thread pool costs more)."""
from __future__ import annotations

import numpy as np
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
    dsum = np.zeros(c)
    scale = gamma * invstd
    for i in range(n):
        for j in range(c):
            gm = g[i, j] if (y[i, j] > 0 or not relu) else 0.0
            if batch_stats:
                v = scale[j] / n * (n * gm - sg[j] - xhat[i, j] * sgx[j])
            else:
                v = gm * scale[j]
            dx[i, j] = v
            dsum[j] += v
    return dx, sgx, sg, dsum
