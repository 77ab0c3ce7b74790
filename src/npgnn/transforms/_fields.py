"""Which attributes of a Graph are per node and per edge, for transforms that drop or add rows."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph.graph import Graph
from npgnn.graph.transforms import edge_fields


def node_values(g: Graph) -> dict[str, Any]:
    """The attributes with one row per node along dimension 0 (``Graph.is_node_attr``): x, the
    masks, a node-level y, batch, node-level extras; ``ptr`` is derived, not sliced."""
    return {key: value for key, value in g.items()
            if key != "ptr" and g.is_node_attr(key) and g.__cat_dim__(key, value) == 0}


def edge_values(g: Graph) -> dict[str, Any]:
    """The attributes with one row per edge (``npgnn.graph.transforms.edge_fields``)."""
    return edge_fields(g)


def keep_nodes(g: Graph, nodes: np.ndarray, edge_rows: np.ndarray) -> Graph:
    """The Graph on ``nodes`` (sorted ids, renumbered 0..K-1) with the edges ``edge_rows``
    (whose endpoints must all be in ``nodes``); node and edge attributes follow."""
    edge_index = np.searchsorted(nodes, g.edge_index[:, edge_rows])
    fields = {name: value[nodes] for name, value in node_values(g).items()}
    fields.update({name: value[edge_rows] for name, value in edge_values(g).items()})
    if g.batch is not None:  # graphs that lose every node stay, with 0 nodes
        counts = np.bincount(fields["batch"], minlength=g.num_graphs)
        fields["ptr"] = np.concatenate([[0], np.cumsum(counts)])
    return g.replace(edge_index=edge_index, num_nodes=int(nodes.size), **fields)
