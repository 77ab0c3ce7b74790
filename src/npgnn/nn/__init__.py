"""Modules: the base class, parameters, and layers (``from npgnn.nn import GCNConv`` as in PyG)."""
from npgnn.nn.activation import ELU, GELU, Dropout, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from npgnn.nn.linear import Linear
from npgnn.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from npgnn.nn.module import Module, ModuleList, Parameter, Sequential

# isort: off -- layers after the base classes they build on
from npgnn.nn.attention import Attention, AttentionWeight, MultiHeadAttention
from npgnn.nn.conv import (
    EdgeConv, GATConv, GATv2Conv, GCN2Conv, GCNConv, GINConv, MessagePassing, SAGEConv,
)
from npgnn.nn.layer_norm import LayerNorm
from npgnn.nn.mlp import MLP
from npgnn.nn.norm import BatchNorm, BatchNorm1d
from npgnn.nn.models import (
    GAE, GAT, GCN, GIN, VGAE, EdgeCNN, GraphSAGE, InnerProductDecoder, JumpingKnowledge, MLPDecoder,
)
from npgnn.nn.pool import global_add_pool, global_max_pool, global_mean_pool
from npgnn.nn import functional
# isort: on

__all__ = [
    "ELU",
    "GELU",
    "GAE",
    "GAT",
    "GCN",
    "GIN",
    "MLP",
    "VGAE",
    "Attention",
    "AttentionWeight",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "EdgeCNN",
    "EdgeConv",
    "GATConv",
    "GATv2Conv",
    "GCN2Conv",
    "GCNConv",
    "GINConv",
    "GraphSAGE",
    "InnerProductDecoder",
    "JumpingKnowledge",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MLPDecoder",
    "MSELoss",
    "MessagePassing",
    "Module",
    "ModuleList",
    "MultiHeadAttention",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "SAGEConv",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "global_add_pool",
    "global_max_pool",
    "global_mean_pool",
]
