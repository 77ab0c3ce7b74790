"""What the ready-made models share: a saved config, weight-decay groups, stacked conv layers."""
from __future__ import annotations

from typing import Any

from npgnn._validate import check_probability, check_seed, check_size
from npgnn.autodiff.tensor import Tensor
from npgnn.models._features import feature_dropout
from npgnn.nn import init
from npgnn.nn.models.trimmed import trimmed_conv
from npgnn.nn.module import Module
from npgnn.ops import nn as F
from npgnn.utils.trim_to_layer import Trimming, edge_array


def check_sizes(owner: str, **sizes: Any) -> list[int]:
    """Each keyword checked as a positive int (``npgnn._validate.check_size``), in order."""
    return [check_size(owner, name, value) for name, value in sizes.items()]


class PaperModel(Module):
    """Base of the models in ``npgnn.models``: ``self.config`` holds the constructor's arguments
    (what ``npgnn.save`` stores), and every parameter takes the same weight decay unless a model
    says otherwise (GCN decays its first layer only)."""

    config: dict[str, Any]

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        """Parameter groups for an optimizer, with the paper's weight decay."""
        return [{"params": list(self.parameters()), "weight_decay": weight_decay}]


class StackedConvModel(PaperModel):
    """``num_layers`` graph convolutions of class ``conv``: dropout → conv → ReLU for each layer
    but the last, which is dropout → conv (GCN's and GraphSAGE's body)."""

    conv: type[Module]

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int,
                 num_layers: int, dropout: float, seed: int | None):
        name = type(self).__name__
        in_channels, out_channels, hidden_channels, num_layers = check_sizes(
            name, in_channels=in_channels, out_channels=out_channels,
            hidden_channels=hidden_channels, num_layers=num_layers)
        dropout = check_probability(name, "dropout", dropout)
        seed = check_seed(name, "seed", seed)
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, num_layers=num_layers,
                           dropout=dropout, seed=seed)
        self.rng = init.make_rng(seed)
        sizes = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = [self.conv(a, b, rng=self.rng) for a, b in zip(sizes[:-1], sizes[1:])]
        self.dropout = dropout

    def forward(self, x: Any, edge_index: Any, return_hidden: bool = False,
                num_sampled_nodes_per_hop: Any = None,
                num_sampled_edges_per_hop: Any = None) -> Any:
        """Logits (N, C); with ``return_hidden`` also the last hidden representation. With a
        ``NeighborLoader`` batch's ``num_sampled_nodes`` / ``num_sampled_edges`` as the per-hop
        counts, each layer runs on the nodes and edges it needs (``BasicGNN``'s trimming): the
        logits then have the rows of the seeds and their 1-hop nodes."""
        trim = None
        if num_sampled_nodes_per_hop is not None or num_sampled_edges_per_hop is not None:
            trim = Trimming(type(self).__name__, len(self.convs), num_sampled_nodes_per_hop,
                            num_sampled_edges_per_hop, x.shape[0],
                            edge_array(edge_index).shape[1])
        hidden: Tensor | None = None
        for k, conv in enumerate(self.convs):
            x = feature_dropout(x, self.dropout, self.training, self.rng)
            if trim is None:
                x = conv(x, edge_index)
            else:
                x, edge_index, _ = trimmed_conv(trim, k, conv, x, edge_index, {},
                                                rows_only=True)
            if k < len(self.convs) - 1:
                x = hidden = F.relu(x)
        return (x, hidden) if return_hidden else x
