"""A GraphGPS model for graph classification: random-walk encodings, GPS layers, sum readout."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.io import register_model
from npgnn.models._base import PaperModel
from npgnn.nn import init
from npgnn.nn.activation import ReLU
from npgnn.nn.conv._structure import as_graph, cached
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.conv.gine import GINEConv
from npgnn.nn.conv.gps_conv import GPSConv
from npgnn.nn.linear import Linear
from npgnn.nn.module import Sequential
from npgnn.nn.norm import BatchNorm1d
from npgnn.nn.pool import global_add_pool
from npgnn.ops import math as M
from npgnn.transforms.add_random_walk_pe import random_walk_pe


@register_model("gps")
class GPS(PaperModel):
    """GraphGPS (Rampášek et al. 2022) for graph classification, shaped as PyG's
    ``examples/graph_gps.py``: node features to ``hidden - pe_dim`` channels and a random-walk
    encoding (``walk_length`` return probabilities, batch-normed) to ``pe_dim``, concatenated;
    ``num_layers`` :class:`~npgnn.nn.conv.gps_conv.GPSConv` layers whose local layer is a
    GINEConv (with ``edge_dim``) or a GINConv; a sum readout and a two-layer MLP head.

    The encoding is computed from each batch's edges inside the forward (a walk never leaves
    its graph, so this equals the per-graph transform) and cached on the batch Graph.

    Forward: ``model(x, edge_index, batch, num_graphs, edge_attr=None)`` → (G, C) logits.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int = 64,
                 num_layers: int = 3, heads: int = 4, dropout: float = 0.1, walk_length: int = 8,
                 pe_dim: int = 8, edge_dim: int | None = None, seed: int | None = None):
        if hidden_channels <= pe_dim or hidden_channels % heads:
            raise ValueError(f"GPS: hidden_channels={hidden_channels} must exceed pe_dim={pe_dim} "
                             f"and divide by heads={heads}")
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           hidden_channels=hidden_channels, num_layers=num_layers, heads=heads,
                           dropout=dropout, walk_length=walk_length, pe_dim=pe_dim,
                           edge_dim=edge_dim, seed=seed)
        self.rng = init.make_rng(seed)
        h = hidden_channels
        self.walk_length = walk_length
        self.node_lin = Linear(in_channels, h - pe_dim, rng=self.rng)
        self.pe_norm = BatchNorm1d(walk_length)
        self.pe_lin = Linear(walk_length, pe_dim, rng=self.rng)

        def local() -> Any:
            nn = Sequential(Linear(h, h, rng=self.rng), ReLU(), Linear(h, h, rng=self.rng))
            return GINConv(nn) if edge_dim is None else GINEConv(nn, edge_dim=edge_dim, rng=self.rng)

        self.convs = [GPSConv(h, local(), heads=heads, dropout=dropout, rng=self.rng)
                      for _ in range(num_layers)]
        self.head = Sequential(Linear(h, h // 2, rng=self.rng), ReLU(),
                               Linear(h // 2, out_channels, rng=self.rng))
        self.edge_dim = edge_dim

    def forward(self, x: Any, edge_index: Any, batch: Any = None, num_graphs: int | None = None,
                edge_attr: Any = None) -> Tensor:
        x = as_tensor(x)
        g = as_graph(edge_index, x.shape[0])
        pe = cached(g, ("random_walk_pe", self.walk_length),
                    lambda: random_walk_pe(g.edge_index, g.num_nodes, self.walk_length))
        pe = self.pe_lin(self.pe_norm(pe.astype(x.dtype)))
        h = M.concatenate([self.node_lin(x), pe], axis=-1)
        kwargs = {} if self.edge_dim is None else {"edge_attr": edge_attr}
        for conv in self.convs:
            h = conv(h, edge_index, batch, **kwargs)
        pooled = global_add_pool(h, batch, num_graphs)
        return self.head(pooled)
