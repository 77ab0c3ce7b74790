"""A Dask client for npgnn's tasks: a fresh ``LocalCluster`` of worker processes, or an
existing scheduler; every worker holds BLAS and numba to one thread.

Why one thread: each task is a whole training run whose kernels would otherwise each use every
core (numba's pool, OpenBLAS's spinning workers), so N workers on C cores would run N × C
threads and fight. One thread per worker and one worker per core keeps every core busy with
one run.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

try:
    import dask
    from distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError as err:  # the optional extra is missing: say how to get it
    raise ImportError(f"npgnn.distributed needs Dask: pip install 'npgnn[distributed]' "
                      f"(installs dask[distributed]); {err}") from None

#: Dask settings of the workers ``connect(n_workers=...)`` starts. Dask exports
#: ``MALLOC_TRIM_THRESHOLD_=65536`` to its workers by default (to hand freed memory back to the
#: OS); it also switches off glibc's adaptive mmap threshold, so every large NumPy temporary is
#: mapped and unmapped again: measured 1.65x slower GIN training on PROTEINS. npgnn's tasks keep
#: glibc's default. The statistical profiler (a stack sample every 10 ms, holding the GIL) is
#: off: nobody reads it without the dashboard.
WORKER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
}

#: Set in the environment of every worker process ``connect(n_workers=...)`` starts: one
#: thread for OpenMP/OpenBLAS/MKL/BLIS and numba, read when each library loads.
WORKER_ENV: dict[str, str] = {name: "1" for name in (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS")}


class ThreadLimits(WorkerPlugin):
    """Worker plugin: on each worker (also one started by someone else, or restarted after a
    crash), cap every loaded BLAS library at one thread (``npgnn.set_num_threads(1, blas=1)``).
    numba's count is per thread, so each task also sets it for the thread it runs on
    (:func:`npgnn.distributed.execute.run_on_worker`).

    With ``ignore_interrupt`` (workers of a local cluster) the worker also ignores SIGINT: Ctrl-C
    in a terminal reaches every process of the foreground group, and the client, not each
    worker, handles it (cancels the tasks and closes the cluster).
    """

    name = "npgnn-thread-limits"

    def __init__(self, ignore_interrupt: bool = False):
        self.ignore_interrupt = ignore_interrupt

    def setup(self, worker: Any) -> None:
        from npgnn.kernels.threads import set_num_threads

        set_num_threads(1, blas=1)
        if self.ignore_interrupt and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _interrupts_ignored_while_spawning() -> Iterator[None]:
    """Ignore SIGINT while the local cluster starts its worker processes: they inherit the
    ignored disposition (Python keeps an inherited SIG_IGN), so a Ctrl-C in the terminal, which
    reaches every process of the foreground group, interrupts only the client. The price: a
    Ctrl-C pressed during those seconds of start-up is dropped (press it again)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _environ_restored() -> Iterator[None]:
    """Put this process's environment back when the cluster is closed: Dask's nanny writes the
    workers' pre-spawn variables (``OMP_NUM_THREADS=1`` ...) into ``os.environ`` of the process
    that starts them, where later subprocesses would inherit them."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _check_args(n_workers: int | None, address: str | None) -> None:
    if (n_workers is None) == (address is None):
        raise ValueError(f"connect: give exactly one of n_workers (a local cluster) or address "
                         f"(an existing scheduler), got n_workers={n_workers!r}, address={address!r}")
    if n_workers is not None and (isinstance(n_workers, bool) or not isinstance(n_workers, int)
                                  or n_workers < 1):
        raise ValueError(f"n_workers: expected an integer >= 1, got {n_workers!r}")
    if address is not None and (not isinstance(address, str) or not address.strip()):
        raise ValueError(f"address: expected a scheduler address such as 'tcp://127.0.0.1:8786', "
                         f"got {address!r}")


@contextlib.contextmanager
def connect(n_workers: int | None = None, address: str | None = None, *,
            timeout: str = "10s") -> Iterator[Client]:
    """A ``dask.distributed.Client`` for :func:`npgnn.distributed.run_tasks`, closed on exit.

    Args:
        n_workers: start a ``LocalCluster`` on 127.0.0.1 with this many worker processes, one
            thread each (``threads_per_worker=1``), no dashboard, ``WORKER_ENV`` in their
            environment; it is closed with the client.
        address: instead, connect to the scheduler of an existing cluster
            (``'tcp://HOST:PORT'``; Dask's ``Client(address)``), left running on exit. Start
            its workers with ``--nthreads 1`` (one task per core); a worker with more threads
            still runs one npgnn task at a time.
        timeout: how long to wait for the scheduler (Dask's time string).

    Raises:
        ValueError: neither or both of ``n_workers`` and ``address``, or a bad value.
        OSError: the scheduler at ``address`` does not answer within ``timeout``.
    """
    _check_args(n_workers, address)
    with contextlib.ExitStack() as stack:
        if n_workers is not None:
            stack.enter_context(dask.config.set(WORKER_CONFIG))
            stack.enter_context(_environ_restored())
            with _interrupts_ignored_while_spawning():
                cluster = stack.enter_context(LocalCluster(
                    n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, env=dict(WORKER_ENV), silence_logs=logging.ERROR,
                    # the scheduler's HTTP endpoint on a free local port (not Dask's fixed :8787)
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}))
            client = stack.enter_context(Client(cluster, timeout=timeout))
        else:
            client = stack.enter_context(Client(address, timeout=timeout))
        client.register_plugin(ThreadLimits(ignore_interrupt=n_workers is not None))
        yield client
