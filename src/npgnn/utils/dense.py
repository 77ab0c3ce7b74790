"""Dense adjacency tensors and back: PyG's ``to_dense_adj`` and ``dense_to_sparse``.

As PyG (and unlike ``npgnn.graph.to_dense_adjacency``), ``adj[b, source, target]`` holds an edge.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.graph._checks import as_count, as_edge_index
from npgnn.ops.math import reshape
from npgnn.utils._args import Values, index_arg, take, values_arg
from npgnn.utils.scatter import scatter


def to_dense_adj(edge_index: Any, batch: Any = None, edge_attr: Any = None,
                 max_num_nodes: int | None = None, batch_size: int | None = None) -> Values:
    """(B, M, M, ...) dense adjacency of each graph of a batch; duplicates are summed.

    Args:
        edge_index: (2, E) ids absolute within the batch.
        batch: (N,) graph of each node, sorted (default: one graph of max id + 1 nodes).
        edge_attr: (E,) or (E, ...) values (default ones, float32); a Tensor gives a Tensor.
        max_num_nodes: M (default the largest graph); edges touching a node at a local
            position >= M are dropped, as PyG.
        batch_size: B (default max(batch) + 1).

    Raises:
        TypeError / ValueError / IndexError: malformed arguments, named in the message.
    """
    ei = as_edge_index(edge_index)
    if batch is None:
        batch = np.zeros(int(ei.max()) + 1 if ei.size else 0, dtype=np.int64)
    batch = index_arg("batch", batch)
    if ei.size and ei.max() >= batch.size:
        raise IndexError(f"edge_index: ids must lie in [0, {batch.size}) (len(batch)), found "
                         f"max={ei.max()}")
    if batch_size is None:
        batch_size = int(batch.max()) + 1 if batch.size else 1
    batch_size = as_count("batch_size", batch_size)
    counts = np.bincount(batch, minlength=batch_size)
    if counts.size > batch_size:
        raise IndexError(f"batch: graph ids must lie in [0, {batch_size}) (batch_size), found "
                         f"max={batch.max()}")
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    graph = batch[ei[0]]
    local = ei - first[batch][ei]
    attr = values_arg("edge_attr", edge_attr, ei.shape[1])
    if max_num_nodes is None:
        m = int(counts.max()) if counts.size else 0
    else:
        m = as_count("max_num_nodes", max_num_nodes)
        inside = (local < m).all(axis=0)
        if not inside.all():
            graph, local = graph[inside], local[:, inside]
            attr = None if attr is None else take(attr, inside)
    if attr is None:
        attr = np.ones(graph.size, dtype=np.float32)
    flat = (graph * m + local[0]) * m + local[1]
    adj = scatter(attr, flat, 0, batch_size * m * m, "sum")
    shape = (batch_size, m, m, *attr.shape[1:])
    return reshape(adj, shape) if isinstance(adj, Tensor) else adj.reshape(shape)


def dense_to_sparse(adj: Any, mask: Any = None) -> tuple[np.ndarray, Values]:
    """(edge_index, edge_attr) of the nonzero entries of an (N, N) or (B, N, M) adjacency.

    Entries come in row-major order; for a batch, node ids are offset per graph (by N, or by
    the number of valid nodes when ``mask`` (B, N) marks them).

    Raises:
        ValueError: ``adj`` not 2-D or 3-D; ``mask`` not 2-D or given with a non-square
            adjacency. (PyG warns and ignores a mask given with a 2-D ``adj``; so does this.)
    """
    import warnings

    a = adj if isinstance(adj, Tensor) else np.asarray(adj)
    if a.ndim not in (2, 3):
        raise ValueError(f"adj: expected a 2-D or 3-D dense adjacency, got {a.ndim} dimensions")
    if mask is not None and a.ndim == 2:
        warnings.warn("mask: ignored for a 2-D adjacency", stacklevel=2)
        mask = None
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.ndim != 2:
            raise ValueError(f"mask: expected 2 dimensions (B, N), got {mask.ndim}")
        if a.shape[-2] != a.shape[-1]:
            raise ValueError(f"mask: only supported on square adjacencies, got adj of shape "
                             f"{tuple(a.shape)}")
    values = np.asarray(getattr(a, "data", a))
    if a.ndim == 2:
        rows, cols = np.nonzero(values)
        return np.stack([rows, cols]).astype(np.int64), take(a, (rows, cols))
    flat = reshape(a, (-1, a.shape[-1])) if isinstance(a, Tensor) else a.reshape(-1, a.shape[-1])
    flat_values = values.reshape(-1, a.shape[-1])
    if mask is not None:
        keep = mask.reshape(-1)
        flat, flat_values = take(flat, keep), flat_values[keep]
        count = mask.sum(axis=-1)
        offset = np.repeat(np.concatenate([[0], np.cumsum(count)[:-1]]), count)
    else:
        offset = np.repeat(np.arange(a.shape[0]) * a.shape[2], a.shape[1])
    rows, cols = np.nonzero(flat_values)
    attr = take(flat, (rows, cols))
    return np.stack([rows, cols + offset[rows]]).astype(np.int64), attr
