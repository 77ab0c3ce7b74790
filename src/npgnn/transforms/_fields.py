"""Which attributes of a Graph are per node and per edge, for transforms that drop or add rows."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph.graph import Graph
from npgnn.graph.transforms import EDGE_FIELDS

NODE_FIELDS = ("x", "train_mask", "val_mask", "test_mask")  # always one row per node


def node_values(g: Graph) -> dict[str, Any]:
    """The node-level attributes that are set: x, the masks, ``y`` when it has one row per
    node (as PyG guesses; a batch with as many graphs as nodes is ambiguous), and ``batch``."""
    out = {name: getattr(g, name) for name in NODE_FIELDS if getattr(g, name) is not None}
    y = g.y
    if y is not None and y.ndim >= 1 and y.shape[0] == g.num_nodes:
        out["y"] = y
    if g.batch is not None:
        out["batch"] = g.batch
    return out


def edge_values(g: Graph) -> dict[str, Any]:
    """The edge-level attributes that are set (edge_weight, edge_attr)."""
    return {name: getattr(g, name) for name in EDGE_FIELDS if getattr(g, name) is not None}


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
