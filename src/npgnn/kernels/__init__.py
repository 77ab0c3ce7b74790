"""Compiled kernels (numba) for the hot loops that NumPy/SciPy cannot vectorize well.

numba is a core dependency, but every kernel has a SciPy/NumPy fallback with the same result: set
``NPGNN_DISABLE_NUMBA=1`` to force it (the tests run both paths). numba is imported only when a
kernel first runs (``import npgnn`` stays fast), and kernels are cached on disk
(``cache=True``), so a second process loads them instead of compiling.
"""
from __future__ import annotations

import functools
import importlib.util
import os


@functools.lru_cache(maxsize=1)
def _numba_installed() -> bool:
    return importlib.util.find_spec("numba") is not None


def numba_enabled() -> bool:
    """True when the compiled kernels are used (numba installed and not disabled by env)."""
    return os.environ.get("NPGNN_DISABLE_NUMBA", "") in ("", "0") and _numba_installed()


#: Below this many multiply-adds a compiled parallel kernel loses to NumPy/SciPy: waking its
#: threads (and, in a fresh process, loading numba) costs more than the work.
KERNEL_MIN_WORK = 1 << 21


#: Below this many multiply-adds a fused attention kernel (several NumPy passes and temporaries
#: of size E·H in its fallback) still loses to NumPy: about a 300-edge graph with 8 x 8 heads.
ATTENTION_KERNEL_MIN_WORK = 1 << 14

#: Below this many multiply-adds a kernel runs its serial loop: a parallel region must wait for
#: every worker thread to be scheduled, which on a busy 2-core machine costs milliseconds.
PARALLEL_MIN_WORK = 1 << 23


def use_kernel(work: int) -> bool:
    """True when a compiled kernel should run a job of ``work`` multiply-adds."""
    return work >= KERNEL_MIN_WORK and numba_enabled()


def use_attention_kernel(work: int) -> bool:
    """True when a fused attention kernel should run a job of ``work`` multiply-adds."""
    return work >= ATTENTION_KERNEL_MIN_WORK and numba_enabled()


def parallel_worth(work: int) -> bool:
    """True when a kernel should run its parallel loop for ``work`` multiply-adds."""
    return work >= PARALLEL_MIN_WORK
