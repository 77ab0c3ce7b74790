"""Backward of the piecewise-linear activations (ReLU, LeakyReLU): a selection per element.

``np.where(mask, g, 0)`` walks NumPy's generic masked-select loop: on a (110k, 256) float32
batch it took 117 ms against 25 ms for a product ``g * mask``, and ReLU's backward dominated a
sampled GraphSAGE step. A product is not an option: 0 · inf is NaN where torch's
``threshold_backward`` selects 0. This loop selects, and LLVM vectorizes it.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from npgnn.kernels import parallel_worth


@njit(inline="always", nogil=True)
def _one(g, mask, scale, out, i):  # pragma: no cover - compiled
    if mask[i]:
        out[i] = g[i]
    elif scale == 0:
        out[i] = 0
    else:
        out[i] = g[i] * scale


@njit(parallel=True, cache=True, nogil=True)
def _select_parallel(g, mask, scale, out):  # pragma: no cover - compiled
    for i in prange(g.shape[0]):
        _one(g, mask, scale, out, i)


@njit(cache=True, nogil=True)
def _select_serial(g, mask, scale, out):  # pragma: no cover - compiled
    for i in range(g.shape[0]):
        _one(g, mask, scale, out, i)


def select_gradient(g: np.ndarray, mask: np.ndarray, scale: float) -> np.ndarray:
    """out = g where ``mask`` else g · ``scale`` (exactly 0 for scale 0, whatever g holds);
    ``g`` float32/64 and ``mask`` bool of the same shape; a new array of g's shape and dtype."""
    flat_g = np.ascontiguousarray(g).reshape(-1)
    flat_mask = np.ascontiguousarray(mask).reshape(-1)
    out = np.empty_like(flat_g)
    run = _select_parallel if parallel_worth(flat_g.shape[0]) else _select_serial
    run(flat_g, flat_mask, g.dtype.type(scale), out)
    return out.reshape(g.shape)
