"""Argument checks shared by every public constructor (layers, models, optimizers, loaded configs).

Each check returns the value as the plain Python type the caller stores (``int``, ``float``,
``np.dtype``) or raises with a message that names the owner and the argument, says what was
expected and what came::

    GCNConv: in_channels must be a positive int, got float 4.9
    Dropout: p must lie in [0, 1), got nan

Wrong *types* raise TypeError (a float, a string or a bool for a size); wrong *values* raise
ValueError (a size below its minimum, a NaN or out-of-range float).

Dtype policy (one place, one message): npgnn computes in float32 (the default, as torch) and
float64 (gradient checks). float16, bfloat16, complex, object and string dtypes are refused at
every entry point with :func:`unsupported_dtype`'s message: NumPy has no fast float16 matmul on
the CPU (it would be slower than float32 and lose precision in every reduction), and a complex
input would lose its imaginary part. Integers and bools are accepted where an index or a mask is
expected, and as data converted to float, but never as data that takes gradients (a Parameter,
a Tensor with ``requires_grad=True``): as torch, that is a TypeError (:func:`check_grad_dtype`).
"""
from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Iterable
from typing import Any

import numpy as np

from npgnn._format import show

__all__ = [
    "FLOAT_DTYPES", "check_choice", "check_float_dtype", "check_probability", "check_real",
    "check_grad_dtype", "check_seed", "check_size", "check_supported_dtype", "unsupported_dtype",
]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _prefix(owner: str) -> str:
    """``"Adam"`` -> ``"Adam: "``; a prefix already ending in ": " (or empty) is kept."""
    return owner if not owner or owner.endswith(": ") else f"{owner}: "


def _got(value: Any) -> str:
    """``float 4.9``, ``bool True``, ``str '4'``: NumPy scalars shown as Python values."""
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        kind = {"b": "bool", "f": "float"}.get(value.dtype.kind, "int")
        return f"{kind} {value.item()!r}"
    return f"{type(value).__name__} {value!r}"


def check_size(owner: str, name: str, value: Any, *, minimum: int = 1,
               optional: bool = False) -> Any:
    """``value`` as a Python int >= ``minimum`` (None passes with ``optional``).

    Accepts ints and NumPy integers; refuses bools, floats (even 4.0: a size is a count) and
    strings.

    Raises:
        TypeError: not an integer. ValueError: below ``minimum``.
    """
    if value is None and optional:
        return None
    what = "a positive int" if minimum == 1 else f"an int >= {minimum}"
    if optional:
        what += " or None"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{_prefix(owner)}{name} must be {what}, got {_got(value)}")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{_prefix(owner)}{name} must be {what}, got {_got(value)}") from None
    if n < minimum:
        raise ValueError(f"{_prefix(owner)}{name} must be {what}, got {n}")
    return n


def check_real(owner: str, name: str, value: Any, *, low: float | None = None,
               low_inclusive: bool = True, high: float | None = None,
               high_inclusive: bool = True, optional: bool = False) -> Any:
    """``value`` as a finite Python float in the given range (None passes with ``optional``).

    Raises:
        TypeError: not a real number (bools and strings are refused). ValueError: NaN, infinite
        or out of range.
    """
    if value is None and optional:
        return None
    p = _prefix(owner)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{p}{name} must be a real number, got {_got(value)}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{p}{name} must be finite, got {show(value)}")
    lo_bad = low is not None and (v < low or (v == low and not low_inclusive))
    hi_bad = high is not None and (v > high or (v == high and not high_inclusive))
    if lo_bad or hi_bad:
        if low is not None and high is not None:
            bound = (f"lie in {'[' if low_inclusive else '('}{low:g}, {high:g}"
                     f"{']' if high_inclusive else ')'}")
        elif lo_bad:
            bound = f"be {'>=' if low_inclusive else '>'} {low:g}"
        else:
            bound = f"be {'<=' if high_inclusive else '<'} {high:g}"
        raise ValueError(f"{p}{name} must {bound}, got {show(value)}")
    return v


def check_probability(owner: str, name: str, value: Any) -> float:
    """A drop probability: a finite float in [0, 1)."""
    return check_real(owner, name, value, low=0.0, high=1.0, high_inclusive=False)


def check_seed(owner: str, name: str, value: Any) -> Any:
    """A seed: None, a non-negative int, or a ``np.random.Generator`` (returned as is)."""
    if value is None or isinstance(value, np.random.Generator):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{_prefix(owner)}{name} must be None, an int >= 0 or a "
                        f"np.random.Generator, got {_got(value)}")
    if value < 0:
        raise ValueError(f"{_prefix(owner)}{name} must be an int >= 0, got {value}")
    return int(value)


def check_choice(owner: str, name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    options = tuple(choices)
    try:
        ok = value in options
    except TypeError:  # unhashable or incomparable
        ok = False
    if not ok:
        listed = " or ".join(repr(c) for c in options) if len(options) < 3 else \
            ", ".join(repr(c) for c in options[:-1]) + f" or {options[-1]!r}"
        raise ValueError(f"{_prefix(owner)}{name} must be {listed}, got {value!r}")
    return value


def unsupported_dtype(name: str, dtype: Any, *, gradient: bool = False) -> TypeError:
    """THE error for a dtype npgnn does not compute in (float16, complex, object, strings...).

    ``gradient=True``: the data is to take gradients (a Parameter, ``requires_grad=True``), where
    integers and bools are refused too, as torch refuses them.
    """
    shown = np.dtype(dtype) if _is_dtype(dtype) else repr(dtype)
    if gradient:
        return TypeError(
            f"{name}: dtype {shown} is not supported; npgnn computes in float32 or float64, and "
            "only floating-point data can require gradients (as in torch; integers and bools "
            "serve as indices and masks); cast it with .astype(np.float32)"
        )
    return TypeError(
        f"{name}: dtype {shown} is not supported; npgnn computes in float32 or float64 (integers "
        "and bools are accepted as indices, masks and data converted to float); cast it with "
        ".astype(np.float32)"
    )


def _is_dtype(d: Any) -> bool:
    try:
        np.dtype(d)
    except TypeError:
        return False
    return True


def check_supported_dtype(name: str, dtype: Any, *, allow_int: bool = True) -> np.dtype:
    """``dtype`` if npgnn computes with it: float32/float64, or an integer/bool (``allow_int``).

    Raises:
        TypeError: :func:`unsupported_dtype`'s message for anything else.
    """
    dt = np.dtype(dtype)
    if dt in FLOAT_DTYPES or (allow_int and dt.kind in "biu"):
        return dt
    raise unsupported_dtype(name, dt)


def check_grad_dtype(name: str, dtype: Any) -> np.dtype:
    """``dtype`` if data of it may require gradients: float32 or float64 only.

    Raises:
        TypeError: :func:`unsupported_dtype`'s message (``gradient=True``) for anything else,
        integers and bools included.
    """
    dt = np.dtype(dtype)
    if dt in FLOAT_DTYPES:
        return dt
    raise unsupported_dtype(name, dt, gradient=True)


def check_float_dtype(owner: str, name: str, dtype: Any) -> np.dtype:
    """A parameter dtype argument: float32 or float64.

    Raises:
        TypeError: anything else (float16, complex, an integer type, a non-dtype).
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{_prefix(owner)}{name} must be np.float32 or np.float64, got "
                        f"{_got(dtype)}") from None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"{_prefix(owner)}{name} must be np.float32 or np.float64, got {dt}; "
                        "npgnn computes in float32 (the default) or float64")
    return dt
