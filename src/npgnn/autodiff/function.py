"""``Function``: one differentiable primitive, a vectorized forward and its vector-Jacobian product.

Subclass it to add an op. Static arguments (axes, constants, graphs) go to ``__init__``; arrays go
to ``forward``. A new instance is made for every call, so whatever ``forward`` stores on ``self``
belongs to that node of the graph alone and is freed after ``backward``::

    class Cube(Function):
        def forward(self, x):
            self.x = x
            return x ** 3
        def backward(self, grad):          # one gradient (or None) per input of forward
            return 3 * self.x ** 2 * grad

    y = Cube()(x)                          # x: Tensor; y: Tensor that remembers Cube
    npgnn.gradcheck(lambda t: Cube()(t), np.random.rand(4))   # proves the backward right
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.grad_mode import _state
from npgnn.autodiff.tensor import Tensor, as_tensor


class Function:
    """Base class of differentiable operations; see the module docstring for the contract.

    ``forward(*arrays) -> ndarray`` receives the ``.data`` of each input; ``backward(grad)``
    receives the gradient of the output (same shape) and returns one gradient per input (a tuple,
    or a bare array for a single input), each of the input's shape, or ``None`` for an input that
    takes no gradient. ``self.needs_input_grad[k]`` tells whether input k wants one.
    """

    inputs: tuple[Tensor, ...] = ()
    needs_input_grad: tuple[bool, ...] = ()

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, grad: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    @property
    def name(self) -> str:
        return type(self).__name__

    def __call__(self, *inputs: Any) -> Tensor:
        # The hot path of every op: plain loops and direct state reads (no generators, no
        # context managers), since graph-classification batches run thousands of small ops.
        d = self.__dict__
        if "_applied" in d:
            raise RuntimeError(
                f"{self.name}: this Function instance was already applied; create a new "
                f"instance for each call, e.g. {self.name}(...)(x)"
            )
        d["_applied"] = True
        tensors = tuple([x if isinstance(x, Tensor) else as_tensor(x) for x in inputs])
        needs = tuple([t.requires_grad for t in tensors])
        record = _state["grad_enabled"] and True in needs
        d["needs_input_grad"] = needs
        out = self.forward(*[t.data for t in tensors])
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if _state["detect_anomaly"]:
            check_finite(out, f"{self.name}.forward output")
        result = Tensor._from_op(out, record)
        if record:
            d["inputs"] = tensors
            result._ctx = self
        return result

    def release(self) -> None:
        """Drop everything this node holds (saved arrays, inputs) once backward is done with it."""
        self.__dict__.clear()
        self._released = True


def check_finite(array: np.ndarray, what: str) -> None:
    """Raise ``FloatingPointError`` if a floating array holds NaN or inf (used by detect_anomaly)."""
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0]
        raise FloatingPointError(
            f"{what} holds a non-finite value ({array[tuple(bad)]} at index {tuple(bad.tolist())})"
        )


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the adjoint of NumPy broadcasting ``shape`` -> grad.shape."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)
