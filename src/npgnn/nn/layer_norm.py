"""``LayerNorm``: PyG's graph-wise (or node-wise) layer normalisation (Ba et al., 2016)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.module import Module, Parameter
from npgnn.ops import math as M
from npgnn.ops.graph import gather, segment_sum
from npgnn.ops.segments import Segments, check_index

MODES = ("graph", "node")


class LayerNorm(Module):
    r"""Layer normalisation of ``torch_geometric.nn.norm.LayerNorm`` (what PyG's resolver builds
    for ``norm='layer_norm'``; its default mode is 'graph').

    mode='graph': each graph is one example; mean and (biased) variance run over all its nodes
    and channels. With ``batch`` (graph id per node, B graphs, n_b nodes in graph b)::

        μ_b = Σ_{i in b} Σ_c x_ic / (max(n_b, 1) · C),  σ²_b = Σ_{i in b} Σ_c (x_ic − μ_b)² / (max(n_b, 1) · C)
        x'_i = (x_i − μ_b) / sqrt(σ²_b + eps) ⊙ γ + β

    Without ``batch`` (one graph) PyG computes ``(x − μ) / (σ + eps)`` (eps added to the
    standard deviation, not to the variance); npgnn reproduces both formulas exactly.

    mode='node': each node is one example (``torch.nn.functional.layer_norm`` over the C
    channels): ``x'_i = (x_i − mean(x_i)) / sqrt(var(x_i) + eps) ⊙ γ + β``.

    Args:
        in_channels: C.
        eps: the stabiliser above.
        affine: learn γ (``weight``, init 1) and β (``bias``, init 0), PyG's names.
        mode: 'graph' or 'node'.
        dtype: parameter dtype.

    Shapes:
        x: (N, C); batch: (N,) int graph ids in [0, B) or None; output (N, C).

    Raises:
        ValueError: unknown ``mode``, x not (N, C), a bad ``batch``.

    Example:
        >>> import numpy as np
        >>> LayerNorm(2, mode="node")(np.array([[1.0, 3.0]])).data.round(3).tolist()
        [[-1.0, 1.0]]
    """

    def __init__(self, in_channels: int, eps: float = 1e-5, affine: bool = True,
                 mode: str = "graph", *, dtype: Any = np.float32):
        if mode not in MODES:
            raise ValueError(f"LayerNorm: mode must be 'graph' or 'node', got {mode!r}")
        self.in_channels, self.eps = int(in_channels), float(eps)
        self.affine, self.mode = bool(affine), mode
        if self.affine:
            self.weight = Parameter(np.ones(self.in_channels, dtype=dtype))
            self.bias = Parameter(np.zeros(self.in_channels, dtype=dtype))
        else:
            self.weight = self.bias = None

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """γ = 1, β = 0 (``rng`` is unused: nothing is random)."""
        if self.affine:
            self.weight.data[...] = 1
            self.bias.data[...] = 0

    def forward(self, x: Any, batch: Any = None, batch_size: int | None = None) -> Tensor:
        x = as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.in_channels:
            raise ValueError(f"LayerNorm: x must have shape (N, {self.in_channels}), got "
                             f"{x.shape}")
        eps = x.dtype.type(self.eps)
        if self.mode == "node":
            xc = x - M.mean(x, axis=-1, keepdims=True)
            out = xc / M.sqrt(M.mean(xc * xc, axis=-1, keepdims=True) + eps)
        elif batch is None:
            xc = x - M.mean(x)
            out = xc / (M.sqrt(M.mean(xc * xc)) + eps)
        else:
            seg = _segments(batch, batch_size, x.shape[0])
            count = (np.maximum(seg.counts, 1) * x.shape[1]).astype(x.dtype)[:, None]   # (B, 1)
            mean = M.sum(segment_sum(x, seg), axis=-1, keepdims=True) / count          # (B, 1)
            xc = x - gather(mean, seg)
            var = M.sum(segment_sum(xc * xc, seg), axis=-1, keepdims=True) / count      # (B, 1)
            out = xc / gather(M.sqrt(var + eps), seg)
        if self.affine:
            out = out * self.weight + self.bias
        return out

    def __repr__(self) -> str:
        return f"LayerNorm({self.in_channels}, affine={self.affine}, mode={self.mode})"


def _segments(batch: Any, batch_size: int | None, n: int) -> Segments:
    """Nodes grouped by graph id, checked: (N,) integers in [0, batch_size)."""
    if hasattr(batch, "detach") and hasattr(batch, "numpy"):  # a torch tensor
        batch = batch.detach().cpu().numpy()
    batch = np.asarray(getattr(batch, "data", batch))
    if batch.shape != (n,):
        raise ValueError(f"LayerNorm: batch must have shape (N,) = ({n},), got {batch.shape}")
    if batch_size is None:
        batch_size = int(batch.max()) + 1 if batch.size else 0
    return Segments(check_index("batch", batch, int(batch_size)), int(batch_size), validate=False)
