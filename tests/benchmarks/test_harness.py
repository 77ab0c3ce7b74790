"""benchmarks/_harness.py: fresh-process rivals, thread environment, timing, peak memory, tables."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _load():
    spec = importlib.util.spec_from_file_location("_bench_harness", ROOT / "benchmarks" / "_harness.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


H = _load()
ENV = {"PYTHONPATH": str(HERE)}


def rival(name="a", **kw):
    kw.setdefault("env", ENV)
    return H.Rival(name, kw.pop("factory", "_workloads:allocate"), **kw)


def test_rival_validates_its_fields():
    with pytest.raises(ValueError, match="Rival.kind: expected one of"):
        H.Rival("x", "m:f", kind="tensorflow")
    with pytest.raises(ValueError, match="Rival.factory: expected 'package.module:function'"):
        H.Rival("x", "m.f")
    with pytest.raises(ValueError, match="Rival.threads: expected a positive int"):
        H.Rival("x", "m:f", threads=0)
    with pytest.raises(TypeError, match="not JSON serializable"):
        H.Rival("x", "m:f", kwargs={"a": object()})


def test_worker_env_sets_threads_before_imports():
    base = {"OPENBLAS_CORETYPE": "Haswell", "PYTHONPATH": "/elsewhere"}
    torch_env = H.worker_env(H.Rival("t", "m:f", kind="torch", threads=2), base)
    assert torch_env["OMP_NUM_THREADS"] == torch_env["NUMBA_NUM_THREADS"] == "2"
    assert "OPENBLAS_CORETYPE" not in torch_env
    assert torch_env["PYTHONPATH"].split(":")[:3] == [str(ROOT / "src"), str(ROOT), "/elsewhere"]
    np_env = H.worker_env(H.Rival("n", "m:f", kind="npgnn", threads=2), base)
    assert np_env["OPENBLAS_NUM_THREADS"] == "1" and np_env["NUMBA_NUM_THREADS"] == "2"
    jax_env = H.worker_env(H.Rival("j", "m:f", kind="jax", threads=1), base)
    assert "intra_op_parallelism_threads=1" in jax_env["XLA_FLAGS"]
    assert "multi_thread_eigen=false" in jax_env["XLA_FLAGS"]


def test_torch_rivals_one_per_thread_count():
    rivals = H.torch_rivals("PyG", "m:f", (1, 2), n=3, name="GCN", threads=7)
    assert [(r.name, r.threads, r.kind, r.kwargs) for r in rivals] == [
        ("PyG, torch 1T", 1, "torch", {"n": 3, "name": "GCN", "threads": 7}),
        ("PyG, torch 2T", 2, "torch", {"n": 3, "name": "GCN", "threads": 7})]


def test_run_times_each_rival_in_its_own_process_with_memory():
    results = H.run([rival("small", kwargs={"mb": 8}, threads=2),
                     rival("big", kwargs={"mb": 160, "seconds": 0.02})],
                    repeats=3, rounds=2, pause=0.0, verbose=False)
    small, big = results["small"], results["big"]
    assert small.ok and big.ok and len(big.wall) == 6 and len(big.cpu) == 6
    assert big.median >= 0.02 and big.spread[0] <= big.median <= big.spread[1]
    assert big.quartiles[0] <= big.median <= big.quartiles[1]
    assert small.info["threads_env"]["NUMBA_NUM_THREADS"] == "2"
    assert small.info["threads_env"]["OPENBLAS_CORETYPE"] is None
    # the 160 MiB block shows up in the peak; the 8 MiB one stays far below it
    assert 150 * 2**20 <= big.peak <= 400 * 2**20, big.peak
    assert small.peak < 100 * 2**20
    assert big.memory_method
    assert H.best(results, ["small", "big", "missing"]) == "small"


def test_failures_come_back_as_errors_not_exceptions():
    boom = H.run([rival("boom", factory="_workloads:crash")], repeats=2, pause=0.0,
                 verbose=False)["boom"]
    assert not boom.ok and "factory failed on purpose" in boom.error
    slow = H.run([rival("slow", kwargs={"mb": 1, "seconds": 60.0})], repeats=2, pause=0.0,
                 timeout=3.0, verbose=False)["slow"]
    assert slow.error == "timeout (> 3 s)"
    assert H.fmt_ms(slow).startswith("timeout")
    assert H.best({"boom": boom, "slow": slow}, ["boom", "slow"]) is None


def test_run_refuses_duplicate_names():
    with pytest.raises(ValueError, match="rivals: names must be unique"):
        H.run([rival("a"), rival("a")], repeats=1, verbose=False)


def test_peak_memory_in_process():
    import numpy as np

    nbytes, method = H.peak_memory(lambda: np.ones(64 * 2**20 // 8).sum())
    assert 60 * 2**20 <= nbytes <= 200 * 2**20 and method


def test_write_markdown_states_machine_versions_and_best_torch(tmp_path):
    res = {"PyG, torch 1T": H.Result("PyG, torch 1T", wall=[0.3, 0.2, 0.25], peak=2**20),
           "PyG, torch 2T": H.Result("PyG, torch 2T", wall=[0.5, 0.4]),
           "JAX": H.Result("JAX", error="timeout (> 9 s)")}
    text = H.write_markdown(tmp_path / "t.md", "Title", ["rival", "ms", "MB"],
                            [[n, H.fmt_ms(r), H.fmt_mb(r)] for n, r in res.items()],
                            notes=["A note."], load_before="1.00, 1.00, 1.00", results=res,
                            torch_groups=[["PyG, torch 1T", "PyG, torch 2T"]], reproduce="python x.py")
    assert (tmp_path / "t.md").read_text() == text
    prof = H.Result("p", profile=[{"op": "aten::bernoulli_", "ms": 7.0, "share": 0.7},
                                  {"op": "aten::mm", "ms": 1.0, "share": 0.1}])
    assert H.fmt_profile(prof) == "`aten::bernoulli_` 70%, `aten::mm` 10%"
    assert H.fmt_profile(res["JAX"]) == "-"
    assert text.startswith("# Title\n") and H.cpu_model() in text and "numpy" in text
    assert "load average (1, 5, 15 min) before: 1.00, 1.00, 1.00" in text
    assert "**PyG, torch 1T**" in text
    assert "| PyG, torch 1T | 250.0 (200.0-300.0) | 1 |" in text
    assert "| JAX | timeout (> 9 s) | - |" in text and "Reproduce: `python x.py`" in text


def test_self_timed_calls_and_cold_start():
    res = H.run([rival("self", factory="_workloads:self_timed", kwargs={"seconds": 0.5})],
                repeats=3, warmup=1, pause=0.0, memory=False, verbose=False)["self"]
    assert res.wall == [0.5, 0.5, 0.5]
    assert res.info["calls"] == 4                    # warm-up + 3 timed calls; the last one kept
    assert 0.0 < res.info["cold_seconds"] < 60.0     # interpreter start to the first call's end
    assert res.peak is None


def test_memory_limit_turns_a_huge_allocation_into_an_error():
    res = H.run([rival("huge", kwargs={"mb": 4096})], repeats=1, pause=0.0, memory=False,
                memory_limit=1 << 30, verbose=False)["huge"]
    assert not res.ok and res.error.startswith("out of memory")
