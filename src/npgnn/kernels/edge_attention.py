"""Fused dot-product edge attention kernels (``npgnn.ops.edge_attention``): scores, segment
softmax and aggregation in one pass over each target's incoming edges.

Edges are in target-CSR order (target i's edges at positions indptr[i]:indptr[i+1]); one thread
owns each target (forward, first backward pass) or each source (second backward pass), and
visits its edges in a fixed order, so results are deterministic. Memory O(E·H): no (E, H, C)
array is built. ``ea`` has D = 0 columns when the layer has no edge features.
"""
from __future__ import annotations

from numba import njit, prange

from npgnn.kernels.segment_softmax import softmax_rows, softmax_rows_backward


@njit(parallel=True, cache=True, nogil=True)
def edge_attention_forward(indptr, src, q, key, value, qe, ea, mask, use_mask, alpha, out):  # pragma: no cover
    """alpha = softmax over i's edges of <q[i], key[j]> + <qe[i], ea[p]>; out[i] = Σ α' [value[j]; ea[p]]."""
    n, heads, c = q.shape
    d = ea.shape[1]
    for i in prange(n):
        start, end = indptr[i], indptr[i + 1]
        for k in range(heads):
            for p in range(start, end):
                j = src[p]
                z = 0.0
                for t in range(c):
                    z += q[i, k, t] * key[j, k, t]
                for t in range(d):
                    z += qe[i, k, t] * ea[p, t]
                alpha[p, k] = z
            softmax_rows(alpha, start, end, k)
            for t in range(c + d):
                out[i, k, t] = 0
        for p in range(start, end):
            j = src[p]
            for k in range(heads):
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                for t in range(c):
                    out[i, k, t] += a * value[j, k, t]
                for t in range(d):
                    out[i, k, c + t] += a * ea[p, t]
    return out


@njit(parallel=True, cache=True, nogil=True)
def edge_attention_backward_targets(indptr, src, q, key, value, qe, ea, alpha, mask, use_mask, g, ds, dq, dqe,
                                    dea):  # pragma: no cover
    """Per target i: ds (score gradients of its edges), dq[i], dqe[i] and dea of its edges."""
    n, heads, c = q.shape
    d = ea.shape[1]
    for i in prange(n):
        start, end = indptr[i], indptr[i + 1]
        for p in range(start, end):
            j = src[p]
            for k in range(heads):
                acc = 0.0
                for t in range(c):
                    acc += g[i, k, t] * value[j, k, t]
                for t in range(d):
                    acc += g[i, k, c + t] * ea[p, t]
                ds[p, k] = acc * mask[p, k] if use_mask else acc
        for k in range(heads):
            softmax_rows_backward(alpha, ds, start, end, k)
            for t in range(c):
                dq[i, k, t] = 0
            for t in range(d):
                dqe[i, k, t] = 0
        for p in range(start, end):
            j = src[p]
            for t in range(d):
                dea[p, t] = 0
            for k in range(heads):
                s = ds[p, k]
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                for t in range(c):
                    dq[i, k, t] += s * key[j, k, t]
                for t in range(d):
                    dqe[i, k, t] += s * ea[p, t]
                    dea[p, t] += s * qe[i, k, t] + a * g[i, k, c + t]
    return ds


@njit(parallel=True, cache=True, nogil=True)
def edge_attention_backward_sources(src_indptr, src_pos, dst, q, alpha, mask, use_mask, g, ds, dk, dv):  # pragma: no cover
    """Per source j: dk[j] = Σ ds q[i] and dv[j] = Σ α' g[i] over its out-edges."""
    n, heads, c = dk.shape
    for j in prange(n):
        for k in range(heads):
            for t in range(c):
                dk[j, k, t] = 0
                dv[j, k, t] = 0
        for r in range(src_indptr[j], src_indptr[j + 1]):
            p = src_pos[r]
            i = dst[p]
            for k in range(heads):
                s = ds[p, k]
                a = alpha[p, k] * mask[p, k] if use_mask else alpha[p, k]
                for t in range(c):
                    dk[j, k, t] += s * q[i, k, t]
                    dv[j, k, t] += a * g[i, k, t]
    return dk
