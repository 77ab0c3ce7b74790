"""Fused GAT attention kernels: edge scores, segment softmax and aggregation in one pass per node.

Edges are in target-CSR order (edges of target i at positions indptr[i]:indptr[i+1]). Each node's
rows are computed by one thread in a fixed order, so results are deterministic and the same on
one thread or many. Memory is O(E·H): no (E, H, C) message tensor is ever built.

Each pass is one per-node body (inlined) under two loops: a parallel one for large graphs and a
serial one for small ones (a Cora layer: 13k edges x 8 heads x 8 channels), where waking the
worker threads costs more than the work (``npgnn.kernels.parallel_worth``).
"""
from __future__ import annotations

from numba import njit, prange

from npgnn.kernels import parallel_worth

from npgnn.kernels.segment_softmax import softmax_rows, softmax_rows_backward


@njit(inline="always", nogil=True)
def _forward_node(i, indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask, alpha,
                  out):  # pragma: no cover
    _, heads, channels = out.shape
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


@njit(parallel=True, cache=True, nogil=True)
def _forward_parallel(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask, alpha,
                      out):  # pragma: no cover
    for i in prange(out.shape[0]):
        _forward_node(i, indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask,
                      alpha, out)


@njit(cache=True, nogil=True)
def _forward_serial(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask, alpha,
                    out):  # pragma: no cover
    for i in range(out.shape[0]):
        _forward_node(i, indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask,
                      alpha, out)


def gat_forward(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask, alpha, out):
    """alpha[p, k] = softmax over i's edges of leaky(a_src[j] + a_dst[i] (+ a_edge[p]));
    out[i] = Σ alpha' h[j]. Fills ``alpha`` (E, H) and ``out`` (N, H, C) in place."""
    run = _forward_parallel if parallel_worth(src.shape[0] * h.shape[1] * h.shape[2]) \
        else _forward_serial
    run(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, mask, use_mask, alpha, out)
    return out


@njit(inline="always", nogil=True)
def _targets_node(i, indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask, use_mask,
                  g, dz, d_adst):  # pragma: no cover
    _, heads, channels = g.shape
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


@njit(parallel=True, cache=True, nogil=True)
def _targets_parallel(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask,
                      use_mask, g, dz, d_adst):  # pragma: no cover
    for i in prange(g.shape[0]):
        _targets_node(i, indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask,
                      use_mask, g, dz, d_adst)


@njit(cache=True, nogil=True)
def _targets_serial(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask, use_mask,
                    g, dz, d_adst):  # pragma: no cover
    for i in range(g.shape[0]):
        _targets_node(i, indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask,
                      use_mask, g, dz, d_adst)


def gat_backward_targets(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask,
                         use_mask, g, dz, d_adst):
    """Per target i: dz[p] = d(loss)/d(pre-activation score) of its edges (= d a_edge[p]), and
    d a_dst[i]."""
    run = _targets_parallel if parallel_worth(src.shape[0] * h.shape[1] * h.shape[2]) \
        else _targets_serial
    run(indptr, src, h, a_src, a_dst, a_edge, use_edge, slope, alpha, mask, use_mask, g, dz, d_adst)
    return dz


@njit(inline="always", nogil=True)
def _sources_node(j, src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh,
                  d_asrc):  # pragma: no cover
    _, heads, channels = dh.shape
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


@njit(parallel=True, cache=True, nogil=True)
def _sources_parallel(src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh,
                      d_asrc):  # pragma: no cover
    for j in prange(dh.shape[0]):
        _sources_node(j, src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh, d_asrc)


@njit(cache=True, nogil=True)
def _sources_serial(src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh,
                    d_asrc):  # pragma: no cover
    for j in range(dh.shape[0]):
        _sources_node(j, src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh, d_asrc)


def gat_backward_sources(src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh, d_asrc):
    """Per source j: dh[j] = Σ alpha' g[i] over its out-edges, and d a_src[j] = Σ dz."""
    run = _sources_parallel if parallel_worth(dst.shape[0] * dh.shape[1] * dh.shape[2]) \
        else _sources_serial
    run(src_indptr, src_pos, dst, alpha, mask, use_mask, g, dz, dh, d_asrc)
    return dh
