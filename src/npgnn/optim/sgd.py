"""Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.nn.module import Parameter
from npgnn.optim.optimizer import Optimizer, check_bool, check_number


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's rule (``torch.optim.SGD``)::

        g ← g + λ p                                   (weight_decay λ: L2 penalty in the gradient)
        b ← g                        at the first step, then
        b ← μ b + (1 − τ) g                           (momentum μ, dampening τ)
        g ← g + μ b   if nesterov,   else   g ← b     (only when μ ≠ 0)
        p ← p − η g                                   (lr η)

    Args:
        params: parameters, or parameter groups (dicts) with their own hyperparameters.
        lr: step size η ≥ 0.
        momentum: μ ≥ 0 (0 turns momentum off).
        dampening: τ in [0, 1]; must be 0 with Nesterov.
        nesterov: use the Nesterov form; needs momentum > 0 and dampening 0.
        weight_decay: λ ≥ 0.
    State per parameter: ``momentum_buffer`` (b), when μ ≠ 0.

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Parameter
        >>> w = Parameter(np.array([1.0, -2.0]))
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> w.grad = np.array([1.0, 1.0]); opt.step()
        >>> w.data
        array([ 0.9, -2.1])
    """

    _state_names = ("momentum_buffer",)

    def __init__(
        self, params: Iterable[Any], lr: float, momentum: float = 0.0, dampening: float = 0.0,
        nesterov: bool = False, weight_decay: float = 0.0,
    ):
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "nesterov": nesterov, "weight_decay": weight_decay}
        self._check_hyperparameters(defaults, "SGD: ")
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any], where: str) -> None:
        # stored as Python floats: NumPy scalars would change the arithmetic's dtype (NEP 50)
        group["lr"] = check_number(where, "lr", group["lr"], low=0.0)
        momentum = check_number(where, "momentum", group["momentum"], low=0.0)
        dampening = check_number(where, "dampening", group["dampening"], low=0.0, high=1.0,
                                 high_inclusive=True)
        group["weight_decay"] = check_number(where, "weight_decay", group["weight_decay"], low=0.0)
        nesterov = check_bool(where, "nesterov", group["nesterov"])
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"{where}nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={show(group['momentum'])}, dampening={show(group['dampening'])}"
            )
        group.update(momentum=momentum, dampening=dampening, nesterov=nesterov)

    def _update(
        self, p: Parameter, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any],
    ) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p.data      # a new array: p.grad stays as it was
        mu = group["momentum"]
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= mu
                damp = 1.0 - group["dampening"]
                buf += grad if damp == 1.0 else damp * grad
            grad = grad + mu * buf if group["nesterov"] else buf
        p.data -= group["lr"] * grad
