"""Pure graph transforms: self-loops, coalescing, symmetrisation, normalisation.

Each function returns a new Graph and never edits its input. Node-level fields (x, y, masks,
batch, ptr) are carried over unchanged; edge-level fields (edge_weight, edge_attr and edge-level
extra attributes, see ``edge_fields``) follow their edges. The edge work is done once, by the ``npgnn.utils`` functions on ``edge_index``; these are
Graph-level wrappers. All work is vectorized over the E edges (no per-edge Python loop).
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from npgnn.graph import _checks
from npgnn.graph.graph import DEFAULT_WEIGHT_DTYPE, Graph
from npgnn.utils.coalesce import coalesce as utils_coalesce
from npgnn.utils.coalesce import to_undirected as utils_to_undirected
from npgnn.utils.loop import add_remaining_self_loops
from npgnn.utils.loop import remove_self_loops as utils_remove_self_loops

Reduce = Literal["sum", "mean", "max", "min"]
_REDUCES = ("sum", "mean", "max", "min")


def remove_self_loops(g: Graph) -> Graph:
    """Drop every edge i -> i (with its weight and attributes); other edges keep their order.

    A Graph-level wrapper of ``npgnn.utils.remove_self_loops``.
    """
    edge_index, kept = utils_remove_self_loops(g.edge_index, np.arange(g.num_edges))
    return g.replace(edge_index=edge_index,
                     **{name: value[kept] for name, value in edge_fields(g).items()})


def add_self_loops(g: Graph, fill_value: float = 1.0) -> Graph:
    """Give every node exactly one self-loop (PyG's ``add_remaining_self_loops``).

    The result lists the non-loop edges in their order, then the loops of nodes 0..N-1. A node
    that already has a self-loop keeps its weight / attributes (if it has several, the last one's);
    the others get ``fill_value``. Without ``edge_weight`` and with ``fill_value == 1`` the result
    stays unweighted; otherwise existing edges weigh 1 (``DEFAULT_WEIGHT_DTYPE``). ``edge_attr``
    rows of new loops (and those of other edge-level attributes) are filled with ``fill_value``. A graph with 0 nodes stays empty; every
    isolated node gets a loop. A Graph-level wrapper of
    ``npgnn.utils.add_remaining_self_loops``; O(E + N), N loops being added.
    """
    values = edge_fields(g)
    if g.edge_weight is None and fill_value != 1:
        values["edge_weight"] = np.ones(g.num_edges, dtype=DEFAULT_WEIGHT_DTYPE)
    edge_index, _ = add_remaining_self_loops(g.edge_index, None, None, g.num_nodes)
    fields = {name: add_remaining_self_loops(g.edge_index, value, fill_value, g.num_nodes)[1]
              for name, value in values.items()}
    return g.replace(edge_index=edge_index, **fields)


_add_self_loops = add_self_loops  # gcn_norm's argument of the same name shadows it


def coalesce(g: Graph, reduce: Reduce = "sum") -> Graph:
    """Sort edges by (source, target) like PyG and merge duplicates.

    The weights and attributes of duplicate edges are merged with ``reduce`` ('sum', 'mean',
    'max' or 'min'; 'mean' of integer attributes gives floats). A Graph-level wrapper of
    ``npgnn.utils.coalesce``: O(E + N) by counting sort while N is comparable to E, else
    O(E log E) with nothing of size N (3 edges among 10**9 nodes are instant).

    Raises:
        ValueError: unknown ``reduce``.
    """
    names, values = _edge_values(g)
    edge_index, merged = utils_coalesce(g.edge_index, values, g.num_nodes, _check_reduce(reduce))
    return g.replace(edge_index=edge_index, **dict(zip(names, merged)))


def to_undirected(g: Graph, reduce: Reduce = "sum") -> Graph:
    """Add the reverse of every edge, then ``coalesce`` with ``reduce`` (PyG's ``to_undirected``).

    As in PyG, with 'sum' an edge present in both directions gets the sum of both weights in each
    direction, and a self-loop's weight doubles; use reduce='mean' to keep equal weights as they
    are. A Graph-level wrapper of ``npgnn.utils.to_undirected``, with its cost.

    Raises:
        ValueError: unknown ``reduce``.
    """
    names, values = _edge_values(g)
    edge_index, merged = utils_to_undirected(g.edge_index, values, g.num_nodes,
                                             _check_reduce(reduce))
    return g.replace(edge_index=edge_index, **dict(zip(names, merged)))


def edge_fields(g: Graph) -> dict[str, Any]:
    """The attributes with one row per edge along dimension 0: ``edge_weight``, ``edge_attr``
    and edge-level extras such as ``edge_label`` (``Graph.is_edge_attr``); ``edge_index`` and
    other id arrays (concatenated on their last dimension) are not included."""
    return {key: value for key, value in g.items()
            if key != "edge_index" and g.is_edge_attr(key) and g.__cat_dim__(key, value) == 0}


def _edge_values(g: Graph) -> tuple[list[str], list[Any]]:
    values = edge_fields(g)
    return list(values), list(values.values())


def gcn_norm(g: Graph, norm: Literal["sym", "row", "col"] = "sym", add_self_loops: bool = True,
             fill_value: float = 1.0, dtype: np.dtype | type | None = None) -> Graph:
    """Return a Graph whose ``edge_weight`` holds normalised weights (PyG's ``gcn_norm``).

    With w the weights (ones if unset), after optionally ``add_self_loops(g, fill_value)``
    (``fill_value=2`` is PyG's ``improved=True``):
        'sym': w'_e = d_in[j]^-1/2 * w_e * d_in[i]^-1/2 for e = j -> i, with d_in the weighted
               in-degree (scatter-sum at targets); exactly PyG's gcn_norm, ``D^-1/2 A D^-1/2``.
        'row': w'_e = w_e / d_in[i]: each target averages its messages (mean aggregation).
        'col': w'_e = w_e / d_out[j]: each source splits its mass over its out-edges.
    A degree of 0 gives a weight of 0 (1/0 = inf is replaced by 0, as in PyG), so an isolated
    node without self-loops receives nothing; with them it keeps its own features ('sym' and
    'row' give its loop weight 1). ``edge_attr`` follows ``add_self_loops``.
    ``dtype``: the weights' dtype; default that of ``edge_weight``, else
    ``DEFAULT_WEIGHT_DTYPE`` (float32, as PyG).

    Unlike PyG 2.8, whose gcn_norm silently ignores ``improved=True`` when ``edge_weight`` is
    None, ``fill_value`` applies to unweighted graphs too (``A + 2I`` as in the GCN paper).

    A negative edge weight can make a weighted degree negative; with 'sym' its ``d^-1/2`` is
    undefined (PyG silently returns NaN for it): npgnn refuses it.

    Raises:
        ValueError: unknown ``norm``; with 'sym', a node whose weighted in-degree is negative
        (the message names ``edge_weight`` and the first such node).
    """
    if norm not in ("sym", "row", "col"):
        raise ValueError(f"gcn_norm: norm must be 'sym', 'row' or 'col', got {norm!r}")
    if dtype is None:
        dtype = DEFAULT_WEIGHT_DTYPE if g.edge_weight is None else g.edge_weight.dtype
    w = (np.ones(g.num_edges, dtype=dtype) if g.edge_weight is None
         else g.edge_weight.astype(dtype, copy=False))
    g = g.replace(edge_weight=w)
    if add_self_loops:
        g = _add_self_loops(g, fill_value)
    src, dst = g.edge_index
    w = np.asarray(g.edge_weight)  # set above
    by = src if norm == "col" else dst
    deg = np.bincount(by, weights=w, minlength=g.num_nodes).astype(w.dtype)
    if norm == "sym":
        _checks.check_degrees("gcn_norm", deg, "in-degree (self-loops included)"
                              if add_self_loops else "in-degree")
    with np.errstate(divide="ignore"):
        scale = deg ** -0.5 if norm == "sym" else 1 / deg
    scale[np.isinf(scale)] = 0
    if norm == "sym":
        w = scale[src] * w * scale[dst]
    else:
        w = w * scale[by]
    return g.replace(edge_weight=w)


def normalize_features(g: Graph) -> Graph:
    """Scale each row of ``x`` to sum to 1 (Kipf & Welling's preprocessing).

    A row that sums to 0 (an all-zero row) is left unchanged. Dense ``x`` stays dense and a
    scipy CSR ``x`` stays CSR with the same sparsity. Integer features become float64 (bool
    features float32). Meant for non-negative features such as bag-of-words counts.

    Raises:
        ValueError: ``g.x`` is None.
    """
    if g.x is None:
        raise ValueError("normalize_features: the graph has no node features (x is None)")
    dtype = np.result_type(g.x.dtype, np.float32)
    x = g.x.astype(dtype, copy=True)
    rowsum = np.asarray(x.sum(axis=1)).ravel()
    scale = np.ones_like(rowsum)
    np.divide(1, rowsum, out=scale, where=rowsum != 0)
    if sp.issparse(x):
        x.data *= np.repeat(scale, np.diff(x.indptr))
    else:
        x *= scale[:, None]
    return g.replace(x=x)


def _check_reduce(reduce: str) -> str:
    if reduce not in _REDUCES:
        raise ValueError(f"reduce: expected one of {sorted(_REDUCES)}, got {reduce!r}")
    return reduce

