"""Graphs: the record, conversions, transforms and batching."""
from npgnn.graph.batch import Batch, unbatch
from npgnn.graph.convert import (
    from_dense_adjacency,
    from_networkx,
    from_pyg,
    from_scipy_sparse,
    to_dense_adjacency,
    to_networkx,
    to_pyg,
    to_scipy_sparse,
)
from npgnn.graph.graph import DEFAULT_WEIGHT_DTYPE, Graph
from npgnn.graph.loader import DataLoader
from npgnn.graph.transforms import (
    add_self_loops,
    coalesce,
    gcn_norm,
    normalize_features,
    remove_self_loops,
    to_undirected,
)

__all__ = [
    "DEFAULT_WEIGHT_DTYPE",
    "Batch",
    "DataLoader",
    "Graph",
    "add_self_loops",
    "coalesce",
    "from_dense_adjacency",
    "from_networkx",
    "from_pyg",
    "from_scipy_sparse",
    "gcn_norm",
    "normalize_features",
    "remove_self_loops",
    "to_dense_adjacency",
    "to_networkx",
    "to_pyg",
    "to_scipy_sparse",
    "to_undirected",
    "unbatch",
]
