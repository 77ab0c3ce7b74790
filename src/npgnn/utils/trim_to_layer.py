"""PyG's ``trim_to_layer``: shrink a sampled batch to what GNN layer ``layer`` still needs.

A ``NeighborLoader`` batch lists its nodes hop by hop (the seeds, then the nodes first reached
at hop 1, 2, ...) and its edges hop by hop (hop h's edges point from hop-h nodes into hop-(h-1)
nodes). An L-layer GNN needs, at layer k (0-based), only the nodes within L - k hops of the
seeds and the edges of the first L - k hops: the rest cannot reach a seed's output any more.
Both are prefixes, so trimming is slicing (Hamilton et al. 2017, Alg. 2, run bottom-up; PyG's
"hierarchical neighborhood sampling").
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from npgnn.graph import _checks

if TYPE_CHECKING:
    from npgnn.graph import Graph


def trim_to_layer(layer: int, num_sampled_nodes_per_hop: Sequence[int],
                  num_sampled_edges_per_hop: Sequence[int], x: Any, edge_index: Any,
                  edge_attr: Any = None) -> tuple[Any, np.ndarray | Graph, Any]:
    """PyG's ``torch_geometric.utils.trim_to_layer`` (homogeneous graphs).

    For ``layer`` >= 1, drops the last ``num_sampled_nodes_per_hop[-layer]`` rows of ``x``
    and the last ``num_sampled_edges_per_hop[-layer]`` columns of ``edge_index`` (and rows of
    ``edge_attr``), counted from their current sizes: called once per layer on the previous
    layer's output, it removes one more hop each time. ``layer`` <= 0 returns the inputs as
    they are.

    Args:
        layer: the GNN layer about to run (0-based).
        num_sampled_nodes_per_hop, num_sampled_edges_per_hop: a batch's ``num_sampled_nodes``
            and ``num_sampled_edges`` (lists of ints; ndarrays and torch tensors are accepted).
        x: (N, F) Tensor or ndarray, sliced (a Tensor stays differentiable).
        edge_index: (2, E) int array, torch tensor or ``Graph`` (its ``edge_index``).
        edge_attr: None or (E, ...) edge features / weights.

    Returns:
        (x, edge_index, edge_attr) trimmed; edge_index as a (2, E') int64 view (a Graph is
        returned unchanged for ``layer`` <= 0).

    Raises:
        TypeError: ``layer`` is not an int; edge_index holds no integer ids.
        ValueError: the lists hold negative or non-integer counts, or are shorter than
            ``layer`` requires, or would trim more rows or edges than there are; x is a
            scalar; edge_index is not (2, E).
    """
    if isinstance(layer, bool) or not isinstance(layer, numbers.Integral):
        raise TypeError(f"trim_to_layer: layer must be an int (the 0-based GNN layer), got "
                        f"{type(layer).__name__} {layer!r}")
    if layer <= 0:
        return x, edge_index, edge_attr
    if not hasattr(x, "shape"):
        x = np.asarray(x)
    if len(x.shape) == 0:
        raise ValueError("trim_to_layer: x must have shape (N, ...), got a scalar")
    nodes = hop_counts("num_sampled_nodes_per_hop", num_sampled_nodes_per_hop)
    edges = hop_counts("num_sampled_edges_per_hop", num_sampled_edges_per_hop)
    if layer > min(len(nodes), len(edges)):
        raise ValueError(f"trim_to_layer: layer {layer} needs at least {layer} hops in "
                         f"num_sampled_nodes_per_hop ({len(nodes)}) and "
                         f"num_sampled_edges_per_hop ({len(edges)})")
    ei = edge_array(edge_index)
    keep_nodes, keep_edges = x.shape[0] - nodes[-layer], ei.shape[1] - edges[-layer]
    if keep_nodes < 0 or keep_edges < 0:
        raise ValueError(f"trim_to_layer: cannot drop {nodes[-layer]} of {x.shape[0]} nodes "
                         f"and {edges[-layer]} of {ei.shape[1]} edges at layer {layer}")
    return (x[:keep_nodes], ei[:, :keep_edges],
            None if edge_attr is None else edge_attr[:keep_edges])


class Trimming:
    """How many nodes and edges each layer of an L-layer model keeps, for a batch whose sizes
    are known up front; checked once, before any layer runs (``BasicGNN.forward``).

    Layer k keeps the first ``nodes[k]`` nodes (hops 0 .. L-k; ``nodes[0]`` = all) and the
    first ``edges[k]`` edges (hops 1 .. L-k), and its outputs are read by layer k + 1 only
    for the first ``nodes[k + 1]`` nodes. Counts are absolute, so a layer that computes only
    those rows (SAGEConv's bipartite form) leaves the next layer's trimming unchanged.

    Raises:
        ValueError: one list given without the other, counts that are not non-negative ints,
            fewer hops than layers - 1, or totals that differ from the batch's node and edge
            counts (an ``"induced"`` subgraph's edges are not ordered by hop: sample with
            ``subgraph_type="directional"`` to trim).
    """

    def __init__(self, owner: str, num_layers: int, num_sampled_nodes_per_hop: Any,
                 num_sampled_edges_per_hop: Any, num_nodes: int, num_edges: int):
        if (num_sampled_nodes_per_hop is None) != (num_sampled_edges_per_hop is None):
            missing = ("num_sampled_nodes_per_hop" if num_sampled_nodes_per_hop is None
                       else "num_sampled_edges_per_hop")
            raise ValueError(f"{owner}: trimming needs both per-hop counts; {missing} is "
                             "missing (pass batch.num_sampled_nodes and batch.num_sampled_edges)")
        nodes = hop_counts(f"{owner}: num_sampled_nodes_per_hop", num_sampled_nodes_per_hop)
        edges = hop_counts(f"{owner}: num_sampled_edges_per_hop", num_sampled_edges_per_hop)
        if len(nodes) < num_layers or len(edges) < num_layers - 1:
            raise ValueError(f"{owner}: {num_layers} layers need at least {num_layers} node "
                             f"counts and {num_layers - 1} edge counts per hop, got "
                             f"{len(nodes)} and {len(edges)}")
        if sum(nodes) != num_nodes or sum(edges) != num_edges:
            raise ValueError(f"{owner}: the per-hop counts add up to {sum(nodes)} nodes and "
                             f"{sum(edges)} edges, but the batch has {num_nodes} nodes and "
                             f"{num_edges} edges (trimming needs a NeighborLoader batch with "
                             "subgraph_type='directional', as sampled)")
        self.num_layers = num_layers
        self.nodes = [num_nodes - sum(nodes[len(nodes) - k:]) for k in range(num_layers)]
        self.edges = [num_edges - sum(edges[len(edges) - k:]) for k in range(num_layers)]

    def cut(self, layer: int, x: Any, edge_index: Any,
            edge_args: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
        """x, edge_index and edge-level arguments (edge_weight / edge_attr, None kept) cut to
        what ``layer`` needs; layer 0 gets them unchanged (a Graph keeps its caches). A Graph
        with its own ``edge_weight`` (which GCNConv reads when none is passed) is cut into a
        Graph with the kept weights; any other edge_index into a (2, E') array."""
        if layer == 0:
            return x, edge_index, edge_args
        from npgnn.graph import Graph  # here: npgnn.graph imports npgnn.utils

        n, e = self.nodes[layer], self.edges[layer]
        cut = {k: None if v is None else v[:e] for k, v in edge_args.items()}
        ei = edge_array(edge_index)[:, :e]
        if isinstance(edge_index, Graph) and edge_index.edge_weight is not None:
            ei = Graph(edge_index=ei, edge_weight=edge_index.edge_weight[:e], num_nodes=n)
        return x[:n], ei, cut


def hop_counts(name: str, value: Any) -> list[int]:
    """A list of non-negative ints from a list, tuple, ndarray or torch tensor."""
    value = _checks.unwrap(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0
            for v in value):
        raise ValueError(f"{name} must be a list of non-negative ints (a batch's "
                         f"num_sampled_nodes / num_sampled_edges), got {value!r:.80}")
    return [int(v) for v in value]


def edge_array(edge_index: Any) -> np.ndarray:
    """The (2, E) int64 ids of an edge_index array, torch tensor or Graph."""
    from npgnn.graph import Graph  # here: npgnn.graph imports npgnn.utils

    if isinstance(edge_index, Graph):
        return edge_index.edge_index
    return _checks.as_edge_index(_checks.unwrap(edge_index))
