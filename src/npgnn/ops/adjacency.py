"""``Adjacency``: a fixed sparse matrix with its transpose built once, the operand of ``spmm``.

SpMM's backward multiplies by Aᵀ. Building Aᵀ in CSR form costs a sort, so a graph keeps one
``Adjacency`` (``Graph`` caches it) and every layer, epoch and backward pass reuses it.
Large products run in a parallel compiled kernel; small ones in SciPy, which has no start-up cost.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.kernels import use_kernel
from npgnn.ops.segments import group_by


class Adjacency:
    """A fixed (R, C) CSR matrix; ``A @ x`` for x (C, F), with ``.T`` cached.

    Args:
        matrix: anything ``scipy.sparse.csr_matrix`` accepts; duplicates are summed.
    """

    def __init__(self, matrix: Any):
        csr = sp.csr_matrix(matrix)
        csr.sum_duplicates()  # canonical: sorted column ids, one entry per (i, j)
        self.csr = csr
        self._transpose: Adjacency | None = None
        self._by_dtype: dict[np.dtype, Adjacency] = {np.dtype(csr.dtype): self}

    @property
    def shape(self) -> tuple[int, int]:
        return self.csr.shape

    @property
    def dtype(self) -> np.dtype:
        return self.csr.dtype

    @property
    def nnz(self) -> int:
        return self.csr.nnz

    @property
    def T(self) -> Adjacency:  # noqa: N802 - mirrors ndarray.T
        if self._transpose is None:
            t = Adjacency(self.csr.T)
            t._transpose = self
            self._transpose = t
        return self._transpose

    def astype(self, dtype: Any) -> Adjacency:
        """The same matrix with values in ``dtype`` (cached; the structure is shared)."""
        dtype = np.dtype(dtype)
        if dtype not in self._by_dtype:
            self._by_dtype[dtype] = Adjacency(self.csr.astype(dtype))
        return self._by_dtype[dtype]

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        if x.ndim == 2 and use_kernel(self.nnz * x.shape[1]):
            from npgnn.kernels.csr import csr_matmul

            return csr_matmul(self.csr.indptr, self.csr.indices, self.csr.data, x)
        return np.asarray(self.csr @ x)

    def toarray(self) -> np.ndarray:
        return self.csr.toarray()

    def __repr__(self) -> str:
        return f"Adjacency(shape={self.shape}, nnz={self.nnz}, dtype={self.dtype})"


def bipartite_aggregation(src: np.ndarray, dst: np.ndarray, num_src: int, num_dst: int, *,
                          mean: bool, dtype: Any) -> Adjacency:
    """(num_dst, num_src) matrix summing (``mean=False``) or averaging (``mean=True``) the rows
    of a source array at their targets: ``A[i, j]`` = (number of edges j -> i) / (in-degree of
    i if mean else 1); a target without edges gets a zero row.

    Cost O(E + num_dst): nothing of size num_src is allocated (the transpose, built only for a
    backward pass, is O(E + num_src)). ``src`` and ``dst`` (E,) int64 are taken as valid ids
    (the caller checks their range).
    """
    perm, indptr = group_by(dst, num_dst)
    return csr_aggregation(indptr, src[perm], num_src, mean=mean, dtype=dtype)


def csr_aggregation(indptr: np.ndarray, sources: np.ndarray, num_src: int, *, mean: bool,
                    dtype: Any) -> Adjacency:
    """The matrix of ``bipartite_aggregation`` from edges already grouped by target: row i's
    edges have the sources ``sources[indptr[i]:indptr[i + 1]]`` (``indptr`` (R + 1,) starting
    at 0). A block of rows of a graph's in-edge CSR comes as views, so layer-wise inference
    pays only for the block's edges."""
    counts = np.diff(indptr)
    dtype = np.dtype(dtype)
    if mean:
        data = np.repeat((1.0 / np.maximum(counts, 1)).astype(dtype), counts)
    else:
        data = np.ones(sources.shape[0], dtype=dtype)
    return Adjacency(sp.csr_matrix((data, sources, indptr), shape=(counts.shape[0], num_src)))
