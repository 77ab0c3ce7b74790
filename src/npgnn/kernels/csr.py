"""CSR sparse-times-dense product, parallel over output rows (no write conflicts, deterministic)."""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True, nogil=True)
def _csr_matmul(indptr, indices, data, x, out):  # pragma: no cover - compiled
    f = x.shape[1]
    for i in prange(indptr.shape[0] - 1):
        for k in range(f):
            out[i, k] = 0
        for p in range(indptr[i], indptr[i + 1]):
            j, w = indices[p], data[p]
            for k in range(f):  # contiguous in k: the compiler vectorizes it
                out[i, k] += w * x[j, k]
    return out


def csr_matmul(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, x: np.ndarray) -> np.ndarray:
    """out[i] = Σ_p data[p] x[indices[p]] over p in row i; x (C, F) -> (R, F), x's dtype.

    Each row is summed in CSR order by one thread, so results are bit-identical run after run.
    """
    out = np.empty((indptr.shape[0] - 1, x.shape[1]), dtype=x.dtype)
    return _csr_matmul(indptr, indices, data.astype(x.dtype, copy=False), np.ascontiguousarray(x), out)
