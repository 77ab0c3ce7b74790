"""GraphSAGE (Hamilton et al., 2017) with mean aggregation, for node classification."""
from __future__ import annotations

from npgnn.io import register_model
from npgnn.models._base import StackedConvModel
from npgnn.nn.conv.sage import SAGEConv


@register_model("sage")
class GraphSAGE(StackedConvModel):
    """dropout → SAGEConv(mean) → ReLU → dropout → SAGEConv(mean), giving class logits.

    Not PyG's ``GraphSAGE``: the name is shared but the signature is not. Here the second
    argument is the number of classes, ``GraphSAGE(in_channels, out_channels, hidden_channels=64,
    num_layers=2, dropout=0.5, seed=None)``, and dropout comes before every convolution (the
    paper's setup for ``npgnn train --model sage``). PyG's ``GraphSAGE(in_channels,
    hidden_channels, num_layers, out_channels=None, dropout=0.0, act='relu', norm=None,
    jk=None, **kwargs)`` (conv → act → dropout) is :class:`npgnn.nn.models.GraphSAGE`; a call
    such as ``GraphSAGE(1433, 64, 2)`` means different models in the two classes, so use
    ``from npgnn.nn.models import GraphSAGE`` when porting PyG code.

    Args:
        in_channels, out_channels: feature and class counts. hidden_channels: width.
        num_layers: SAGEConv layers. dropout: drop probability.
        seed: seeds the initial weights and the dropout masks.
    """

    conv = SAGEConv

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 64,
                 num_layers: int = 2, dropout: float = 0.5, seed: int | None = None):
        super().__init__(in_channels, out_channels, hidden_channels, num_layers, dropout, seed)
