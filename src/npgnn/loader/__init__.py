"""Loaders of mini-batches (PyG's ``torch_geometric.loader``)."""
from npgnn.graph.loader import DataLoader
from npgnn.loader.neighbor_loader import NeighborLoader

__all__ = ["DataLoader", "NeighborLoader"]
