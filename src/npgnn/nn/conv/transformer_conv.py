"""``TransformerConv``: graph transformer attention (Shi et al. 2021), PyG 2.8.1's semantics."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.graph import Graph
from npgnn.nn import init
from npgnn.nn.conv._structure import as_graph, cached, edge_features
from npgnn.nn.conv.gat import _check_x
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module
from npgnn.ops import math as M
from npgnn.ops import nn as F
from npgnn.ops.edge_attention import edge_attention
from npgnn.ops.gat import AttentionGraph


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"TransformerConv: {name} must be a positive int, got {value!r}"
                         + ("; bipartite (tuple) inputs are not supported"
                            if isinstance(value, tuple) else ""))
    return int(value)


class TransformerConv(Module):
    r"""Graph transformer layer: multi-head scaled dot-product attention over each node's
    incoming edges (Shi et al. 2021, "Masked Label Prediction", eq. 3-5), PyG's ``TransformerConv``.

    For every head k (H heads of C channels), with q = lin_query(x), key = lin_key(x),
    v = lin_value(x) viewed as (N, H, C) and, with ``edge_dim``, e_ji = lin_edge(edge_attr_ji):

        α[ji, k]  = softmax over i's in-edges of <q[i, k], key[j, k] + e_ji[k]> / √C      (E, H)
        out[i, k] = Σ_{j -> i} α'[ji, k] (v[j, k] + e_ji[k])                             (N, H, C)

    α' is α after dropout. Heads are concatenated (N, H·C) or averaged (N, C); then with
    ``root_weight`` the skip r = lin_skip(x) is added, or with ``beta`` mixed in by a learned
    gate: β = sigmoid(lin_beta([out, r, out − r])), out = β r + (1 − β) out. No self-loops are
    added; a node without incoming edges gets 0 before the skip.

    The scores, softmax, dropout and aggregation run in one fused op
    (:func:`npgnn.ops.edge_attention.edge_attention`). The edge term is never projected per
    edge: <q, W_e e> = <W_eᵀ q, e> and Σ α W_e e = W_e Σ α e move W_e to the nodes, so memory
    is O(E·H + E·D), where PyG builds (E, H, C) arrays for the projected edge features, the
    keys, the values and the messages.

    Args:
        in_channels: F. out_channels: C per head. heads: H.
        concat: concatenate the heads (H·C) or average them (C).
        beta: gate the skip connection (only with ``root_weight``, as PyG).
        dropout: probability of dropping an attention coefficient (training only).
        edge_dim: D, edge-feature width, or None.
        bias: biases of lin_key, lin_query, lin_value and lin_skip.
        root_weight: add the skip connection lin_skip(x).
        rng: Generator or seed for the initial weights and dropout masks. dtype: parameters'.

    Parameters (PyG's names, PyTorch's initialisation): ``lin_key``, ``lin_query``,
    ``lin_value`` (H·C, F) + bias; ``lin_edge.weight`` (H·C, D); ``lin_skip`` (H·C or C, F) +
    bias (present even without ``root_weight``, as in PyG); ``lin_beta.weight`` (1, 3·H·C or
    3·C) with ``beta``.

    Call: ``conv(x, edge_index, edge_attr=None, return_attention_weights=False)``
        x: (N, F) floats (Tensor, ndarray or scipy sparse). edge_index: (2, E) ints (row 0
        sources j, row 1 targets i) or a Graph (its ``edge_attr`` is used with ``edge_dim``
        when none is given). edge_attr: (E, D), only with ``edge_dim``.
    Returns:
        (N, H·C) or (N, C); with ``return_attention_weights=True`` also ``(edge_index, alpha)``,
        alpha (E, H) before dropout (as PyG), a Tensor to read, not to differentiate.
    Raises:
        ValueError naming the argument: bad sizes or dropout, a bad x, edge features without
        ``edge_dim`` (PyG would fail inside its message), or edge_attr of the wrong shape.

    Example:
        >>> conv = TransformerConv(4, 8, heads=2, rng=0)
        >>> conv(np.ones((3, 4), np.float32), np.array([[0, 1], [1, 2]])).shape
        (3, 16)
    """

    def __init__(self, in_channels: int, out_channels: int, heads: int = 1, concat: bool = True,
                 beta: bool = False, dropout: float = 0.0, edge_dim: int | None = None,
                 bias: bool = True, root_weight: bool = True, *, rng: init.RngLike = None,
                 dtype: Any = np.float32):
        self.in_channels = _positive_int("in_channels", in_channels)
        self.out_channels = _positive_int("out_channels", out_channels)
        self.heads = _positive_int("heads", heads)
        if edge_dim is not None:
            edge_dim = _positive_int("edge_dim", edge_dim)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"TransformerConv: dropout must lie in [0, 1), got {dropout}")
        self.concat, self.root_weight = bool(concat), bool(root_weight)
        self.beta = bool(beta) and self.root_weight
        self.dropout, self.edge_dim = float(dropout), edge_dim
        self.rng = init.make_rng(rng)
        hc = self.heads * self.out_channels
        total = hc if self.concat else self.out_channels
        f = self.in_channels
        self.lin_key = Linear(f, hc, bias=bias, rng=self.rng, dtype=dtype)
        self.lin_query = Linear(f, hc, bias=bias, rng=self.rng, dtype=dtype)
        self.lin_value = Linear(f, hc, bias=bias, rng=self.rng, dtype=dtype)
        self.lin_edge = (None if edge_dim is None
                         else Linear(edge_dim, hc, bias=False, rng=self.rng, dtype=dtype))
        self.lin_skip = Linear(f, total, bias=bias, rng=self.rng, dtype=dtype)
        self.lin_beta = (Linear(3 * total, 1, bias=False, rng=self.rng, dtype=dtype)
                         if self.beta else None)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """PyTorch's default initialisation of every Linear (as PyG)."""
        rng = self.rng if rng is None else init.make_rng(rng)
        for lin in (self.lin_key, self.lin_query, self.lin_value, self.lin_edge, self.lin_skip,
                    self.lin_beta):
            if lin is not None:
                lin.reset_parameters(rng)

    def forward(self, x: Any, edge_index: Any, edge_attr: Any = None,
                return_attention_weights: bool = False) -> Any:
        x = _check_x("TransformerConv", x, self.in_channels)
        n, heads, c = x.shape[0], self.heads, self.out_channels
        g = as_graph(edge_index, n)
        ea = self._edge_attr(edge_attr, edge_index, g, x)
        ag = cached(g, ("attention_graph", False), lambda: AttentionGraph(g.edge_index, n))
        q = M.reshape(self.lin_query(x), (n, heads, c)) * (1.0 / math.sqrt(c))  # (N, H, C)
        key = M.reshape(self.lin_key(x), (n, heads, c))
        value = M.reshape(self.lin_value(x), (n, heads, c))
        qe = w_e = None
        if ea is not None:
            w_e = M.reshape(self.lin_edge.weight, (heads, c, self.edge_dim))     # (H, C, D)
            # <q[i, k], W_e[k] e> = <W_e[k]ᵀ q[i, k], e>: (H, N, C) @ (H, C, D) -> (H, N, D)
            qe = M.transpose(M.matmul(M.transpose(q, (1, 0, 2)), w_e), (1, 0, 2))  # (N, H, D)
        out, alpha = edge_attention(q, key, value, ag, qe, ea, self.dropout, self.training,
                                    self.rng)                                # (N, H, C + D)
        if ea is not None:
            agg = M.transpose(M.getitem(out, (slice(None), slice(None), slice(c, None))),
                              (1, 0, 2))                                      # (H, N, D)
            out = M.getitem(out, (slice(None), slice(None), slice(0, c)))
            # Σ α W_e[k] e = W_e[k] Σ α e: (H, N, D) @ (H, D, C) -> (H, N, C)
            out = out + M.transpose(M.matmul(agg, M.transpose(w_e, (0, 2, 1))), (1, 0, 2))
        out = M.reshape(out, (n, heads * c)) if self.concat else M.mean(out, axis=1)
        if self.root_weight:
            r = self.lin_skip(x)
            if self.lin_beta is not None:
                b = F.sigmoid(self.lin_beta(M.concatenate([out, r, out - r], axis=-1)))
                out = b * r + (1 - b) * out
            else:
                out = out + r
        if return_attention_weights:
            return out, (g.edge_index, Tensor(alpha))
        return out

    def _edge_attr(self, edge_attr: Any, edge_index: Any, g: Graph, x: Any) -> Tensor | None:
        """The (E, D) edge features in x's dtype, or None; checked against the edges."""
        if edge_attr is None and isinstance(edge_index, Graph) and self.lin_edge is not None:
            edge_attr = edge_index.edge_attr
        if edge_attr is None:
            if self.lin_edge is not None:
                raise ValueError("TransformerConv: edge_attr is required with edge_dim: pass "
                                 "(E, edge_dim) edge features, or a Graph with edge_attr")
            return None
        if self.lin_edge is None:
            raise ValueError("TransformerConv: edge_attr was given but the layer has no edge "
                             "term; construct it with edge_dim=D to use (E, D) edge features")
        edge_attr = edge_features(edge_attr)
        if edge_attr.shape != (g.num_edges, self.edge_dim):
            raise ValueError(f"TransformerConv: edge_attr must have shape ({g.num_edges}, "
                             f"{self.edge_dim}) (one row per edge, edge_dim columns), got "
                             f"{edge_attr.shape}")
        dtype = self.lin_edge.weight.dtype
        return edge_attr if edge_attr.dtype == dtype else M.astype(edge_attr, dtype)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, heads={self.heads}, "
                f"concat={self.concat}, beta={self.beta}, edge_dim={self.edge_dim}")
