"""GraphSAGE (Hamilton et al., 2017) with mean aggregation, for node classification."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.io import register_model
from npgnn.models._features import feature_dropout
from npgnn.nn import init
from npgnn.nn.conv.sage import SAGEConv
from npgnn.nn.module import Module
from npgnn.ops import nn as F


@register_model("sage")
class GraphSAGE(Module):
    """SAGEConv(mean) → ReLU → dropout → SAGEConv(mean), giving class logits."""

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 64,
                 num_layers: int = 2, dropout: float = 0.5, seed: int | None = None):
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, num_layers=num_layers,
                           dropout=dropout, seed=seed)
        self.rng = init.make_rng(seed)
        sizes = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = [SAGEConv(a, b, rng=self.rng) for a, b in zip(sizes[:-1], sizes[1:])]
        self.dropout = dropout

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)

    def forward(self, x: Any, edge_index: Any, return_hidden: bool = False) -> Tensor:
        hidden = None
        for k, conv in enumerate(self.convs):
            x = feature_dropout(x, self.dropout, self.training, self.rng)
            x = conv(x, edge_index)
            if k < len(self.convs) - 1:
                x = hidden = F.relu(x)
        return (x, hidden) if return_hidden else x

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        return [{"params": list(self.parameters()), "weight_decay": weight_decay}]
