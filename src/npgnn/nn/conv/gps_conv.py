"""``GPSConv``: one layer of the GraphGPS graph transformer (Rampášek et al. 2022), PyG's semantics."""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph
from npgnn.nn import init
from npgnn.nn.activation import Dropout
from npgnn.nn.attention import MultiHeadAttention
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module, Sequential
from npgnn.nn.resolver import activation_resolver, normalization_resolver
from npgnn.ops import nn as F
from npgnn.utils.to_dense_batch import dense_layout


class GPSConv(Module):
    r"""GraphGPS layer: local message passing plus global attention over each graph's nodes.

    With x (N, F = channels) and the graphs of a batch given by ``batch`` (Rampášek et al. 2022,
    "Recipe for a General, Powerful, Scalable Graph Transformer", eq. 2-4; PyG's ``GPSConv``):

        h_local  = norm1(dropout(conv(x, edge_index, **kwargs)) + x)          (if conv)
        h_global = norm2(dropout(MHA(x_b, x_b, x_b)) + x)    x_b: each graph's nodes only
        out      = norm3(h + mlp(h)),  h = h_local + h_global,
        mlp      = Linear(F, 2F) → act → Dropout → Linear(2F, F) → Dropout

    The global attention runs on the nodes padded per graph, (B, N_max, F) with a key padding
    mask (PyG's ``to_dense_batch``): memory O(B · heads · N_max²), never (ΣN)², and a node
    attends to the nodes of its own graph only.

    Args:
        channels: F. conv: the local layer (e.g. ``GINEConv``), called as ``conv(x,
            edge_index, **kwargs)`` and returning (N, F); or None (attention only).
        heads: attention heads (F must divide by it). dropout: after the conv, the attention
            and inside the MLP.
        act, act_kwargs: the MLP's activation (a name as PyG's resolver takes, or a Module).
            norm, norm_kwargs: 'batch_norm' (PyG's ``BatchNorm``), 'layer_norm' (given the
            batch, as PyG), a Module or None.
        attn_type: 'multihead' (torch's ``MultiheadAttention``; PyG's 'performer' is not
            supported). attn_kwargs: extra ``MultiHeadAttention`` arguments (e.g. dropout).
        rng: Generator or seed for the weights and dropout masks. dtype: parameters'.

    Parameters (PyG's names): ``conv.*``, ``attn.in_proj_weight`` (3F, F), ``attn.in_proj_bias``,
    ``attn.out_proj.*``, ``mlp.0.*`` (2F, F), ``mlp.3.*`` (F, 2F), ``norm{1,2,3}.module.*``.

    Call: ``gps(x, edge_index, batch=None, **kwargs)``: x (N, F); edge_index (2, E) or a Graph;
    batch (N,) graph ids (any order), a batched Graph, or None (one graph; a batched Graph
    passed as edge_index is used for it). kwargs go to ``conv`` (e.g. ``edge_attr``).
    Returns:
        (N, F).
    Raises:
        ValueError naming the argument for bad sizes, options or shapes.
    """

    def __init__(self, channels: int, conv: Module | None, heads: int = 1, dropout: float = 0.0,
                 act: Any = "relu", act_kwargs: dict | None = None, norm: str | None = "batch_norm",
                 norm_kwargs: dict | None = None, attn_type: str = "multihead",
                 attn_kwargs: dict | None = None, *, rng: init.RngLike = None,
                 dtype: Any = np.float32):
        if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) or channels < 1:
            raise ValueError(f"GPSConv: channels must be a positive int, got {channels!r}")
        if isinstance(heads, bool) or not isinstance(heads, (int, np.integer)) or heads < 1 \
                or channels % heads:
            raise ValueError(f"GPSConv: heads must be a positive divisor of channels={channels}, "
                             f"got {heads!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"GPSConv: dropout must lie in [0, 1), got {dropout}")
        if attn_type != "multihead":
            raise ValueError(f"GPSConv: attn_type must be 'multihead' (PyG's 'performer' is not "
                             f"supported), got {attn_type!r}")
        if conv is not None and not callable(conv):
            raise TypeError(f"GPSConv: conv must be a Module or None, got {type(conv).__name__}")
        self.channels, self.heads, self.dropout = int(channels), int(heads), float(dropout)
        self.attn_type = attn_type
        self.rng = init.make_rng(rng)
        c = self.channels
        self.conv = conv
        self.attn = MultiHeadAttention(c, self.heads, batch_first=True, rng=self.rng, dtype=dtype,
                                       **(attn_kwargs or {}))
        act_module = activation_resolver(act, where="GPSConv: ", **(act_kwargs or {}))
        self.mlp = Sequential(Linear(c, 2 * c, rng=self.rng, dtype=dtype), act_module,
                              Dropout(dropout, self.rng), Linear(2 * c, c, rng=self.rng, dtype=dtype),
                              Dropout(dropout, self.rng))
        self.norm1, self.norm2, self.norm3 = (
            normalization_resolver(norm, c, dtype=dtype, where="GPSConv: ", **(norm_kwargs or {}))
            for _ in range(3))
        # a graph-wise norm (LayerNorm(mode='graph')) is given the batch, as PyG does
        self.norm_with_batch = (self.norm1 is not None
                                and "batch" in inspect.signature(self.norm1.forward).parameters)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        rng = self.rng if rng is None else init.make_rng(rng)
        for m in (self.conv, self.attn, self.mlp[0], self.mlp[3], self.norm1, self.norm2, self.norm3):
            if m is not None and hasattr(m, "reset_parameters"):
                m.reset_parameters(rng)

    def forward(self, x: Any, edge_index: Any, batch: Any = None, **kwargs: Any) -> Tensor:
        x = as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.channels:
            raise ValueError(f"GPSConv: x must have shape (N, {self.channels}), got {x.shape}")
        hs = []
        if self.conv is not None:                                  # local message passing
            h = F.dropout(self.conv(x, edge_index, **kwargs), self.dropout, self.training, self.rng)
            h = h + x
            hs.append(self._norm(self.norm1, h, batch))
        if batch is None and getattr(edge_index, "batch", None) is not None:
            batch = edge_index                                     # a batched Graph knows its graphs
        layout = dense_layout(x.shape[0], batch)
        dense = layout.to_dense(x)                                 # (B, N_max, F)
        h, _ = self.attn(dense, dense, dense, key_padding_mask=~layout.mask, need_weights=False)
        h = F.dropout(layout.to_nodes(h), self.dropout, self.training, self.rng)   # (N, F)
        h = h + x
        hs.append(self._norm(self.norm2, h, batch))
        out = hs[0] if len(hs) == 1 else hs[0] + hs[1]
        out = out + self.mlp(out)
        return self._norm(self.norm3, out, batch)

    def _norm(self, norm: Module | None, h: Tensor, batch: Any) -> Tensor:
        if norm is None:
            return h
        if not self.norm_with_batch:
            return norm(h)
        if isinstance(batch, Graph):
            batch = batch.batch
        return norm(h, batch=batch)

    def __repr__(self) -> str:
        return (f"GPSConv({self.channels}, conv={self.conv}, heads={self.heads}, "
                f"attn_type={self.attn_type})")
