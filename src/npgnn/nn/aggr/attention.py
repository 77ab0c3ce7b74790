"""``AttentionalAggregation``: a learned, softmax-weighted sum over each graph's nodes."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn.aggr.base import Aggregation
from npgnn.nn.mlp import MLP
from npgnn.nn.module import Module
from npgnn.ops.graph import segment_softmax, segment_sum
from npgnn.ops.segments import Segments


class AttentionalAggregation(Aggregation):
    r"""Global soft attention (Li et al. 2016, "Gated Graph Sequence Neural Networks", eq. 7),
    PyG's ``AttentionalAggregation``:

        a[n] = softmax over the nodes of n's graph of gate_nn(x)[n]         (N, 1) or (N, F')
        out[g] = Σ_{n in g} a[n] ⊙ nn(x)[n]                                 (G, F')

    This is the article's ``WeightSum`` (a weighted sum of rows with softmax weights) with the
    weights learned per node and the sum taken per graph of a batch. An empty graph gives 0.

    Args:
        gate_nn: maps (N, F) to scores (N, 1) (one weight per node) or (N, F') (one per channel).
        nn: optional map of (N, F) to (N, F') applied to x before the weighted sum.
        Given an :class:`~npgnn.nn.mlp.MLP`, they are stored as ``gate_mlp`` / ``mlp`` (PyG's
        parameter names), otherwise as ``gate_nn`` / ``nn``.

    Call and Returns: as :class:`~npgnn.nn.aggr.base.Aggregation`; (G, F').
    Raises:
        TypeError for a non-callable gate_nn or nn; ValueError when the gate's shape does not
        fit (N, 1) or (N, F'), plus the Aggregation errors.

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Linear
        >>> pool = AttentionalAggregation(Linear(3, 1, rng=0))
        >>> pool(np.ones((5, 3), np.float32), np.array([0, 0, 1, 1, 1])).shape
        (2, 3)
    """

    def __init__(self, gate_nn: Module, nn: Module | None = None):
        if not callable(gate_nn):
            raise TypeError(f"AttentionalAggregation: gate_nn must be a Module, got "
                            f"{type(gate_nn).__name__}")
        if nn is not None and not callable(nn):
            raise TypeError(f"AttentionalAggregation: nn must be a Module or None, got "
                            f"{type(nn).__name__}")
        self.gate_nn = self.gate_mlp = self.nn = self.mlp = None
        if isinstance(gate_nn, MLP):
            self.gate_mlp = gate_nn
        else:
            self.gate_nn = gate_nn
        if isinstance(nn, MLP):
            self.mlp = nn
        else:
            self.nn = nn

    def reset_parameters(self, rng: Any = None) -> None:
        for m in (self.gate_nn, self.gate_mlp, self.nn, self.mlp):
            if m is not None and hasattr(m, "reset_parameters"):
                m.reset_parameters(rng)

    def forward(self, x: Any, index: Any = None, ptr: Any = None, dim_size: int | None = None,
                dim: int = -2) -> Tensor:
        x = as_tensor(x)
        segments = self._segments(x, index, ptr, dim_size, dim)
        gate = as_tensor((self.gate_mlp or self.gate_nn)(x))
        transform = self.mlp or self.nn
        h = as_tensor(transform(x)) if transform is not None else x
        if gate.ndim != 2 or gate.shape[0] != x.shape[0] or gate.shape[1] not in (1, h.shape[1]):
            raise ValueError(f"AttentionalAggregation: gate_nn must return ({x.shape[0]}, 1) or "
                             f"({x.shape[0]}, {h.shape[1]}), got {gate.shape}")
        return self.reduce(segment_softmax(gate, segments) * h, segments)

    def reduce(self, x: Tensor, segments: Segments) -> Tensor:
        return segment_sum(x, segments)

    def __repr__(self) -> str:
        return (f"AttentionalAggregation(gate_nn={self.gate_mlp or self.gate_nn}, "
                f"nn={self.mlp or self.nn})")
