"""Fused GATv2 attention kernels: per-edge scores aᵀ LeakyReLU(x_l[j] + x_r[i] + W_e e_ji), the
per-target softmax and the aggregation, with a hand-written backward (``npgnn.ops.gatv2``).

Edges are in target-CSR order (target i's edges at positions indptr[i]:indptr[i+1]). Nothing of
size E·H·C is stored: the pre-activation of each (edge, head, channel) is formed on the fly (the
projected edge feature W_e e_ji in an (H·C,) scratch row of the thread), and only its sign is
kept, one bit each (``signs``, (E, ceil(H·C / 8)) uint8). Node features come as (N, H·C) rows,
W_e as (D, H·C) (``wt``) and (H·C, D) (``w``), so every innermost loop is an AXPY over contiguous
memory that LLVM vectorizes without reordering any sum.

The forward and the first backward pass run over chunks of targets (``bounds[b]:bounds[b+1]``,
one thread each, with its scratch rows); the parameter gradients (att, W_e) are summed into the
chunk's own slot, so there is no race and, for a fixed chunking, the result does not depend on
the thread count; the second backward pass runs one thread per source. Every thread visits its
edges in a fixed order: deterministic.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from npgnn.kernels.segment_softmax import softmax_rows, softmax_rows_backward


@njit(cache=True, nogil=True)
def _preactivation(xl, xr, ea, wt, i, j, p, e, u):  # pragma: no cover
    """u <- xl[j] + xr[i] + W_e ea[p] (H·C,), with e <- W_e ea[p] (zeros when D = 0)."""
    hc = u.shape[0]
    for kc in range(hc):
        e[kc] = 0
    for t in range(ea.shape[1]):
        a = ea[p, t]
        for kc in range(hc):
            e[kc] += a * wt[t, kc]
    for kc in range(hc):
        u[kc] = xl[j, kc] + xr[i, kc] + e[kc]


@njit(cache=True, nogil=True)
def _slopes(signs, p, slope, fac):  # pragma: no cover
    """fac[kc] <- 1 where edge p's pre-activation u[kc] > 0 (its sign bit), else the slope."""
    for kc in range(fac.shape[0]):
        fac[kc] = 1 if (signs[p, kc >> 3] >> (kc & 7)) & 1 else slope


@njit(parallel=True, cache=True, nogil=True)
def gatv2_forward(bounds, indptr, src, xl, xr, att, ea, wt, slope, mask, use_mask, alpha, signs,
                  out):  # pragma: no cover
    """alpha[p, k] = softmax over i's edges of Σ_c att[k, c] leaky(u[p, k·C + c]), u = xl[j] +
    xr[i] + W_e ea[p]; out[i] = Σ alpha' xl[j] (N, H·C); signs[p] <- the bits of u > 0."""
    heads, channels = att.shape
    hc = heads * channels
    for b in prange(bounds.shape[0] - 1):
        e = np.empty(hc, dtype=xl.dtype)
        u = np.empty(hc, dtype=xl.dtype)
        for i in range(bounds[b], bounds[b + 1]):
            start, end = indptr[i], indptr[i + 1]
            for p in range(start, end):
                j = src[p]
                _preactivation(xl, xr, ea, wt, i, j, p, e, u)
                for byte in range(signs.shape[1]):
                    bits = 0
                    for bit in range(min(8, hc - 8 * byte)):
                        if u[8 * byte + bit] > 0:
                            bits |= 1 << bit
                    signs[p, byte] = bits
                for k in range(heads):
                    z = 0.0
                    for c in range(channels):
                        v = u[k * channels + c]
                        if not v > 0:
                            v = v * slope
                        z += att[k, c] * v
                    alpha[p, k] = z
            for k in range(heads):
                softmax_rows(alpha, start, end, k)
            for kc in range(hc):
                out[i, kc] = 0
            for p in range(start, end):  # edges outer: xl[j] is read once, contiguously
                j = src[p]
                for k in range(heads):
                    a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                    for c in range(k * channels, (k + 1) * channels):
                        out[i, c] += a * xl[j, c]
    return out


@njit(parallel=True, cache=True, nogil=True)
def gatv2_backward_targets(bounds, indptr, src, xl, xr, att, ea, wt, w, slope, alpha, signs, mask,
                           use_mask, g, ds, dxr, dea, datt, dw):  # pragma: no cover
    """Per target i (chunk b owns targets bounds[b]:bounds[b+1]): ds[p] = d loss / d score of
    its edges, dxr[i], dea[p]; datt[b] (H, C) and dw[b] (H·C, D) collect the chunk's parameter
    gradients. Node arrays are (N, H·C)."""
    heads, channels = att.shape
    hc = heads * channels
    d = ea.shape[1]
    for b in prange(bounds.shape[0] - 1):
        e = np.empty(hc, dtype=xl.dtype)
        u = np.empty(hc, dtype=xl.dtype)
        du = np.empty(hc, dtype=xl.dtype)
        fac = np.empty(hc, dtype=xl.dtype)
        for k in range(heads):
            for c in range(channels):
                datt[b, k, c] = 0
        for kc in range(hc):
            for t in range(d):
                dw[b, kc, t] = 0
        for i in range(bounds[b], bounds[b + 1]):
            start, end = indptr[i], indptr[i + 1]
            for p in range(start, end):  # d loss / d alpha'
                j = src[p]
                for k in range(heads):
                    acc = 0.0
                    for c in range(k * channels, (k + 1) * channels):
                        acc += g[i, c] * xl[j, c]
                    ds[p, k] = acc * mask[p, k] if use_mask else acc
            for k in range(heads):
                softmax_rows_backward(alpha, ds, start, end, k)
            for kc in range(hc):
                dxr[i, kc] = 0
            for p in range(start, end):  # the score's own backward: att, x_r, edge features, W_e
                j = src[p]
                _preactivation(xl, xr, ea, wt, i, j, p, e, u)
                _slopes(signs, p, slope, fac)
                for k in range(heads):
                    s = ds[p, k]
                    for c in range(channels):
                        kc = k * channels + c
                        datt[b, k, c] += s * (u[kc] * fac[kc])
                        du[kc] = s * att[k, c] * fac[kc]
                for kc in range(hc):
                    dxr[i, kc] += du[kc]
                for t in range(d):
                    dea[p, t] = 0
                for kc in range(hc):
                    a = du[kc]
                    for t in range(d):
                        dea[p, t] += a * w[kc, t]
                        dw[b, kc, t] += a * ea[p, t]
    return ds


@njit(parallel=True, cache=True, nogil=True)
def gatv2_backward_sources(src_indptr, src_pos, dst, att, slope, alpha, signs, mask, use_mask, g,
                           ds, dxl):  # pragma: no cover
    """Per source j: dxl[j] = Σ over its out-edges of the score's gradient (from the sign bits)
    and alpha' g[i] (the aggregation's); node arrays (N, H·C)."""
    heads, channels = att.shape
    for j in prange(dxl.shape[0]):
        fac = np.empty(heads * channels, dtype=dxl.dtype)
        for kc in range(heads * channels):
            dxl[j, kc] = 0
        for q in range(src_indptr[j], src_indptr[j + 1]):
            p = src_pos[q]
            i = dst[p]
            _slopes(signs, p, slope, fac)
            for k in range(heads):
                s = ds[p, k]
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                for c in range(k * channels, (k + 1) * channels):
                    dxl[j, c] += s * att[k, c - k * channels] * fac[c] + a * g[i, c]
    return dxl
