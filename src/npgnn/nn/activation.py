"""Activation, softmax and dropout layers: thin Modules over the ops in ``npgnn.ops.nn``."""
from __future__ import annotations

from typing import Any

from npgnn._format import show
from npgnn._validate import check_real
from npgnn.autodiff.tensor import Tensor
from npgnn.nn import init
from npgnn.nn.module import Module
from npgnn.ops import nn as F


def _axis(where: str, axis: int | None, dim: int | None) -> int:
    if axis is not None and dim is not None:
        raise TypeError(f"{where}: got both axis={show(axis)} and dim={show(dim)}; pass one of them")
    return -1 if axis is None and dim is None else (dim if axis is None else axis)


class ReLU(Module):
    def forward(self, x: Any) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = check_real("LeakyReLU", "negative_slope", negative_slope)

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    def __init__(self, alpha: float = 1.0):
        self.alpha = check_real("ELU", "alpha", alpha)

    def forward(self, x: Any) -> Tensor:
        return F.elu(x, self.alpha)


class Tanh(Module):
    def forward(self, x: Any) -> Tensor:
        return F.tanh(x)


class Sigmoid(Module):
    def forward(self, x: Any) -> Tensor:
        return F.sigmoid(x)


class Softmax(Module):
    """Softmax over ``axis`` (torch's ``dim``) with the full Jacobian in its backward."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None):
        self.axis = _axis("Softmax", axis, dim)

    def forward(self, x: Any) -> Tensor:
        return F.softmax(x, self.axis)


class LogSoftmax(Module):
    """log softmax over ``axis`` (torch's ``dim``), the last axis by default."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None):
        self.axis = _axis("LogSoftmax", axis, dim)

    def forward(self, x: Any) -> Tensor:
        return F.log_softmax(x, self.axis)


class Dropout(Module):
    """Inverted dropout while training, the identity in ``eval()`` mode.

    Args:
        p: drop probability. rng: the Generator (or seed) that draws the masks.
    """

    def __init__(self, p: float = 0.5, rng: init.RngLike = None):
        self.p = check_real("Dropout", "p", p, low=0.0, high=1.0)  # torch allows p = 1
        self.rng = init.make_rng(rng)

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class GELU(Module):
    """GELU, ``x Φ(x)`` (torch's ``nn.GELU``; ``approximate='tanh'`` for the tanh formula)."""

    def __init__(self, approximate: str = "none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"
