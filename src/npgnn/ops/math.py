"""Differentiable array math: elementwise arithmetic with broadcasting, matmul, reductions, shapes.

Each op is a ``Function`` with its vector-Jacobian product; the functions at the bottom are the
public entry points (``npgnn.ops.add`` ...), also reached through Tensor operators.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.autodiff.function import Function, unbroadcast
from npgnn.autodiff.tensor import _UNSET, Tensor, as_tensor

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


class Maximum(Function):
    """Elementwise max(a, b) with broadcasting; a tie sends half the gradient to each side
    (torch.maximum's convention)."""

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        out = np.maximum(a, b)
        self.a_wins, self.tie = a > b, a == b
        return out

    def backward(self, g):
        # a selection, not 0 · g: the losing side gets exactly 0 even for an infinite g (torch)
        zero, half = g.dtype.type(0), g * g.dtype.type(0.5)
        ga = unbroadcast(np.where(self.a_wins, g, np.where(self.tie, half, zero)),
                         self.shapes[0]) if self.needs_input_grad[0] else None
        b_wins = ~(self.a_wins | self.tie)
        gb = unbroadcast(np.where(b_wins, g, np.where(self.tie, half, zero)),
                         self.shapes[1]) if self.needs_input_grad[1] else None
        return ga, gb


class Norm(Function):
    """p-norm over ``axis``: (Σ |x|^p)^(1/p), for p > 0 (p = inf: max |x|).

    Backward: d/dx = sign(x) |x|^(p-1) / n^(p-1) (x / n for p = 2); where the norm is 0 the
    gradient is 0 (the subgradient torch uses), not NumPy's 0/0.
    """

    def __init__(self, p: float, axis: Axis, keepdims: bool):
        self.p, self.axis, self.keepdims = p, axis, keepdims

    def forward(self, x):
        self.x = x
        self.axes = _normalize_axis(self.axis, x.ndim)
        a = np.abs(x)
        if np.isinf(self.p):
            n = np.max(a, axis=self.axes, keepdims=True) if x.size else np.zeros(
                [1 if i in self.axes else d for i, d in enumerate(x.shape)], x.dtype)
        elif self.p == 2:
            n = np.sqrt(np.sum(x * x, axis=self.axes, keepdims=True))
        else:
            n = np.sum(a**self.p, axis=self.axes, keepdims=True) ** (1.0 / self.p)
        self.n = n.astype(x.dtype, copy=False)
        return self.n if self.keepdims else np.squeeze(self.n, axis=self.axes)

    def backward(self, g):
        g = g if self.keepdims else np.expand_dims(g, self.axes)
        x, n = self.x, self.n
        safe = np.where(n == 0, 1, n)
        if np.isinf(self.p):
            hit = (np.abs(x) == n) & (n != 0)
            share = hit / np.maximum(hit.sum(axis=self.axes, keepdims=True), 1)
            return g * np.sign(x) * share
        if self.p == 2:
            d = x / safe
        else:
            d = np.sign(x) * np.abs(x) ** (self.p - 1) / safe ** (self.p - 1)
        return np.where(n == 0, 0, g * d).astype(x.dtype, copy=False)


class Pad(Function):
    """Constant padding: ``np.pad(x, widths, constant_values=value)``; backward slices it out."""

    def __init__(self, widths: tuple[tuple[int, int], ...], value: float):
        self.widths, self.value = widths, value

    def forward(self, x):
        self.slices = tuple(slice(lo, lo + n) for (lo, _), n in zip(self.widths, x.shape))
        return np.pad(x, self.widths, constant_values=x.dtype.type(self.value))

    def backward(self, g):
        return g[self.slices]


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


# ---------------------------------------------------------------------------- axis / dim


def resolve_axis(where: str, axis: Any, dim: Any, default: Any = None) -> Any:
    """The axis of an op that takes NumPy's ``axis=`` or torch's ``dim=`` (not both).

    Raises:
        TypeError: both ``axis`` and ``dim`` were given.
    """
    if axis is not _UNSET and dim is not _UNSET:
        raise TypeError(f"{where}: got both axis={show(axis)} and dim={show(dim)}; pass one of them "
                        "(axis= is NumPy's name, dim= torch's)")
    if dim is not _UNSET:
        return dim
    return default if axis is _UNSET else axis


def resolve_keepdims(where: str, keepdims: Any, keepdim: Any) -> bool:
    """NumPy's ``keepdims=`` or torch's ``keepdim=`` (not both); False when neither is given."""
    if keepdims is not _UNSET and keepdim is not _UNSET:
        raise TypeError(f"{where}: got both keepdims={show(keepdims)} and keepdim={show(keepdim)}; pass "
                        "one of them")
    value = keepdim if keepdim is not _UNSET else keepdims
    return False if value is _UNSET else bool(value)


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


def sum(x: Any, axis: Axis = _UNSET, keepdims: bool = _UNSET, *, dim: Axis = _UNSET,  # noqa: A001
        keepdim: bool = _UNSET) -> Tensor:
    """Sum over ``axis`` (NumPy) or ``dim`` (torch), all axes by default."""
    return Sum(resolve_axis("sum", axis, dim), resolve_keepdims("sum", keepdims, keepdim))(x)


def mean(x: Any, axis: Axis = _UNSET, keepdims: bool = _UNSET, *, dim: Axis = _UNSET,
         keepdim: bool = _UNSET) -> Tensor:
    """Mean over ``axis`` (NumPy) or ``dim`` (torch), all axes by default."""
    return Mean(resolve_axis("mean", axis, dim), resolve_keepdims("mean", keepdims, keepdim))(x)


class MinMaxResult(tuple):
    """torch.return_types.max / min: ``(values, indices)``, also as attributes."""

    __slots__ = ()

    def __new__(cls, values: Tensor, indices: Tensor) -> MinMaxResult:
        return super().__new__(cls, (values, indices))

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"(values={self[0]!r}, indices={self[1]!r})"


def _extreme(name: str, x: Any, axis: Any, keepdims: Any, dim: Any, keepdim: Any) -> Any:
    """max/min: values over ``axis``; with ``dim=`` torch's ``(values, indices)`` pair."""
    torch_style = dim is not _UNSET and axis is _UNSET and dim is not None
    ax = resolve_axis(name, axis, dim)
    keep = resolve_keepdims(name, keepdims, keepdim)
    x = as_tensor(x)
    values = Max(ax, keep)(x) if name == "max" else neg(Max(ax, keep)(neg(x)))
    if not torch_style:
        return values
    if not isinstance(ax, (int, np.integer)):
        raise TypeError(f"{name}: dim must be one int (torch returns values and indices over one "
                        f"dimension), got dim={show(dim)}; pass axis= to reduce over several")
    arg = argmax if name == "max" else argmin
    return MinMaxResult(values, arg(x, dim=ax, keepdim=keep))


def max(x: Any, axis: Axis = _UNSET, keepdims: bool = _UNSET, *, dim: int = _UNSET,  # noqa: A001
        keepdim: bool = _UNSET) -> Any:
    """Maximum over ``axis``; tied maxima share the gradient equally (like ``torch.amax``).

    With torch's ``dim=`` (one int) it returns torch.max's ``(values, indices)`` pair (a tuple
    with ``.values`` and ``.indices``); with ``axis=`` (or nothing) the values alone, as NumPy.
    """
    return _extreme("max", x, axis, keepdims, dim, keepdim)


def min(x: Any, axis: Axis = _UNSET, keepdims: bool = _UNSET, *, dim: int = _UNSET,  # noqa: A001
        keepdim: bool = _UNSET) -> Any:
    """Minimum over ``axis`` (see :func:`max`; ``dim=`` gives ``(values, indices)``)."""
    return _extreme("min", x, axis, keepdims, dim, keepdim)


def _arg_extreme(name: str, x: Any, axis: Any, dim: Any, keepdims: Any, keepdim: Any) -> Tensor:
    ax = resolve_axis(name, axis, dim)
    keep = resolve_keepdims(name, keepdims, keepdim)
    data = as_tensor(x).data
    if data.size == 0:
        raise ValueError(f"{name}: cannot take the {name} of an empty array of shape {data.shape}")
    if ax is not None and not isinstance(ax, (int, np.integer)):
        raise TypeError(f"{name}: axis/dim must be one int or None, got {show(ax)}")
    if ax is not None:
        _normalize_axis(ax, data.ndim)
    fn = np.argmax if name == "argmax" else np.argmin
    out = fn(data, axis=ax, keepdims=keep)
    return Tensor(np.asarray(out, dtype=np.int64))


def argmax(x: Any, axis: int | None = _UNSET, keepdims: bool = _UNSET, *, dim: int | None = _UNSET,
           keepdim: bool = _UNSET) -> Tensor:
    """Index of the maximum over ``axis``/``dim`` (the flattened array by default); an int64
    Tensor without gradient. The first of tied maxima wins (NumPy's and torch's CPU rule)."""
    return _arg_extreme("argmax", x, axis, dim, keepdims, keepdim)


def argmin(x: Any, axis: int | None = _UNSET, keepdims: bool = _UNSET, *, dim: int | None = _UNSET,
           keepdim: bool = _UNSET) -> Tensor:
    """Index of the minimum over ``axis``/``dim`` (see :func:`argmax`)."""
    return _arg_extreme("argmin", x, axis, dim, keepdims, keepdim)


def norm(x: Any, p: float = 2.0, axis: Axis = _UNSET, keepdims: bool = _UNSET, *,
         dim: Axis = _UNSET, keepdim: bool = _UNSET) -> Tensor:
    """The p-norm (Σ |x|^p)^(1/p) over ``axis``/``dim`` (all axes by default); p > 0 or inf.
    The gradient at a zero norm is 0 (see :class:`Norm`)."""
    if not (isinstance(p, (int, float, np.integer, np.floating)) and p > 0):
        raise ValueError(f"norm: p must be a positive number (or inf), got {show(p)}")
    return Norm(float(p), resolve_axis("norm", axis, dim),
                resolve_keepdims("norm", keepdims, keepdim))(x)


def pad_constant(x: Any, widths: Any, value: float = 0.0) -> Tensor:
    """Pad with a constant: ``widths`` as np.pad's ((before, after), ...) per axis, each >= 0."""
    x = as_tensor(x)
    widths = tuple((int(lo), int(hi)) for lo, hi in widths)
    if len(widths) != x.ndim or builtins.min((builtins.min(w) for w in widths), default=0) < 0:
        raise ValueError(f"pad: expected {x.ndim} non-negative (before, after) pairs, got {widths}")
    return Pad(widths, value)(x)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum with broadcasting (ties split the gradient, as torch.maximum)."""
    return Maximum()(*_pair(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum with broadcasting: ``-maximum(-a, -b)``."""
    a, b = _pair(a, b)
    return neg(Maximum()(neg(a), neg(b)))


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


def _sequence(where: str, xs: Any) -> list[Any]:
    if isinstance(xs, (Tensor, np.ndarray)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"{where}: expected a list or tuple of arrays/Tensors, got "
                        f"{type(xs).__name__}")
    xs = list(xs)
    if not xs:
        raise ValueError(f"{where}: needs at least one array, got an empty sequence")
    return xs


def concatenate(xs: list[Any], axis: int = _UNSET, *, dim: int = _UNSET) -> Tensor:
    """Join arrays along an existing ``axis`` (``dim``), 0 by default."""
    ax = resolve_axis("concatenate", axis, dim, 0)
    return Concatenate(ax)(*_sequence("concatenate", xs))


def cat(tensors: list[Any], dim: int = _UNSET, *, axis: int = _UNSET) -> Tensor:
    """torch.cat: :func:`concatenate` with torch's argument names (``dim`` 0 by default)."""
    ax = resolve_axis("cat", axis, dim, 0)
    return Concatenate(ax)(*_sequence("cat", tensors))


def stack(xs: list[Any], axis: int = _UNSET, *, dim: int = _UNSET) -> Tensor:
    """Join arrays along a new ``axis`` (``dim``), 0 by default."""
    ax = resolve_axis("stack", axis, dim, 0)
    return Stack(ax)(*_sequence("stack", xs))


def unsqueeze(x: Any, dim: int) -> Tensor:
    """torch.unsqueeze: insert an axis of length 1 at ``dim`` (NumPy's expand_dims)."""
    x = as_tensor(x)
    if not -x.ndim - 1 <= dim <= x.ndim:
        raise ValueError(f"unsqueeze: dim {dim} is out of range for a {x.ndim}-D input "
                         f"(expected [{-x.ndim - 1}, {x.ndim}])")
    return Reshape(np.expand_dims(np.empty(x.shape, dtype=np.bool_), dim).shape)(x)


def squeeze(x: Any, axis: Axis = _UNSET, *, dim: Axis = _UNSET) -> Tensor:
    """Drop axes of length 1: all of them, or only ``axis``/``dim``. Like torch, asking to
    squeeze an axis whose length is not 1 leaves it (NumPy would raise)."""
    x = as_tensor(x)
    ax = resolve_axis("squeeze", axis, dim)
    if ax is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        drop = _normalize_axis(ax, x.ndim) if x.ndim else ()
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in drop and n == 1))
    return Reshape(shape)(x)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise choice with a fixed (non-differentiable) boolean condition."""
    cond = condition.data if isinstance(condition, Tensor) else condition
    return Where(cond)(*_pair(a, b))
