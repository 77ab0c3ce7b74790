"""Veličković et al.'s two-layer GAT for node classification (ICLR 2018)."""
from __future__ import annotations

from typing import Any

from npgnn._validate import check_probability, check_seed
from npgnn.autodiff.tensor import Tensor
from npgnn.io import register_model
from npgnn.models._base import PaperModel, check_sizes
from npgnn.models._features import feature_dropout
from npgnn.nn import init
from npgnn.nn.conv.gat import GATConv
from npgnn.ops import nn as F


@register_model("gat")
class GAT(PaperModel):
    """dropout → GATConv (heads × hidden, concat) → ELU → dropout → GATConv (out_heads, mean).

    Paper defaults (Cora, CiteSeer): 8 heads × 8 hidden, 1 output head, dropout 0.6 on the inputs
    of both layers and on the attention coefficients, L2 5e-4 on all weights, Adam lr 0.005.

    PyG's ``GAT(in_channels, hidden_channels, num_layers, out_channels=None, v2=False,
    heads=1, ...)`` (every layer with the same heads, no input dropout) is
    :class:`npgnn.nn.models.GAT`; note the different argument order.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 8,
                 heads: int = 8, out_heads: int = 1, dropout: float = 0.6, seed: int | None = None):
        in_channels, out_channels, hidden_channels, heads, out_heads = check_sizes(
            "GAT", in_channels=in_channels, out_channels=out_channels,
            hidden_channels=hidden_channels, heads=heads, out_heads=out_heads)
        dropout = check_probability("GAT", "dropout", dropout)
        seed = check_seed("GAT", "seed", seed)
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, heads=heads, out_heads=out_heads,
                           dropout=dropout, seed=seed)
        self.rng = init.make_rng(seed)
        self.dropout = dropout
        self.conv1 = GATConv(in_channels, hidden_channels, heads=heads, dropout=dropout, rng=self.rng)
        self.conv2 = GATConv(hidden_channels * heads, out_channels, heads=out_heads, concat=False,
                             dropout=dropout, rng=self.rng)

    def forward(self, x: Any, edge_index: Any, return_hidden: bool = False) -> Tensor:
        x = feature_dropout(x, self.dropout, self.training, self.rng)
        hidden = F.elu(self.conv1(x, edge_index))
        x = feature_dropout(hidden, self.dropout, self.training, self.rng)
        out = self.conv2(x, edge_index)
        return (out, hidden) if return_hidden else out
