"""Transforms with PyTorch Geometric's names and signatures: callables Graph -> new Graph.

``import torch_geometric.transforms as T`` ports as ``import npgnn.transforms as T``. Each
transform returns a new Graph (built with ``Graph.replace``) and never edits its input; its
docstring says where it differs from PyG.
"""
from npgnn.transforms.add_laplacian_eigenvector_pe import AddLaplacianEigenvectorPE
from npgnn.transforms.add_random_walk_pe import AddRandomWalkPE
from npgnn.transforms.base_transform import BaseTransform, Compose
from npgnn.transforms.edges import (
    AddSelfLoops,
    GCNNorm,
    RemoveSelfLoops,
    TargetIndegree,
    ToUndirected,
)
from npgnn.transforms.features import Constant, NormalizeFeatures, OneHotDegree
from npgnn.transforms.nodes import LargestConnectedComponents, RemoveIsolatedNodes
from npgnn.transforms.random_link_split import RandomLinkSplit
from npgnn.transforms.random_node_split import RandomNodeSplit

__all__ = [
    "AddLaplacianEigenvectorPE",
    "AddRandomWalkPE",
    "AddSelfLoops",
    "BaseTransform",
    "Compose",
    "Constant",
    "GCNNorm",
    "LargestConnectedComponents",
    "NormalizeFeatures",
    "OneHotDegree",
    "RandomLinkSplit",
    "RandomNodeSplit",
    "RemoveIsolatedNodes",
    "RemoveSelfLoops",
    "TargetIndegree",
    "ToUndirected",
]
