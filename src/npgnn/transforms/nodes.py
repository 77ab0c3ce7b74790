"""Node-removing transforms: RemoveIsolatedNodes, LargestConnectedComponents."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from npgnn.graph._checks import as_count
from npgnn.graph.graph import Graph
from npgnn.transforms._fields import keep_nodes
from npgnn.transforms.base_transform import BaseTransform


class RemoveIsolatedNodes(BaseTransform):
    """Drop the nodes on no edge and renumber the rest in id order (PyG's transform).

    Unlike ``npgnn.utils.remove_isolated_nodes``, and as PyG's transform, a node whose only edge
    is a self-loop is kept, and every edge stays. Node attributes (x, masks, node-level y,
    batch) are sliced; a batch's ``ptr`` is recomputed. O(E log E + N): the node attributes
    are O(N) by nature.
    """

    def forward(self, data: Graph) -> Graph:
        nodes = np.unique(data.edge_index)
        return keep_nodes(data, nodes, np.arange(data.num_edges))


class LargestConnectedComponents(BaseTransform):
    """Keep the ``num_components`` largest connected components (PyG's transform).

    Components are ``scipy.sparse.csgraph.connected_components`` with ``connection`` 'weak' or
    'strong'; ties in size are broken as PyG (NumPy's argsort of the counts). The kept nodes
    keep their order and the edges among them theirs. A graph with at most ``num_components``
    components is returned as is. O(N + E).

    Raises:
        ValueError: unknown ``connection``; ``num_components`` < 1.
    """

    def __init__(self, num_components: int = 1, connection: str = "weak"):
        if connection not in ("strong", "weak"):
            raise ValueError(f"connection: expected 'strong' or 'weak', got {connection!r}")
        self.num_components = as_count("num_components", num_components, minimum=1)
        self.connection = connection

    def forward(self, data: Graph) -> Graph:
        n = data.num_nodes
        src, dst = data.edge_index
        adj = sp.coo_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n, n))
        count, component = connected_components(adj, connection=self.connection)
        if count <= self.num_components:
            return data.replace()
        _, sizes = np.unique(component, return_counts=True)
        keep = np.isin(component, sizes.argsort()[-self.num_components:])
        edge_rows = np.flatnonzero(keep[src] & keep[dst])
        return keep_nodes(data, np.flatnonzero(keep), edge_rows)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.num_components})"
