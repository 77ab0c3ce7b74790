"""``SAGEConv``: GraphSAGE (Hamilton et al., 2017), numerically PyG's ``SAGEConv``."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._validate import check_float_dtype, check_size, check_supported_dtype
from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.conv._structure import as_graph, bipartite_edges, pair_features
from npgnn.nn.conv.message_passing import MessagePassing, check_aggr
from npgnn.nn.linear import Linear, SparseInputMatMul
from npgnn.ops.adjacency import bipartite_aggregation
from npgnn.ops.graph import spmm
from npgnn.ops.math import cat as npgnn_cat
from npgnn.ops.nn import linear, relu


class L2Normalize(Function):
    """y = x / max(‖x‖₂, eps) over the last axis (``torch.nn.functional.normalize``).

    Backward: where ‖x‖ > eps, dx = (g − y ⟨g, y⟩) / ‖x‖; elsewhere dx = g / eps. A zero row
    gives a zero output and a finite gradient.
    """

    def __init__(self, eps: float = 1e-12):
        self.eps = eps

    def forward(self, x):
        norm = np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
        self.big = norm > self.eps
        self.denom = np.where(self.big, norm, np.asarray(self.eps, dtype=x.dtype))
        self.y = x / self.denom
        return self.y

    def backward(self, g):
        proj = np.sum(g * self.y, axis=-1, keepdims=True) * self.big
        return (g - self.y * proj) / self.denom


def l2_normalize(x: Any, eps: float = 1e-12) -> Tensor:
    """Rows of ``x`` scaled to unit L2 norm (rows with norm <= eps are divided by eps)."""
    return L2Normalize(eps)(as_tensor(x))


class SAGEConv(MessagePassing):
    r"""GraphSAGE: ``x'_i = W_l · AGG_{j -> i} x_j + b + W_r · x_i``, optionally L2-normalised.

    AGG is the mean (default), sum or max over the incoming edges of i; an isolated node
    aggregates 0, so x'_i = b + W_r x_i. Duplicate edges count once per copy; an existing
    self-loop i -> i is an ordinary neighbour (no self-loop is added: the root term plays that
    role). Edge weights are not used (as in PyG). With ``project=True`` the neighbours' features
    are first mapped by ``relu(W_p x_j + b_p)`` (the root term keeps the raw x_i). With
    ``normalize=True`` the output rows are divided by max(‖x'_i‖₂, 1e-12).

    Args:
        in_channels, out_channels: F_in, F_out.
        aggr: 'mean', 'sum' (alias 'add') or 'max'.
        normalize: L2-normalise the output rows.
        root_weight: add W_r x_i.
        bias: learn b (in ``lin_l``).
        project: the projection above.
        rng: Generator or seed (PyTorch's default Linear initialisation). dtype: parameter dtype.

    Shapes:
        x: (N, F_in), dense or scipy sparse (kept sparse for mean/sum aggregation); edge_index:
        (2, E) or a Graph; output (N, F_out). PyG's bipartite pair ``x = (x_src, x_dst)``,
        (N_src, F_in) and (N_dst, F_in) (sparse ones are densified; ``x_dst=None`` is not
        supported): edges j -> i go from row j of x_src to row i of x_dst, the root term reads
        x_dst, the output is (N_dst, F_out); IndexError when a source is >= N_src or a
        target >= N_dst. ``conv((x, x[:b]), edge_index)`` computes only the first b rows, as
        layer-wise inference over sampled batches needs.

    Parameters (PyG's names): ``lin_l.weight`` (F_out, F_in), ``lin_l.bias`` (F_out,),
    ``lin_r.weight`` (F_out, F_in) with ``root_weight``, ``lin.weight`` (F_in, F_in) and
    ``lin.bias`` with ``project``.

    Example:
        >>> import numpy as np
        >>> conv = SAGEConv(3, 2, aggr="max", rng=0)
        >>> conv(np.ones((4, 3), np.float32), np.array([[0, 1, 2], [1, 2, 3]])).shape
        (4, 2)
    """

    def __init__(
        self, in_channels: int, out_channels: int, aggr: str = "mean", *, normalize: bool = False,
        root_weight: bool = True, project: bool = False, bias: bool = True,
        rng: init.RngLike = None, dtype: Any = np.float32,
    ):
        super().__init__(aggr=check_aggr("SAGEConv", aggr))
        self.in_channels = check_size("SAGEConv", "in_channels", in_channels)
        self.out_channels = check_size("SAGEConv", "out_channels", out_channels)
        dtype = check_float_dtype("SAGEConv", "dtype", dtype)
        self.normalize, self.root_weight, self.project = bool(normalize), bool(root_weight), \
            bool(project)
        rng = init.make_rng(rng)
        if self.project:
            self.lin = Linear(in_channels, in_channels, bias=True, rng=rng, dtype=dtype)
        self.lin_l = Linear(in_channels, out_channels, bias=bias, rng=rng, dtype=dtype)
        if self.root_weight:
            self.lin_r = Linear(in_channels, out_channels, bias=False, rng=rng, dtype=dtype)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """PyTorch's default Linear initialisation, in PyG's order (lin, lin_l, lin_r)."""
        rng = init.make_rng(rng)
        if self.project:
            self.lin.reset_parameters(rng)
        self.lin_l.reset_parameters(rng)
        if self.root_weight:
            self.lin_r.reset_parameters(rng)

    def forward(self, x: Any, edge_index: Any) -> Tensor:
        if isinstance(x, tuple):
            return self._forward_pair(x, edge_index)
        if sp.issparse(x):
            check_supported_dtype("SAGEConv: x", x.dtype)
        if sp.issparse(x) and (self.project or self.aggr == "max"):
            x = x.toarray()  # max and the projection do not commute with W_l: densify
        if not sp.issparse(x):
            x = as_tensor(x)
        if len(x.shape) != 2 or x.shape[1] != self.in_channels:
            raise ValueError(f"SAGEConv: x must have shape (N, {self.in_channels}), got {x.shape}")
        g = as_graph(edge_index, x.shape[0])
        if sp.issparse(x):
            # sparse features (bag of words): mean/sum commute with W_l, so aggregate W_l x_j
            # (N, F_out) instead of x_j, and x is never densified
            return self.combine(self.propagate(g, x=SparseInputMatMul(x)(self.lin_l.weight)),
                                x, transformed=True)
        h, transformed = self.source_features(x, g.num_edges)
        return self.combine(self.propagate(g, x=h), x, transformed)

    def source_features(self, x_src: Tensor, num_edges: int) -> tuple[Tensor, bool]:
        """What is aggregated from each source row, and whether ``lin_l``'s weight is already
        applied to it: relu(W_p x_j + b_p) with ``project``, then W_l (that) when mean or sum
        aggregation commutes with W_l and F_out < F_in. That order shrinks the gathers over
        the edges, the costly part, by F_in / F_out at the price of one dense (N_src, F_in) x
        (F_in, F_out) product, which pays off once every source is read at least once on
        average (E >= N_src). DGL's SAGEConv makes the same choice; PyG always aggregates
        first. The two agree up to float rounding. Float features only (integer ones keep
        PyG's order and casts)."""
        h = relu(self.lin(x_src)) if self.project else x_src
        transform = (self.aggr in ("mean", "sum") and self.out_channels < self.in_channels
                     and num_edges >= x_src.shape[0] and np.issubdtype(h.dtype, np.floating))
        return (linear(h, self.lin_l.weight), True) if transform else (h, False)

    def combine(self, aggregated: Tensor, x_dst: Any, transformed: bool) -> Tensor:
        """The output rows from the aggregated sources (``source_features``'s, W_l already
        applied when ``transformed``) and the targets' own features: W_l agg + b + W_r x_i,
        L2-normalised with ``normalize``."""
        if transformed:
            out = aggregated if self.lin_l.bias is None else aggregated + self.lin_l.bias
        else:
            out = self.lin_l(aggregated)
        if self.root_weight:
            out = out + self.lin_r(x_dst)
        return l2_normalize(out) if self.normalize else out

    def _forward_pair(self, x: tuple, edge_index: Any) -> Tensor:
        """PyG's bipartite form ``conv((x_src, x_dst), edge_index)``: edges j -> i run from row
        j of x_src to row i of x_dst; the output has x_dst's rows (a sampled batch's targets,
        e.g. ``(x, x[:batch_size])``, so no row is computed that is then thrown away)."""
        x_src, x_dst = pair_features("SAGEConv", x)
        for name, v in (("x_src", x_src), ("x_dst", x_dst)):
            if len(v.shape) != 2 or v.shape[1] != self.in_channels:
                raise ValueError(f"SAGEConv: {name} must have shape (N, {self.in_channels}), "
                                 f"got {v.shape}")
        n_src, n_dst = x_src.shape[0], x_dst.shape[0]
        src, dst = bipartite_edges("SAGEConv", edge_index, n_src, n_dst)
        if self.aggr == "max":           # segment max over the square graph of max(N_src, N_dst)
            if n_dst > n_src:            # nodes: pad the sources to that count
                x_src = npgnn_cat([x_src, np.zeros((n_dst - n_src, self.in_channels),
                                                   dtype=x_src.dtype)])
            h, transformed = self.source_features(x_src, src.shape[0])
            g = as_graph(np.stack([src, dst]), max(n_src, n_dst))
            return self.combine(self.propagate(g, x=h)[:n_dst], x_dst, transformed)
        h, transformed = self.source_features(x_src, src.shape[0])
        dtype = h.dtype if np.issubdtype(h.dtype, np.floating) else np.float64
        adj = bipartite_aggregation(src, dst, n_src, n_dst, mean=self.aggr == "mean",
                                    dtype=dtype)   # (N_dst, N_src): O(E + N_dst) to build
        return self.combine(spmm(adj, h), x_dst, transformed)

    def __repr__(self) -> str:
        return f"SAGEConv({self.in_channels}, {self.out_channels}, aggr={self.aggr})"

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, aggr={self.aggr!r}, "
                f"normalize={self.normalize}, root_weight={self.root_weight}, "
                f"project={self.project}")
