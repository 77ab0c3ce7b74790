"""Experiments on Dask: each seed, fold and sweep configuration of ``npgnn train`` / ``npgnn
sweep`` as one task of a ``dask.distributed`` cluster.

- :func:`connect`: a ``Client`` on a fresh ``LocalCluster`` of worker processes (one thread
  each, BLAS and numba held to one thread) or on an existing scheduler.
- :func:`run_tasks`: run :class:`npgnn.experiment.RunTask` s on a client and gather their
  results in task order; a worker that dies is replaced and its task rerun (Dask's
  ``allowed-failures``), a failing task raises its own exception, Ctrl-C cancels everything.

Dask is optional (``pip install 'npgnn[distributed]'``); ``import npgnn`` never imports it,
and this package raises an ImportError saying how to install it.
"""
from npgnn.distributed.cluster import WORKER_CONFIG, WORKER_ENV, ThreadLimits, connect
from npgnn.distributed.execute import WorkerLostError, run_tasks

__all__ = ["WORKER_CONFIG", "WORKER_ENV", "ThreadLimits", "WorkerLostError", "connect", "run_tasks"]
