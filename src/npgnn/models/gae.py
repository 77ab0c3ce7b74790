"""The GCN encoder of Kipf & Welling's graph auto-encoders (NIPS BDL 2016), for ``npgnn.nn.GAE``
and ``npgnn.nn.VGAE``."""
from __future__ import annotations

from typing import Any

from npgnn.io import register_model
from npgnn.models._base import PaperModel
from npgnn.nn import init
from npgnn.nn.conv.gcn import GCNConv
from npgnn.ops import nn as F


@register_model("gae-encoder")
class GCNEncoder(PaperModel):
    """GCNConv(F, hidden) → ReLU → GCNConv(hidden, out): the paper's 32-16 encoder.

    With ``variational`` the second layer is two GCNConvs and ``forward`` returns (μ, log σ),
    what ``VGAE`` expects (the paper's VGAE encoder); else it returns Z (N, out).

    Args:
        in_channels: F. hidden_channels: 32 in the paper. out_channels: 16 in the paper.
        variational: two output heads (μ, log σ). seed: the Glorot initial weights.
    """

    def __init__(self, in_channels: int, hidden_channels: int = 32, out_channels: int = 16,
                 variational: bool = False, seed: int | None = None):
        self.config = dict(in_channels=in_channels, hidden_channels=hidden_channels,
                           out_channels=out_channels, variational=variational, seed=seed)
        rng = init.make_rng(seed)
        self.conv1 = GCNConv(in_channels, hidden_channels, rng=rng)
        self.conv_mu = GCNConv(hidden_channels, out_channels, rng=rng)
        self.variational = bool(variational)
        if self.variational:
            self.conv_logstd = GCNConv(hidden_channels, out_channels, rng=rng)

    def forward(self, x: Any, edge_index: Any) -> Any:
        h = F.relu(self.conv1(x, edge_index))
        mu = self.conv_mu(h, edge_index)
        return (mu, self.conv_logstd(h, edge_index)) if self.variational else mu
