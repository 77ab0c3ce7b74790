"""Shared builders and assertions for the graph tests."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from npgnn.graph import Graph


def random_graph(seed: int = 0, num_nodes: int = 12, num_edges: int = 40, weighted: bool = True,
                 edge_dim: int | None = None) -> Graph:
    """A directed graph with duplicate edges, one self-loop on some nodes, two isolated nodes.

    Nodes num_nodes-2 and num_nodes-1 are on no edge. Self-loops are unique per node (PyG's
    add_remaining_self_loops leaves repeated loops to an unordered tensor write).
    """
    rng = np.random.default_rng(seed)
    active = num_nodes - 2
    src = rng.integers(0, active, num_edges)
    dst = rng.integers(0, active, num_edges)
    dst = np.where(src == dst, (dst + 1) % active, dst)         # no loops yet
    src[:4], dst[:4] = src[4:8], dst[4:8]                       # four duplicate edges
    loops = rng.choice(active, size=3, replace=False)
    ei = np.concatenate([np.stack([src, dst]), np.stack([loops, loops])], axis=1)
    ei = ei[:, rng.permutation(ei.shape[1])]
    e = ei.shape[1]
    return Graph(ei, num_nodes=num_nodes,
                 edge_weight=rng.uniform(0.5, 2.0, e) if weighted else None,
                 edge_attr=None if edge_dim is None else rng.standard_normal((e, edge_dim)))


def dense_adjacency(g: Graph, weight: np.ndarray | None = None) -> np.ndarray:
    """Loop-free reference: A = onehot(dst).T @ diag(w) @ onehot(src), A[i, j] sums j -> i."""
    src, dst = g.edge_index
    w = np.ones(g.num_edges) if weight is None else weight
    nodes = np.arange(g.num_nodes)
    to_target = (dst[:, None] == nodes).astype(float)           # (E, N)
    from_source = (src[:, None] == nodes).astype(float)         # (E, N)
    return to_target.T @ (w[:, None] * from_source)


def assert_graph_equal(a: Graph, b: Graph, rtol: float = 0.0) -> None:
    """Same keys, every array equal (floats up to ``rtol``) with the same dtype, the same sparse
    class for sparse values, other values equal."""
    assert a.num_nodes == b.num_nodes
    assert sorted(set(a.keys()) - {"num_nodes"}) == sorted(set(b.keys()) - {"num_nodes"})
    for name in set(a.keys()) - {"num_nodes"}:
        u, v = a[name], b[name]
        if sp.issparse(u):
            assert type(u) is type(v) and u.shape == v.shape and u.dtype == v.dtype, name
            assert (u != v).nnz == 0, name
        elif isinstance(u, np.ndarray):
            assert isinstance(v, np.ndarray) and u.dtype == v.dtype, (name, u.dtype, v.dtype)
            assert u.shape == v.shape, (name, u.shape, v.shape)
            np.testing.assert_allclose(u, v, rtol=rtol, atol=0, err_msg=name)
        else:
            assert type(u) is type(v) and u == v, (name, u, v)
