"""One layer of a model over a trimmed sampled batch (``npgnn.utils.trim_to_layer.Trimming``),
shared by ``BasicGNN`` and the CLI's stacked models."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.nn.conv.sage import SAGEConv
from npgnn.nn.module import Module
from npgnn.utils.trim_to_layer import Trimming


def trimmed_conv(trim: Trimming, layer: int, conv: Module, x: Any, edge_index: Any,
                 edge_args: dict[str, Any], *, rows_only: bool) -> tuple[Tensor, Any,
                                                                          dict[str, Any]]:
    """conv_layer on the nodes and edges ``layer`` needs; returns (output, the edge_index
    and edge arguments it ran on), which the next layer trims further.

    ``rows_only``: what follows the conv is row-wise (activation, dropout, no norm with batch
    statistics), so a SAGEConv with mean or sum aggregation below the last layer computes only
    the ``trim.nodes[layer + 1]`` rows the next layer keeps, through its bipartite form
    (O(edges + kept rows)); every kept row has the value the full layer gives it, since a row
    reads only its own in-edges. PyG computes every row of the trimmed layer."""
    x, edge_index, edge_args = trim.cut(layer, x, edge_index, edge_args)
    if (rows_only and layer < trim.num_layers - 1 and isinstance(conv, SAGEConv)
            and conv.aggr in ("mean", "sum")):
        return conv((x, x[:trim.nodes[layer + 1]]), edge_index, **edge_args), edge_index, \
            edge_args
    return conv(x, edge_index, **edge_args), edge_index, edge_args


def trims_exactly(model: Module) -> bool:
    """Whether trimming leaves the seeds' outputs of ``model`` unchanged, so a training loop
    may trim on its own: its forward takes the per-hop counts, and no module reads more than a
    node's in-edges and its own row (GCN's normalisation reads the sources' degrees, GPS
    attends over all nodes, a norm's batch statistics see every row)."""
    import inspect

    from npgnn.nn.conv.gcn import GCNConv
    from npgnn.nn.conv.gcn2_conv import GCN2Conv
    from npgnn.nn.conv.gps_conv import GPSConv
    from npgnn.nn.layer_norm import LayerNorm
    from npgnn.nn.norm import BatchNorm, BatchNorm1d

    try:
        takes_counts = "num_sampled_nodes_per_hop" in inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return False
    inexact = (GCNConv, GCN2Conv, GPSConv, LayerNorm, BatchNorm, BatchNorm1d)
    return takes_counts and not any(isinstance(m, inexact) for m in model.modules())
