"""Differentiable array math: elementwise arithmetic with broadcasting, matmul, reductions, shapes.

Each op is a ``Function`` with its vector-Jacobian product; the functions at the bottom are the
public entry points (``npgnn.ops.add`` ...), also reached through Tensor operators.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from npgnn.autodiff.function import Function, unbroadcast
from npgnn.autodiff.tensor import Tensor, as_tensor

Axis = int | tuple[int, ...] | None


# ---------------------------------------------------------------------------- elementwise binary
class Add(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(g, self.shapes[1])


class Sub(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a - b

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(-g, self.shapes[1])


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        ga = unbroadcast(g * self.b, self.a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(g * self.a, self.b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        gb = None
        if self.needs_input_grad[1]:
            gb = unbroadcast(-g * self.a / (self.b * self.b), self.b.shape)
        return unbroadcast(g / self.b, self.a.shape), gb


class Pow(Function):
    """a ** b; d/da = b a^(b-1), d/db = a^b log a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, g):
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = unbroadcast(g * self.b * self.a ** (self.b - 1), self.a.shape)
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = unbroadcast(g * self.out * np.log(self.a), self.b.shape)
        return ga, gb


class MatMul(Function):
    """np.matmul semantics: 2-D, batched with broadcast batch axes, and 1-D operands."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.a, self.b
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:  # restore the squeezed axes: b's column first, then a's row
            g = g[..., None]
        if a.ndim == 1:
            g = g[..., None, :]
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = unbroadcast(np.matmul(g, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if self.needs_input_grad[1]:
            gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g), b2.shape).reshape(b.shape)
        return ga, gb


# ---------------------------------------------------------------------------- elementwise unary
class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class Exp(Function):
    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, g):
        return g * self.y


class Log(Function):
    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, g):
        return g / self.x


class Sqrt(Function):
    def forward(self, x):
        self.y = np.sqrt(x)
        return self.y

    def backward(self, g):
        return g / (2 * self.y)


class Abs(Function):
    def forward(self, x):
        self.sign = np.sign(x)
        return np.abs(x)

    def backward(self, g):
        return g * self.sign


class Cast(Function):
    def __init__(self, dtype: Any):
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        self.src = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return g.astype(self.src)


# ---------------------------------------------------------------------------- reductions
def _normalize_axis(axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for an array of {ndim} dimensions")
    return tuple(sorted(int(a) % builtins.max(ndim, 1) for a in axes))


def _expand(g: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdims:
        g = np.expand_dims(g, axes) if axes else g
    return np.broadcast_to(g, shape)


class Sum(Function):
    def __init__(self, axis: Axis = None, keepdims: bool = False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim)
        return np.sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        return _expand(g, self.shape, self.axes, self.keepdims)


class Mean(Function):
    def __init__(self, axis: Axis = None, keepdims: bool = False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim)
        self.count = int(np.prod([x.shape[a] for a in self.axes]))
        return np.mean(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, g):
        return _expand(g / self.count, self.shape, self.axes, self.keepdims)


class Max(Function):
    """Maximum over axes; the gradient is shared equally among tied maxima (like torch.amax)."""

    def __init__(self, axis: Axis = None, keepdims: bool = False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        self.x = x
        self.axes = _normalize_axis(self.axis, x.ndim)
        if x.size == 0:
            raise ValueError(f"max(): cannot reduce an empty array of shape {x.shape}")
        self.out = np.max(x, axis=self.axes, keepdims=True)
        return self.out if self.keepdims else np.squeeze(self.out, axis=self.axes)

    def backward(self, g):
        mask = self.x == self.out
        share = mask / mask.sum(axis=self.axes, keepdims=True)
        return _expand(g, self.x.shape, self.axes, self.keepdims) * share


# ---------------------------------------------------------------------------- shapes
class Reshape(Function):
    def __init__(self, shape: tuple[int, ...]):
        self.target = shape

    def forward(self, x):
        self.shape = x.shape
        return np.reshape(x, self.target)

    def backward(self, g):
        return g.reshape(self.shape)


class Transpose(Function):
    def __init__(self, axes: tuple[int, ...] | None = None):
        self.axes = axes

    def forward(self, x):
        self.perm = tuple(range(x.ndim))[::-1] if self.axes is None else tuple(self.axes)
        return np.transpose(x, self.perm)

    def backward(self, g):
        return np.transpose(g, np.argsort(self.perm))


def _is_basic_index(index: Any) -> bool:
    """True when ``index`` selects each element at most once (slices, ints, None, Ellipsis)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (slice, int, np.integer, type(None), type(Ellipsis))) for p in parts)


class GetItem(Function):
    """x[index]; the backward scatters back with np.add.at so repeated indices accumulate."""

    def __init__(self, index: Any):
        self.index = index

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return x[self.index]

    def backward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if _is_basic_index(self.index):
            out[self.index] = g
        else:
            np.add.at(out, self.index, g)
        return out


class Concatenate(Function):
    def __init__(self, axis: int = 0):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis)

    def backward(self, g):
        return tuple(np.split(g, np.cumsum(self.sizes)[:-1], axis=self.axis))


class Stack(Function):
    def __init__(self, axis: int = 0):
        self.axis = axis

    def forward(self, *xs):
        return np.stack(xs, axis=self.axis)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.axis, 0))


class Where(Function):
    """cond ? a : b with a fixed boolean condition."""

    def __init__(self, condition: np.ndarray):
        self.condition = np.asarray(condition, dtype=bool)

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return np.where(self.condition, a, b)

    def backward(self, g):
        zero = np.zeros((), dtype=g.dtype)
        return (
            unbroadcast(np.where(self.condition, g, zero), self.shapes[0]),
            unbroadcast(np.where(self.condition, zero, g), self.shapes[1]),
        )


# ---------------------------------------------------------------------------- entry points
def _constant_like(value: Any, like: Tensor) -> Tensor:
    """A constant operand; a Python scalar takes a float tensor's dtype (float32 stays float32)."""
    if np.isscalar(value) and np.issubdtype(like.dtype, np.floating):
        return Tensor(np.asarray(value, dtype=like.dtype))
    return Tensor(value)


def _pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Two operands as tensors, constants made to fit the tensor operand."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        return a, _constant_like(b, a)
    if isinstance(b, Tensor) and not isinstance(a, Tensor):
        return _constant_like(a, b), b
    return as_tensor(a), as_tensor(b)


def add(a: Any, b: Any) -> Tensor:
    """a + b with broadcasting."""
    return Add()(*_pair(a, b))


def sub(a: Any, b: Any) -> Tensor:
    """a - b with broadcasting."""
    return Sub()(*_pair(a, b))


def mul(a: Any, b: Any) -> Tensor:
    """a * b (elementwise) with broadcasting."""
    return Mul()(*_pair(a, b))


def div(a: Any, b: Any) -> Tensor:
    """a / b with broadcasting."""
    return Div()(*_pair(a, b))


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - mirrors the operator's name
    """a ** b with broadcasting (either may be a tensor)."""
    return Pow()(*_pair(a, b))


def neg(x: Any) -> Tensor:
    return Neg()(x)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with np.matmul semantics: (M,K)@(K,N), batched (...,M,K)@(...,K,N), 1-D."""
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must be at least 1-D, got shapes {a.shape} and {b.shape}")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(
            f"matmul: inner dimensions differ: a has shape {a.shape} (K={k_a}), b has shape "
            f"{b.shape} (K={k_b})"
        )
    return MatMul()(a, b)


def exp(x: Any) -> Tensor:
    return Exp()(x)


def log(x: Any) -> Tensor:
    return Log()(x)


def sqrt(x: Any) -> Tensor:
    return Sqrt()(x)


def abs(x: Any) -> Tensor:  # noqa: A001
    return Abs()(x)


def astype(x: Any, dtype: Any) -> Tensor:
    """Cast to ``dtype``; the gradient is cast back to the input's dtype."""
    return Cast(dtype)(x)


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return Sum(axis, keepdims)(x)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return Mean(axis, keepdims)(x)


def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return Max(axis, keepdims)(x)


def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return neg(Max(axis, keepdims)(neg(x)))


def reshape(x: Any, shape: tuple[int, ...]) -> Tensor:
    return Reshape(tuple(shape))(x)


def transpose(x: Any, axes: tuple[int, ...] | None = None) -> Tensor:
    return Transpose(axes)(x)


def getitem(x: Any, index: Any) -> Tensor:
    """x[index] for basic and advanced (integer-array, boolean) indexing."""
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return GetItem(index)(x)


def concatenate(xs: list[Any], axis: int = 0) -> Tensor:
    return Concatenate(axis)(*xs)


def stack(xs: list[Any], axis: int = 0) -> Tensor:
    return Stack(axis)(*xs)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise choice with a fixed (non-differentiable) boolean condition."""
    cond = condition.data if isinstance(condition, Tensor) else condition
    return Where(cond)(*_pair(a, b))
