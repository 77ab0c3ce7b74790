"""The per-target softmax shared by the fused attention kernels (``gat``, ``gatv2``,
``edge_attention``): one head's scores over one target's incoming edges, in place.

Edges are in target-CSR order, so a target's edges are the rows ``start:end`` of an (E, H)
array. Both functions are plain ``@njit`` (no threads of their own): each kernel calls them from
inside its parallel loop over targets, so the softmax is written once.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def softmax_rows(scores, start, end, k):  # pragma: no cover
    """scores[start:end, k] <- exp(s - max) / Σ exp(s - max) (the max keeps exp finite)."""
    peak = -np.inf
    for p in range(start, end):
        peak = max(peak, scores[p, k])
    total = 0.0
    for p in range(start, end):
        v = np.exp(scores[p, k] - peak)
        scores[p, k] = v
        total += v
    for p in range(start, end):
        scores[p, k] = scores[p, k] / total


@njit(cache=True, nogil=True)
def softmax_rows_backward(alpha, grad, start, end, k):  # pragma: no cover
    """grad[start:end, k] <- α (g − Σ α g): the gradient of the scores from that of α."""
    dot = 0.0
    for p in range(start, end):
        dot += alpha[p, k] * grad[p, k]
    for p in range(start, end):
        grad[p, k] = alpha[p, k] * (grad[p, k] - dot)
