"""Adam (L2 weight decay in the gradient) and AdamW (decoupled weight decay), as in torch.optim."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.nn.module import Parameter
from npgnn.optim._flat import adam_group_step, adam_step
from npgnn.optim.optimizer import Optimizer, check_bool, check_number


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with PyTorch's rule (``torch.optim.Adam``). At step t::

        g ← g + λ p                                    (weight_decay λ: L2 penalty, "coupled")
        m ← β₁ m + (1 − β₁) g                          (first moment, m₀ = 0)
        v ← β₂ v + (1 − β₂) g²                         (second moment, v₀ = 0)
        v̂ ← max(v̂, v)   if amsgrad,   else   v̂ ← v
        p ← p − η / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    Args:
        params: parameters, or parameter groups (dicts) with their own hyperparameters, e.g.
            weight decay on the first layer only (GCN)::

                Adam([{"params": conv1.parameters(), "weight_decay": 5e-4},
                      {"params": conv2.parameters(), "weight_decay": 0.0}], lr=0.01)
        lr: step size η ≥ 0.
        betas: (β₁, β₂), each in [0, 1).
        eps: ε ≥ 0, added to the denominator for stability.
        weight_decay: λ ≥ 0, added to the gradient as ``λ p`` (L2 regularisation). With Adam this
            is *not* the same as decaying the weights; for that use ``AdamW``.
        amsgrad: use the running maximum of v (Reddi et al., 2018).
    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with amsgrad,
    ``max_exp_avg_sq`` (v̂), all arrays of the parameter's shape and dtype.

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Parameter
        >>> w = Parameter(np.array([1.0, -1.0]))
        >>> opt = Adam([w], lr=0.1)
        >>> w.grad = np.array([0.5, -3.0]); opt.step()   # the first step moves each entry by ≈ lr
        >>> np.round(w.data, 6)
        array([ 0.9, -0.9])
    """

    _state_names = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    _decoupled = False

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False,
    ):
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad}
        self._check_hyperparameters(defaults, f"{type(self).__name__}: ")
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any], where: str) -> None:
        # stored as Python floats: NumPy scalars would change the arithmetic's dtype (NEP 50)
        group["lr"] = check_number(where, "lr", group["lr"], low=0.0)
        betas = group["betas"]
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise TypeError(f"{where}betas must be a pair (beta1, beta2), got {show(betas)}")
        group["betas"] = (check_number(where, "betas[0]", betas[0], low=0.0, high=1.0),
                          check_number(where, "betas[1]", betas[1], low=0.0, high=1.0))
        group["eps"] = check_number(where, "eps", group["eps"], low=0.0)
        group["weight_decay"] = check_number(where, "weight_decay", group["weight_decay"], low=0.0)
        group["amsgrad"] = check_bool(where, "amsgrad", group["amsgrad"])

    def _step_group(self, group: dict[str, Any]) -> None:
        # the whole group in a few flat operations when it can (npgnn.optim._flat), else per
        # parameter; both give the same numbers
        if not adam_group_step(self, group):
            super()._step_group(group)

    def _update(
        self, p: Parameter, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any],
    ) -> None:
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]

        if wd:
            if self._decoupled:
                p.data *= 1.0 - lr * wd                 # AdamW: shrink the weights themselves
            else:
                grad = grad + wd * p.data               # Adam: L2 term in the gradient (new array)
        max_sq = state["max_exp_avg_sq"] if group["amsgrad"] else None
        p.data -= adam_step(state["exp_avg"], state["exp_avg_sq"], grad, beta1, beta2, t, eps, lr,
                            max_sq)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019; ``torch.optim.AdamW``)::

        p ← p (1 − η λ)                                (decay the weights, not the gradient)
        m, v, v̂ as in Adam from the raw gradient g
        p ← p − η / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    Args: as ``Adam``, with ``weight_decay`` λ ≥ 0 defaulting to 1e-2.
    """

    _decoupled = True

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False,
    ):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
