"""A graph-blind baseline: an MLP on node features alone."""
from __future__ import annotations

from typing import Any

from npgnn._validate import check_probability, check_seed
from npgnn.autodiff.tensor import Tensor
from npgnn.io import register_model
from npgnn.models._base import PaperModel, check_sizes
from npgnn.models._features import feature_dropout
from npgnn.nn import init
from npgnn.nn.linear import Linear
from npgnn.ops import nn as F


@register_model("mlp")
class MLPClassifier(PaperModel):
    """dropout → Linear → ReLU → dropout → Linear; ignores the edges (the baseline GNNs must beat).

    PyG's ``MLP(channel_list, ...)`` (with norms, per-layer dropout and PyG's parameter names) is
    :class:`npgnn.nn.MLP` (also ``npgnn.nn.models.MLP``).
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 64,
                 dropout: float = 0.5, seed: int | None = None):
        in_channels, out_channels, hidden_channels = check_sizes(
            "MLPClassifier", in_channels=in_channels, out_channels=out_channels,
            hidden_channels=hidden_channels)
        dropout = check_probability("MLPClassifier", "dropout", dropout)
        seed = check_seed("MLPClassifier", "seed", seed)
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, dropout=dropout, seed=seed)
        self.rng = init.make_rng(seed)
        self.lin1 = Linear(in_channels, hidden_channels, weight_init="glorot", rng=self.rng)
        self.lin2 = Linear(hidden_channels, out_channels, weight_init="glorot", rng=self.rng)
        self.dropout = dropout

    def forward(self, x: Any, edge_index: Any = None, return_hidden: bool = False) -> Tensor:
        x = feature_dropout(x, self.dropout, self.training, self.rng)
        hidden = F.relu(self.lin1(x))
        out = self.lin2(feature_dropout(hidden, self.dropout, self.training, self.rng))
        return (out, hidden) if return_hidden else out
