"""Layer-wise full-graph inference of a ``BasicGNN`` (PyG's ``BasicGNN.inference``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from npgnn.autodiff.grad_mode import no_grad
from npgnn.autodiff.tensor import Tensor
from npgnn.graph import Graph
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.conv.sage import SAGEConv
from npgnn.ops.adjacency import csr_aggregation
from npgnn.ops.graph import spmm

if TYPE_CHECKING:
    from npgnn.loader.neighbor_loader import NeighborLoader
    from npgnn.nn.models.basic_gnn import BasicGNN


def inference_per_layer(model: BasicGNN, layer: int, x: Any, edge_index: Any,
                        batch_size: int) -> Tensor:
    """Layer ``layer`` of ``model`` on a 1-hop batch: conv, then (except after the last conv
    without jk) act/norm as in ``forward`` and the final ``lin``; (batch_size, C_out).
    Dropout is left out: this is evaluation."""
    conv = model.convs[layer]
    if isinstance(conv, (SAGEConv, GINConv)) and not sp.issparse(x):
        x = conv((x, x[:batch_size]), edge_index)     # only the rows kept below are computed
    else:
        x = conv(x, edge_index)[:batch_size]
    return _after_conv(model, layer, x)


def _after_conv(model: BasicGNN, layer: int, x: Tensor) -> Tensor:
    """What ``forward`` applies after conv ``layer`` in evaluation (no dropout): act and norm,
    then the final ``lin`` after the last conv; nothing after the last conv without jk."""
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


def _by_target_rows(model: BasicGNN, x: Any) -> bool:
    """Whether every layer can run over blocks of target rows of the whole graph (dense x and
    SAGEConvs with mean or sum aggregation, whose bipartite form costs O(block edges))."""
    return not sp.issparse(x) and all(
        isinstance(conv, SAGEConv) and conv.aggr in ("mean", "sum") for conv in model.convs)


def _inference_by_target_rows(model: BasicGNN, graph: Graph, x: np.ndarray,
                              rows: int) -> np.ndarray:
    """Each layer over the whole graph's in-edge CSR, ``rows`` target nodes at a time.

    Per layer: the source features (``SAGEConv.source_features``, with W_l applied first
    where that is cheaper) once for all N nodes, then per block of target rows an
    (rows, N) aggregation matrix read straight from the cached CSR (no x[n_id] gather, no
    relabelling) and the block's outputs. Extra memory per layer: the (N, F) source features
    and the block's (rows, F) temporaries."""
    n = graph.num_nodes
    perm, indptr = graph.target_order()
    sources = graph.edge_index[0]
    for layer, conv in enumerate(model.convs):
        h, transformed = conv.source_features(Tensor(x), graph.num_edges)
        dtype = h.dtype if np.issubdtype(h.dtype, np.floating) else np.float64
        out = None
        for start in range(0, n, rows):
            stop = min(n, start + rows)
            rows_ptr = indptr[start:stop + 1] - indptr[start]
            adj = csr_aggregation(rows_ptr, sources[perm[indptr[start]:indptr[stop]]], n,
                                  mean=conv.aggr == "mean", dtype=dtype)
            y = conv.combine(spmm(adj, h), x[start:stop], transformed)
            y = _after_conv(model, layer, y).data
            if out is None:
                out = np.empty((n, y.shape[1]), dtype=y.dtype)
            out[start:stop] = y
        x = out
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

    A model made only of mean/sum ``SAGEConv`` layers (GraphSAGE's default) over dense
    features skips the loader's batches: each layer runs over blocks of ``loader.batch_size``
    target rows read straight from the graph's cached in-edge CSR (the same 1-hop
    neighbourhoods, without sampling, gathering ``x[n_id]`` or relabelling), with ``W_l``
    applied once per layer before the aggregation where ``SAGEConv.source_features`` finds
    that cheaper.

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
        if n == 0:                           # no batch to run: the (0, out) forward
            return model(x_all, np.zeros((2, 0), dtype=np.int64)).detach()
        if _by_target_rows(model, x_all):
            return Tensor(_inference_by_target_rows(model, loader.data, x_all,
                                                    loader.batch_size))
        for layer in range(model.num_layers):
            out = None
            for n_id, edge_index, batch_size in loader._iter_structure():
                y = inference_per_layer(model, layer, x_all[n_id], edge_index, batch_size).data
                if out is None:
                    out = np.empty((n, y.shape[1]), dtype=y.dtype)
                out[n_id[:batch_size]] = y
            x_all = out
    return Tensor(x_all)
