"""Global readouts: one row per graph of a batch, from its nodes' rows (PyG's ``global_*_pool``).

A batch of G graphs is packed block-diagonally with ``batch`` (N,), the graph id of each node
(``Graph.batch``). Every readout is one segment op over the nodes grouped by graph, so there is
no loop over graphs; a graph with no nodes gets a row of zeros (sum, mean and max alike).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn._array_cache import ArrayCache
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph
from npgnn.graph._checks import as_count, unwrap
from npgnn.nn.conv._structure import cached
from npgnn.ops.graph import segment_max, segment_mean, segment_sum
from npgnn.ops.segments import Segments, check_batch_vector


#: Batch vectors whose grouping is remembered (a model reads one or two per step).
_BATCH_GROUPS = ArrayCache(max_entries=4)


def _graph_segments(name: str, x: Tensor, batch: Any, size: int | None) -> Segments:
    """Nodes grouped by graph: from a batch vector, a Graph, or None (all nodes in graph 0)."""
    if x.ndim == 0:
        raise ValueError(f"{name}: x must have shape (N, ...), got a scalar")
    n = x.shape[0]
    if size is not None:
        size = as_count(f"{name}: size", size)
    if isinstance(batch, Graph):
        if batch.num_nodes != n:
            raise ValueError(f"{name}: the graph has {batch.num_nodes} nodes but x has {n} rows")
        num_graphs = batch.num_graphs if size is None else size
        if batch.batch is None:
            return _graph_segments(name, x, None, num_graphs)
        if num_graphs < batch.num_graphs:
            raise ValueError(f"{name}: size={size} is smaller than the graph's num_graphs="
                             f"{batch.num_graphs}")
        return cached(batch, ("graph_segments", num_graphs),
                      lambda: Segments(batch.batch, num_graphs, validate=False))
    if batch is None:
        if size == 0 and n:
            raise ValueError(f"{name}: size=0 leaves no graph for the {n} rows of x (batch=None "
                             f"puts every row in graph 0); pass size >= 1 or None")
        return Segments(np.zeros(n, dtype=np.int64), 1 if size is None else size, validate=False)
    array = np.asarray(unwrap(batch))

    def build(copy: np.ndarray) -> Segments:
        ids, num_graphs = check_batch_vector(name, copy, n, size)
        return Segments(ids, num_graphs, validate=False)

    # a model reads out every layer with the same batch vector: group its nodes once
    return _BATCH_GROUPS.get(batch, array, (n, size), build)


def global_add_pool(x: Any, batch: Any = None, size: int | None = None) -> Tensor:
    """Sum readout: ``out[g] = Σ_{n: batch[n] = g} x[n]``.

    Args:
        x: (N, F) node features (any trailing shape).
        batch: (N,) graph id of each node (need not be sorted), a batched :class:`npgnn.Graph`
            (its ``batch`` and ``num_graphs``, so trailing empty graphs count), or None: all
            nodes form one graph.
        size: number of graphs G; default ``batch.max() + 1`` (1 when ``batch`` is None). Pass
            it when the last graphs may be empty.
    Returns:
        (G, F); an empty graph gives a row of zeros.
    Raises:
        ValueError: ``batch`` does not have one entry per row of ``x``. TypeError: non-integer
        ids. IndexError: ids outside [0, size).

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0], [2.0], [4.0]])
        >>> global_add_pool(x, np.array([0, 0, 2])).data.ravel().tolist()   # graph 1 is empty
        [3.0, 0.0, 4.0]
    """
    x = as_tensor(x)
    return segment_sum(x, _graph_segments("global_add_pool", x, batch, size))


def global_mean_pool(x: Any, batch: Any = None, size: int | None = None) -> Tensor:
    """Mean readout: ``out[g]`` = the mean of the rows of graph g; 0 for an empty graph.

    Arguments as :func:`global_add_pool`. (PyG returns NaN for ``batch=None`` and no nodes;
    npgnn returns 0, as for any empty graph.)
    """
    x = as_tensor(x)
    return segment_mean(x, _graph_segments("global_mean_pool", x, batch, size))


def global_max_pool(x: Any, batch: Any = None, size: int | None = None) -> Tensor:
    """Max readout: ``out[g]`` = the elementwise max over the rows of graph g; 0 for an empty graph.

    Tied maxima share the gradient equally (as PyTorch's ``scatter_reduce('amax')``).
    Arguments as :func:`global_add_pool`.
    """
    x = as_tensor(x)
    return segment_max(x, _graph_segments("global_max_pool", x, batch, size))
