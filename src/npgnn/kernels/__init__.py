"""Compiled kernels (numba) for the hot loops that NumPy/SciPy cannot vectorize well.

numba is a core dependency, but every kernel has a SciPy/NumPy fallback with the same result: set
``NPGNN_DISABLE_NUMBA=1`` to force it (the tests run both paths). Kernels are compiled on first
use and cached on disk (``cache=True``), so a second process starts them in milliseconds.
"""
from __future__ import annotations

import os

try:  # pragma: no cover - exercised by the environment, not by a branch in the tests
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None


def numba_enabled() -> bool:
    """True when the compiled kernels are used (numba importable and not disabled by env)."""
    return _numba is not None and os.environ.get("NPGNN_DISABLE_NUMBA", "") in ("", "0")
