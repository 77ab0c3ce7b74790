"""``gradcheck``: compare a function's backward with float64 central differences."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from npgnn._format import number
from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor


class GradcheckError(AssertionError):
    """A backward disagrees with finite differences; the message names the op and the element."""


def _op_name(fn: Any, out: Tensor) -> str:
    if out.grad_fn is not None:
        return out.grad_fn.name
    return getattr(fn, "__name__", type(fn).__name__)


def gradcheck(
    fn: Callable[..., Tensor] | type[Function], *inputs: Any, eps: float = 1e-6,
    rtol: float = 1e-5, atol: float = 1e-8, seed: int = 0,
) -> bool:
    """Check the gradient of ``fn`` with respect to every floating input.

    The scalar tested is L = Σ w ⊙ fn(inputs) with a random Gaussian weighting w (never all ones:
    for softmax-like outputs the all-ones weighting has zero gradient and would pass a broken
    backward). Each input is perturbed element by element, in float64:
    dL/dx_k ≈ (L(x + eps e_k) − L(x − eps e_k)) / (2 eps).

    Args:
        fn: a callable taking Tensors and returning a Tensor, or a Function subclass (a fresh
            instance is made for each evaluation).
        inputs: arrays or Tensors; integer/bool inputs (indices, masks) are passed through as
            constants, Tensors with ``requires_grad=False`` too.
    Returns:
        True when every gradient matches.
    Raises:
        GradcheckError naming the op, the input, the worst element, analytic and numeric values.
    """
    call = (lambda *t: fn()(*t)) if isinstance(fn, type) and issubclass(fn, Function) else fn
    arrays, checked = [], []
    for k, x in enumerate(inputs):
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        wants = np.issubdtype(data.dtype, np.floating) and (not isinstance(x, Tensor) or x.requires_grad)
        arrays.append(data.astype(np.float64) if wants else data)
        if wants:
            checked.append(k)
    if not checked:
        raise ValueError("gradcheck: no floating input to check")

    def evaluate(values: list[np.ndarray], grad: bool) -> Tensor:
        ts = [Tensor(v, requires_grad=grad and k in checked) for k, v in enumerate(values)]
        return call(*ts), ts

    out, leaves = evaluate(arrays, True)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    name = _op_name(fn, out)
    w = np.random.default_rng(seed).standard_normal(out.shape)
    if out.requires_grad:
        out.backward(w)
    for k in checked:
        analytic = leaves[k].grad if leaves[k].grad is not None else np.zeros_like(arrays[k])
        numeric = np.zeros_like(arrays[k])
        flat = arrays[k].reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            plus = np.sum(evaluate(arrays, False)[0].data * w)
            flat[i] = orig - eps
            minus = np.sum(evaluate(arrays, False)[0].data * w)
            flat[i] = orig
            numeric.reshape(-1)[i] = (plus - minus) / (2 * eps)
        err = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if err.size and (np.isnan(err).any() or err.max() > 0):
            worst = np.unravel_index(np.nanargmax(np.where(np.isnan(err), np.inf, err)), err.shape)
            raise GradcheckError(
                f"gradcheck failed for {name}: input {k} (shape {arrays[k].shape}), element "
                f"{tuple(int(i) for i in worst)}: backward gives {number(analytic[worst])}, finite "
                f"differences give {number(numeric[worst])} (|diff| "
                f"{number(abs(analytic[worst] - numeric[worst]))}, "
                f"rtol={rtol}, atol={atol}); {int((err > 0).sum())} of {err.size} elements disagree"
            )
    return True
