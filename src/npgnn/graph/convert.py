"""Conversions to and from dense matrices, scipy sparse matrices, networkx and PyG.

The one convention, stated here for every matrix: ``A[i, j] != 0`` is an edge j -> i (source j,
target i), so that the message to node i is ``m_i = sum_j A[i, j] h_j``, i.e. ``m = A @ h``.
This is the transpose of networkx's and PyG's ``to_dense_adj`` (whose ``A[u, v]`` is u -> v).
Edges built from a matrix come sorted by (source, target), as ``coalesce`` leaves them.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph.graph import Graph
from npgnn.graph.transforms import coalesce
from npgnn.utils.convert import build_networkx, networkx_arrays

if TYPE_CHECKING:  # networkx is imported where it is used: `import npgnn` stays fast
    import networkx as nx


def from_dense_adjacency(A: Any, x: Any = None) -> Graph:
    """Graph with an edge j -> i for each ``A[i, j] != 0``.

    ``edge_weight = A[i, j]`` unless every nonzero entry is 1 (then the graph is unweighted).

    Args:
        A: (N, N) array-like. x: optional (N, F) node features.

    Raises:
        TypeError: ``A`` is a scipy sparse matrix (use ``from_scipy_sparse``).
        ValueError: ``A`` is not square.
    """
    if sp.issparse(A):
        raise TypeError("A: expected a dense array, got a scipy sparse matrix; use "
                        "from_scipy_sparse")
    A = np.asarray(A)
    _check_square(A.shape)
    src, tgt = np.nonzero(A.T)  # (j, i) pairs, sorted by source j
    return _from_triplets(src, tgt, A[tgt, src], A.shape[0], x)


def to_dense_adjacency(g: Graph) -> np.ndarray:
    """(N, N) ndarray with ``A[i, j]`` = summed weights of the edges j -> i.

    The dtype is that of ``g.csr_by_target()`` (float32 for an unweighted graph).
    """
    return g.csr_by_target().toarray()


def from_scipy_sparse(A: Any, x: Any = None) -> Graph:
    """Graph with an edge j -> i for each stored nonzero ``A[i, j]`` of a scipy sparse matrix.

    Duplicate entries are summed and explicit zeros dropped. Weights as ``from_dense_adjacency``.

    Raises:
        TypeError: ``A`` is not scipy sparse. ValueError: ``A`` is not square.
    """
    if not sp.issparse(A):
        raise TypeError(f"A: expected a scipy sparse matrix, got {type(A).__name__}; use "
                        f"from_dense_adjacency for dense arrays")
    _check_square(A.shape)
    by_source = sp.csr_matrix(A.T)  # row j lists the targets i of source j
    by_source.sum_duplicates()
    by_source.eliminate_zeros()
    coo = by_source.tocoo()
    return _from_triplets(coo.row, coo.col, coo.data, A.shape[0], x)


def to_scipy_sparse(g: Graph) -> sp.csr_matrix:
    """(N, N) CSR copy of ``g.csr_by_target()``: ``A[i, j]`` = summed weights of edges j -> i."""
    return g.csr_by_target().copy()


def _check_square(shape: tuple[int, ...]) -> None:
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"A: expected a square (N, N) adjacency matrix, got shape {shape}")


def _from_triplets(src: np.ndarray, tgt: np.ndarray, w: np.ndarray, n: int, x: Any) -> Graph:
    w = np.asarray(w)
    weighted = w.dtype != np.bool_ and not (w == 1).all()
    return Graph(np.stack([src, tgt]).astype(np.int64), num_nodes=n, x=x,
                 edge_weight=w if weighted else None)


def from_networkx(G: nx.Graph, group_node_attrs: Sequence[str] | None = None,
                  label_attr: str | None = None, weight_attr: str | None = "weight") -> Graph:
    """Graph from a networkx graph; nodes are relabelled 0..N-1 in ``G.nodes`` order.

    A directed edge u -> v becomes source u, target v; an undirected edge {u, v} gives both
    u -> v and v -> u (a self-loop once). Multigraph edges stay as duplicates. (PyG's
    signature, which turns every attribute into a Graph attribute, is
    ``npgnn.utils.from_networkx``; both read G through ``npgnn.utils.convert.networkx_arrays``.)

    Args:
        group_node_attrs: node attribute names stacked (in this order) into the columns of
            ``x``; each value is a number or a 1-D vector.
        label_attr: node attribute holding each node's label, gathered into ``y``.
        weight_attr: edge attribute read into ``edge_weight`` if every edge has it.

    Raises:
        ValueError: a node lacks a requested attribute, or only some edges have ``weight_attr``.
    """
    edge_index, node_dicts, edge_dicts = networkx_arrays(G)
    nodes = list(G.nodes)
    weight = None
    if weight_attr is not None:
        has = [weight_attr in d for d in edge_dicts]
        if any(has) and not all(has):
            raise ValueError(f"weight_attr: only {sum(has)} of {len(has)} edges have the "
                             f"attribute {weight_attr!r}; set it on all edges or pass "
                             f"weight_attr=None")
        if edge_dicts and all(has):
            weight = np.array([d[weight_attr] for d in edge_dicts], dtype=np.float64)
    x = None
    if group_node_attrs:
        cols = [np.asarray(_node_values(nodes, node_dicts, a), dtype=np.float64)
                for a in group_node_attrs]
        x = np.concatenate([c.reshape(len(nodes), -1) for c in cols], axis=1)
    y = None if label_attr is None else np.asarray(_node_values(nodes, node_dicts, label_attr))
    return Graph(edge_index, num_nodes=len(nodes), x=x, edge_weight=weight, y=y)


def _node_values(nodes: list, node_dicts: list[dict], attr: str) -> list:
    missing = [node for node, d in zip(nodes, node_dicts) if d.get(attr) is None]
    if missing:
        raise ValueError(f"node attribute {attr!r}: missing on {len(missing)} node(s), e.g. "
                         f"{missing[0]!r}; set it on every node")
    return [d[attr] for d in node_dicts]


def to_networkx(g: Graph, to_undirected: bool = False) -> nx.Graph:
    """networkx graph on nodes 0..N-1 with an edge u -> v for each edge (source u, target v).

    Duplicate edges are merged by summing their weights (``coalesce``); weights go to the edge
    attribute 'weight'. Node attributes: 'x' (the row of ``x`` as an ndarray, dense only) and 'y'
    when ``y`` has one entry per node. ``to_undirected=True`` returns an ``nx.Graph`` for an
    undirected ``g``: if the two directions of a pair differ in weight, the later edge in
    (source, target) order wins. (PyG's signature, copying named attributes as lists, is
    ``npgnn.utils.to_networkx``; both build through ``npgnn.utils.convert.build_networkx``.)
    """
    nodes = {}
    if isinstance(g.x, np.ndarray):
        nodes["x"] = list(g.x.copy())
    if g.y is not None and g.y.ndim >= 1 and g.y.shape[0] == g.num_nodes:
        nodes["y"] = g.y.tolist()
    c = coalesce(g)
    edges = {} if c.edge_weight is None else {"weight": c.edge_weight.tolist()}
    return build_networkx(g.num_nodes, c.edge_index, nodes, edges, {}, bool(to_undirected))


def from_pyg(data: Any) -> Graph:
    """Graph from a ``torch_geometric.data.Data`` (or ``Batch``); tensors become ndarrays.

    Every attribute of ``data`` is copied: the core fields (edge_index, num_nodes, x,
    edge_weight, edge_attr, y, masks, batch, ptr) and any others (``edge_label``, ``foo``...) as
    extra attributes; values that are not tensors are kept as they are.

    Raises:
        ImportError: torch or torch_geometric is not installed.
    """
    torch = _import_torch_geometric("from_pyg")[0]

    def numpy(value: Any) -> Any:
        return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value

    fields = {key: numpy(value) for key, value in data.items() if key != "num_nodes"}
    return Graph(num_nodes=data.num_nodes, **fields)


def to_pyg(g: Graph) -> Any:
    """``torch_geometric.data.Data`` holding copies of the attributes of ``g`` (inverse of
    from_pyg): arrays become tensors, a scipy CSR ``x`` is densified (PyG layers expect dense
    features), other values are passed as they are.

    Raises:
        ImportError: torch or torch_geometric is not installed.
    """
    torch, pyg_data = _import_torch_geometric("to_pyg")
    fields = {}
    for key, value in g.items():
        if sp.issparse(value):
            value = value.toarray()
        fields[key] = torch.tensor(value) if isinstance(value, np.ndarray) else value
    fields["num_nodes"] = g.num_nodes
    return pyg_data.Data(**fields)


def _import_torch_geometric(caller: str) -> tuple[Any, Any]:
    try:
        import torch
        import torch_geometric.data
    except ImportError as err:
        raise ImportError(f"{caller} needs torch and torch_geometric ({err}); install them, e.g. "
                          f"pip install torch torch_geometric, or the npgnn[test] extra") from err
    return torch, torch_geometric.data
