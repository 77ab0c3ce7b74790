"""Run :class:`npgnn.experiment.RunTask` s on a Dask cluster and gather their results.

Failures, as the in-process run reports them:

- a task that raises (a diverging loss, a missing dataset on a worker) re-raises its own
  exception here, with its own message, and the other tasks are cancelled;
- a worker process that dies (killed, out of memory) is replaced by its nanny and the scheduler
  reruns its tasks elsewhere, up to Dask's ``distributed.scheduler.allowed-failures`` (3)
  deaths per task; past that :class:`WorkerLostError`;
- Ctrl-C (KeyboardInterrupt) cancels every task and re-raises, so ``connect`` closes the cluster.

A task's result depends only on the task (:func:`npgnn.experiment.run_task`), so which worker
runs it, in which order, and how often it was retried change nothing.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import Any

from distributed import Client, as_completed
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from npgnn.experiment import RunTask, TaskResult, run_task
from npgnn.training.progress import progress_bar

# numba's default threading layer refuses concurrent kernel launches, and NumPy code holds the
# GIL anyway: a worker started with several threads runs one npgnn task at a time.
_ONE_TASK_AT_A_TIME = threading.Lock()


class WorkerLostError(OSError):
    """A task's worker died more often than the scheduler allows (``allowed-failures``)."""


def describe(task: RunTask) -> str:
    """``'MUTAG gin seed 0 fold 3'``: a task's name in messages and progress bars."""
    fold = "" if task.fold is None else f" fold {task.fold}"
    return f"{task.dataset} {task.model} seed {task.seed}{fold}"


def run_on_worker(task: RunTask) -> TaskResult:
    """What a worker runs for one task: numba at one thread on this thread, the dataset from
    the worker's cache (:func:`npgnn.experiment.cached_data`), no progress bar, NumPy's
    floating-point warnings silenced (a diverging loss raises FloatingPointError instead)."""
    import numpy as np

    from npgnn.kernels.threads import set_num_threads

    with _ONE_TASK_AT_A_TIME:
        set_num_threads(1)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return run_task(task)


def run_tasks(client: Client, tasks: Sequence[RunTask], *, progress: bool = False) -> list[TaskResult]:
    """Submit every task to ``client``'s cluster and return their results in task order.

    Args:
        client: a ``dask.distributed.Client`` (:func:`npgnn.distributed.connect`).
        tasks: the tasks, as :func:`npgnn.experiment.plan_runs` makes them.
        progress: a progress bar over finished tasks on stderr.

    Raises:
        The first failing task's own exception (others are cancelled); WorkerLostError when a
        task's workers died more than ``allowed-failures`` times; KeyboardInterrupt after
        cancelling every task.
    """
    run_id = uuid.uuid4().hex[:8]
    futures = [client.submit(run_on_worker, task, key=f"npgnn-{run_id}-{i}", pure=False)
               for i, task in enumerate(tasks)]
    position = {future.key: i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    bar = progress_bar(None, desc=f"tasks on {_worker_count(client)} workers", enabled=progress,
                       total=len(futures))
    try:
        for future in as_completed(futures):
            i = position[future.key]
            try:
                results[i] = future.result()
            except KilledWorker:
                raise WorkerLostError(
                    f"the workers running {describe(tasks[i])} died more often than the "
                    f"scheduler allows (distributed.scheduler.allowed-failures; out of memory, "
                    f"or killed); the run stopped") from None
            except FutureCancelledError:
                raise WorkerLostError(f"{describe(tasks[i])} was cancelled on the cluster "
                                      f"(its scheduler or client went away)") from None
            bar.update()
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        bar.close()
    return results


def _worker_count(client: Client) -> int:
    return len(client.scheduler_info().get("workers", {}))
