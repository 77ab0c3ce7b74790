"""GraphSAGE (Hamilton et al., 2017) with mean aggregation, for node classification."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.io import register_model
from npgnn.models._base import PaperModel, layer_sizes, stacked_forward
from npgnn.nn import init
from npgnn.nn.conv.sage import SAGEConv


@register_model("sage")
class GraphSAGE(PaperModel):
    """dropout → SAGEConv(mean) → ReLU → dropout → SAGEConv(mean), giving class logits."""

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 64,
                 num_layers: int = 2, dropout: float = 0.5, seed: int | None = None):
        sizes = layer_sizes(in_channels, hidden_channels, out_channels, num_layers)
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, num_layers=num_layers,
                           dropout=dropout, seed=seed)
        self.rng = init.make_rng(seed)
        self.convs = [SAGEConv(a, b, rng=self.rng) for a, b in zip(sizes[:-1], sizes[1:])]
        self.dropout = dropout

    def forward(self, x: Any, edge_index: Any, return_hidden: bool = False) -> Tensor:
        """Logits (N, C); with ``return_hidden`` also the last hidden representation."""
        return stacked_forward(self, self.convs, x, edge_index, return_hidden)
