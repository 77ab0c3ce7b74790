"""Fused GINE aggregation: ``out[i] = Σ_{e: j -> i} ReLU(x[j] + edge[e])`` in one op.

GINE's message (Hu et al. 2020, "Strategies for Pre-training Graph Neural Networks", eq. 2 of
its appendix; PyG's ``GINEConv.message``) is the source's features plus the edge's features,
rectified. Composed from gather, add, ReLU and a segment sum it would record three (E, F)
arrays in the autodiff graph; this op keeps one bit-mask of the active entries, (E, F) bools,
and nothing else of size E·F between forward and backward.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.ops.segments import Segments


class EdgeReluSum(Function):
    """Inputs x (N, F) and edge (E, F); output (N_dst, F). Backward, with
    d[e] = g[i] ⊙ [x[j] + edge[e] > 0]: dx = Σ_{e from j} d[e], d edge = d."""

    def __init__(self, sources: Segments, targets: Segments):
        self.sources, self.targets = sources, targets

    def forward(self, x, edge):
        m = x[self.sources.index]                                   # (E, F), the one temporary
        np.add(m, edge, out=m)
        self.active = m > 0                                         # PyTorch: relu'(0) = 0
        np.maximum(m, 0, out=m)
        return self.targets.sum(m)

    def backward(self, g):
        d = g[self.targets.index]
        d *= self.active
        dx = self.sources.sum(d) if self.needs_input_grad[0] else None
        return dx, (d if self.needs_input_grad[1] else None)


def edge_relu_sum(x: Any, edge: Any, sources: Segments, targets: Segments) -> Tensor:
    """``out[i] = Σ_{e: j -> i} ReLU(x[j] + edge[e])``, differentiable in x and edge.

    Args:
        x: (N_src, F) node features. edge: (E, F) per-edge features (already projected).
        sources: the edges' sources as Segments over N_src; targets: their targets, Segments
            over N_dst (a node without incoming edges gets 0).
    Returns:
        (N_dst, F) in x's dtype.
    Raises:
        ValueError when the shapes disagree with each other or with the segments.
    """
    x, edge = as_tensor(x), as_tensor(edge)
    e = sources.num_items
    if targets.num_items != e:
        raise ValueError(f"edge_relu_sum: sources has {e} edges but targets has {targets.num_items}")
    if x.ndim != 2 or x.shape[0] != sources.num_segments:
        raise ValueError(f"edge_relu_sum: x must have shape ({sources.num_segments}, F), "
                         f"got {x.shape}")
    if edge.shape != (e, x.shape[1]):
        raise ValueError(f"edge_relu_sum: edge must have shape ({e}, {x.shape[1]}) (one row per "
                         f"edge, x's width), got {edge.shape}")
    return EdgeReluSum(sources, targets)(x, edge)
