"""Kipf & Welling's two-layer GCN for node classification (ICLR 2017)."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.io import register_model
from npgnn.models._base import PaperModel, layer_sizes, stacked_forward
from npgnn.nn import init
from npgnn.nn.conv.gcn import GCNConv


@register_model("gcn")
class GCN(PaperModel):
    """dropout → GCNConv → ReLU → dropout → GCNConv, giving class logits.

    Paper defaults: hidden 16, dropout 0.5 on the input (sparse dropout) and hidden features,
    Glorot initialisation; L2 weight decay on the first layer only (see :meth:`param_groups`).

    Args:
        in_channels, out_channels: feature and class counts. hidden_channels: width.
        num_layers: GCNConv layers (2 in the paper). dropout: drop probability.
        seed: seeds the initial weights and the dropout masks (deterministic runs).
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 16,
                 num_layers: int = 2, dropout: float = 0.5, seed: int | None = None):
        sizes = layer_sizes(in_channels, hidden_channels, out_channels, num_layers)
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, num_layers=num_layers,
                           dropout=dropout, seed=seed)
        self.rng = init.make_rng(seed)
        self.convs = [GCNConv(a, b, rng=self.rng) for a, b in zip(sizes[:-1], sizes[1:])]
        self.dropout = dropout

    def forward(self, x: Any, edge_index: Any, return_hidden: bool = False) -> Tensor:
        """Logits (N, C); with ``return_hidden`` also the last hidden representation (N, hidden)."""
        return stacked_forward(self, self.convs, x, edge_index, return_hidden)

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        """The paper's L2 regularisation: weight decay on the first layer only."""
        first = list(self.convs[0].parameters())
        rest = [p for c in self.convs[1:] for p in c.parameters()]
        return [{"params": first, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]
