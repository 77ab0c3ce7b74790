"""PyG's models with PyG's signatures (``torch_geometric.nn.models``): the ``BasicGNN`` family
(GCN, GraphSAGE, GIN, GAT, EdgeCNN), ``MLP``, ``JumpingKnowledge``, and the graph auto-encoders
(``GAE``, ``VGAE``, their decoders).

The paper models behind the CLI (with the papers' defaults, saved and loaded by ``npgnn.save`` /
``npgnn.load``) are in :mod:`npgnn.models`; their signatures differ (see their docstrings).
"""
from npgnn.nn.mlp import MLP
from npgnn.nn.models.autoencoder import GAE, VGAE, InnerProductDecoder, MLPDecoder
from npgnn.nn.models.basic_gnn import GAT, GCN, GIN, BasicGNN, EdgeCNN, GraphSAGE
from npgnn.nn.models.jumping_knowledge import JumpingKnowledge

__all__ = [
           "GAE",
           "GAT",
           "GCN",
           "GIN",
           "MLP",
           "VGAE",
           "BasicGNN",
           "EdgeCNN",
           "GraphSAGE",
           "InnerProductDecoder",
           "JumpingKnowledge",
           "MLPDecoder",
]
