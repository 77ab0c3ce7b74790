"""Ready-made models with the papers' hyperparameters; each is savable with ``npgnn.save``."""
from npgnn.models.gat import GAT
from npgnn.models.gcn import GCN
from npgnn.models.gin import GIN
from npgnn.models.mlp import MLPClassifier
from npgnn.models.sage import GraphSAGE

__all__ = ["GAT", "GCN", "GIN", "GraphSAGE", "MLPClassifier"]
