"""Global switches of the autodiff engine: gradient recording and anomaly detection.

Both are context managers that also work as decorators. State is per process: npgnn is
single-threaded by design (parallelism lives inside the NumPy/SciPy kernels).
"""
from __future__ import annotations

import contextlib

_state = {"grad_enabled": True, "detect_anomaly": False}


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded for backward."""
    return _state["grad_enabled"]


def is_anomaly_enabled() -> bool:
    """True inside :class:`detect_anomaly`: every op's output and gradient is checked for NaN/inf."""
    return _state["detect_anomaly"]


class _Switch(contextlib.ContextDecorator):
    key: str
    value: bool

    def __enter__(self) -> None:
        self._previous = _state[self.key]
        _state[self.key] = self.value

    def __exit__(self, *exc: object) -> None:
        _state[self.key] = self._previous


class no_grad(_Switch):
    """Record nothing: results have ``requires_grad=False`` and keep no graph (inference, SGD updates)."""

    key, value = "grad_enabled", False


class enable_grad(_Switch):
    """Record operations again inside a :class:`no_grad` block."""

    key, value = "grad_enabled", True


class detect_anomaly(_Switch):
    """Raise ``FloatingPointError`` at the first op whose output or input gradient holds NaN or inf.

    Outside this block npgnn follows IEEE arithmetic like NumPy and PyTorch: a NaN or inf in the
    input propagates to the outputs and gradients without a check on the hot path. Use this block
    to find which op produced the first non-finite value; it costs one ``isfinite`` pass per op.
    """

    key, value = "detect_anomaly", True
