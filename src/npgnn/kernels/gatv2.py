"""Fused GATv2 attention kernels: per-edge scores aᵀ LeakyReLU(x_l[j] + x_r[i] + W_e e_ji), the
per-target softmax and the aggregation, with a hand-written backward (``npgnn.ops.gatv2``).

Edges are in target-CSR order (target i's edges at positions indptr[i]:indptr[i+1]). Nothing of
size E·H·C is stored: the pre-activation of each (edge, head, channel) is formed on the fly (the
projected edge feature as a D-term dot product of ``ea[p]`` with a row of W_e), and only its sign
is kept, one bit each (``signs``, (E, ceil(H·C / 8)) uint8). The forward and the first backward
pass run one thread per target; the parameter gradients (att, W_e) are summed per chunk of
targets into that chunk's own slot (``bounds`` gives each chunk's targets), so there is no race
and, for a fixed chunking, the result does not depend on the thread count; the second backward
pass runs one thread per source. Every thread visits its edges in a fixed order: deterministic.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from npgnn.kernels.segment_softmax import softmax_rows, softmax_rows_backward


@njit(cache=True, nogil=True)
def _projected(ea, w, p, k, c):  # pragma: no cover
    """(W_e e_p)[k, c] = Σ_t ea[p, t] w[k, c, t] (0 when D = 0)."""
    e = 0.0
    for t in range(ea.shape[1]):
        e += ea[p, t] * w[k, c, t]
    return e


@njit(parallel=True, cache=True, nogil=True)
def gatv2_forward(indptr, src, xl, xr, att, ea, w, slope, mask, use_mask, alpha, signs,
                  out):  # pragma: no cover
    """alpha[p, k] = softmax over i's edges of Σ_c att[k, c] leaky(xl[j, k, c] + xr[i, k, c] +
    (W_e ea[p])[k, c]); out[i] = Σ alpha' xl[j]; signs[p] gets the bits of u > 0 (zeroed by the
    caller)."""
    n, heads, channels = out.shape
    for i in prange(n):
        start, end = indptr[i], indptr[i + 1]
        for p in range(start, end):
            j = src[p]
            for k in range(heads):
                z = 0.0
                for c in range(channels):
                    u = xl[j, k, c] + xr[i, k, c] + _projected(ea, w, p, k, c)
                    bit = k * channels + c
                    if u > 0:
                        signs[p, bit >> 3] |= np.uint8(1 << (bit & 7))
                    else:
                        u = u * slope
                    z += att[k, c] * u
                alpha[p, k] = z
        for k in range(heads):
            softmax_rows(alpha, start, end, k)
            for c in range(channels):
                out[i, k, c] = 0
        for p in range(start, end):  # edges outer: xl[j] is read once, contiguously
            j = src[p]
            for k in range(heads):
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                for c in range(channels):
                    out[i, k, c] += a * xl[j, k, c]
    return out


@njit(parallel=True, cache=True, nogil=True)
def gatv2_backward_targets(bounds, indptr, src, xl, xr, att, ea, w, slope, alpha, signs, mask,
                           use_mask, g, ds, dxr, dea, datt, dw):  # pragma: no cover
    """Per target i (chunk b owns targets bounds[b]:bounds[b+1]): ds[p] = d loss / d score of
    its edges, dxr[i], dea[p]; datt[b] and dw[b] collect the chunk's parameter gradients."""
    heads, channels = att.shape
    d = ea.shape[1]
    for b in prange(bounds.shape[0] - 1):
        for k in range(heads):
            for c in range(channels):
                datt[b, k, c] = 0
                for t in range(d):
                    dw[b, k, c, t] = 0
        for i in range(bounds[b], bounds[b + 1]):
            start, end = indptr[i], indptr[i + 1]
            for p in range(start, end):  # d loss / d alpha'
                j = src[p]
                for k in range(heads):
                    acc = 0.0
                    for c in range(channels):
                        acc += g[i, k, c] * xl[j, k, c]
                    ds[p, k] = acc * mask[p, k] if use_mask else acc
            for k in range(heads):
                softmax_rows_backward(alpha, ds, start, end, k)
                for c in range(channels):
                    dxr[i, k, c] = 0
            for p in range(start, end):  # the score's own backward: att, x_r, edge features, W_e
                j = src[p]
                for t in range(d):
                    dea[p, t] = 0
                for k in range(heads):
                    s = ds[p, k]
                    for c in range(channels):
                        u = xl[j, k, c] + xr[i, k, c] + _projected(ea, w, p, k, c)
                        bit = k * channels + c
                        du = s * att[k, c]
                        if (signs[p, bit >> 3] >> (bit & 7)) & 1:
                            datt[b, k, c] += s * u
                        else:
                            datt[b, k, c] += s * (u * slope)
                            du = du * slope
                        dxr[i, k, c] += du
                        for t in range(d):
                            dea[p, t] += du * w[k, c, t]
                            dw[b, k, c, t] += du * ea[p, t]
    return ds


@njit(parallel=True, cache=True, nogil=True)
def gatv2_backward_sources(src_indptr, src_pos, dst, att, slope, alpha, signs, mask, use_mask, g,
                           ds, dxl):  # pragma: no cover
    """Per source j: dxl[j] = Σ over its out-edges of the score's gradient (from the sign bits)
    and alpha' g[i] (the aggregation's)."""
    n, heads, channels = dxl.shape
    for j in prange(n):
        for k in range(heads):
            for c in range(channels):
                dxl[j, k, c] = 0
        for q in range(src_indptr[j], src_indptr[j + 1]):
            p = src_pos[q]
            i = dst[p]
            for k in range(heads):
                s = ds[p, k]
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                for c in range(channels):
                    bit = k * channels + c
                    du = s * att[k, c]
                    if not (signs[p, bit >> 3] >> (bit & 7)) & 1:
                        du = du * slope
                    dxl[j, k, c] += du + a * g[i, k, c]
    return dxl
