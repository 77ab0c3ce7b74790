"""GIN with edge features (GINE, Hu et al. 2020) for graph classification, in GIN's setup."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.io import register_model
from npgnn.models.gin import GIN
from npgnn.nn.conv.gine import GINEConv
from npgnn.nn.mlp import MLP
from npgnn.ops import nn as F


@register_model("gine")
class GINE(GIN):
    """:class:`~npgnn.models.gin.GIN` with each GIN layer a :class:`~npgnn.nn.conv.gine.GINEConv`:
    messages ReLU(h_j + lin(e_ji)), with the (E, edge_dim) edge features projected to each
    layer's input width. Everything else (MLPs with batch norm, readout summed over all
    layers, dropout, the paper's optimiser settings) is GIN's, so GINE against GIN measures
    what the edge features add.

    Args: as GIN, plus ``edge_dim``: D, the width of the graphs' ``edge_attr`` (e.g. MUTAG's 4
    one-hot bond types).

    Forward: ``model(x, edge_index, batch, num_graphs, edge_attr=None)`` → (G, C) logits;
    ``edge_index`` a batched Graph carries its own ``edge_attr``.
    """

    def __init__(self, in_channels: int, out_channels: int, edge_dim: int, hidden_channels: int = 32,
                 num_layers: int = 5, dropout: float = 0.5, train_eps: bool = False,
                 seed: int | None = None):
        super().__init__(in_channels, out_channels, hidden_channels, num_layers, dropout,
                         train_eps, seed)
        self.config["edge_dim"] = edge_dim
        sizes = [in_channels] + [hidden_channels] * (num_layers - 1)
        self.convs = [
            GINEConv(MLP([a, hidden_channels, hidden_channels], norm="batch_norm", rng=self.rng),
                     train_eps=train_eps, edge_dim=edge_dim, rng=self.rng)
            for a in sizes[:-1]
        ]

    def forward(self, x: Any, edge_index: Any, batch: Any = None, num_graphs: int | None = None,
                edge_attr: Any = None) -> Tensor:
        h = x
        score = self._readout(0, h, batch, num_graphs)
        for k, (conv, norm) in enumerate(zip(self.convs, self.norms), start=1):
            h = F.relu(norm(conv(h, edge_index, edge_attr)))
            score = score + self._readout(k, h, batch, num_graphs)
        return score
