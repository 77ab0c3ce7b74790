"""Ready-made models with the papers' hyperparameters (what ``npgnn train --model`` builds); each
is savable with ``npgnn.save``.

These are not PyG's models: their signatures are ``(in_channels, out_channels, hidden_channels=...,
...)`` with the papers' defaults, and their layer order follows the papers (input dropout before
every convolution, GAT's separate output heads, GIN's readout over every layer). PyG's
``torch_geometric.nn.models.GCN / GraphSAGE / GIN / GAT / MLP``, with PyG's signatures
``(in_channels, hidden_channels, num_layers, out_channels=None, ...)`` and parameter names, are
:mod:`npgnn.nn.models` (also importable from :mod:`npgnn.nn`). A ported PyG script wants those.
"""
from npgnn.models.gae import GCNEncoder
from npgnn.models.gat import GAT
from npgnn.models.gcn import GCN
from npgnn.models.gin import GIN
from npgnn.models.gine import GINE
from npgnn.models.gps import GPS
from npgnn.models.mlp import MLPClassifier
from npgnn.models.sage import GraphSAGE

__all__ = ["GAT", "GCN", "GCNEncoder", "GIN", "GINE", "GPS", "GraphSAGE", "MLPClassifier"]
