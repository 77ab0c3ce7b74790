"""GraphSAGE (Hamilton et al., 2017) with mean aggregation, for node classification."""
from __future__ import annotations

from npgnn.io import register_model
from npgnn.models._base import StackedConvModel
from npgnn.nn.conv.sage import SAGEConv


@register_model("sage")
class GraphSAGE(StackedConvModel):
    """dropout → SAGEConv(mean) → ReLU → dropout → SAGEConv(mean), giving class logits."""

    conv = SAGEConv

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 64,
                 num_layers: int = 2, dropout: float = 0.5, seed: int | None = None):
        super().__init__(in_channels, out_channels, hidden_channels, num_layers, dropout, seed)
