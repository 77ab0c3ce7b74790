"""PyG's models with PyG's signatures (``torch_geometric.nn.models``): the ``BasicGNN`` family,
``MLP`` and ``JumpingKnowledge``.

The paper models behind the CLI (with the papers' defaults, saved and loaded by ``npgnn.save`` /
``npgnn.load``) are in :mod:`npgnn.models`; their signatures differ (see their docstrings).
"""
from npgnn.nn.mlp import MLP
from npgnn.nn.models.basic_gnn import GAT, GCN, GIN, BasicGNN, GraphSAGE
from npgnn.nn.models.jumping_knowledge import JumpingKnowledge

__all__ = ["GAT", "GCN", "GIN", "BasicGNN", "GraphSAGE", "JumpingKnowledge", "MLP"]
