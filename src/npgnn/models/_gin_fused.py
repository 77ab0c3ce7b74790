"""Glue between the GIN model's modules and the fused ops of :mod:`npgnn.ops.gin`.

The model keeps its modules (GINConv with an MLP, BatchNorm1d, Linear heads: PyG's structure
and parameter names); these helpers read their parameters and modes, run one fused op per layer
and one for the readout, and update the batch norms' running statistics exactly as the modules
would (torch's rule, see :class:`npgnn.nn.norm.BatchNorm1d`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph
from npgnn.nn.activation import ReLU
from npgnn.nn.conv._structure import as_graph
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.linear import Linear
from npgnn.nn.mlp import MLP
from npgnn.nn.norm import BatchNorm, BatchNorm1d
from npgnn.nn.pool import _graph_segments
from npgnn.ops.gin import GINBlock, NormSpec, SumReadout


def _layer_fusable(conv: Any, norm: Any) -> bool:
    """GINConv(MLP([F, H, H], norm='batch_norm')) followed by BatchNorm1d (then ReLU)."""
    if type(conv) is not GINConv or type(norm) is not BatchNorm1d:
        return False
    mlp = conv.nn
    if type(mlp) is not MLP or len(mlp.lins) != 2 or len(mlp.norms) != 1:
        return False
    inner = mlp.norms[0]
    return (mlp.plain_last and not mlp.act_first and type(mlp.act) is ReLU
            and not any(mlp.dropout) and type(inner) is BatchNorm
            and not inner.allow_single_element and type(inner.module) is BatchNorm1d
            and all(type(lin) is Linear and lin.bias is not None for lin in mlp.lins))


def fused_plan(model: Any, x: Any) -> Tensor | None:
    """``x`` as a Tensor when the model's layers and this input can run fused, else None.

    Sparse or non-float features, a single node while training (batch norm's error) and
    replaced sub-modules take the composed path, which gives their results and messages.
    """
    if sp.issparse(x) or isinstance(x, tuple):
        return None
    x = as_tensor(x)
    if x.ndim != 2 or x.dtype.kind != "f" or (model.training and x.shape[0] <= 1):
        return None
    if not all(_layer_fusable(c, n) for c, n in zip(model.convs, model.norms)):
        return None
    if not all(type(h) is Linear and h.bias is not None for h in model.heads):
        return None
    return x


def graph_ids(x: Tensor, batch: Any, size: int | None) -> tuple[np.ndarray, int]:
    """(graph id of each node (N,) int64, number of graphs G), as ``global_add_pool`` reads them.

    A batched Graph and an integer ndarray take a fast path; anything else (and every error)
    goes through ``global_add_pool``'s own reading of the arguments.
    """
    n = x.shape[0]
    if isinstance(batch, Graph):
        ids = batch.batch
        if ids is not None and batch.num_nodes == n and (size is None or size == batch.num_graphs):
            return ids, batch.num_graphs
    elif type(batch) is np.ndarray and batch.ndim == 1 and batch.shape[0] == n \
            and batch.dtype.kind in "iu" and n and (size is None or type(size) is int):
        low, high = int(batch.min()), int(batch.max())
        if low >= 0 and (size is None or high < size):
            return batch.astype(np.int64, copy=False), high + 1 if size is None else size
    segments = _graph_segments("global_add_pool", x, batch, size)
    return segments.index, segments.num_segments


def edge_arrays(edge_index: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(src, dst) int64 contiguous, validated in [0, n): an integer (2, E) ndarray is checked
    in place (two reductions, no Graph built per batch); anything else (and every error) goes
    through ``as_graph``, as GINConv reads it."""
    if type(edge_index) is np.ndarray and edge_index.ndim == 2 and edge_index.shape[0] == 2 \
            and edge_index.dtype.kind in "iu" and edge_index.shape[1]:
        if edge_index.min() >= 0 and edge_index.max() < n:
            ei = edge_index.astype(np.int64, copy=False)
            return np.ascontiguousarray(ei[0]), np.ascontiguousarray(ei[1])
    src, dst = as_graph(edge_index, n).edge_index
    return np.ascontiguousarray(src), np.ascontiguousarray(dst)


def _norm_spec(bn: BatchNorm1d) -> NormSpec:
    if bn.training or not bn.track_running_stats:
        return NormSpec(bn.eps)
    return NormSpec(bn.eps, (bn.running_mean, bn.running_var))


def _affine(bn: BatchNorm1d, dtype: np.dtype) -> tuple[Any, Any]:
    if bn.affine:
        return bn.weight, bn.bias
    return np.ones(bn.num_features, dtype=dtype), np.zeros(bn.num_features, dtype=dtype)


def gin_block(h: Tensor, src: np.ndarray, dst: np.ndarray, conv: GINConv,
              norm: BatchNorm1d) -> Tensor:
    """``relu(norm(conv(h, edge_index)))`` as one :class:`GINBlock` node."""
    mlp = conv.nn
    lin1, lin2 = mlp.lins
    bn1, bn2 = mlp.norms[0].module, norm
    spec1, spec2 = _norm_spec(bn1), _norm_spec(bn2)
    eps = conv.eps if isinstance(conv.eps, Tensor) else np.asarray(conv.eps, h.dtype)
    g1, be1 = _affine(bn1, h.dtype)
    g2, be2 = _affine(bn2, h.dtype)
    out = GINBlock(src, dst, spec1, spec2)(h, eps, lin1.weight, lin1.bias, g1, be1,
                                           lin2.weight, lin2.bias, g2, be2)
    n = h.shape[0]
    for bn, spec in ((bn1, spec1), (bn2, spec2)):
        if bn.training and bn.track_running_stats:
            bn._update_running_stats(spec.mean, spec.var, n)
    return out


def sum_readout(hs: list[Tensor], heads: list[Linear], index: np.ndarray, num_graphs: int,
                p: float, training: bool, rng: np.random.Generator) -> Tensor:
    """``Σ_k dropout(heads[k](global_add_pool(hs[k])))`` as one :class:`SumReadout` node; the
    dropout masks are drawn from ``rng`` in layer order, as the composed dropouts draw them."""
    masks = None
    if training and p > 0:
        scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
        masks = []
        for h, head in zip(hs, heads):
            dtype = np.result_type(h.dtype, head.weight.dtype)
            keep = rng.random((num_graphs, head.out_features)) >= p
            masks.append(keep * dtype.type(scale))
    return SumReadout(index, num_graphs, masks)(*hs, *(h.weight for h in heads),
                                                *(h.bias for h in heads))
