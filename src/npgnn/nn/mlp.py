"""``MLP``: a stack of Linear -> norm -> activation -> dropout blocks, as PyG's ``MLP``."""
from __future__ import annotations

import copy
import inspect
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._validate import check_probability, check_size
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.activation import ReLU
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module, ModuleList
from npgnn.nn.norm import BatchNorm, BatchNorm1d
from npgnn.nn.resolver import activation_resolver, normalization_resolver
from npgnn.ops.gin import LinearBatchNormReLU, NormSpec
from npgnn.ops.nn import dropout as dropout_op


class Identity(Module):
    """``y = x`` (the placeholder in ``MLP.norms`` when ``norm=None``, as PyG's)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x)


class MLP(Module):
    r"""Multi-layer perceptron: for each hidden layer ``x ← dropout(act(norm(x Wᵀ + b)))``, as
    ``torch_geometric.nn.MLP`` (also ``npgnn.nn.models.MLP``).

    With channels [c_0, ..., c_L] there are L Linear layers c_{k} -> c_{k+1}. Each layer but
    the last (with ``plain_last=True``) is followed by the norm, the activation and dropout;
    with ``act_first=True`` the activation comes before the norm. The last layer is plain:
    ``x Wᵀ + b`` (then dropout with its own probability, 0 unless a list says otherwise).

    Args:
        channel_list: [c_0, c_1, ..., c_L] (at least two sizes), or c_0 as an int together
            with ``hidden_channels``, ``out_channels`` and ``num_layers`` (PyG's alternative;
            ``in_channels=`` does the same).
        dropout: drop probability after each layer (a float: every layer, 0 for a plain last
            one; or a list with one value per layer).
        act: a name PyG accepts ('relu', 'elu', 'leaky_relu', 'gelu', 'tanh', 'sigmoid'), a
            Module/callable, or None. act_kwargs: arguments of the named activation.
        act_first: activation before the norm.
        norm: 'batch_norm' (PyG's ``BatchNorm``), 'layer_norm' (PyG's ``LayerNorm``, mode
            'graph'), a Module (deep-copied per layer) or None. norm_kwargs: its arguments.
        plain_last: no norm/activation after the last layer.
        bias: learn the Linear biases (a bool, or one per layer).
        rng: Generator or seed for the weights (PyTorch's default init) and the dropout masks.
        dtype: parameter dtype.
        kwargs: PyG's deprecated ``relu_first`` (= ``act_first``), ``batch_norm`` (bool) and
            ``batch_norm_kwargs``; any other keyword is refused (PyG ignores unknown ones).

    Forward: ``mlp(x, batch=None, batch_size=None, return_emb=None)``; ``batch`` goes to norms
    that take it (LayerNorm); ``return_emb=True`` also returns the input of the last layer.

    Shapes: x (N, c_0) -> (N, c_L).

    Parameters (PyG's names): ``lins.<k>.weight`` (c_{k+1}, c_k), ``lins.<k>.bias``,
    ``norms.<k>.module.{weight,bias,running_mean,running_var,num_batches_tracked}`` (batch norm),
    ``norms.<k>.{weight,bias}`` (layer norm).

    Raises:
        ValueError / TypeError naming the argument for bad channels, dropout, bias, act, norm.

    Example:
        >>> import numpy as np
        >>> mlp = MLP([3, 16, 2], rng=0)
        >>> mlp(np.ones((5, 3), np.float32)).shape
        (5, 2)
    """

    def __init__(
        self, channel_list: Sequence[int] | int | None = None, *,
        in_channels: int | None = None, hidden_channels: int | None = None,
        out_channels: int | None = None, num_layers: int | None = None,
        dropout: float | Sequence[float] = 0.0, act: Any = "relu", act_first: bool = False,
        act_kwargs: dict[str, Any] | None = None, norm: Any = "batch_norm",
        norm_kwargs: dict[str, Any] | None = None, plain_last: bool = True,
        bias: bool | Sequence[bool] = True, rng: init.RngLike = None, dtype: Any = np.float32,
        **kwargs: Any,
    ):
        act_first, norm, norm_kwargs = _deprecated(kwargs, act_first, norm, norm_kwargs)
        channels = self._channels(channel_list, in_channels, hidden_channels, out_channels,
                                  num_layers)
        layers = len(channels) - 1
        self.channel_list = channels
        self.act = activation_resolver(act, where="MLP: ", **(act_kwargs or {}))
        self.act_first, self.plain_last = bool(act_first), bool(plain_last)
        if isinstance(dropout, numbers.Real) and not isinstance(dropout, (bool, np.bool_)):
            dropout = [check_probability("MLP", "dropout", dropout)] * layers
            if plain_last:
                dropout[-1] = 0.0
        if isinstance(dropout, (str, bytes)) or not isinstance(dropout, Sequence):
            raise TypeError(f"MLP: dropout must be a float or a list of floats, got "
                            f"{type(dropout).__name__} {dropout!r}")
        self.dropout = [check_probability("MLP", f"dropout[{k}]", p) for k, p in enumerate(dropout)]
        if len(self.dropout) != layers:
            raise ValueError(f"MLP: dropout has {len(self.dropout)} values for {layers} layers")
        biases = [bool(bias)] * layers if isinstance(bias, (bool, np.bool_)) else list(bias)
        if len(biases) != layers:
            raise ValueError(f"MLP: bias has {len(biases)} values for {layers} layers")
        self.norm = norm if isinstance(norm, str) else None
        self.rng = init.make_rng(rng)
        self.lins = ModuleList([Linear(a, b, bias=bb, rng=self.rng, dtype=dtype)
                                for a, b, bb in zip(channels[:-1], channels[1:], biases)])
        hidden = channels[1:-1] if plain_last else channels[1:]
        _norm_layer(norm, 1, norm_kwargs, dtype)  # checks norm and norm_kwargs for every MLP
        self.norms = ModuleList([_norm_layer(norm, c, norm_kwargs, dtype) for c in hidden])
        self.supports_norm_batch = bool(self.norms) and accepts_batch(self.norms[0])

    @staticmethod
    def _channels(channel_list: Any, in_channels: int | None, hidden: int | None,
                  out: int | None, num_layers: int | None) -> list[int]:
        if isinstance(channel_list, (int, np.integer)) and not isinstance(channel_list, bool):
            in_channels, channel_list = int(channel_list), None
        if in_channels is not None:
            if num_layers is None:
                raise ValueError("MLP: num_layers must be given with in_channels")
            num_layers = check_size("MLP", "num_layers", num_layers)
            if num_layers > 1 and hidden is None:
                raise ValueError(f"MLP: hidden_channels must be given for num_layers={num_layers}")
            if out is None:
                raise ValueError("MLP: out_channels must be given with in_channels")
            check_size("MLP", "in_channels", in_channels)
            check_size("MLP", "out_channels", out)
            if num_layers > 1:
                check_size("MLP", "hidden_channels", hidden)
            channel_list = [in_channels] + [hidden] * (num_layers - 1) + [out]
        if channel_list is None:
            raise ValueError("MLP: pass channel_list, or in_channels, out_channels and "
                             "num_layers (and hidden_channels when num_layers > 1)")
        if isinstance(channel_list, (str, bytes)) or not isinstance(channel_list, Sequence):
            raise TypeError(f"MLP: channel_list must be a list of sizes or an int, got "
                            f"{type(channel_list).__name__} {channel_list!r}")
        if len(channel_list) < 2:
            raise ValueError(f"MLP: channel_list needs at least two positive sizes, got "
                             f"{list(channel_list)}")
        return [check_size("MLP", f"channel_list[{k}]", c) for k, c in enumerate(channel_list)]

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

    def forward(self, x: Any, batch: Any = None, batch_size: int | None = None,
                return_emb: bool | None = None) -> Any:
        emb = None
        for k, (lin, norm) in enumerate(zip(self.lins, self.norms)):
            fused = _fused_hidden(x, lin, norm, self.act, self.act_first)
            if fused is not None:
                x = fused
            else:
                x = lin(x)
                if self.act is not None and self.act_first:
                    x = self.act(x)
                x = norm(x, batch, batch_size) if self.supports_norm_batch else norm(x)
                if self.act is not None and not self.act_first:
                    x = self.act(x)
            x = dropout_op(x, self.dropout[k], self.training, self.rng)
            emb = x
        if self.plain_last:
            x = self.lins[-1](x)
            x = dropout_op(x, self.dropout[-1], self.training, self.rng)
        return (x, emb) if isinstance(return_emb, bool) else x

    def __repr__(self) -> str:
        return f"MLP({', '.join(map(str, self.channel_list))})"

    def extra_repr(self) -> str:
        return (f"{self.channel_list}, act={self.act!r}, norm={self.norm!r}, "
                f"dropout={self.dropout}, plain_last={self.plain_last}")


def _fused_hidden(x: Any, lin: Any, norm: Any, act: Any, act_first: bool) -> Tensor | None:
    """Linear -> BatchNorm -> ReLU as one op (npgnn.ops.gin.LinearBatchNormReLU), with the
    norm's running statistics updated as BatchNorm1d does; None when the layer is anything
    else or the input needs the modules' own handling (sparse, not (N, F), one row in
    training: the composed path gives their results and messages)."""
    if act_first or type(act) is not ReLU or type(norm) is not BatchNorm \
            or type(lin) is not Linear or sp.issparse(x):
        return None
    bn = norm.module
    if type(bn) is not BatchNorm1d:
        return None
    x = as_tensor(x)
    if x.ndim != 2 or x.dtype.kind != "f" or x.shape[1] != lin.in_features \
            or x.shape[0] <= 1 and (bn.training or not bn.track_running_stats):
        return None
    if bn.affine and bn.weight.dtype != lin.weight.dtype:
        return None  # mixed parameter dtypes: the composed ops' type promotion
    batch_stats = bn.training or not bn.track_running_stats
    spec = NormSpec(bn.eps, None if batch_stats else (bn.running_mean, bn.running_var))
    dtype = np.result_type(x.dtype, lin.weight.dtype)
    bias = lin.bias if lin.bias is not None else np.zeros(lin.out_features, dtype=dtype)
    gamma, beta = ((bn.weight, bn.bias) if bn.affine else
                   (np.ones(bn.num_features, dtype=dtype), np.zeros(bn.num_features, dtype=dtype)))
    out = LinearBatchNormReLU(spec)(x, lin.weight, bias, gamma, beta)
    if bn.training and bn.track_running_stats:
        bn._update_running_stats(spec.mean, spec.var, x.shape[0])
    return out


def accepts_batch(module: Any) -> bool:
    """Whether a norm's forward takes ``batch`` (PyG's ``supports_norm_batch``)."""
    forward = getattr(module, "forward", None)
    if forward is None:
        return False
    try:
        return "batch" in inspect.signature(forward).parameters
    except (TypeError, ValueError):
        return False


def _norm_layer(norm: Any, channels: int, norm_kwargs: dict | None, dtype: Any) -> Module:
    """A fresh norm for ``channels`` features (a given Module is deep-copied, as PyG)."""
    if isinstance(norm, Module):
        return copy.deepcopy(norm)
    layer = normalization_resolver(norm, channels, dtype=dtype, where="MLP: ",
                                   **(norm_kwargs or {}))
    return Identity() if layer is None else layer


def _deprecated(kwargs: dict, act_first: bool, norm: Any, norm_kwargs: Any) -> tuple:
    """PyG's deprecated MLP keywords; anything else is refused."""
    unknown = sorted(set(kwargs) - {"relu_first", "batch_norm", "batch_norm_kwargs"})
    if unknown:
        raise TypeError(f"MLP: unexpected keyword arguments {unknown}")
    act_first = act_first or bool(kwargs.get("relu_first", False))
    batch_norm = kwargs.get("batch_norm")
    if isinstance(batch_norm, bool):
        warnings.warn("MLP: batch_norm is deprecated, use norm='batch_norm' or norm=None",
                      DeprecationWarning, stacklevel=3)
        norm = "batch_norm" if batch_norm else None
        norm_kwargs = kwargs.get("batch_norm_kwargs") or {}
    return act_first, norm, norm_kwargs
