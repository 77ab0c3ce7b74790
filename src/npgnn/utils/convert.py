"""Conversions in PyG's conventions: scipy sparse matrices and networkx graphs.

PyG's matrices put an edge (row, col) = (source, target) at ``A[source, target]``, the
transpose of npgnn's ``A[i, j]`` = edge j -> i (``npgnn.graph.convert``); these functions
follow PyG, so a ported script gets the matrices it expects.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from npgnn.utils._args import edge_index_arg, values_arg

if TYPE_CHECKING:  # networkx and Graph are imported where used: `import npgnn` stays fast
    import networkx as nx

    from npgnn.graph.graph import Graph


def to_scipy_sparse_matrix(edge_index: Any, edge_attr: Any = None,
                           num_nodes: int | None = None) -> sp.coo_matrix:
    """(N, N) COO matrix with ``A[row, col] = edge_attr`` per edge (row = source), as PyG.

    Duplicates stay as separate entries (scipy sums them on conversion). Without ``edge_attr``
    the entries are float32 ones (torch's default dtype). ``edge_attr`` is flattened to (E,).

    Raises:
        ValueError: ``edge_attr`` does not hold one value per edge.
    """
    ei, n = edge_index_arg(edge_index, num_nodes)
    if edge_attr is None:
        values = np.ones(ei.shape[1], dtype=np.float32)
    else:
        values = np.asarray(getattr(edge_attr, "data", edge_attr)).reshape(-1)
        values_arg("edge_attr", values, ei.shape[1])
    return sp.coo_matrix((values, (ei[0], ei[1])), shape=(n, n))


def from_scipy_sparse_matrix(A: Any) -> tuple[np.ndarray, np.ndarray]:
    """(edge_index, edge_weight) from the stored entries of ``A`` in COO order, as PyG.

    Explicit zeros stay as edges and duplicates are not summed (call ``A.sum_duplicates()``
    first for a canonical matrix).

    Raises:
        TypeError: ``A`` is not a scipy sparse matrix or array.
    """
    if not sp.issparse(A):
        raise TypeError(f"A: expected a scipy sparse matrix, got {type(A).__name__}")
    coo = A.tocoo()
    return np.stack([coo.row, coo.col]).astype(np.int64), coo.data


def to_networkx(data: Graph, node_attrs: Iterable[str] | None = None,
                edge_attrs: Iterable[str] | None = None, graph_attrs: Iterable[str] | None = None,
                to_undirected: bool | str | None = False, to_multi: bool = False,
                remove_self_loops: bool = False) -> nx.Graph:
    """networkx graph of a Graph, as PyG's ``to_networkx``: nodes 0..N-1, one edge per column.

    Args:
        data: the Graph. node_attrs / edge_attrs / graph_attrs: names of its attributes copied
            onto each node / edge / the graph (arrays become lists, as PyG).
        to_undirected: False gives a DiGraph; True an nx.Graph where the later of (i, j) and
            (j, i) sets the attributes; 'upper' / 'lower' keep only edges with i <= j / i >= j.
        to_multi: MultiDiGraph / MultiGraph, so duplicate edges stay separate.
        remove_self_loops: skip edges (i, i).

    Raises:
        ValueError: an attribute is missing or does not have one row per node / edge.
    """
    if to_undirected not in (False, True, None, "upper", "lower"):
        raise ValueError(f"to_undirected: expected a bool, 'upper' or 'lower', got "
                         f"{to_undirected!r}")
    n, e = data.num_nodes, data.num_edges
    nodes = {k: _rows(data, k, n, "node") for k in node_attrs or []}
    edges = {k: _rows(data, k, e, "edge") for k in edge_attrs or []}
    graph = {k: _value(data, k) for k in graph_attrs or []}
    graph = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in graph.items()}
    return build_networkx(n, data.edge_index, nodes, edges, graph, to_undirected, to_multi,
                          remove_self_loops)


def build_networkx(num_nodes: int, edge_index: np.ndarray, node_values: dict[str, Sequence],
                   edge_values: dict[str, Sequence], graph_values: dict[str, Any],
                   to_undirected: bool | str | None = False, to_multi: bool = False,
                   remove_self_loops: bool = False) -> nx.Graph:
    """The networkx graph of ``to_networkx`` from plain per-node / per-edge value lists."""
    import networkx as nx

    undirected = to_undirected in (True, "upper", "lower")
    if undirected:
        G = nx.MultiGraph() if to_multi else nx.Graph()
    else:
        G = nx.MultiDiGraph() if to_multi else nx.DiGraph()
    G.graph.update(graph_values)
    names = list(node_values)
    if names:
        G.add_nodes_from((i, dict(zip(names, row)))
                         for i, row in enumerate(zip(*node_values.values())))
    else:
        G.add_nodes_from(range(num_nodes))
    src, dst = edge_index
    keep = np.ones(src.size, dtype=bool)
    if to_undirected == "upper":
        keep &= src <= dst
    elif to_undirected == "lower":
        keep &= src >= dst
    if remove_self_loops:
        keep &= src != dst
    ids = np.flatnonzero(keep)
    enames = list(edge_values)
    columns = [[values[i] for i in ids] for values in edge_values.values()] if enames else []
    pairs = zip(src[ids].tolist(), dst[ids].tolist())
    if enames:
        G.add_edges_from((u, v, dict(zip(enames, row)))
                         for (u, v), row in zip(pairs, zip(*columns)))
    else:
        G.add_edges_from(pairs)
    return G


def from_networkx(G: nx.Graph, group_node_attrs: list[str] | str | None = None,
                  group_edge_attrs: list[str] | str | None = None) -> Graph:
    """Graph from a networkx graph, as PyG's ``from_networkx``.

    Nodes are relabelled 0..N-1 in ``G.nodes`` order; an undirected edge gives both
    directions. Every node (edge) attribute becomes a Graph attribute of that name (edge ones
    prefixed ``edge_`` when a node attribute has the same name; graph ones ``graph_``);
    ``group_node_attrs`` ('all' or a list) are stacked as columns of ``x`` and
    ``group_edge_attrs`` of ``edge_attr`` instead. Lists of Python floats become float32 (as
    torch.as_tensor), NumPy values keep their dtype, values that are not numbers stay lists.

    Raises:
        ValueError: nodes (or edges) do not all carry the same attribute names.
    """
    from npgnn.graph.graph import Graph

    edge_index, node_dicts, edge_dicts = networkx_arrays(G)
    node_keys = list(node_dicts[0]) if node_dicts else []
    edge_keys = list(edge_dicts[0]) if edge_dicts else []
    fields: dict[str, Any] = {}
    fields.update(_collect(node_dicts, node_keys, "node", ""))
    fields.update(_collect(edge_dicts, edge_keys, "edge",
                           lambda k: f"edge_{k}" if k in node_keys else str(k)))
    for key, value in G.graph.items():
        if key not in ("node_default", "edge_default"):
            fields[f"graph_{key}" if key in node_keys else str(key)] = value
    if group_node_attrs is not None:
        keys = node_keys if not isinstance(group_node_attrs, list) else group_node_attrs
        fields["x"] = _group(fields, [str(k) for k in keys])
    if group_edge_attrs is not None:
        keys = edge_keys if not isinstance(group_edge_attrs, list) else group_edge_attrs
        fields["edge_attr"] = _group(fields, [f"edge_{k}" if k in node_keys else str(k)
                                              for k in keys])
    return Graph(edge_index, num_nodes=G.number_of_nodes(), **fields)


def networkx_arrays(G: nx.Graph) -> tuple[np.ndarray, list[dict], list[dict]]:
    """(edge_index (2, E) int64, node attribute dicts, edge attribute dicts) of ``G``.

    Nodes are numbered in ``G.nodes`` order; an undirected G is read as ``G.to_directed()``.
    """
    D = G if G.is_directed() else G.to_directed()
    index = {node: i for i, node in enumerate(D.nodes)}
    edges = list(D.edges(data=True))
    src = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
    return np.stack([src, dst]), [d for _, d in D.nodes(data=True)], [d for _, _, d in edges]


def _collect(dicts: list[dict], keys: list, level: str, rename: Any) -> dict[str, Any]:
    wanted = set(keys)
    for k, d in enumerate(dicts):
        if set(d) != wanted:
            raise ValueError(f"G: not all {level}s contain the same attributes ({level} {k} "
                             f"has {sorted(map(str, d))}, the first {sorted(map(str, keys))})")
    out = {}
    for key in keys:
        name = rename(key) if callable(rename) else str(key)
        out[name] = _as_values([d[key] for d in dicts])
    return out


def _as_values(values: list) -> Any:
    """torch.as_tensor's reading of a list: numbers become an array, Python floats float32."""
    try:
        array = np.asarray(values)
    except ValueError:
        return values
    if array.dtype.kind not in "biuf":
        return values
    first = values[0]
    if array.dtype == np.float64 and not isinstance(first, (np.ndarray, np.generic)):
        array = array.astype(np.float32)
    return array


def _group(fields: dict[str, Any], keys: list[str]) -> np.ndarray:
    columns = []
    for key in keys:
        if key not in fields:
            raise ValueError(f"group attribute {key!r}: not an attribute of G's nodes/edges")
        value = np.asarray(fields.pop(key))
        columns.append(value.reshape(-1, 1) if value.ndim <= 1 else value)
    return np.concatenate(columns, axis=-1)


def _value(data: Any, key: str) -> Any:
    value = getattr(data, key, None)
    if value is None:
        raise ValueError(f"attribute {key!r}: the Graph has no such attribute (or it is None)")
    return value


def _rows(data: Any, key: str, count: int, level: str) -> list:
    value = _value(data, key)
    if sp.issparse(value):
        value = value.toarray()
    value = np.asarray(getattr(value, "data", value))
    if value.ndim == 0 or value.shape[0] != count:
        raise ValueError(f"{level}_attrs: attribute {key!r} has shape {value.shape}, expected "
                         f"{count} rows (one per {level})")
    return value.tolist()
