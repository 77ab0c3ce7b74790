"""Functions on ``edge_index`` arrays with PyTorch Geometric's names, signatures and semantics.

``from torch_geometric.utils import X`` ports as ``from npgnn.utils import X``. Inputs are
NumPy arrays (values may be npgnn Tensors: they stay differentiable); results are NumPy arrays,
or tuples where PyG returns tuples. Each function's docstring says where it differs from PyG.
"""
from npgnn.utils._args import MISSING
from npgnn.utils.blockmodel import degree_corrected_blockmodel_graph
from npgnn.utils.coalesce import coalesce, is_undirected, sort_edge_index, to_undirected
from npgnn.utils.convert import (
    from_networkx,
    from_scipy_sparse_matrix,
    to_networkx,
    to_scipy_sparse_matrix,
)
from npgnn.utils.degree import degree
from npgnn.utils.dense import dense_to_sparse, to_dense_adj
from npgnn.utils.dropout import dropout_edge
from npgnn.utils.isolated import contains_isolated_nodes, remove_isolated_nodes
from npgnn.utils.laplacian import get_laplacian
from npgnn.utils.loop import (
    add_remaining_self_loops,
    add_self_loops,
    contains_self_loops,
    remove_self_loops,
    segregate_self_loops,
)
from npgnn.utils.mask import index_to_mask, mask_to_index
from npgnn.utils.negative_sampling import batched_negative_sampling, negative_sampling
from npgnn.utils.scatter import scatter
from npgnn.utils.softmax import softmax
from npgnn.utils.subgraph import k_hop_subgraph, subgraph
from npgnn.utils.to_dense_batch import to_dense_batch
from npgnn.utils.trim_to_layer import trim_to_layer

__all__ = [
    "MISSING",
    "add_remaining_self_loops",
    "add_self_loops",
    "batched_negative_sampling",
    "coalesce",
    "contains_isolated_nodes",
    "contains_self_loops",
    "degree_corrected_blockmodel_graph",
    "degree",
    "dense_to_sparse",
    "dropout_edge",
    "from_networkx",
    "from_scipy_sparse_matrix",
    "get_laplacian",
    "index_to_mask",
    "is_undirected",
    "k_hop_subgraph",
    "mask_to_index",
    "negative_sampling",
    "remove_isolated_nodes",
    "remove_self_loops",
    "scatter",
    "segregate_self_loops",
    "softmax",
    "sort_edge_index",
    "trim_to_layer",
    "subgraph",
    "to_dense_adj",
    "to_networkx",
    "to_scipy_sparse_matrix",
    "to_undirected",
    "to_dense_batch",
]