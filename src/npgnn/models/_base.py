"""What the ready-made models share: a saved config, weight-decay groups, stacked conv layers."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.models._features import feature_dropout
from npgnn.nn.module import Module
from npgnn.ops import nn as F


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


def stacked_forward(model: Any, convs: Sequence[Module], x: Any, edge_index: Any,
                    return_hidden: bool) -> Any:
    """dropout → conv → ReLU for each layer but the last (dropout → conv): GCN's and SAGE's body.

    Returns the logits, and with ``return_hidden`` also the last hidden representation.
    """
    hidden: Tensor | None = None
    for k, conv in enumerate(convs):
        x = feature_dropout(x, model.dropout, model.training, model.rng)
        x = conv(x, edge_index)
        if k < len(convs) - 1:
            x = hidden = F.relu(x)
    return (x, hidden) if return_hidden else x


def layer_sizes(in_channels: int, hidden_channels: int, out_channels: int, num_layers: int) -> list[int]:
    """[in, hidden, ..., hidden, out] for ``num_layers`` layers."""
    if num_layers < 1:
        raise ValueError(f"num_layers must be >= 1, got {num_layers}")
    return [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
