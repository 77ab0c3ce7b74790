"""``Linear``: y = x Wᵀ + b, with PyTorch's (out_features, in_features) weight layout."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._validate import check_choice, check_float_dtype, check_size, check_supported_dtype
from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.module import Module, Parameter
from npgnn.ops import nn as F


class SparseInputMatMul(Function):
    """X Wᵀ with a fixed scipy sparse X (N, F): only the weight gets a gradient, dW = gᵀ X.

    Keeps bag-of-words features sparse: the first layer never densifies them.
    """

    def __init__(self, x: sp.spmatrix):
        self.x = x.tocsr()

    def forward(self, w):
        x = self.x if self.x.dtype == w.dtype else self.x.astype(w.dtype)
        self.x = x
        return np.asarray(x @ w.T)

    def backward(self, g):
        return np.asarray(self.x.T @ g).T


class Linear(Module):
    """Affine map ``y = x Wᵀ + b`` over the last axis of x.

    Args:
        in_features, out_features: sizes; W has shape (out, in) as in PyTorch/PyG, b (out,).
        bias: learn b.
        weight_init: 'kaiming_uniform' (PyTorch's default) or 'glorot' (GCN/GAT).
        rng: a Generator or a seed for the initial weights.
        dtype: float32 (default) or float64.
    Inputs: x (..., in) Tensor/ndarray, or a scipy sparse (N, in) matrix (no gradient to x).
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, *,
        weight_init: str = "kaiming_uniform", rng: init.RngLike = None, dtype: Any = np.float32,
    ):
        check_choice("Linear", "weight_init", weight_init, ("kaiming_uniform", "glorot"))
        self.in_features = check_size("Linear", "in_features", in_features)
        self.out_features = check_size("Linear", "out_features", out_features)
        dtype = check_float_dtype("Linear", "dtype", dtype)
        self.weight_init = weight_init
        self.weight = Parameter(np.zeros((self.out_features, self.in_features), dtype=dtype))
        self.bias = Parameter(np.zeros(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        rng = init.make_rng(rng)
        draw = init.glorot_uniform if self.weight_init == "glorot" else init.kaiming_uniform
        self.weight.data[...] = draw(self.weight.shape, rng, self.weight.dtype)
        if self.bias is not None:
            # PyTorch draws the bias like a weight column; GCN/GAT start it at zero
            glorot = self.weight_init == "glorot"
            self.bias.data[...] = 0 if glorot else init.kaiming_uniform(
                (self.out_features, self.in_features), rng, self.bias.dtype, rows_only=True)

    def forward(self, x: Any) -> Tensor:
        if sp.issparse(x):
            check_supported_dtype("Linear: x", x.dtype)
            if x.shape[1] != self.in_features:
                raise ValueError(
                    f"Linear: x must have {self.in_features} columns, got sparse shape {x.shape}"
                )
            y = SparseInputMatMul(x)(self.weight)
        else:
            x = as_tensor(x)
            if x.ndim == 0 or x.shape[-1] != self.in_features:
                raise ValueError(
                    f"Linear: x must have last dimension in_features={self.in_features}, got shape {x.shape}"
                )
            return F.linear(x, self.weight, self.bias)
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"
