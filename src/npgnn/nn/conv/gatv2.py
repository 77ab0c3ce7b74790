"""``GATv2Conv``: dynamic graph attention (Brody et al. 2022), with PyG 2.8.1's semantics."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.nn import init
from npgnn.nn.conv._structure import cached
from npgnn.nn.conv.gat import (
    FillValue,
    _add_output_layers,
    _attention_inputs,
    _finish,
    _set_options,
    edge_attr_with_loops,
)
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module, Parameter
from npgnn.ops import math as M
from npgnn.ops.gat import AttentionGraph
from npgnn.ops.gatv2 import gatv2_attention


class GATv2Conv(Module):
    r"""GATv2 layer: attention scored after the nonlinearity; the same function as PyG's GATv2Conv.

    For every head k (H heads of C channels), with x_l = lin_l(x), x_r = lin_r(x) viewed as
    (N, H, C):

        e[ji, k] = Σ_c att[k, c] · LeakyReLU(x_l[j, k, c] + x_r[i, k, c] (+ lin_edge(e_ji)[k, c]))
        α[ji, k] = exp(e[ji, k]) / Σ_{j' -> i} exp(e[j'i, k])     (softmax over i's in-edges)
        out[i, k] = Σ_{j -> i} α[ji, k] x_l[j, k]                                    (N, H, C)

    then concatenation (N, H·C) or the mean over heads (N, C), plus ``res(x)`` and ``bias``.
    Unlike GAT the score is not a sum of two per-node scalars: the pre-activation is (E, H, C).
    The scores, softmax, dropout and aggregation run in one fused op
    (:func:`npgnn.ops.gatv2.gatv2_attention`) that forms each pre-activation on the fly, the
    edge term W_e e_ji included, and keeps only its sign (one bit) for the backward: nothing of
    size E·H·C is built, where PyG holds the projected edge features, the pre-activations and
    their gradients.

    Self-loops, dropout, edge features (``edge_dim``, ``fill_value``), ``residual`` and the call
    signature are as in :class:`~npgnn.nn.conv.gat.GATConv`.

    Args:
        in_channels, out_channels, heads, concat, negative_slope, dropout, add_self_loops,
        edge_dim, fill_value, residual, rng, dtype: as GATConv.
        bias: learn the biases of ``lin_l``/``lin_r`` and the output bias (PyG ties all three
            to this flag).
        share_weights: use one linear map for both sides (``lin_r`` is ``lin_l``).

    Parameters (PyG's names and shapes): ``lin_l.weight``, ``lin_r.weight`` (H·C, F) and their
    biases (H·C,); ``att`` (1, H, C); ``bias`` (H·C,) or (C,); ``lin_edge.weight`` (H·C, D)
    with ``edge_dim``; ``res.weight`` with ``residual``. With ``share_weights`` the shared map is
    listed once, as ``lin_l`` (PyG's ``state_dict`` also repeats it under ``lin_r``).
    Initialisation as PyG: Glorot-uniform weights and ``att``, U(±1/sqrt(F)) for the ``lin_l``/
    ``lin_r`` biases, zero output bias.

    Returns / Raises: as GATConv.

    Example:
        >>> conv = GATv2Conv(4, 8, heads=2, rng=0)
        >>> conv(np.ones((3, 4), dtype=np.float32), np.array([[0, 1], [1, 2]])).shape
        (3, 16)
    """

    def __init__(
        self, in_channels: int, out_channels: int, heads: int = 1, concat: bool = True,
        negative_slope: float = 0.2, dropout: float = 0.0, add_self_loops: bool = True,
        edge_dim: int | None = None, fill_value: FillValue = "mean", bias: bool = True,
        share_weights: bool = False, residual: bool = False, *, rng: init.RngLike = None,
        dtype: Any = np.float32,
    ):
        hc, total = _set_options(self, in_channels, out_channels, heads, concat, negative_slope,
                                 dropout, add_self_loops, edge_dim, fill_value, residual, rng)
        self.share_weights = bool(share_weights)
        self.lin_l = Linear(self.in_channels, hc, bias=bias, weight_init="glorot", dtype=dtype)
        self.lin_r = self.lin_l if share_weights else Linear(
            self.in_channels, hc, bias=bias, weight_init="glorot", dtype=dtype)
        self.att = Parameter(np.zeros((1, self.heads, self.out_channels), dtype=dtype))
        self.lin_edge = None
        if edge_dim is not None:
            self.lin_edge = Linear(int(edge_dim), hc, bias=False, weight_init="glorot", dtype=dtype)
        _add_output_layers(self, total, residual, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Glorot weights and ``att``; PyG's U(±1/sqrt(F)) for the lin_l/lin_r biases; zero bias."""
        rng = self.rng if rng is None else init.make_rng(rng)
        lin_r = None if self.share_weights else self.lin_r
        for lin in (self.lin_l, lin_r, self.lin_edge, self.res):
            if lin is None:
                continue
            lin.reset_parameters(rng)
            if lin.bias is not None:
                bound = 1.0 / math.sqrt(lin.in_features)
                lin.bias.data[...] = rng.uniform(-bound, bound, lin.bias.shape)
        self.att.data[...] = init.glorot_uniform(self.att.shape, rng, self.att.dtype)
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(
        self, x: Any, edge_index: Any, edge_attr: Any = None,
        return_attention_weights: bool = False,
    ) -> Tensor | tuple[Tensor, tuple[np.ndarray, Tensor]]:
        x, g, st, edge_attr = _attention_inputs(self, x, edge_index, edge_attr)
        n, heads, c = x.shape[0], self.heads, self.out_channels

        x_l = M.reshape(self.lin_l(x), (n, heads, c))                       # (N, H, C)
        x_r = x_l if self.share_weights else M.reshape(self.lin_r(x), (n, heads, c))
        ea = w_e = None
        if edge_attr is not None:
            ea = edge_attr_with_loops(edge_attr, st, self.fill_value)       # (E', D), sorted
            w_e = self.lin_edge.weight                                      # (H·C, D)
        # the structure's edges are grouped by target: the fused op's graph over them needs no
        # reordering of ea, and its alpha comes back in the sorted order (the graph is shared
        # with GATConv's)
        ag = cached(g, ("attention_graph_sorted", self.add_self_loops),
                    lambda: AttentionGraph(st.sorted_index, n))
        out, alpha = gatv2_attention(x_l, x_r, self.att, ag, self.negative_slope, self.dropout,
                                     self.training, self.rng, edge_attr=ea, edge_weight=w_e)
        weights = (st.edge_index, st.in_input_order(Tensor(alpha))) if return_attention_weights else None
        return _finish(self, out, x, n, weights)

    @property
    def _pyg_aliases(self) -> dict[str, str]:
        """PyG lists a shared map twice (``lin_l.*`` and ``lin_r.*``); npgnn holds it once."""
        return {"lin_r": "lin_l"} if self.share_weights else {}

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, heads={self.heads}, "
                f"concat={self.concat}, share_weights={self.share_weights}, "
                f"add_self_loops={self.add_self_loops}")
