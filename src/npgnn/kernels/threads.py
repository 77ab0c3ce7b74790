"""npgnn's thread policy: BLAS on one thread, the parallelism in npgnn's own compiled kernels.

The matrices of a GNN layer are small (N × 64 @ 64 × 64) and OpenBLAS worker threads busy-wait
about 0.1 s after each call, stealing the cores the next numba kernel (or another process on a
shared machine) needs. Measured on a busy 2-core machine in a hand-written loop: five GIN epochs
on MUTAG 4.6 s with NumPy's default BLAS threads against 0.46 s with one; a GAT epoch on Cora
0.32 s against 0.08 s. Limiting BLAS around each op instead costs 7 ms per
``threadpool_limits`` call (it rescans the libraries; too much for small graphs) and would let
the BLAS calls between ops spin again; so the limit is set once, for the process, by ``import npgnn`` (``apply_blas_policy``), and holds for ``npgnn train`` and a user's
own loop alike.

What ``import npgnn`` changes in the process, and how to opt out:

- If none of ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
  ``BLIS_NUM_THREADS``, ``VECLIB_MAXIMUM_THREADS`` is set, every BLAS library loaded at that time
  (NumPy's OpenBLAS) whose pool is not already below the number of usable cores is limited to one
  thread with ``threadpoolctl`` (one call, a few ms). A pool the user already limited (a smaller
  count) is left alone, and so is every BLAS setting made by an environment variable. A BLAS
  library loaded later (SciPy's own OpenBLAS, on the first ``import scipy.linalg``; npgnn's
  matrix products run in NumPy's) is not touched: ``set_num_threads(n, blas=1)`` caps it.
- ``NPGNN_BLAS_THREADS=n`` sets the cap to ``n`` threads instead of one (and overrides the
  variables above); ``NPGNN_BLAS_THREADS=0`` (or ``default``) leaves BLAS untouched.
- Environment variables are never written, so child processes inherit nothing from npgnn.
- numba's kernels keep numba's own default (all usable cores, or ``NUMBA_NUM_THREADS``); numba
  is not imported by ``import npgnn``.

``set_num_threads`` / ``get_num_threads`` (torch's names) change the kernels' thread count and,
optionally, the BLAS cap at run time.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

#: Variables through which a user sets BLAS threads themselves; any of them disables the cap.
USER_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                 "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
#: npgnn's own switch: a thread count for BLAS, or 0/"default" to leave BLAS alone.
NPGNN_BLAS_ENV = "NPGNN_BLAS_THREADS"

# The limiter that holds the process-wide cap (threadpoolctl's object; None while BLAS is untouched).
_blas_limiter = None
# The kernels' thread count asked for by set_num_threads (answered when numba is disabled).
_requested_threads: int | None = None


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # platforms without affinity
        return max(1, os.cpu_count() or 1)


def _env_blas_cap() -> int | None:
    """The BLAS cap the environment asks npgnn for: None = leave BLAS alone.

    Raises:
        ValueError: ``NPGNN_BLAS_THREADS`` is not a non-negative integer or ``default``.
    """
    raw = os.environ.get(NPGNN_BLAS_ENV, "").strip()
    if raw:
        if raw.lower() == "default":
            return None
        try:
            count = int(raw)
        except ValueError:
            count = -1
        if count < 0:
            raise ValueError(f"{NPGNN_BLAS_ENV}: expected a non-negative integer (0 or 'default' "
                             f"leaves BLAS alone), got {raw!r}")
        return count or None
    if any(os.environ.get(name, "").strip() for name in USER_BLAS_ENV):
        return None
    return 1


def _limit_blas(count: int, *, only_above: int | None) -> None:
    """Cap every loaded BLAS pool to ``count`` threads (pools at or below ``only_above``: kept)."""
    global _blas_limiter
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController().select(user_api="blas")
    if only_above is not None:
        controller = controller.select(
            filepath=[p.filepath for p in controller.lib_controllers if p.num_threads >= only_above])
    if controller.lib_controllers:
        _blas_limiter = controller.limit(limits=count)


def apply_blas_policy() -> None:
    """Apply the import-time BLAS cap described in the module docstring (called by ``import npgnn``).

    Raises:
        ValueError: ``NPGNN_BLAS_THREADS`` is malformed.
    """
    cap = _env_blas_cap()
    if cap is None:
        return
    # Without an explicit NPGNN_BLAS_THREADS, a pool already below the core count was limited
    # by the user (threadpoolctl before import npgnn): keep it.
    explicit = bool(os.environ.get(NPGNN_BLAS_ENV, "").strip())
    _limit_blas(cap, only_above=None if explicit else usable_cores())


def blas_num_threads() -> int | None:
    """The largest thread count of the loaded BLAS pools (None: no BLAS library is loaded)."""
    from threadpoolctl import threadpool_info

    counts = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    return max(counts) if counts else None


def set_num_threads(num_threads: int, *, blas: int | None = None) -> None:
    """Set the number of threads of npgnn's compiled (numba) kernels: ``torch.set_num_threads``.

    Args:
        num_threads: threads for the parallel kernels, 1 .. numba's pool size (``NUMBA_NUM_THREADS``,
            by default the machine's cores). Like numba's own setting it applies to the calling
            thread (a kernel launched from another Python thread uses that thread's setting).
        blas: also cap BLAS (NumPy's OpenBLAS) to this many threads, process-wide; None keeps the
            current BLAS setting (one thread after ``import npgnn``, unless opted out). npgnn's
            differs from torch here: torch's call also sets its BLAS/OpenMP threads, but BLAS
            threads that spin between calls fight the kernels, so npgnn keeps them apart.

    Raises:
        TypeError: ``num_threads`` or ``blas`` is not an int.
        ValueError: ``num_threads`` is below 1 or above numba's pool size; ``blas`` is below 1.
    """
    for name, value in (("num_threads", num_threads), ("blas", blas)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if num_threads < 1:
        raise ValueError(f"num_threads: expected at least 1, got {num_threads}")
    if blas is not None and blas < 1:
        raise ValueError(f"blas: expected at least 1 thread, got {blas}")
    from npgnn.kernels import numba_enabled

    if numba_enabled():
        import numba

        if num_threads > numba.config.NUMBA_NUM_THREADS:
            raise ValueError(f"num_threads: numba's pool has {numba.config.NUMBA_NUM_THREADS} "
                             f"threads (NUMBA_NUM_THREADS), got {num_threads}")
        numba.set_num_threads(num_threads)
    global _requested_threads
    _requested_threads = num_threads
    if blas is not None:
        _limit_blas(blas, only_above=None)


def get_num_threads() -> int:
    """Threads npgnn's compiled kernels use on the calling thread: ``torch.get_num_threads``.

    Does not import numba when it is not loaded yet (it answers numba's default then).
    """
    import sys

    from npgnn.kernels import numba_enabled

    if numba_enabled() and "numba" in sys.modules:
        import numba

        return int(numba.get_num_threads())
    if _requested_threads is not None:
        return _requested_threads
    env = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    return int(env) if env.isdigit() and int(env) > 0 else usable_cores()


@contextlib.contextmanager
def blas_threads(count: int | None) -> Iterator[None]:
    """Limit BLAS to ``count`` threads inside the block (None: leave it as it is).

    For benchmarks that compare BLAS settings; library code relies on the process-wide cap.
    """
    if count is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=count, user_api="blas"):
        yield
