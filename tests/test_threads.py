"""npgnn's thread policy: BLAS capped to one thread at import unless the user set it; kernel threads."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import npgnn
from npgnn.kernels import numba_enabled, threads

_PROBE = ("import json, npgnn; from threadpoolctl import threadpool_info; "
          "print(json.dumps([l['num_threads'] for l in threadpool_info() if l['user_api'] == 'blas']))")


def _blas_counts_after_import(**env: str) -> list[int]:
    clean = {k: v for k, v in os.environ.items()
             if k not in (*threads.USER_BLAS_ENV, threads.NPGNN_BLAS_ENV)}
    clean.update(env)
    out = subprocess.run([sys.executable, "-c", _PROBE], env=clean, capture_output=True,
                         text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(threads.usable_cores() < 2, reason="one core: BLAS has one thread anyway")
def test_import_caps_blas_and_respects_user_settings() -> None:
    counts = _blas_counts_after_import()
    assert counts and set(counts) == {1}
    assert max(_blas_counts_after_import(OPENBLAS_NUM_THREADS="2")) == 2   # the user's setting
    assert max(_blas_counts_after_import(NPGNN_BLAS_THREADS="0")) > 1      # opted out
    assert _blas_counts_after_import(NPGNN_BLAS_THREADS="1", OMP_NUM_THREADS="2") == [1]


def test_env_cap_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*threads.USER_BLAS_ENV, threads.NPGNN_BLAS_ENV):
        monkeypatch.delenv(name, raising=False)
    assert threads._env_blas_cap() == 1
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    assert threads._env_blas_cap() is None
    monkeypatch.setenv(threads.NPGNN_BLAS_ENV, "3")
    assert threads._env_blas_cap() == 3
    monkeypatch.setenv(threads.NPGNN_BLAS_ENV, "default")
    assert threads._env_blas_cap() is None
    monkeypatch.setenv(threads.NPGNN_BLAS_ENV, "two")
    with pytest.raises(ValueError, match="NPGNN_BLAS_THREADS: expected a non-negative integer"):
        threads._env_blas_cap()


def test_set_num_threads_round_trips_and_reaches_numba() -> None:
    before = npgnn.get_num_threads()
    try:
        npgnn.set_num_threads(1)
        assert npgnn.get_num_threads() == 1
        if numba_enabled():
            import numba

            assert numba.get_num_threads() == 1
        npgnn.set_num_threads(before, blas=2)
        assert npgnn.get_num_threads() == before
        assert threads.blas_num_threads() == min(2, threads.usable_cores())
    finally:
        npgnn.set_num_threads(before, blas=1)
    assert threads.blas_num_threads() == 1


def test_kernels_run_with_the_threads_set() -> None:
    if not numba_enabled():
        pytest.skip("numba disabled")
    import numba
    import numpy as np

    @numba.njit(parallel=True)
    def threads_seen(n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for i in numba.prange(n):
            out[i] = numba.get_num_threads()
        return out

    before = npgnn.get_num_threads()
    try:
        npgnn.set_num_threads(1)
        assert set(threads_seen(64).tolist()) == {1}
    finally:
        npgnn.set_num_threads(before)


@pytest.mark.parametrize("args, error, match", [
    ((0,), ValueError, "num_threads: expected at least 1, got 0"),
    ((1.5,), TypeError, "num_threads: expected an int, got float"),
    ((True,), TypeError, "num_threads: expected an int, got bool"),
    ((1, 0), ValueError, "blas: expected at least 1 thread, got 0"),
])
def test_set_num_threads_rejects(args: tuple, error: type, match: str) -> None:
    kwargs = {"blas": args[1]} if len(args) > 1 else {}
    with pytest.raises(error, match=match):
        npgnn.set_num_threads(args[0], **kwargs)


def test_set_num_threads_above_the_pool() -> None:
    if not numba_enabled():
        pytest.skip("numba disabled")
    import numba

    with pytest.raises(ValueError, match="num_threads: numba's pool has"):
        npgnn.set_num_threads(numba.config.NUMBA_NUM_THREADS + 1)
