"""Fused GAT attention kernels: edge scores, segment softmax and aggregation in one pass per node.

Edges are in target-CSR order (edges of target i at positions indptr[i]:indptr[i+1]). Each node's
rows are computed by one thread in a fixed order, so results are deterministic. Memory is O(E·H):
no (E, H, C) message tensor is ever built.
"""
from __future__ import annotations

from numba import njit, prange

from npgnn.kernels.segment_softmax import softmax_rows, softmax_rows_backward


@njit(parallel=True, cache=True, nogil=True)
def gat_forward(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask, alpha, out):  # pragma: no cover
    """alpha[p, k] = softmax over i's edges of leaky(a_src[j] + a_dst[i] (+ a_edge[p]));
    out[i] = Σ alpha' h[j]."""
    n, heads, channels = out.shape
    for i in prange(n):
        start, end = indptr[i], indptr[i + 1]
        for k in range(heads):  # scalars per head: no allocation inside the parallel loop
            for p in range(start, end):
                z = a_src[src[p], k] + a_dst[i, k]
                if use_edge:
                    z += a_edge[p, k]
                if not z > 0:
                    z = z * slope
                alpha[p, k] = z
            softmax_rows(alpha, start, end, k)
            for c in range(channels):
                out[i, k, c] = 0
        for p in range(start, end):  # edges outer: h[j] is read once, contiguously
            j = src[p]
            for k in range(heads):
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                for c in range(channels):
                    out[i, k, c] += a * h[j, k, c]
    return out


@njit(parallel=True, cache=True, nogil=True)
def gat_backward_targets(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask, use_mask, g, dz,
                         d_adst):  # pragma: no cover
    """Per target i: dz[p] = d(loss)/d(pre-activation score) of its edges (= d a_edge[p]), and
    d a_dst[i]."""
    n, heads, channels = g.shape
    for i in prange(n):
        start, end = indptr[i], indptr[i + 1]
        for p in range(start, end):  # d loss / d alpha'
            j = src[p]
            for k in range(heads):
                acc = 0.0
                for c in range(channels):
                    acc += g[i, k, c] * h[j, k, c]
                dz[p, k] = acc * mask[p, k] if use_mask else acc
        for k in range(heads):  # softmax and LeakyReLU backward
            softmax_rows_backward(alpha, dz, start, end, k)
            total = 0.0
            for p in range(start, end):
                z = a_src[src[p], k] + a_dst[i, k]
                if use_edge:
                    z += a_edge[p, k]
                if not z > 0:
                    dz[p, k] = dz[p, k] * slope
                total += dz[p, k]
            d_adst[i, k] = total
    return dz


@njit(parallel=True, cache=True, nogil=True)
def gat_backward_sources(src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh, d_asrc):  # pragma: no cover
    """Per source j: dh[j] = Σ alpha' g[i] over its out-edges, and d a_src[j] = Σ dz."""
    n, heads, channels = dh.shape
    for j in prange(n):
        for k in range(heads):
            d_asrc[j, k] = 0
            for c in range(channels):
                dh[j, k, c] = 0
        for q in range(src_indptr[j], src_indptr[j + 1]):
            p = src_pos[q]
            i = dst[p]
            for k in range(heads):
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                d_asrc[j, k] += dz[p, k]
                for c in range(channels):
                    dh[j, k, c] += a * g[i, k, c]
    return dh
