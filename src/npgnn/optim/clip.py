"""Gradient clipping, in place on ``p.grad``, with ``torch.nn.utils``' semantics."""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.autodiff.tensor import Tensor
from npgnn.nn.module import Module


def _grads(parameters: Any, caller: str) -> list[np.ndarray]:
    """The non-None ``.grad`` arrays of a Tensor or an iterable of Tensors."""
    if isinstance(parameters, Module):
        raise TypeError(f"{caller}: parameters is a Module; pass module.parameters()")
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    elif not isinstance(parameters, Iterable):
        raise TypeError(
            f"{caller}: parameters must be a Tensor or an iterable of Tensors, "
            f"got {type(parameters).__name__}"
        )
    grads = []
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"{caller}: expected Tensors/Parameters, got {type(p).__name__}")
        if p.grad is not None:
            if not isinstance(p.grad, np.ndarray) or not p.grad.flags.writeable:
                p.grad = np.array(p.grad, dtype=p.dtype)      # clipping works in place
            grads.append(p.grad)
    return grads


def _real(caller: str, name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{caller}: {name} must be a real number, got {type(value).__name__} {value!r}"
        )
    return float(value)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of all gradients concatenated into one vector,
    ``‖g‖ = (Σ |gᵢ|ᵖ)^(1/p)`` (``max |gᵢ|`` for p = inf). Every gradient is multiplied in place by
    ``min(1, max_norm / (‖g‖ + 1e-6))``, as ``torch.nn.utils.clip_grad_norm_`` does.

    Args:
        parameters: a Parameter or an iterable of them (e.g. ``model.parameters()``); those
            without a ``.grad`` are ignored.
        max_norm: the largest allowed total norm, ≥ 0.
        norm_type: p > 0, or ``inf`` / ``"inf"``.
        error_if_nonfinite: raise instead of scaling when the total norm is NaN or infinite
            (otherwise the gradients become NaN, as in PyTorch).
    Returns:
        The total norm of the gradients *before* clipping, as a float (0.0 if no gradient).

    Raises:
        TypeError/ValueError naming the argument; RuntimeError for a non-finite norm when
        ``error_if_nonfinite``.

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Parameter
        >>> w = Parameter(np.zeros(2)); w.grad = np.array([3.0, 4.0])
        >>> clip_grad_norm_([w], max_norm=1.0)
        5.0
        >>> np.round(w.grad, 6)
        array([0.6, 0.8])
    """
    caller = "clip_grad_norm_"
    max_norm = _real(caller, "max_norm", max_norm)
    if not max_norm >= 0:
        raise ValueError(f"{caller}: max_norm must be >= 0, got {show(max_norm)}")
    if isinstance(norm_type, str):
        if norm_type.lower() not in ("inf", "infinity"):
            raise ValueError(
                f"{caller}: norm_type must be a number > 0 or 'inf', got {show(norm_type)}"
            )
        p = math.inf
    else:
        p = _real(caller, "norm_type", norm_type)
        if not p > 0:
            raise ValueError(f"{caller}: norm_type must be > 0 or inf, got {show(norm_type)}")
    grads = _grads(parameters, caller)
    if not grads:
        return 0.0
    # the norm of the per-gradient norms equals the norm of the whole concatenated vector
    # (accumulated in float64; an empty gradient has norm 0)
    norms = np.array([np.linalg.norm(np.ravel(g).astype(np.float64, copy=False), ord=p)
                      if g.size else 0.0 for g in grads])
    total = float(np.linalg.norm(norms, ord=p))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"{caller}: the total norm of order {norm_type} of the gradients is {total}; a loss "
            "became NaN/inf. Lower the learning rate or check the inputs, or pass "
            "error_if_nonfinite=False to scale anyway"
        )
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:  # NaN goes through, as in PyTorch
        for g in grads:
            g *= coef
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient entry to ``[-clip_value, clip_value]`` in place.

    Args:
        parameters: a Parameter or an iterable of them; those without a ``.grad`` are ignored.
        clip_value: the largest allowed magnitude, ≥ 0.

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Parameter
        >>> w = Parameter(np.zeros(3)); w.grad = np.array([-2.0, 0.5, 3.0])
        >>> clip_grad_value_([w], 1.0); w.grad
        array([-1. ,  0.5,  1. ])
    """
    caller = "clip_grad_value_"
    clip_value = _real(caller, "clip_value", clip_value)
    if not clip_value >= 0:
        raise ValueError(f"{caller}: clip_value must be >= 0, got {show(clip_value)}")
    for g in _grads(parameters, caller):
        np.clip(g, -clip_value, clip_value, out=g)
