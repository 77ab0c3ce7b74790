"""Batch normalisation: ``BatchNorm1d`` (PyTorch's) and ``BatchNorm`` (PyG's wrapper around it)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn._validate import check_float_dtype, check_real, check_size
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.module import Module, Parameter
from npgnn.ops import nn as F
from npgnn.ops.gin import BatchNormRows, NormSpec


class BatchNorm1d(Module):
    r"""``y = (x − μ) / sqrt(σ² + eps) · γ + β`` per feature, as ``torch.nn.BatchNorm1d``.

    Training (or ``track_running_stats=False``): μ and σ² are the mean and the *biased* variance
    of the batch over the rows (and over L for (N, C, L) input); the gradient flows through them.
    Each training call also updates the buffers::

        running_mean ← (1 − m) running_mean + m μ
        running_var  ← (1 − m) running_var  + m σ²_unbiased      (σ² · n / (n − 1))

    with m = ``momentum``, or m = 1 / num_batches_tracked (a cumulative average) when momentum is
    None; ``num_batches_tracked`` counts the training calls. Evaluation with tracked statistics
    uses μ = running_mean, σ² = running_var (constants).

    Args:
        num_features: C.
        eps: added to the variance.
        momentum: update factor of the running statistics, or None (cumulative average).
        affine: learn γ (``weight``, init 1) and β (``bias``, init 0).
        track_running_stats: keep ``running_mean`` (init 0), ``running_var`` (init 1) and
            ``num_batches_tracked`` (int64, init 0) as buffers (PyTorch's names).
        dtype: dtype of the parameters and running statistics.

    Shapes:
        x: (N, C) or (N, C, L); output: the same.

    Raises:
        ValueError: x has the wrong shape, or training on a single value per channel.

    Example:
        >>> import numpy as np
        >>> bn = BatchNorm1d(2)
        >>> bn(np.array([[1.0, 2.0], [3.0, 6.0]])).data.round(3).tolist()
        [[-1.0, -1.0], [1.0, 1.0]]
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 dtype: Any = np.float32):
        self.num_features = check_size("BatchNorm1d", "num_features", num_features)
        self.eps = check_real("BatchNorm1d", "eps", eps, low=0.0)
        self.momentum = check_real("BatchNorm1d", "momentum", momentum, low=0.0, high=1.0,
                                   optional=True)
        dtype = check_float_dtype("BatchNorm1d", "dtype", dtype)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if self.affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))
        else:
            self.weight = self.bias = None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """γ = 1, β = 0 and fresh running statistics (``rng`` is unused: nothing is random)."""
        self.reset_running_stats()
        if self.affine:
            self.weight.data[...] = 1
            self.bias.data[...] = 0

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d: x must have shape (N, {self.num_features}) or "
                             f"(N, {self.num_features}, L), got {x.shape}")
        shape = (1, self.num_features) + ((1,) if x.ndim == 3 else ())
        batch_stats = self.training or not self.track_running_stats
        if batch_stats:
            count = x.shape[0] * (x.shape[2] if x.ndim == 3 else 1)
            if count <= 1 and self.training:
                raise ValueError(f"BatchNorm1d: expected more than 1 value per channel when "
                                 f"training, got input of shape {x.shape}; use eval() or a "
                                 "larger batch")
            if self.affine:
                weight, bias = self.weight, self.bias
            else:
                weight = np.ones(self.num_features, dtype=x.dtype)
                bias = np.zeros(self.num_features, dtype=x.dtype)
            if x.ndim == 2 and x.dtype.kind == "f" and np.result_type(x.dtype, weight.dtype,
                                                                     bias.dtype) == x.dtype:
                # rows: the compiled kernels (npgnn.ops.gin.BatchNormRows), same statistics
                spec = NormSpec(self.eps)
                y = BatchNormRows(spec)(x, weight, bias)
                mean, var = spec.mean, spec.var
            else:
                # one fused node (npgnn.ops.nn.BatchNorm) instead of a dozen elementwise ops
                y, mean, var = F.batch_norm(x, weight, bias, self.eps)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean, var, count)
            return y
        mean = self.running_mean.astype(x.dtype, copy=False).reshape(shape)
        std = np.sqrt(self.running_var.astype(x.dtype, copy=False) + x.dtype.type(self.eps))
        y = (x - mean) / std.reshape(shape)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, count: int) -> None:
        self.num_batches_tracked += 1
        m = (1.0 / float(self.num_batches_tracked) if self.momentum is None
             else float(self.momentum))
        unbiased = var * (count / (count - 1))
        self.running_mean[...] = (1 - m) * self.running_mean + m * mean
        self.running_var[...] = (1 - m) * self.running_var + m * unbiased

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm(Module):
    """PyG's ``torch_geometric.nn.BatchNorm``: a :class:`BatchNorm1d` kept as ``self.module``.

    Same computation as :class:`BatchNorm1d`; it exists so that models built like PyG's (e.g.
    :class:`npgnn.nn.mlp.MLP` with ``norm='batch_norm'``) have PyG's parameter names
    (``module.weight``, ``module.running_mean``, ...). With ``allow_single_element=True`` a
    batch of one row is normalised with the running statistics instead of raising.

    Shapes: x (N, C) -> (N, C).
    """

    def __init__(self, in_channels: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 allow_single_element: bool = False, *, dtype: Any = np.float32):
        if allow_single_element and not track_running_stats:
            raise ValueError("BatchNorm: allow_single_element=True needs track_running_stats=True")
        self.in_channels = check_size("BatchNorm", "in_channels", in_channels)
        self.allow_single_element = bool(allow_single_element)
        self.module = BatchNorm1d(in_channels, eps, momentum, affine, track_running_stats,
                                  dtype=dtype)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        self.module.reset_parameters(rng)

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        if self.allow_single_element and x.ndim >= 1 and x.shape[0] <= 1 and self.training:
            self.module.training = False
            try:
                return self.module(x)
            finally:
                self.module.training = True
        return self.module(x)

    def __repr__(self) -> str:
        return f"BatchNorm({self.in_channels})"
