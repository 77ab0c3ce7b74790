"""``Tensor``: an ndarray that remembers the ``Function`` that made it, for reverse-mode autodiff."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from npgnn._validate import check_grad_dtype, check_supported_dtype

builtins_max = max


class _Unset:
    """Marks an argument not given (so that both ``axis=None`` and ``dim=None`` stay meaningful)."""

    def __repr__(self) -> str:
        return "<not given>"


_UNSET: Any = _Unset()

if TYPE_CHECKING:
    from npgnn.autodiff.function import Function

ArrayLike = Any

#: dtypes an op's output may have without further checks (floats for values, ints/bools for
#: indices and masks): what ``check_supported_dtype`` accepts.
_OP_DTYPES = frozenset(np.dtype(t) for t in (
    np.float32, np.float64, np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
    np.uint32, np.uint64))


def _as_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """``data`` as an ndarray of a numeric dtype; anything else raises TypeError."""
    if sp.issparse(data):
        raise TypeError(
            f"Tensor data: got a scipy sparse matrix ({data.format}, shape {data.shape}); Tensors "
            "are dense: pass the sparse matrix to an op that takes it (Linear, spmm, dropout) "
            "or densify it with .toarray()"
        )
    array = np.asarray(data, dtype=dtype)
    check_supported_dtype("Tensor data", array.dtype)
    return array


class Tensor:
    """A NumPy array with a gradient.

    Attributes:
        data: the ndarray (float32/float64 for anything differentiable; ints and bools allowed
            for indices and masks).
        grad: ndarray of ``data.shape`` after ``backward()``, else None. Gradients *accumulate*
            over backward calls until ``zero_grad()`` (PyTorch semantics).
        requires_grad: whether operations on this tensor are recorded.

    Arithmetic operators, ``@``, indexing and the methods below build the graph; ``backward()``
    walks it in reverse topological order (iteratively, so depth is unlimited).

    Comparisons (``== != < <= > >=``) are elementwise and return boolean ndarrays, so
    ``(pred == y).sum()`` counts matches. A Tensor is hashed by identity, not by value (as in
    torch): dict keys and sets of tensors work by identity.
    """

    __array_priority__ = 100  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None):
        if isinstance(data, Tensor):
            data = data.data
        self.data = _as_array(data, dtype)
        if requires_grad:
            check_grad_dtype("Tensor data", self.data.dtype)
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self._ctx: Function | None = None
        self._retains_grad = False

    @classmethod
    def _from_op(cls, data: np.ndarray, requires_grad: bool) -> Tensor:
        """A Tensor around an op's output ndarray (``Function.__call__``'s fast path).

        Skips ``__init__``'s conversion for an ndarray of a dtype npgnn computes with; anything
        else goes through ``__init__`` and its checks and messages.
        """
        if data.dtype not in _OP_DTYPES or (requires_grad and data.dtype.kind != "f"):
            return cls(data, requires_grad=requires_grad)
        t = object.__new__(cls)
        t.data = data
        t.requires_grad = requires_grad
        t.grad = None
        t._ctx = None
        t._retains_grad = False
        return t

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> Size:
        """The number of elements, as NumPy's ``a.size``; also callable as torch's ``t.size()``
        (the shape tuple) and ``t.size(dim)`` (one dimension's length). See :class:`Size`."""
        return Size(self.data.shape)

    def numel(self) -> int:
        """The number of elements (torch's name)."""
        return int(self.data.size)

    def dim(self) -> int:
        """The number of dimensions (torch's name for ``ndim``)."""
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user (not by an op); only leaves keep ``.grad``."""
        return self._ctx is None

    @property
    def grad_fn(self) -> Function | None:
        """The Function node that produced this tensor, or None for a leaf."""
        return self._ctx

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, threshold=20, prefix="Tensor(")
        extra = ""
        if self._ctx is not None:
            extra = f", grad_fn={self._ctx.name}"
        elif self.requires_grad:
            extra = ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # ------------------------------------------------------------------ graph
    def backward(self, grad: ArrayLike | None = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · grad into every leaf's ``.grad``.

        Args:
            grad: the output gradient (cotangent), an ndarray or Tensor of ``self.shape``;
                may be omitted only for a one-element tensor (then it is 1).
            retain_graph: keep the graph's saved arrays for another backward through it.
        """
        from npgnn.autodiff.engine import run_backward

        run_backward(self, grad, retain_graph=retain_graph)

    def retain_grad(self) -> Tensor:
        """Also keep ``.grad`` on this non-leaf tensor during backward."""
        self._retains_grad = True
        return self

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        self.grad = None

    def numpy(self) -> np.ndarray:
        """The ndarray itself (shared, no gradient), like torch's ``.detach().numpy()``."""
        return self.data

    def item(self) -> Any:
        """The single element as a Python number; raises ValueError for more than one element."""
        return self._scalar("item").item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists of Python numbers."""
        return self.data.tolist()

    def astype(self, dtype: Any) -> Tensor:
        return _math.astype(self, dtype)

    # ------------------------------------------------------------------ Python scalars
    def _scalar(self, what: str) -> np.ndarray:
        if self.data.size != 1:
            raise ValueError(
                f"{what}: only one-element tensors can be converted to Python scalars, got "
                f"shape {self.shape} ({self.data.size} elements)"
            )
        return self.data.reshape(())

    def __float__(self) -> float:
        return float(self._scalar("float()"))

    def __int__(self) -> int:
        return int(self._scalar("int()"))

    def __index__(self) -> int:
        if not (np.issubdtype(self.dtype, np.integer) or self.dtype == np.bool_):
            raise TypeError(f"only integer tensors can be used as an index, got dtype {self.dtype}")
        return int(self._scalar("index"))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{self.shape}); use .any() or .all() on its data, e.g. bool((t > 0).all())"
            )
        return bool(self.data.reshape(()))

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element tensor as its number; ``f"{t}"`` is ``str(t)``."""
        if self.data.size == 1:
            return format(self.data.reshape(()).item(), spec)
        if not spec:
            return str(self)
        raise TypeError(
            f"unsupported format string {spec!r} passed to a Tensor of shape {self.shape}: only "
            "one-element tensors take a number format"
        )

    # ------------------------------------------------------------------ NumPy interop
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)`` gives the data: an ndarray **without gradient** (nothing recorded)."""
        if dtype is not None and np.dtype(dtype) != self.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        from npgnn.autodiff.numpy_dispatch import array_ufunc

        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        from npgnn.autodiff.numpy_dispatch import array_function

        return array_function(func, args, kwargs)

    # ------------------------------------------------------------------ devices and dtypes
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """torch's ``to``: ``to("cpu")`` (or any CPU device) is a no-op returning ``self``;
        ``to(dtype)`` / ``to("cpu", dtype)`` / ``to(other_tensor)`` casts (differentiably).

        Raises:
            RuntimeError: a device other than the CPU ("npgnn runs on the CPU only").
        """
        from npgnn.device import parse_to

        dtype = parse_to("Tensor.to", args, kwargs)
        return self if dtype is None or dtype == self.dtype else _math.astype(self, dtype)

    def cpu(self) -> Tensor:
        """``self``: npgnn's tensors live on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Always raises: npgnn has no GPU."""
        from npgnn.device import check_device

        check_device("cuda", "Tensor.cuda")
        return self  # pragma: no cover - check_device raised

    def float(self) -> Tensor:
        """Cast to float32 (torch's ``.float()``)."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """Cast to float64 (torch's ``.double()``)."""
        return self.to(np.float64)

    def long(self) -> Tensor:
        """Cast to int64 (torch's ``.long()``); no gradient flows through integers."""
        return Tensor(self.data.astype(np.int64))

    def int(self) -> Tensor:
        """Cast to int32 (torch's ``.int()``); no gradient flows through integers."""
        return Tensor(self.data.astype(np.int32))

    def bool(self) -> Tensor:
        """Cast to bool (torch's ``.bool()``)."""
        return Tensor(self.data.astype(np.bool_))

    # ------------------------------------------------------------------ operators
    def __add__(self, other: ArrayLike) -> Tensor:
        return _math.add(self, other)

    def __radd__(self, other: ArrayLike) -> Tensor:
        return _math.add(other, self)

    def __sub__(self, other: ArrayLike) -> Tensor:
        return _math.sub(self, other)

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return _math.sub(other, self)

    def __mul__(self, other: ArrayLike) -> Tensor:
        return _math.mul(self, other)

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return _math.mul(other, self)

    def __truediv__(self, other: ArrayLike) -> Tensor:
        return _math.div(self, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return _math.div(other, self)

    def __neg__(self) -> Tensor:
        return _math.neg(self)

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        return _math.pow(self, exponent)

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return _math.pow(base, self)

    def __matmul__(self, other: ArrayLike) -> Tensor:
        return _math.matmul(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return _math.matmul(other, self)

    def __getitem__(self, index: Any) -> Tensor:
        return _math.getitem(self, index)

    # Comparisons are elementwise, like torch and NumPy, and give plain boolean ndarrays (no
    # gradient). ``==`` and ``!=`` too: ``(pred == y).sum()`` counts the matches. A Tensor is
    # therefore not hashable *by value*: ``__hash__`` stays identity-based (as in torch), so
    # tensors work as dict keys and set members by identity (the engine and the optimizers rely
    # on it), while ``t in some_list`` compares elementwise and is ambiguous, as in torch.
    def __eq__(self, other: ArrayLike) -> Any:  # type: ignore[override]
        if other is None:
            return False
        return self.data == _data(other)

    def __ne__(self, other: ArrayLike) -> Any:  # type: ignore[override]
        if other is None:
            return True
        return self.data != _data(other)

    def __lt__(self, other: ArrayLike) -> np.ndarray:
        return self.data < _data(other)

    def __le__(self, other: ArrayLike) -> np.ndarray:
        return self.data <= _data(other)

    def __gt__(self, other: ArrayLike) -> np.ndarray:
        return self.data > _data(other)

    def __ge__(self, other: ArrayLike) -> np.ndarray:
        return self.data >= _data(other)

    def eq(self, other: ArrayLike) -> np.ndarray:
        """torch's ``eq``: ``self == other`` (a bool ndarray), e.g. ``pred.eq(y).sum().item()``."""
        return self.data == _data(other)

    def ne(self, other: ArrayLike) -> np.ndarray:
        """torch's ``ne``: ``self != other``."""
        return self.data != _data(other)

    __hash__ = object.__hash__  # graph nodes, hashed by identity (see the comparisons above)

    # ------------------------------------------------------------------ methods
    # NumPy's names and torch's side by side. Reductions take ``axis=``/``keepdims=`` or torch's
    # ``dim=``/``keepdim=`` (both at once is a TypeError). Where the two libraries disagree, the
    # method follows torch when called the torch way: ``max(1)`` / ``max(dim=1)`` give torch's
    # ``(values, indices)`` (NumPy style: ``max(axis=1)``), and ``transpose(a, b)`` with two
    # axes swaps them as torch does (a permutation of all axes follows NumPy).
    def sum(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
            keepdim: Any = _UNSET) -> Tensor:
        return _math.sum(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def mean(self, axis: Any = _UNSET, keepdims: Any = _UNSET, *, dim: Any = _UNSET,
             keepdim: Any = _UNSET) -> Tensor:
        return _math.mean(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def max(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
            keepdims: Any = _UNSET) -> Any:
        """Without arguments the maximum; ``max(dim)`` is torch's ``(values, indices)``;
        ``max(axis=...)`` NumPy's values."""
        return _math.max(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def min(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
            keepdims: Any = _UNSET) -> Any:
        """Like :meth:`max`: ``min(dim)`` gives ``(values, indices)``, ``min(axis=...)`` values."""
        return _math.min(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmax(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
               keepdims: Any = _UNSET) -> Tensor:
        """int64 indices of the maxima over ``dim`` (flattened when None), no gradient."""
        return _math.argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
               keepdims: Any = _UNSET) -> Tensor:
        """int64 indices of the minima over ``dim`` (flattened when None), no gradient."""
        return _math.argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _math.reshape(self, shape)

    def view(self, *shape: Any) -> Tensor:
        """torch's ``view``: :meth:`reshape` (NumPy reshapes without copying when it can)."""
        return self.reshape(*shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge the axes ``start_dim..end_dim`` into one (all of them by default, as NumPy)."""
        nd = builtins_max(self.ndim, 1)
        lo, hi = start_dim % nd, end_dim % nd
        shape = self.shape if self.ndim else (1,)
        if lo > hi:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return _math.reshape(self, shape[:lo] + (-1,) + shape[hi + 1:])

    def transpose(self, *axes: Any) -> Tensor:
        """NumPy's permutation ``transpose(axes)``; with exactly two axes torch's swap of them."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if len(axes) == 2:
            return self.swapaxes(*axes)
        return _math.transpose(self, axes or None)

    def permute(self, *dims: Any) -> Tensor:
        """torch's ``permute``: reorder all axes (NumPy's ``transpose(axes)``)."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self.ndim:
            raise ValueError(f"permute: expected {self.ndim} dims for shape {self.shape}, got {dims}")
        return _math.transpose(self, tuple(dims))

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Swap two axes (torch's ``transpose(dim0, dim1)``)."""
        perm = list(range(self.ndim))
        for a in (axis1, axis2):
            if not -self.ndim <= a < self.ndim:
                raise ValueError(f"swapaxes: axis {a} is out of range for a {self.ndim}-D tensor")
        perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
        return _math.transpose(self, tuple(perm))

    @property
    def T(self) -> Tensor:
        return _math.transpose(self, None)

    def t(self) -> Tensor:
        """torch's ``t()``: the transpose of a tensor of at most 2 dimensions."""
        if self.ndim > 2:
            raise ValueError(f"t(): expects a tensor of at most 2 dimensions, got shape {self.shape}; "
                             "use transpose(dim0, dim1) or permute")
        return _math.transpose(self, None)

    def unsqueeze(self, dim: int) -> Tensor:
        return _math.unsqueeze(self, dim)

    def squeeze(self, axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
        return _math.squeeze(self, axis, dim=dim)

    def exp(self) -> Tensor:
        return _math.exp(self)

    def log(self) -> Tensor:
        return _math.log(self)

    def sqrt(self) -> Tensor:
        return _math.sqrt(self)

    def abs(self) -> Tensor:
        return _math.abs(self)

    def pow(self, exponent: ArrayLike) -> Tensor:
        return _math.pow(self, exponent)

    def relu(self) -> Tensor:
        return _nn.relu(self)

    def sigmoid(self) -> Tensor:
        return _nn.sigmoid(self)

    def tanh(self) -> Tensor:
        return _nn.tanh(self)

    def softmax(self, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
        return _nn.softmax(self, axis, dim=dim)

    def log_softmax(self, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
        return _nn.log_softmax(self, axis, dim=dim)


class Size(int):
    """``t.size``: NumPy's element count (an int) that torch code can also call.

    ``t.size == 6`` and ``t.size * 2`` use the count, as NumPy's ``a.size``; ``t.size()`` is the
    shape tuple and ``t.size(0)`` the length of one dimension, as torch's ``t.size(dim)``.
    """

    shape: tuple[int, ...]

    def __new__(cls, shape: tuple[int, ...]) -> Size:
        count = 1
        for n in shape:
            count *= int(n)
        obj = super().__new__(cls, count)
        obj.shape = tuple(int(n) for n in shape)
        return obj

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        nd = len(self.shape)
        if not -nd <= dim < nd:
            raise IndexError(f"size(): dim {dim} is out of range for a {nd}-D tensor (shape "
                             f"{self.shape})")
        return self.shape[dim]


def _data(x: ArrayLike) -> Any:
    return x.data if isinstance(x, Tensor) else x


def as_tensor(x: ArrayLike) -> Tensor:
    """``x`` itself if it is a Tensor, else a constant Tensor (no gradient) around it."""
    return x if isinstance(x, Tensor) else Tensor(x)


def tensor(data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Create a leaf tensor (copying ``data``), like ``torch.tensor``."""
    return Tensor(np.array(_data(data), dtype=dtype), requires_grad=requires_grad)


# ops need Tensor, and Tensor's operators need ops: bound at import end, looked up at call time
from npgnn.ops import math as _math  # noqa: E402
from npgnn.ops import nn as _nn  # noqa: E402
