"""Loss modules (torch's ``nn.CrossEntropyLoss`` ...): thin Modules over ``npgnn.nn.functional``.

Each stores its options (and a class ``weight`` / ``pos_weight`` as a buffer, as torch does) and
calls the functional form, so ``criterion(out, y)`` equals ``F.<loss>(out, y, ...)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.nn import functional as F
from npgnn.nn.module import Module


def _buffer(value: Any) -> np.ndarray | None:
    return None if value is None else np.array(getattr(value, "data", value), copy=True)


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        self.reduction = F._check_reduction(type(self).__name__, reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """torch.nn.CrossEntropyLoss: :func:`npgnn.nn.functional.cross_entropy` as a module.

    Args:
        weight: (C,) class weights or None. ignore_index: target id that contributes nothing.
        reduction: 'mean' | 'sum' | 'none'. label_smoothing: ε in [0, 1].
    """

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002 - torch's name
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                               self.label_smoothing)


class NLLLoss(_Loss):
    """torch.nn.NLLLoss: :func:`npgnn.nn.functional.nll_loss` on log-probabilities."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(_Loss):
    """torch.nn.BCELoss: :func:`npgnn.nn.functional.binary_cross_entropy` on probabilities."""

    def __init__(self, weight: Any = None, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """torch.nn.BCEWithLogitsLoss: sigmoid + binary cross-entropy, with ``pos_weight``."""

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None):
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)


class MSELoss(_Loss):
    """torch.nn.MSELoss: mean squared error (see :func:`npgnn.nn.functional.mse_loss`)."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """torch.nn.L1Loss: mean absolute error (see :func:`npgnn.nn.functional.l1_loss`)."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, self.reduction)
