"""Xu et al.'s Graph Isomorphism Network for graph classification (ICLR 2019)."""
from __future__ import annotations

from typing import Any

from npgnn._validate import check_probability, check_seed, check_size
from npgnn.autodiff.tensor import Tensor
from npgnn.io import register_model
from npgnn.models._base import PaperModel, check_sizes
from npgnn.models._gin_fused import edge_arrays, fused_plan, gin_block, graph_ids, sum_readout
from npgnn.nn import init
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.linear import Linear
from npgnn.nn.mlp import MLP
from npgnn.nn.norm import BatchNorm1d
from npgnn.nn.pool import global_add_pool
from npgnn.ops import nn as F


@register_model("gin")
class GIN(PaperModel):
    """GIN-0: ``num_layers − 1`` GIN layers, each ``ReLU(BN(MLP((1 + ε) h_i + Σ_j h_j)))`` with a
    2-layer MLP (Linear → BN → ReLU → Linear), and a readout summed over all layers, the input
    included: ``score = Σ_k dropout(Linear_k(Σ_{nodes} h^k))``.

    Paper setup: 5 layers counting the input, hidden 16 or 32 (bio) / 64 (social), ε = 0 fixed
    (GIN-0), sum pooling, Adam lr 0.01 halved every 50 epochs.

    Forward: ``model(x, edge_index, batch, num_graphs)`` → (G, C) logits; ``edge_index`` a
    (2, E) integer array or a Graph, ``batch`` the (N,) graph id of each node or a batched
    Graph, as PyG's ``global_add_pool`` takes it.

    Each GIN layer (aggregation, Linear, BatchNorm, ReLU, Linear, BatchNorm, ReLU) runs as one
    fused op and the readout of all layers as another (:mod:`npgnn.ops.gin`: the same function,
    the same running-statistics updates and dropout draws as the modules run one by one, with
    far less per-op overhead on small-graph mini-batches). Sparse features, a one-node training batch, or layers
    replaced after construction take the composed path (``_composed_forward``).

    PyG's ``GIN(in_channels, hidden_channels, num_layers, out_channels=None, ...)`` (node
    embeddings, no readout; pool them yourself) is :class:`npgnn.nn.models.GIN`.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 32,
                 num_layers: int = 5, dropout: float = 0.5, train_eps: bool = False,
                 seed: int | None = None):
        in_channels, out_channels, hidden_channels = check_sizes(
            "GIN", in_channels=in_channels, out_channels=out_channels,
            hidden_channels=hidden_channels)
        num_layers = check_size("GIN", "num_layers (counting the input layer)", num_layers, minimum=2)
        dropout = check_probability("GIN", "dropout", dropout)
        seed = check_seed("GIN", "seed", seed)
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, num_layers=num_layers,
                           dropout=dropout, train_eps=train_eps, seed=seed)
        self.rng = init.make_rng(seed)
        self.dropout = dropout
        sizes = [in_channels] + [hidden_channels] * (num_layers - 1)
        self.convs = [
            GINConv(MLP([a, hidden_channels, hidden_channels], norm="batch_norm", rng=self.rng),
                    train_eps=train_eps)
            for a in sizes[:-1]
        ]
        self.norms = [BatchNorm1d(hidden_channels) for _ in self.convs]
        self.heads = [Linear(a, out_channels, rng=self.rng) for a in sizes]

    def forward(self, x: Any, edge_index: Any, batch: Any = None, num_graphs: int | None = None) -> Tensor:
        plan = fused_plan(self, x)
        if plan is None:
            return self._composed_forward(x, edge_index, batch, num_graphs)
        x = plan
        index, size = graph_ids(x, batch, num_graphs)
        src, dst = edge_arrays(edge_index, x.shape[0])
        hs = [x]
        for conv, norm in zip(self.convs, self.norms):
            hs.append(gin_block(hs[-1], src, dst, conv, norm))
        return sum_readout(hs, self.heads, index, size, self.dropout, self.training, self.rng)

    def _composed_forward(self, x: Any, edge_index: Any, batch: Any = None,
                          num_graphs: int | None = None) -> Tensor:
        """The same function op by op (GINConv, BatchNorm1d, relu, global_add_pool, Linear,
        dropout): the reference the fused ops are tested against, and the path for inputs
        the fused ops do not take (sparse features, a single node in training)."""
        h = x
        score = self._readout(0, h, batch, num_graphs)
        for k, (conv, norm) in enumerate(zip(self.convs, self.norms), start=1):
            h = F.relu(norm(conv(h, edge_index)))
            score = score + self._readout(k, h, batch, num_graphs)
        return score

    def _readout(self, k: int, h: Any, batch: Any, num_graphs: int | None) -> Tensor:
        pooled = global_add_pool(h, batch, num_graphs)                   # (G, hidden)
        return F.dropout(self.heads[k](pooled), self.dropout, self.training, self.rng)
