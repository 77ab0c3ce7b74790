"""Kipf & Welling's two-layer GCN for node classification (ICLR 2017)."""
from __future__ import annotations

from typing import Any

from npgnn.io import register_model
from npgnn.models._base import StackedConvModel
from npgnn.nn.conv.gcn import GCNConv


@register_model("gcn")
class GCN(StackedConvModel):
    """dropout → GCNConv → ReLU → dropout → GCNConv, giving class logits.

    Paper defaults: hidden 16, dropout 0.5 on the input (sparse dropout) and hidden features,
    Glorot initialisation; L2 weight decay on the first layer only (see :meth:`param_groups`).

    Args:
        in_channels, out_channels: feature and class counts. hidden_channels: width.
        num_layers: GCNConv layers (2 in the paper). dropout: drop probability.
        seed: seeds the initial weights and the dropout masks (deterministic runs).

    PyG's ``GCN(in_channels, hidden_channels, num_layers, out_channels=None, ...)`` (conv → act
    → dropout, no input dropout) is :class:`npgnn.nn.models.GCN`; note the different argument
    order.
    """

    conv = GCNConv

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 16,
                 num_layers: int = 2, dropout: float = 0.5, seed: int | None = None):
        super().__init__(in_channels, out_channels, hidden_channels, num_layers, dropout, seed)

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        """The paper's L2 regularisation: weight decay on the first layer only."""
        first = list(self.convs[0].parameters())
        rest = [p for c in self.convs[1:] for p in c.parameters()]
        return [{"params": first, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]
