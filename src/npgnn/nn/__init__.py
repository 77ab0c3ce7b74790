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
from npgnn.nn.conv import GINEConv, TransformerConv, GPSConv
from npgnn.nn.rnn import LSTM
from npgnn.nn.aggr import AttentionalAggregation, MaxAggregation, MeanAggregation, Set2Set, SumAggregation
# isort: on

__all__ = [
    "Attention", "AttentionWeight", "AttentionalAggregation", "BCELoss", "BCEWithLogitsLoss",
    "BatchNorm", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "ELU", "EdgeCNN", "EdgeConv", "GAE",
    "GAT", "GATConv", "GATv2Conv", "GCN", "GCN2Conv", "GCNConv", "GELU", "GIN", "GINConv",
    "GINEConv", "GPSConv", "GraphSAGE", "InnerProductDecoder", "JumpingKnowledge", "L1Loss",
    "LSTM", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MLP", "MLPDecoder", "MSELoss",
    "MaxAggregation", "MeanAggregation", "MessagePassing", "Module", "ModuleList",
    "MultiHeadAttention", "NLLLoss", "Parameter", "ReLU", "SAGEConv", "Sequential", "Set2Set",
    "Sigmoid", "Softmax", "SumAggregation", "Tanh", "TransformerConv", "VGAE", "functional",
    "global_add_pool", "global_max_pool", "global_mean_pool",
]
