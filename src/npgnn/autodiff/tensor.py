"""``Tensor``: an ndarray that remembers the ``Function`` that made it, for reverse-mode autodiff."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from npgnn.autodiff.function import Function

ArrayLike = Any


def _as_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """``data`` as an ndarray of a numeric dtype; anything else raises TypeError."""
    array = np.asarray(data, dtype=dtype)
    if array.dtype == np.float16 or not (
        np.issubdtype(array.dtype, np.floating)
        or np.issubdtype(array.dtype, np.integer)
        or array.dtype == np.bool_
    ):
        raise TypeError(
            f"Tensor data: expected a float, integer or bool array, got dtype={array.dtype}; "
            "convert it with np.asarray(data, dtype=np.float64) first"
        )
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
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(
                f"requires_grad=True needs a floating dtype, got {self.data.dtype}; "
                "only float32/float64 tensors have gradients"
            )
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self._ctx: Function | None = None
        self._retains_grad = False

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
    def size(self) -> int:
        return self.data.size

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
        return self.data

    def item(self) -> float:
        return self.data.item()

    def astype(self, dtype: Any) -> Tensor:
        return _math.astype(self, dtype)

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

    __hash__ = object.__hash__  # graph nodes, hashed by identity (see the comparisons above)

    # ------------------------------------------------------------------ methods
    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _math.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _math.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _math.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _math.min(self, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _math.reshape(self, shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _math.transpose(self, axes or None)

    @property
    def T(self) -> Tensor:
        return _math.transpose(self, None)

    def exp(self) -> Tensor:
        return _math.exp(self)

    def log(self) -> Tensor:
        return _math.log(self)


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
