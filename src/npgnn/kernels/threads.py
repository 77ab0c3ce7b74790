"""Keep OpenBLAS to one thread while training: the parallelism lives in npgnn's own kernels.

The matrices of a GNN layer are small (N × 64 @ 64 × 64) and BLAS worker threads spin after each
call, stealing the cores that the next compiled kernel (or the other process on a shared
machine) needs. Measured on GIN/MUTAG on a busy 2-core machine: 0.40 s/epoch with 2 BLAS
threads, 0.075 s/epoch with 1.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def blas_threads(count: int | None) -> Iterator[None]:
    """Limit BLAS to ``count`` threads inside the block (None: leave it as it is)."""
    if count is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=count, user_api="blas"):
        yield
