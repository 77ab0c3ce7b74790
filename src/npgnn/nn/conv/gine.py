"""``GINEConv``: GIN with edge features (Hu et al. 2020), PyTorch Geometric 2.8.1's semantics."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph
from npgnn.nn import init
from npgnn.nn.conv._structure import as_graph, edge_features, source_segments, target_segments
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module, Parameter, Sequential
from npgnn.ops import math as M
from npgnn.ops.edge_relu import edge_relu_sum


def _nn_in_channels(nn: Module) -> int:
    """The input width of ``nn`` as PyG infers it: a Sequential's first module, then its
    ``in_features`` (a Linear) or ``in_channels`` (an MLP)."""
    first = nn[0] if isinstance(nn, Sequential) and len(nn.items) else nn
    for attr in ("in_features", "in_channels"):
        value = getattr(first, attr, None)
        if isinstance(value, (int, np.integer)):
            return int(value)
    raise ValueError("GINEConv: could not infer the input channels of nn (expected a Linear, an "
                     "MLP or a Sequential starting with one) to size the edge_dim projection")


class GINEConv(Module):
    r"""GINE: ``x'_i = h_Θ((1 + ε) · x_i + Σ_{j -> i} ReLU(x_j + e_ji))``.

    The modified GIN of Hu et al. (2020), "Strategies for Pre-training Graph Neural Networks"
    (PyG's ``GINEConv``): each message is the source's features plus the edge's features,
    rectified. With ``edge_dim`` the edge features first go through a Linear
    ``lin: D -> F`` (with bias, PyTorch's initialisation), so D may differ from F. As in GIN,
    duplicate edges count once per copy, an existing self-loop adds ReLU(x_i + e_ii), no
    self-loop is added, and a node with no incoming edge gets h_Θ((1 + ε) x_i).

    The sum runs in one fused op (:func:`npgnn.ops.edge_relu.edge_relu_sum`): the (E, F)
    messages exist during the forward only, a bit mask of their signs is all the backward keeps.

    Args:
        nn: h_Θ, mapping (N, F) to (N, F_out): a Linear, an :class:`~npgnn.nn.mlp.MLP` or a
            Sequential starting with a Linear (F is read from it when ``edge_dim`` is set).
        eps: initial ε. train_eps: learn ε (a (1,) Parameter), else a (1,) buffer ``eps``.
        edge_dim: D, the edge-feature width, projected to F by ``lin``; None: the edge
            features must already have F columns.
        rng: Generator or seed for ``lin``'s initial weights. dtype: ``lin``'s and ε's dtype.

    Call: ``conv(x, edge_index, edge_attr=None)``
        x: (N, F) floats. edge_index: (2, E) ints (row 0 sources j, row 1 targets i) or a
        :class:`~npgnn.graph.Graph` (whose ``edge_attr`` is used when ``edge_attr`` is None).
        edge_attr: (E, D) with ``edge_dim``, else (E, F); (E,) is read as (E, 1).
    Returns:
        what ``nn`` returns on (N, F), e.g. (N, F_out).
    Raises:
        TypeError for a non-callable nn or a bipartite (tuple) x; ValueError naming the
        argument for a bad x, missing or mis-shaped edge_attr, or a bad edge_dim.

    Parameters (PyG's names): ``nn.*``, ``eps`` (1,), with ``edge_dim``: ``lin.weight`` (F, D)
    and ``lin.bias`` (F,).

    Example:
        >>> from npgnn.nn import Linear
        >>> conv = GINEConv(Linear(3, 2, rng=0), edge_dim=4, rng=0)
        >>> ei = np.array([[0, 1, 2], [1, 2, 0]])
        >>> conv(np.ones((3, 3), np.float32), ei, np.ones((3, 4), np.float32)).shape
        (3, 2)
    """

    def __init__(self, nn: Module, eps: float = 0.0, train_eps: bool = False,
                 edge_dim: int | None = None, *, rng: init.RngLike = None,
                 dtype: Any = np.float32):
        if not callable(nn):
            raise TypeError(f"GINEConv: nn must be a Module (or callable), got {type(nn).__name__}")
        bad = isinstance(edge_dim, bool) or not isinstance(edge_dim, (int, np.integer))
        if edge_dim is not None and (bad or edge_dim < 1):
            raise ValueError(f"GINEConv: edge_dim must be a positive int or None, got {edge_dim!r}")
        self.nn = nn
        self.initial_eps = float(eps)
        self.train_eps = bool(train_eps)
        self.edge_dim = None if edge_dim is None else int(edge_dim)
        value = np.full(1, self.initial_eps, dtype=dtype)
        if self.train_eps:
            self.eps = Parameter(value)
        else:
            self.register_buffer("eps", value)
        self.lin = None
        if self.edge_dim is not None:
            self.lin = Linear(self.edge_dim, _nn_in_channels(nn), rng=rng, dtype=dtype)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Reset ``nn`` (when it can) and ``lin``; set ε back to its initial value."""
        rng = init.make_rng(rng)
        reset = getattr(self.nn, "reset_parameters", None)
        if reset is not None:
            reset(rng)
        if self.lin is not None:
            self.lin.reset_parameters(rng)
        eps = self.eps.data if isinstance(self.eps, Tensor) else self.eps
        eps[...] = self.initial_eps

    def forward(self, x: Any, edge_index: Any, edge_attr: Any = None) -> Tensor:
        if isinstance(x, tuple):
            raise TypeError("GINEConv: x must be one (N, F) array; bipartite (x_src, x_dst) "
                            "pairs are not supported")
        x = as_tensor(x)
        if x.ndim != 2 or not np.issubdtype(x.dtype, np.floating):
            raise ValueError(f"GINEConv: x must be a float array of shape (N, F), got shape "
                             f"{x.shape} dtype {x.dtype}")
        g = as_graph(edge_index, x.shape[0])
        edge = self._edge_term(edge_attr, edge_index, g, x)
        eps = self.eps if isinstance(self.eps, Tensor) else np.asarray(self.eps, x.dtype)
        out = edge_relu_sum(x, edge, source_segments(g), target_segments(g)) + (1 + eps) * x
        return self.nn(out)

    def _edge_term(self, edge_attr: Any, edge_index: Any, g: Graph, x: Tensor) -> Tensor:
        """The (E, F) addend of the messages: edge_attr, through ``lin`` when edge_dim is set."""
        if edge_attr is None and isinstance(edge_index, Graph):
            edge_attr = edge_index.edge_attr
        if edge_attr is None:
            raise ValueError("GINEConv: edge_attr is required (E rows of edge features); pass "
                             "it, or a Graph with edge_attr")
        edge_attr = edge_features(edge_attr)
        width = x.shape[1] if self.lin is None else self.edge_dim
        if edge_attr.ndim != 2 or edge_attr.shape != (g.num_edges, width):
            hint = ("" if self.lin is not None else "; node and edge feature widths must match "
                    "without edge_dim: construct GINEConv with edge_dim=D to project them")
            raise ValueError(f"GINEConv: edge_attr must have shape ({g.num_edges}, {width}) (one "
                             f"row per edge), got {edge_attr.shape}{hint}")
        if edge_attr.dtype != x.dtype:
            edge_attr = M.astype(edge_attr, x.dtype)
        return edge_attr if self.lin is None else self.lin(edge_attr)

    def __repr__(self) -> str:
        return f"GINEConv(nn={self.nn})"

    def extra_repr(self) -> str:
        return f"eps={self.initial_eps}, train_eps={self.train_eps}, edge_dim={self.edge_dim}"
