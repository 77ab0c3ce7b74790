"""``GCN2Conv``: GCNII's convolution with initial residual and identity mapping, numerically PyG's."""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph
from npgnn.nn import init
from npgnn.nn.conv._structure import as_graph
from npgnn.nn.conv.gcn import normalized_graph
from npgnn.nn.conv.message_passing import MessagePassing
from npgnn.nn.module import Parameter
from npgnn.ops import math as M


class GCN2Conv(MessagePassing):
    r"""GCNII's layer ("Simple and Deep Graph Convolutional Networks", Chen et al., ICML 2020,
    eq. 5)::

        X' = ((1 − α) P̂ X + α X₀) ((1 − β) I + β Θ)

    with P̂ = D̂^{-1/2} Â D̂^{-1/2} (GCN's normalisation with self-loops, :class:`GCNConv`'s
    rules: an existing self-loop keeps its weight, duplicates add up, in-degrees), X₀ the
    initial representation and β = log(θ / ℓ + 1) (β = 1 when θ and ℓ are not given). With
    ``shared_weights=False`` the two terms get their own maps::

        X' = (1 − α) P̂ X ((1 − β) I + β Θ₁) + α X₀ ((1 − β) I + β Θ₂)

    Args:
        channels: C, the width of X, X₀ and X'.
        alpha: α, the weight of the initial residual.
        theta, layer: θ and ℓ (this layer's 1-based depth) of β; both or neither.
        shared_weights: one Θ for both terms (``weight1`` only), else ``weight1`` and ``weight2``.
        cached: keep the normalised adjacency of the first call (one fixed graph only).
        add_self_loops: add the remaining self-loops before normalising (only with
            ``normalize``; ignored otherwise, as in PyG, whose GCNII example passes
            ``normalize=False`` with a pre-normalised graph).
        normalize: apply P̂'s normalisation; else aggregate ``edge_weight · x_j`` as given (a
            Tensor ``edge_weight`` requiring grad then gets a gradient; through the
            normalisation the weights are constants, as in :class:`GCNConv`).
        rng: Generator or seed for Θ (Glorot uniform, as PyG). dtype: parameter dtype.

    Call: ``conv(x, x_0, edge_index, edge_weight=None)``
        x: (N, C); x_0: (N₀, C) with N₀ >= N (its first N rows are used, as PyG);
        edge_index: (2, E) ints or an :class:`npgnn.Graph`; edge_weight: (E,) or None.
        Returns (N, C).

    Parameters (PyG's names and layout): ``weight1`` (C, C) and, without shared weights,
    ``weight2`` (C, C), applied as ``X @ weight`` (not transposed).

    Raises:
        ValueError / TypeError naming the argument: bad channels, alpha, theta/layer; x or
        x_0 of the wrong shape; edge_weight not (E,).

    Example:
        >>> import numpy as np
        >>> conv = GCN2Conv(4, alpha=0.1, theta=0.5, layer=1, rng=0)
        >>> x = np.ones((3, 4), np.float32)
        >>> conv(x, x, np.array([[0, 1], [1, 2]])).shape
        (3, 4)
    """

    def __init__(
        self, channels: int, alpha: float, theta: float | None = None, layer: int | None = None,
        shared_weights: bool = True, cached: bool = False, add_self_loops: bool = True,
        normalize: bool = True, *, rng: init.RngLike = None, dtype: Any = np.float32,
    ):
        super().__init__(aggr="sum")
        if isinstance(channels, bool) or not isinstance(channels, numbers.Integral) \
                or channels < 1:
            raise ValueError(f"GCN2Conv: channels must be a positive int, got {show(channels)}")
        self.channels = int(channels)
        self.alpha = _real("alpha", alpha)
        self.beta = 1.0
        if theta is not None or layer is not None:
            if theta is None or layer is None:
                raise ValueError(f"GCN2Conv: theta and layer must be given together (beta = "
                                 f"log(theta / layer + 1)), got theta={show(theta)}, layer={show(layer)}")
            if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or layer < 1:
                raise ValueError(f"GCN2Conv: layer must be a positive int, got {show(layer)}")
            theta = _real("theta", theta)
            if theta < 0:
                raise ValueError(f"GCN2Conv: theta must be >= 0, got {show(theta)}")
            self.beta = math.log(theta / layer + 1)
        self.theta, self.layer = theta, layer
        self.cached, self.normalize = bool(cached), bool(normalize)
        self.add_self_loops = bool(add_self_loops)
        self.weight1 = Parameter(np.zeros((self.channels, self.channels), dtype=dtype))
        self.weight2 = None if shared_weights else Parameter(
            np.zeros((self.channels, self.channels), dtype=dtype))
        self._cached_graph: Graph | None = None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Θ ~ Glorot uniform (PyG's init); forget the ``cached`` adjacency."""
        rng = init.make_rng(rng)
        for w in (self.weight1, self.weight2):
            if w is not None:
                w.data[...] = init.glorot_uniform(w.shape, rng, w.dtype)
        self._cached_graph = None

    def forward(self, x: Any, x_0: Any, edge_index: Any, edge_weight: Any = None) -> Tensor:
        x, x_0 = as_tensor(x), as_tensor(x_0)
        c = self.channels
        if x.ndim != 2 or x.shape[1] != c:
            raise ValueError(f"GCN2Conv: x must have shape (N, {c}), got {x.shape}")
        if x_0.ndim != 2 or x_0.shape[1] != c or x_0.shape[0] < x.shape[0]:
            raise ValueError(f"GCN2Conv: x_0 must have shape (N0, {c}) with N0 >= N = "
                             f"{x.shape[0]}, got {x_0.shape}")
        n = x.shape[0]
        g = self._normalized(as_graph(edge_index, n), edge_weight,
                             np.result_type(x.dtype, self.weight1.dtype))
        weight = g.edge_weight
        if isinstance(edge_weight, Tensor) and edge_weight.requires_grad and not self.normalize:
            weight = edge_weight  # learned weights, used as given
        h = self.propagate(g, x=x, edge_weight=weight) * (1.0 - self.alpha)      # (N, C)
        h0 = x_0 if x_0.shape[0] == n else x_0[:n]
        h0 = h0 * self.alpha                                                      # (N, C)
        if self.weight2 is None:
            out = h + h0
            return out * (1.0 - self.beta) + M.matmul(out, self.weight1) * self.beta
        return (h * (1.0 - self.beta) + M.matmul(h, self.weight1) * self.beta
                + h0 * (1.0 - self.beta) + M.matmul(h0, self.weight2) * self.beta)

    def _normalized(self, g: Graph, edge_weight: Any, dtype: np.dtype) -> Graph:
        if self.cached and self._cached_graph is not None:
            if self._cached_graph.num_nodes != g.num_nodes:
                raise ValueError(
                    f"GCN2Conv(cached=True): the cached graph has {self._cached_graph.num_nodes} "
                    f"nodes but x has {g.num_nodes} rows; cached=True is for one fixed graph "
                    "(call reset_parameters() to drop the cache)")
            return self._cached_graph
        gn = normalized_graph("GCN2Conv", g, edge_weight, dtype, normalize=self.normalize,
                              add_self_loops=self.add_self_loops and self.normalize)
        if self.cached:
            self._cached_graph = gn
        return gn

    def __repr__(self) -> str:
        return f"GCN2Conv({self.channels}, alpha={self.alpha}, beta={self.beta})"


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)):
        raise ValueError(f"GCN2Conv: {name} must be a finite real number, got {show(value)}")
    return float(value)
