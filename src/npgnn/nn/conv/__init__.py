"""Graph convolution layers with PyTorch Geometric's names, arguments and parameter layouts."""
from npgnn.nn.conv.edge_conv import EdgeConv
from npgnn.nn.conv.gat import GATConv
from npgnn.nn.conv.gatv2 import GATv2Conv
from npgnn.nn.conv.gcn import GCNConv
from npgnn.nn.conv.gcn2_conv import GCN2Conv
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.conv.gine import GINEConv
from npgnn.nn.conv.gps_conv import GPSConv
from npgnn.nn.conv.message_passing import MessagePassing
from npgnn.nn.conv.sage import SAGEConv
from npgnn.nn.conv.transformer_conv import TransformerConv

__all__ = [
    "EdgeConv", "GATConv", "GATv2Conv", "GCN2Conv", "GCNConv", "GINConv", "GINEConv", "GPSConv",
    "MessagePassing", "SAGEConv", "TransformerConv",
]
