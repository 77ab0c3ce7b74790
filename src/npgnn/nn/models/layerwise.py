"""Layer-wise full-graph inference of a ``BasicGNN`` (PyG's ``BasicGNN.inference``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from npgnn.autodiff.grad_mode import no_grad
from npgnn.autodiff.tensor import Tensor
from npgnn.nn.conv.sage import SAGEConv

if TYPE_CHECKING:
    from npgnn.loader.neighbor_loader import NeighborLoader
    from npgnn.nn.models.basic_gnn import BasicGNN


def inference_per_layer(model: BasicGNN, layer: int, x: Any, edge_index: Any,
                        batch_size: int) -> Tensor:
    """Layer ``layer`` of ``model`` on a 1-hop batch: conv, then (except after the last conv
    without jk) act/norm as in ``forward`` and the final ``lin``; (batch_size, C_out).
    Dropout is left out: this is evaluation."""
    conv = model.convs[layer]
    if isinstance(conv, SAGEConv) and not sp.issparse(x):
        x = conv((x, x[:batch_size]), edge_index)     # only the rows kept below are computed
    else:
        x = conv(x, edge_index)[:batch_size]
    last = layer == model.num_layers - 1
    if last and model.jk_mode is None:
        return x
    if model.act is not None and model.act_first:
        x = model.act(x)
    x = model.norms[layer](x)
    if model.act is not None and not model.act_first:
        x = model.act(x)
    if last and hasattr(model, "lin"):
        x = model.lin(x)
    return x


def inference(model: BasicGNN, loader: NeighborLoader) -> Tensor:
    """Every node's output, computed one layer at a time over ``loader``'s 1-hop batches.

    For layer l, each batch of target nodes gets conv_l over its full in-neighbourhood from the
    previous layer's outputs of all nodes, so memory is O(N·H + batch edges) and no
    multi-layer computation graph is ever built (Hamilton et al. 2017, the full-neighbourhood
    evaluation of GraphSAGE; PyG's ``BasicGNN.inference``). Equals ``model(x, edge_index)`` in
    eval mode up to float rounding for convs whose output at node i reads only i's in-edges
    (SAGEConv, GINConv, GATConv); GCNConv's normalisation also reads every source's degree,
    which a 1-hop batch does not hold, so a GCN's layer-wise outputs differ (as in PyG).

    Args:
        model: a BasicGNN in eval mode, jk None or 'last'.
        loader: a ``NeighborLoader`` with ``num_neighbors=[-1]`` over every node of a graph
            with features ``x`` (N, F) (ndarray, Tensor or SciPy sparse).

    Returns:
        (N, out) Tensor without gradient, in node order (also when the loader shuffles).

    Raises:
        ValueError: the model is training or has jk 'cat'/'max', the loader samples more than
            one hop or not every neighbour, or does not cover every node once.
        TypeError: ``loader`` is not a NeighborLoader.
    """
    from npgnn.loader.neighbor_loader import NeighborLoader

    name = type(model).__name__
    if model.jk_mode not in (None, "last"):
        raise ValueError(f"{name}.inference: needs jk None or 'last', got jk={model.jk_mode!r}")
    if model.training:
        raise ValueError(f"{name}.inference: call model.eval() first (dropout and norm "
                         "statistics must be in evaluation mode)")
    if not isinstance(loader, NeighborLoader):
        raise TypeError(f"{name}.inference: loader must be a NeighborLoader, got "
                        f"{type(loader).__name__}")
    if loader.num_neighbors != [-1]:
        raise ValueError(f"{name}.inference: the loader must sample every neighbour over one "
                         f"hop (num_neighbors=[-1]), got {loader.num_neighbors}")
    n = loader.data.num_nodes
    if loader.input_nodes.size != n or loader.drop_last and n % loader.batch_size:
        raise ValueError(f"{name}.inference: the loader must cover all {n} nodes (input_nodes="
                         f"None, drop_last=False), got {loader.input_nodes.size} input nodes")
    x_all = loader.data.x
    if isinstance(x_all, Tensor):
        x_all = x_all.data
    elif not sp.issparse(x_all):             # a SciPy sparse x (Planetoid's) keeps its rows sparse
        x_all = np.asarray(x_all)
    with no_grad():
        for layer in range(model.num_layers):
            out = None
            for n_id, edge_index, batch_size in loader._iter_structure():
                y = inference_per_layer(model, layer, x_all[n_id], edge_index, batch_size).data
                if out is None:
                    out = np.empty((n, y.shape[1]), dtype=y.dtype)
                out[n_id[:batch_size]] = y
            x_all = out
    return Tensor(x_all)
