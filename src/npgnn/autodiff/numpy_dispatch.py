"""NumPy functions on Tensors: ``np.exp(t)``, ``np.concatenate([t, u])`` ... run npgnn's ops.

``Tensor.__array_ufunc__`` and ``Tensor.__array_function__`` send here. Three outcomes:

* a differentiable ufunc or function (``ROUTED_UFUNCS``, ``ROUTED_FUNCTIONS``) runs the matching
  npgnn op and returns a Tensor that records its gradient, so ``np.tanh(x_j)`` inside a
  ``MessagePassing.message`` is differentiable;
* a query without a gradient (comparisons, ``isnan``, ``argmax``, ``shape``, ``allclose``,
  ``zeros_like`` ...: ``DATA_UFUNCS``, ``DATA_FUNCTIONS``) runs on the data and returns what NumPy
  returns (an ndarray or a Python value), like the comparison operators;
* anything else raises a ``TypeError`` naming the function and what to use instead, rather than
  NumPy's old fallback of an object array of Tensors.

``np.asarray(t)`` (``Tensor.__array__``) is the data itself, with no gradient.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.ops import math as M
from npgnn.ops import nn as N


def _data(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_data(v) for v in x)
    return x


# ---------------------------------------------------------------------------- ufuncs
ROUTED_UFUNCS: dict[str, Callable[..., Tensor]] = {
    "add": M.add, "subtract": M.sub, "multiply": M.mul, "divide": M.div, "true_divide": M.div,
    "power": M.pow, "float_power": M.pow, "matmul": M.matmul,
    "maximum": M.maximum, "minimum": M.minimum, "fmax": M.maximum, "fmin": M.minimum,
    "negative": M.neg, "positive": lambda x: M.as_tensor(x), "exp": M.exp, "log": M.log,
    "sqrt": M.sqrt, "absolute": M.abs, "fabs": M.abs, "tanh": N.tanh,
    "square": lambda x: M.mul(x, x), "reciprocal": lambda x: M.div(1.0, x),
}
"""ufunc name -> the differentiable npgnn op it runs."""

DATA_UFUNCS = frozenset({
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "signbit", "sign",
    "floor", "ceil", "trunc", "rint", "invert", "bitwise_and", "bitwise_or", "bitwise_xor",
    "floor_divide", "remainder", "mod",
})
"""ufuncs with no useful gradient (booleans, integer-valued steps): computed on the data."""

_HINTS = {
    "log1p": "ops.log(1 + x)", "expm1": "ops.exp(x) - 1", "exp2": "2.0 ** x",
    "log2": "ops.log(x) / np.log(2)", "log10": "ops.log(x) / np.log(10)",
    "einsum": "ops.matmul (or @) with reshape/transpose", "tensordot": "ops.matmul",
    "clip": "npgnn.ops.maximum / ops.minimum", "var": "((x - x.mean(axis, keepdims=True)) ** 2).mean(axis)",
    "std": "ops.sqrt of the variance, ((x - x.mean(axis, keepdims=True)) ** 2).mean(axis)",
    "sigmoid": "ops.sigmoid", "cumsum": "a matmul with np.tri", "take": "indexing, x[idx]",
}


def _unsupported(name: str) -> TypeError:
    hint = _HINTS.get(name)
    use = f"use {hint}, or" if hint else "write it with npgnn.ops (or a Function), or"
    return TypeError(
        f"np.{name} is not differentiable on npgnn Tensors: {use} apply it to t.data "
        "(np.asarray(t)) to get a plain ndarray without gradient"
    )


def array_ufunc(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_ufunc__``: route ``ufunc(*inputs)`` (see the module docstring)."""
    name = ufunc.__name__
    if method != "__call__":
        reduce_hint = {"add": "ops.sum", "multiply": "a product of slices", "maximum": "ops.max",
                       "minimum": "ops.min"}.get(name)
        use = f"use {reduce_hint}, or" if reduce_hint else "use npgnn.ops, or"
        raise TypeError(f"np.{name}.{method} is not supported on npgnn Tensors: {use} apply it "
                        "to t.data for a plain ndarray without gradient")
    if name in DATA_UFUNCS:
        return getattr(np, name)(*_data(inputs), **_data(kwargs))
    if "out" in kwargs:
        raise TypeError(f"np.{name}(..., out=...) cannot write into a Tensor: a Tensor's value is "
                        "part of the recorded graph; use the returned Tensor instead")
    if kwargs:
        raise TypeError(f"np.{name} on npgnn Tensors takes no keyword arguments, got "
                        f"{sorted(kwargs)}")
    op = ROUTED_UFUNCS.get(name)
    if op is None:
        raise _unsupported(name)
    return op(*inputs)


# ---------------------------------------------------------------------------- array functions
def _no_extras(name: str, kwargs: dict[str, Any], *allowed: str) -> None:
    for key, value in kwargs.items():
        if key not in allowed and value is not None and value is not np._NoValue:
            raise TypeError(f"np.{name} on npgnn Tensors does not take {key}={value!r}")


def _reduction(name: str, op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def run(a: Any, axis: Any = None, *args: Any, **kwargs: Any) -> Tensor:
        if args:
            raise TypeError(f"np.{name} on npgnn Tensors: pass dtype/out and the rest by keyword "
                            "(only axis and keepdims are supported)")
        keepdims = kwargs.pop("keepdims", False)
        _no_extras(name, kwargs)
        return op(a, axis, bool(keepdims) if keepdims is not np._NoValue else False)
    return run


def _concatenate(arrays: Any, axis: int = 0, **kwargs: Any) -> Tensor:
    _no_extras("concatenate", kwargs)
    return M.concatenate(arrays, axis)


def _stack(arrays: Any, axis: int = 0, **kwargs: Any) -> Tensor:
    _no_extras("stack", kwargs)
    return M.stack(arrays, axis)


def _where(condition: Any, *ab: Any) -> Any:
    if not ab:
        return np.where(_data(condition))
    if len(ab) != 2:
        raise TypeError("np.where takes a condition and either no or two arrays")
    return M.where(condition, *ab)


def _reshape(a: Any, *args: Any, **kwargs: Any) -> Tensor:
    shape = args[0] if args else kwargs.pop("shape", kwargs.pop("newshape", None))
    if kwargs.pop("order", "C") != "C":
        raise TypeError("np.reshape on npgnn Tensors supports order='C' only")
    _no_extras("reshape", kwargs)
    return M.reshape(a, (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape))


def _transpose(a: Any, axes: Any = None) -> Tensor:
    return M.transpose(a, None if axes is None else tuple(axes))


def _dot(a: Any, b: Any, out: Any = None) -> Tensor:
    if out is not None:
        raise TypeError("np.dot(..., out=...) cannot write into a Tensor")
    if np.ndim(_data(a)) > 2 or np.ndim(_data(b)) > 2:
        raise TypeError("np.dot of arrays with more than 2 dimensions is not differentiable on "
                        "npgnn Tensors: use ops.matmul (np.matmul semantics) with transpose")
    if np.ndim(_data(a)) == 0 or np.ndim(_data(b)) == 0:
        return M.mul(a, b)
    return M.matmul(a, b)


def _clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kwargs: Any) -> Tensor:
    a_min = kwargs.pop("min", a_min)
    a_max = kwargs.pop("max", a_max)
    _no_extras("clip", kwargs)
    if out is not None:
        raise TypeError("np.clip(..., out=...) cannot write into a Tensor")
    out_t = M.as_tensor(a)
    if a_min is not None:
        out_t = M.maximum(out_t, a_min)
    if a_max is not None:
        out_t = M.minimum(out_t, a_max)
    return out_t


def _expand_dims(a: Any, axis: int) -> Tensor:
    return M.unsqueeze(a, axis)


def _squeeze(a: Any, axis: Any = None) -> Tensor:
    return M.squeeze(a, axis)


def _matmul(a: Any, b: Any, **kwargs: Any) -> Tensor:
    _no_extras("matmul", kwargs)
    return M.matmul(a, b)


ROUTED_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "concatenate": _concatenate, "stack": _stack, "where": _where,
    "sum": _reduction("sum", M.sum), "mean": _reduction("mean", M.mean),
    "max": _reduction("max", M.max), "amax": _reduction("amax", M.max),
    "min": _reduction("min", M.min), "amin": _reduction("amin", M.min),
    "reshape": _reshape, "transpose": _transpose, "dot": _dot, "clip": _clip,
    "expand_dims": _expand_dims, "squeeze": _squeeze, "matmul": _matmul,
}
"""array function name -> differentiable implementation on npgnn ops."""

DATA_FUNCTIONS = frozenset({
    "shape", "ndim", "size", "argmax", "argmin", "argsort", "allclose", "isclose",
    "array_equal", "array_equiv", "count_nonzero", "nonzero", "flatnonzero", "any", "all",
    "unique", "bincount", "result_type", "can_cast", "zeros_like", "ones_like", "empty_like",
    "full_like", "round", "around", "searchsorted", "isin", "copy", "array_repr", "array_str",
    "may_share_memory", "shares_memory", "iscomplexobj", "isrealobj", "histogram",
})
"""array functions whose result carries no gradient: computed on the data, NumPy's result."""


def array_function(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_function__``: route ``func(*args, **kwargs)`` (see the module docstring)."""
    name = func.__name__
    routed = ROUTED_FUNCTIONS.get(name)
    if routed is not None and getattr(np, name, None) is func:
        return routed(*args, **kwargs)
    if name in DATA_FUNCTIONS:
        return func(*_data(args), **{k: _data(v) for k, v in kwargs.items()})
    raise _unsupported(name)
