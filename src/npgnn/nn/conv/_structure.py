"""Graph inputs of layers: accept an edge_index array or a Graph, and cache derived structure on it.

Called with a ``Graph``, a layer reuses what the Graph already computed. Called as
``layer(x, edge_index)`` with a raw ndarray or torch tensor (PyG style), ``as_graph`` returns the
Graph it built for that same array before, verified equal element by element (see
``_edge_index_cache``: a hit is never stale), so a raw edge_index is as fast as a Graph. The
cache on a Graph is keyed by what was derived (never by a layer), so every layer shares it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph, _checks
from npgnn.nn.conv import _edge_index_cache
from npgnn.ops import math as M
from npgnn.ops.segments import Segments


def as_graph(edge_index: Any, num_nodes: int, *, name: str = "edge_index") -> Graph:
    """A validated Graph over ``num_nodes`` nodes from an edge_index array or a Graph.

    A Graph is returned as is. An ndarray, npgnn Tensor or torch tensor returns the Graph built
    for that same object before when its contents are unchanged (``_edge_index_cache``); a list
    or other array-like is converted on every call.

    Raises:
        ValueError when a Graph's node count differs from ``num_nodes`` (the rows of x); the
        Graph constructor's TypeError/ValueError/IndexError for a malformed edge_index.
    """
    if isinstance(edge_index, Graph):
        if edge_index.num_nodes != num_nodes:
            raise ValueError(
                f"{name}: the graph has {edge_index.num_nodes} nodes but x has {num_nodes} rows"
            )
        return edge_index
    owner = edge_index
    if isinstance(edge_index, Tensor):  # e.g. a float array wrapped by the book-style forward
        owner = edge_index = edge_index.data
    elif hasattr(edge_index, "detach") and hasattr(edge_index, "numpy"):  # a torch tensor
        edge_index = edge_index.detach().cpu().numpy()
    array = np.asarray(edge_index)
    if array is not owner and not hasattr(owner, "numpy"):  # a list: a new array each call
        return Graph(edge_index=array, num_nodes=num_nodes)
    return _edge_index_cache.graph_for(
        owner, array, num_nodes, lambda copy: Graph(edge_index=copy, num_nodes=num_nodes))


def pair_features(owner: str, x: tuple) -> tuple[Tensor, Tensor]:
    """(x_src, x_dst) of PyG's bipartite ``conv((x_src, x_dst), edge_index)`` as Tensors
    (SciPy sparse rows densified); each layer checks their widths against its own.

    Raises:
        TypeError: the tuple does not hold exactly two arrays, or x_dst is None.
    """
    if len(x) != 2 or x[1] is None:
        raise TypeError(f"{owner}: a tuple x must be (x_src, x_dst) with two feature arrays, "
                        f"got {len(x)} entries" + (" (x_dst None is not supported)"
                                                   if len(x) == 2 else ""))
    x_src, x_dst = (as_tensor(v.toarray() if sp.issparse(v) else v) for v in x)
    return x_src, x_dst


def bipartite_edges(owner: str, edge_index: Any, num_src: int,
                    num_dst: int) -> tuple[np.ndarray, np.ndarray]:
    """(src, dst) int64 of a bipartite edge_index (array, tensor or Graph) for PyG's
    ``conv((x_src, x_dst), edge_index)``, each id checked against its own side.

    Raises:
        TypeError / ValueError: edge_index is not (2, E) integer ids. IndexError: a source
        outside [0, num_src) or a target outside [0, num_dst), naming both ranges found.
    """
    if isinstance(edge_index, Graph):
        src, dst = edge_index.edge_index
    else:
        src, dst = _checks.as_edge_index(_checks.unwrap(edge_index))
    if src.size and (src.min() < 0 or dst.min() < 0 or src.max() >= num_src
                     or dst.max() >= num_dst):
        raise IndexError(f"{owner}: edge_index sources must lie in [0, {num_src}) (rows of "
                         f"x_src) and targets in [0, {num_dst}) (rows of x_dst), got sources "
                         f"in [{int(src.min())}, {int(src.max())}], targets in "
                         f"[{int(dst.min())}, {int(dst.max())}]")
    return src, dst


def cached(g: Graph, key: Any, build: Callable[[], Any]) -> Any:
    """``g._cache[key]``, built on first use."""
    if key not in g._cache:
        g._cache[key] = build()
    return g._cache[key]


def target_segments(g: Graph) -> Segments:
    """Edges grouped by target node (each node's incoming messages), cached on the graph."""
    return cached(g, "segments_by_target",
                  lambda: Segments(g.edge_index[1], g.num_nodes, validate=False,
                                   order=g.target_order()))


def source_segments(g: Graph) -> Segments:
    """Edges grouped by source node, cached on the graph."""
    return cached(g, "segments_by_source",
                  lambda: Segments(g.edge_index[0], g.num_nodes, validate=False,
                                   order=g.source_order()))


def edge_features(edge_attr: Any) -> Tensor:
    """Edge features as a Tensor of at least two dimensions: a torch tensor is read through NumPy
    (gradient-free, as every input from torch is), a 1-D array (E,) becomes one column (E, 1),
    as PyG's edge-feature layers reshape it. Shape checks against the graph stay with the layer,
    which knows the width it needs."""
    if not isinstance(edge_attr, Tensor) and hasattr(edge_attr, "detach"):  # a torch tensor
        edge_attr = edge_attr.detach().cpu().numpy()
    edge_attr = as_tensor(edge_attr)
    if edge_attr.ndim == 1:
        edge_attr = M.reshape(edge_attr, (-1, 1))
    return edge_attr
