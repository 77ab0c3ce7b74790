"""Activation, softmax and dropout layers: thin Modules over the ops in ``npgnn.ops.nn``."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.nn import init
from npgnn.nn.module import Module
from npgnn.ops import nn as F


class ReLU(Module):
    def forward(self, x: Any) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x: Any) -> Tensor:
        return F.elu(x, self.alpha)


class Tanh(Module):
    def forward(self, x: Any) -> Tensor:
        return F.tanh(x)


class Sigmoid(Module):
    def forward(self, x: Any) -> Tensor:
        return F.sigmoid(x)


class Softmax(Module):
    """Softmax over ``axis`` with the full Jacobian in its backward."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return F.softmax(x, self.axis)


class LogSoftmax(Module):
    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return F.log_softmax(x, self.axis)


class Dropout(Module):
    """Inverted dropout while training, the identity in ``eval()`` mode.

    Args:
        p: drop probability. rng: the Generator (or seed) that draws the masks.
    """

    def __init__(self, p: float = 0.5, rng: init.RngLike = None):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p must lie in [0, 1), got {p}")
        self.p = p
        self.rng = init.make_rng(rng)

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
