"""Loaders of mini-batches (PyG's ``torch_geometric.loader``)."""
from npgnn.graph.loader import DataLoader

__all__ = ["DataLoader"]
