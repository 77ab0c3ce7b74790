"""Differentiable attention primitives: the attention-weighted sum over a sequence or node set."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor


class WeightedSum(Function):
    """c[n] = Σ_t a[n, t] · hs[n, t]:  hs (N, T, H), a (N, T) -> c (N, H).

    Backward: dhs[n, t] = a[n, t] · dc[n];  da[n, t] = <hs[n, t], dc[n]>.
    """

    def forward(self, hs, a):
        self.hs, self.a = hs, a
        return np.einsum("nth,nt->nh", hs, a)

    def backward(self, g):
        dhs = self.a[:, :, None] * g[:, None, :] if self.needs_input_grad[0] else None
        da = np.einsum("nth,nh->nt", self.hs, g) if self.needs_input_grad[1] else None
        return dhs, da


def weighted_sum(hs: Any, a: Any) -> Tensor:
    """Attention-weighted sum ``c[n] = Σ_t a[n,t] hs[n,t]`` (see :class:`WeightedSum`).

    Raises:
        ValueError naming ``hs`` or ``a`` when the shapes are not (N, T, H) and (N, T).
    """
    hs, a = as_tensor(hs), as_tensor(a)
    if hs.ndim != 3:
        raise ValueError(f"weighted_sum: hs must be 3-D (N, T, H), got shape {hs.shape}")
    if a.shape != hs.shape[:2]:
        raise ValueError(
            f"weighted_sum: a must have shape (N, T) = {hs.shape[:2]} to match hs {hs.shape}, "
            f"got {a.shape}"
        )
    return WeightedSum()(hs, a)
