"""``GCNConv``: the graph convolution of Kipf & Welling (2017), numerically PyG's ``GCNConv``."""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from npgnn._validate import check_choice, check_float_dtype, check_size, check_supported_dtype
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph
from npgnn.graph.transforms import gcn_norm
from npgnn.nn import init
from npgnn.nn.conv._structure import as_graph, cached
from npgnn.nn.conv.message_passing import MessagePassing
from npgnn.nn.linear import Linear
from npgnn.nn.module import Parameter


class GCNConv(MessagePassing):
    r"""Graph convolution: ``X' = D̂^{-1/2} Â D̂^{-1/2} X Θᵀ + b``, with Â = A + I.

    Node-wise, with e_{j,i} the weight of edge j -> i (1 by default) and
    d̂_i = fill + Σ_{j -> i, j != i} e_{j,i} the weighted in-degree after the self-loops::

        x'_i = Θ Σ_{j -> i, and j = i} e_{j,i} / sqrt(d̂_j d̂_i) · x_j + b

    Semantics (PyG's ``gcn_norm`` with ``add_remaining_self_loops``, via
    :func:`npgnn.graph.transforms.gcn_norm`):

    * a node that already has a self-loop keeps it (and its weight); every other node gets one
      of weight ``fill_value`` = 1, or 2 with ``improved=True`` (Â = A + 2I);
    * duplicate edges count once per copy (their weights add up);
    * degrees are in-degrees (messages flow source -> target), so a directed graph is normalised
      by the targets' in-degree on both ends, exactly as PyG; a degree of 0 gives weight 0;
    * an isolated node gets only its self-loop: x'_i = Θ x_i + b; an edgeless graph likewise;
    * negative edge weights are allowed as long as no node's weighted in-degree d̂_i is negative:
      with 'sym' such a node raises ValueError naming ``edge_weight`` (its d̂_i^-1/2 is undefined;
      PyG silently returns NaN there).

    ``norm='row'`` (D̂^{-1} Â, a mean) and ``norm='col'`` (Â D̂_out^{-1}) are npgnn extensions.

    Args:
        in_channels, out_channels: feature sizes F_in, F_out.
        improved: self-loop weight 2 instead of 1. (PyG 2.8.1 ignores ``improved`` when no
            ``edge_weight`` is given; npgnn always honours it, as PyG documents.)
        cached: keep the normalised adjacency of the first call and reuse it for every later call
            (transductive learning on one fixed graph only; PyG's ``cached``).
        add_self_loops: add the remaining self-loops; default: same as ``normalize``.
        normalize: apply the normalisation (else aggregate ``edge_weight · x_j`` as given).
        bias: learn b (initialised to 0).
        norm: 'sym' (GCN), 'row' or 'col'.
        rng: Generator or seed for Θ (Glorot uniform, as PyG). dtype: parameter dtype.

    Shapes:
        x: (N, F_in) dense, or a scipy sparse (N, F_in) matrix (bag-of-words features; no
        gradient to it). edge_index: (2, E) or an :class:`npgnn.Graph`. edge_weight: (E,), or
        None for the Graph's ``edge_weight`` (ones if it has none). Output: (N, F_out).

    The normalised (N, N) CSR matrix is cached on a Graph (keyed by the options and dtype), so
    every layer and epoch on the same Graph reuses it. The weights are constants: no gradient
    flows to ``edge_weight`` through the normalisation (with ``normalize=False`` a Tensor
    ``edge_weight`` that requires grad does get one). Θ is applied before aggregating when
    F_out < F_in (fewer columns to aggregate), after otherwise; the result is the same.

    Parameters (PyG's names): ``lin.weight`` (F_out, F_in), ``bias`` (F_out,).

    Example:
        >>> import numpy as np
        >>> conv = GCNConv(3, 2, rng=0)
        >>> conv(np.ones((4, 3), np.float32), np.array([[0, 1, 2], [1, 2, 3]])).shape
        (4, 2)
    """

    def __init__(
        self, in_channels: int, out_channels: int, *, improved: bool = False,
        cached: bool = False, add_self_loops: bool | None = None, normalize: bool = True,
        bias: bool = True, norm: Literal["sym", "row", "col"] = "sym", rng: init.RngLike = None,
        dtype: Any = np.float32,
    ):
        super().__init__(aggr="sum")
        if add_self_loops is None:
            add_self_loops = normalize
        if add_self_loops and not normalize:
            raise ValueError("GCNConv: add_self_loops=True needs normalize=True (as in PyG); add "
                             "the self-loops to the graph yourself with npgnn.graph.add_self_loops")
        check_choice("GCNConv", "norm", norm, ("sym", "row", "col"))
        self.in_channels = check_size("GCNConv", "in_channels", in_channels)
        self.out_channels = check_size("GCNConv", "out_channels", out_channels)
        dtype = check_float_dtype("GCNConv", "dtype", dtype)
        self.improved, self.cached, self.normalize = bool(improved), bool(cached), bool(normalize)
        self.add_self_loops, self.norm = bool(add_self_loops), norm
        rng = init.make_rng(rng)
        self.lin = Linear(in_channels, out_channels, bias=False, weight_init="glorot", rng=rng,
                          dtype=dtype)
        self.bias = Parameter(np.zeros(self.out_channels, dtype=dtype)) if bias else None
        self._cached_graph: Graph | None = None

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Θ ~ Glorot uniform, b = 0; forget the ``cached`` adjacency."""
        self.lin.reset_parameters(init.make_rng(rng))
        if self.bias is not None:
            self.bias.data[...] = 0
        self._cached_graph = None

    def forward(self, x: Any, edge_index: Any, edge_weight: Any = None) -> Tensor:
        if isinstance(x, tuple):
            raise TypeError("GCNConv: x must be one (N, F) array; bipartite (x_src, x_dst) pairs "
                            "are not supported")
        if not sp.issparse(x):
            x = as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.in_channels:
            raise ValueError(f"GCNConv: x must have shape (N, {self.in_channels}), got "
                             f"{tuple(x.shape)}")
        g = as_graph(edge_index, x.shape[0])
        # the dtype of what is aggregated: Linear casts sparse x to its own dtype
        dtype = self.lin.weight.dtype if sp.issparse(x) else np.result_type(
            x.dtype, self.lin.weight.dtype)
        gn = self._normalized(g, edge_weight, dtype)
        weight = gn.edge_weight
        if isinstance(edge_weight, Tensor) and edge_weight.requires_grad and not self.normalize:
            weight = edge_weight  # learned weights, used as given
        if sp.issparse(x) or self.out_channels < self.in_channels:
            out = self.propagate(gn, x=self.lin(x), edge_weight=weight)
        else:
            out = self.lin(self.propagate(gn, x=x, edge_weight=weight))
        return out if self.bias is None else out + self.bias

    def _normalized(self, g: Graph, edge_weight: Any, dtype: np.dtype) -> Graph:
        """The graph whose edge_weight holds the (normalised) aggregation weights."""
        if self.cached and self._cached_graph is not None:
            if self._cached_graph.num_nodes != g.num_nodes:
                raise ValueError(
                    f"GCNConv(cached=True): the cached graph has {self._cached_graph.num_nodes} "
                    f"nodes but x has {g.num_nodes} rows; cached=True is for one fixed graph "
                    "(call reset_parameters() to drop the cache)")
            return self._cached_graph
        gn = normalized_graph("GCNConv", g, edge_weight, dtype, normalize=self.normalize,
                              add_self_loops=self.add_self_loops,
                              fill_value=2.0 if self.improved else 1.0, norm=self.norm)
        if self.cached:
            self._cached_graph = gn
        return gn

    def __repr__(self) -> str:
        return f"GCNConv({self.in_channels}, {self.out_channels})"

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, improved={self.improved}, "
                f"cached={self.cached}, add_self_loops={self.add_self_loops}, "
                f"normalize={self.normalize}, norm={self.norm!r}, bias={self.bias is not None}")


def normalized_graph(name: str, g: Graph, edge_weight: Any, dtype: Any, *, normalize: bool,
                     add_self_loops: bool, fill_value: float = 1.0,
                     norm: Literal["sym", "row", "col"] = "sym") -> Graph:
    """``g`` whose ``edge_weight`` holds GCN's aggregation weights (``gcn_norm`` when
    ``normalize``, else the weights as given), in ``dtype``.

    Without an explicit ``edge_weight`` the result is cached on ``g`` (keyed by the options),
    so every layer and epoch on one Graph shares it. ``name`` prefixes the error messages.

    Raises:
        ValueError: ``edge_weight`` is not (E,).
    """
    dtype = np.dtype(dtype)
    explicit = edge_weight is not None
    if explicit:
        w = np.asarray(getattr(edge_weight, "data", edge_weight))
        check_supported_dtype(f"{name}: edge_weight", w.dtype)
        if w.shape != (g.num_edges,):
            raise ValueError(f"{name}: edge_weight must have shape (E,) = ({g.num_edges},), "
                             f"got {w.shape}")
        base = g.replace(edge_weight=w.astype(dtype))
    else:
        base = g

    def build() -> Graph:
        if not normalize:
            w = base.edge_weight
            return base if w is None or w.dtype == dtype else base.replace(
                edge_weight=w.astype(dtype))
        return gcn_norm(base, norm=norm, add_self_loops=add_self_loops, fill_value=fill_value,
                        dtype=dtype)

    if explicit:
        return build()
    key = ("gcn_norm", normalize, norm, add_self_loops, fill_value == 2.0, dtype.str)
    return cached(g, key, build)
