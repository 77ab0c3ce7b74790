"""npgnn train on Dask: the same metrics as the in-process run (bit for bit, wall-clock seconds
aside), a worker killed mid-run is replaced and its task rerun, failures and bad options give
the in-process run's one-line errors."""
from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from npgnn.cli import main
from npgnn.experiment import RunTask, TrainConfig, run

from .conftest import without_seconds


def _mutag(root, **kw) -> TrainConfig:
    return TrainConfig(dataset="mutag", model="gin", root=str(root), progress=False,
                       **{"epochs": 3, "folds": 3, "runs": 2, **kw})


@pytest.fixture(scope="module")
def sequential_mutag(shared_datasets):
    """{protocol: metrics} of the in-process MUTAG runs the Dask runs must reproduce."""
    return {protocol: without_seconds(run(_mutag(shared_datasets, protocol=protocol))[0])
            for protocol in ("gin", "holdout")}


@pytest.mark.parametrize("protocol", ["gin", "holdout"])
def test_graph_folds_on_dask_equal_the_sequential_run(client, shared_datasets, sequential_mutag,
                                                      protocol):
    on_dask, details = run(_mutag(shared_datasets, protocol=protocol), client=client)
    assert without_seconds(on_dask) == sequential_mutag[protocol]
    assert len(details) == 2 and details[-1][0] is not None  # the last fold's model came back


def test_node_runs_on_dask_equal_the_sequential_run(client, shared_datasets):
    config = TrainConfig(dataset="cora", model="gcn", epochs=15, runs=3, root=str(shared_datasets),
                         progress=False)
    sequential, _ = run(config)
    on_dask, _ = run(config, client=client)
    assert without_seconds(on_dask) == without_seconds(sequential)
    assert [r["seed"] for r in on_dask["runs"]] == [0, 1, 2]


def test_workers_hold_blas_and_numba_to_one_thread(client):
    def threads():
        import numba

        from npgnn.kernels.threads import blas_num_threads

        return (blas_num_threads(), numba.config.NUMBA_NUM_THREADS, os.environ["OMP_NUM_THREADS"],
                os.environ.get("MALLOC_TRIM_THRESHOLD_"))

    # glibc's adaptive malloc is kept: Dask's MALLOC_TRIM_THRESHOLD_ slows NumPy training down
    assert set(client.run(threads).values()) == {(1, 1, "1", None)}


def test_a_killed_worker_is_replaced_and_the_run_completes(client, shared_datasets,
                                                          sequential_mutag):
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_a_busy_worker() -> None:  # SIGKILL the first worker seen running an npgnn task
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [w for w, keys in client.processing().items()
                    if any(str(k).startswith("npgnn-") for k in keys)]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(pids[busy[0]])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        on_dask, _ = run(_mutag(shared_datasets, protocol="gin"), client=client)
    finally:
        killer.join()
    assert killed, "no worker was seen running a task"
    assert without_seconds(on_dask) == sequential_mutag["gin"]
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it
    assert killed[0] not in client.run(os.getpid).values()


def test_cli_scheduler_writes_the_sequential_metrics_and_summary(client, tmp_path, capsys):
    """``--scheduler`` on the session's cluster (``--workers`` starts its own the same way:
    test_interrupt.py runs it)."""
    common = ["train", "--dataset", "karate", "--model", "gcn", "--epochs", "5", "--runs", "3",
              "--quiet"]
    assert main([*common, "--metrics-out", str(tmp_path / "seq.json")]) == 0
    sequential_out = capsys.readouterr().out
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    assert main([*common, "--scheduler", address, "--metrics-out", str(tmp_path / "d.json")]) == 0
    dask_out = capsys.readouterr().out
    seq, dask = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("seq", "d"))
    assert without_seconds(dask) == without_seconds(seq)

    def table(text: str) -> list[str]:  # the summary without the seconds column and file lines
        return [line.rsplit(" ", 1)[0] if line.strip()[:1].isdigit() else line
                for line in text.splitlines() if not line.startswith("wrote")]

    assert table(dask_out) == table(sequential_out) and len(table(dask_out)) == 5


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's overflow on the way to the error
def test_a_failing_task_gives_the_sequential_one_line_error(client, capsys):
    config = TrainConfig(dataset="karate", model="gcn", lr=1e30, epochs=5, runs=2, progress=False)
    with pytest.raises(FloatingPointError) as sequential:
        run(config)
    with pytest.raises(FloatingPointError) as on_dask:
        run(config, client=client)
    assert str(on_dask.value) == str(sequential.value)
    assert "lower the learning rate" in str(on_dask.value)


@pytest.mark.parametrize("argv,message", [
    (["--workers", "0"], r"argument --workers: expected an integer >= 1, got 0"),
    (["--scheduler", "127.0.0.1"], r"argument --scheduler: expected a Dask scheduler address"),
    (["--scheduler", "tcp://host:99999"], r"argument --scheduler: expected a Dask scheduler"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], r"not allowed with argument"),
])
def test_bad_cluster_options_exit_2_naming_them(argv, message, capsys):
    with pytest.raises(SystemExit) as done:
        main(["train", *argv])
    assert done.value.code == 2
    assert __import__("re").search(message, capsys.readouterr().err)


def test_link_prediction_refuses_workers(capsys):
    assert main(["train", "--model", "gae", "--workers", "2"]) == 2
    assert "workers: link prediction runs in this process only" in capsys.readouterr().err


def test_a_task_whose_workers_keep_dying_stops_with_one_line(monkeypatch):
    """Past ``allowed-failures`` the scheduler gives up on a task (KilledWorker): the run stops
    with WorkerLostError, an OSError (exit 1, one line), not Dask's exception. An in-process
    cluster (threads) lets the test make every attempt fail that way."""
    from distributed import Client, LocalCluster
    from distributed.scheduler import KilledWorker

    import npgnn.distributed.execute as execute

    class Worker:
        address = "tcp://127.0.0.1:1"

    def dies(task, data=None, progress=False):
        raise KilledWorker("npgnn-x", Worker(), 3)

    monkeypatch.setattr(execute, "run_task", dies)
    tasks = [RunTask("karate", None, "node", "gcn", {}, seed=0)]
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as local:
        with pytest.raises(execute.WorkerLostError, match=r"the workers running karate gcn seed 0 "
                                                           r"died more often than the scheduler allows"):
            execute.run_tasks(local, tasks)
    assert issubclass(execute.WorkerLostError, OSError)


@pytest.mark.parametrize("kwargs,message", [
    ({}, r"connect: give exactly one of n_workers .* or address"),
    ({"n_workers": 2, "address": "tcp://127.0.0.1:8786"}, r"connect: give exactly one"),
    ({"n_workers": 0}, r"n_workers: expected an integer >= 1, got 0"),
    ({"n_workers": True}, r"n_workers: expected an integer >= 1, got True"),
    ({"address": " "}, r"address: expected a scheduler address such as 'tcp://127.0.0.1:8786'"),
])
def test_connect_refuses_bad_arguments_before_starting_anything(kwargs, message):
    from npgnn.distributed import connect

    with pytest.raises(ValueError, match=message), connect(**kwargs):
        pass
