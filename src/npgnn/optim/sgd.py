"""Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from npgnn.nn.module import Parameter
from npgnn.optim.optimizer import Optimizer


class SGD(Optimizer):
    """p ← p − lr · v, where v = μ v + (g + λ p) (v = g + λ p without momentum), PyTorch's rule.

    Args:
        params: parameters or parameter groups. lr: step size. momentum: μ. nesterov: use
        g + μ v instead of v. weight_decay: λ (L2 penalty added to the gradient).
    """

    def __init__(
        self, params: Iterable[Any], lr: float, momentum: float = 0.0, nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        if lr <= 0:
            raise ValueError(f"SGD: lr must be positive, got {lr}")
        if nesterov and momentum <= 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay))

    def _update(self, p: Parameter, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p.data
        mu = group["momentum"]
        if mu:
            v = state.get("momentum")
            v = grad.copy() if v is None else mu * v + grad
            state["momentum"] = v
            grad = grad + mu * v if group["nesterov"] else v
        p.data -= group["lr"] * grad
