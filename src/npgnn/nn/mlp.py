"""``MLP``: a stack of Linear -> norm -> activation -> dropout blocks, as PyG's ``MLP``."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.activation import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module, ModuleList
from npgnn.nn.norm import BatchNorm
from npgnn.ops.nn import dropout as dropout_op

_ACTIVATIONS = {"relu": ReLU, "elu": ELU, "leaky_relu": LeakyReLU, "tanh": Tanh,
                "sigmoid": Sigmoid}
_BATCH_NORM = ("batch_norm", "batchnorm", "batch")


class Identity(Module):
    """``y = x`` (the placeholder in ``MLP.norms`` when ``norm=None``, as PyG's)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x)


class MLP(Module):
    r"""Multi-layer perceptron: for each hidden layer ``x ← dropout(act(norm(x Wᵀ + b)))``.

    With channels [c_0, ..., c_L] there are L Linear layers c_{k} -> c_{k+1}. Each layer but
    the last (with ``plain_last=True``) is followed by the norm (``BatchNorm`` with PyG's
    names, or the identity), the activation and dropout; with ``act_first=True`` the activation
    comes before the norm. The last layer is plain: ``x Wᵀ + b``.

    Args:
        channel_list: [c_0, c_1, ..., c_L] (at least two sizes), or c_0 as an int together
            with ``hidden_channels``, ``out_channels`` and ``num_layers`` (PyG's alternative).
        act: 'relu', 'elu', 'leaky_relu', 'tanh', 'sigmoid', a Module/callable, or None.
        norm: 'batch_norm' or None. norm_kwargs: extra BatchNorm arguments (eps, momentum...).
        dropout: drop probability after each hidden layer (a float, or one per layer; with
            ``plain_last`` the last layer gets 0).
        plain_last: no norm/activation/dropout after the last layer.
        bias: learn the Linear biases (a bool, or one per layer).
        rng: Generator or seed for the weights (PyTorch's default init) and the dropout masks.
        dtype: parameter dtype.

    Shapes: x (N, c_0) -> (N, c_L).

    Parameters (PyG's names): ``lins.<k>.weight`` (c_{k+1}, c_k), ``lins.<k>.bias``,
    ``norms.<k>.module.{weight,bias,running_mean,running_var,num_batches_tracked}``.

    Example:
        >>> import numpy as np
        >>> mlp = MLP([3, 16, 2], rng=0)
        >>> mlp(np.ones((5, 3), np.float32)).shape
        (5, 2)
    """

    def __init__(
        self, channel_list: Sequence[int] | int | None = None, *,
        in_channels: int | None = None, hidden_channels: int | None = None,
        out_channels: int | None = None, num_layers: int | None = None, act: Any = "relu",
        act_first: bool = False, norm: str | None = "batch_norm",
        norm_kwargs: dict | None = None, dropout: float | Sequence[float] = 0.0,
        plain_last: bool = True, bias: bool | Sequence[bool] = True, rng: init.RngLike = None,
        dtype: Any = np.float32,
    ):
        channels = self._channels(channel_list, in_channels, hidden_channels, out_channels,
                                  num_layers)
        layers = len(channels) - 1
        self.channel_list = channels
        self.act = _activation(act)
        self.act_first, self.plain_last = bool(act_first), bool(plain_last)
        if isinstance(dropout, (int, float)):
            dropout = [float(dropout)] * layers
            if plain_last:
                dropout[-1] = 0.0
        self.dropout = [float(p) for p in dropout]
        if len(self.dropout) != layers:
            raise ValueError(f"MLP: dropout has {len(self.dropout)} values for {layers} layers")
        for p in self.dropout:
            if not 0.0 <= p < 1.0:
                raise ValueError(f"MLP: dropout must lie in [0, 1), got {p}")
        biases = [bool(bias)] * layers if isinstance(bias, (bool, np.bool_)) else list(bias)
        if len(biases) != layers:
            raise ValueError(f"MLP: bias has {len(biases)} values for {layers} layers")
        if norm is not None and (not isinstance(norm, str) or norm.lower() not in _BATCH_NORM):
            raise ValueError(f"MLP: norm must be 'batch_norm' or None, got {norm!r}")
        self.norm = None if norm is None else "batch_norm"
        self.rng = init.make_rng(rng)
        self.lins = ModuleList([Linear(a, b, bias=bb, rng=self.rng, dtype=dtype)
                                for a, b, bb in zip(channels[:-1], channels[1:], biases)])
        hidden = channels[1:-1] if plain_last else channels[1:]
        self.norms = ModuleList([
            BatchNorm(c, **(norm_kwargs or {}), dtype=dtype) if self.norm else Identity()
            for c in hidden])

    @staticmethod
    def _channels(channel_list: Any, in_channels: int | None, hidden: int | None,
                  out: int | None, num_layers: int | None) -> list[int]:
        if isinstance(channel_list, (int, np.integer)):
            in_channels, channel_list = int(channel_list), None
        if channel_list is None:
            if in_channels is None or out is None or num_layers is None:
                raise ValueError("MLP: pass channel_list, or in_channels, out_channels and "
                                 "num_layers (and hidden_channels when num_layers > 1)")
            if num_layers > 1 and hidden is None:
                raise ValueError(f"MLP: hidden_channels is needed for num_layers={num_layers}")
            channel_list = [in_channels] + [hidden] * (num_layers - 1) + [out]
        channels = [int(c) for c in channel_list]
        if len(channels) < 2 or min(channels) < 1:
            raise ValueError(f"MLP: channel_list needs at least two positive sizes, got "
                             f"{list(channel_list)}")
        return channels

    @property
    def in_channels(self) -> int:
        return self.channel_list[0]

    @property
    def out_channels(self) -> int:
        return self.channel_list[-1]

    @property
    def num_layers(self) -> int:
        return len(self.channel_list) - 1

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Redraw every Linear (PyTorch's default init) and reset the norms."""
        rng = init.make_rng(rng)
        for lin in self.lins:
            lin.reset_parameters(rng)
        for norm in self.norms:
            reset = getattr(norm, "reset_parameters", None)
            if reset is not None:  # the Identity placeholder has nothing to reset
                reset(rng)

    def forward(self, x: Any) -> Tensor:
        for k, (lin, norm) in enumerate(zip(self.lins, self.norms)):
            x = lin(x)
            if self.act is not None and self.act_first:
                x = self.act(x)
            x = norm(x)
            if self.act is not None and not self.act_first:
                x = self.act(x)
            x = dropout_op(x, self.dropout[k], self.training, self.rng)
        if self.plain_last:
            x = self.lins[-1](x)
            x = dropout_op(x, self.dropout[-1], self.training, self.rng)
        return x

    def __repr__(self) -> str:
        return f"MLP({', '.join(map(str, self.channel_list))})"

    def extra_repr(self) -> str:
        return (f"{self.channel_list}, act={self.act!r}, norm={self.norm!r}, "
                f"dropout={self.dropout}, plain_last={self.plain_last}")


def _activation(act: Any) -> Any:
    if act is None:
        return None
    if isinstance(act, str):
        if act.lower() not in _ACTIVATIONS:
            raise ValueError(f"MLP: act must be one of {sorted(_ACTIVATIONS)}, a Module or None, "
                             f"got {act!r}")
        return _ACTIVATIONS[act.lower()]()
    if not callable(act):
        raise TypeError(f"MLP: act must be a name, a Module or a callable, got {type(act).__name__}")
    return act
