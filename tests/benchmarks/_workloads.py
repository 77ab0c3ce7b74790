"""Tiny workloads for the harness tests (imported inside the harness's worker processes)."""
from __future__ import annotations

import os

import numpy as np


def allocate(mb: int = 64, seconds: float = 0.0):
    """A call that touches ``mb`` MiB (then frees it) and optionally sleeps."""
    import time

    def run() -> None:
        block = np.ones(mb * 2**20 // 8)
        block.sum()
        if seconds:
            time.sleep(seconds)
    return run, {"threads_env": {k: os.environ.get(k) for k in (
        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS", "XLA_FLAGS",
        "OPENBLAS_CORETYPE")}}


def crash():
    raise RuntimeError("factory failed on purpose")


def self_timed(seconds: float = 0.5):
    """A call that reports its own duration (and an extra fact) instead of the measured one."""
    count = [0]

    def run() -> dict:
        count[0] += 1
        return {"seconds": seconds, "calls": count[0]}
    return run
