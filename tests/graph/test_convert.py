"""Tests of the conversions: one convention (A[i, j] != 0 is an edge j -> i) everywhere."""
from __future__ import annotations

import sys

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.graph import (
    Batch,
    Graph,
    coalesce,
    from_dense_adjacency,
    from_networkx,
    from_pyg,
    from_scipy_sparse,
    to_dense_adjacency,
    to_networkx,
    to_pyg,
    to_scipy_sparse,
)

from ._helpers import assert_graph_equal, dense_adjacency, random_graph

# A[i, j] != 0 is an edge j -> i: node 0 receives from 1 and 2, node 2 from 0.
A = np.array([[0.0, 1.0, 3.0],
              [0.0, 0.0, 0.0],
              [2.0, 0.0, 0.0]])


# ---------------------------------------------------------------------------------- dense / scipy
def test_from_dense_adjacency_convention():
    g = from_dense_adjacency(A, x=np.eye(3))
    assert g.edge_index.tolist() == [[0, 1, 2], [2, 0, 0]]  # sorted by (source, target)
    assert g.edge_weight.tolist() == [2.0, 1.0, 3.0]
    h = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(g.csr_by_target() @ h, A @ h)   # m_i = sum_j A[i, j] h_j
    assert g.num_features == 3
    np.testing.assert_array_equal(to_dense_adjacency(g), A)


def test_from_dense_adjacency_unweighted_when_all_ones():
    g = from_dense_adjacency(A != 0)
    assert g.edge_weight is None and g.num_edges == 3
    assert from_dense_adjacency((A != 0).astype(int)).edge_weight is None
    empty = from_dense_adjacency(np.zeros((4, 4)))
    assert (empty.num_nodes, empty.num_edges) == (4, 0)
    assert from_dense_adjacency(np.zeros((0, 0))).num_nodes == 0


@pytest.mark.parametrize("fn, bad, error, match", [
    (from_dense_adjacency, np.ones((2, 3)), ValueError,
     r"A: expected a square \(N, N\) adjacency matrix, got shape \(2, 3\)"),
    (from_dense_adjacency, np.ones(3), ValueError, r"A: expected a square .* got shape \(3,\)"),
    (from_dense_adjacency, sp.eye(3), TypeError, "A: expected a dense array.* from_scipy_sparse"),
    (from_scipy_sparse, np.eye(3), TypeError, "A: expected a scipy sparse.* from_dense_adjacency"),
    (from_scipy_sparse, sp.csr_matrix(np.ones((2, 3))), ValueError, "A: expected a square"),
])
def test_matrix_errors(fn, bad, error, match):
    with pytest.raises(error, match=match):
        fn(bad)


def test_from_scipy_sparse_sums_duplicates_and_drops_explicit_zeros():
    coo = sp.coo_matrix(([1.0, 1.0, 0.0, 2.0], ([0, 0, 1, 2], [1, 1, 2, 0])), shape=(3, 3))
    g = from_scipy_sparse(coo)
    assert g.edge_index.tolist() == [[0, 1], [2, 0]] and g.edge_weight.tolist() == [2.0, 2.0]
    np.testing.assert_array_equal(to_dense_adjacency(g), coo.toarray())
    assert from_scipy_sparse(sp.csr_array(A != 0)).edge_weight is None


def test_scipy_round_trip_and_copy():
    g = random_graph(seed=20)
    a = to_scipy_sparse(g)
    np.testing.assert_allclose(a.toarray(), dense_adjacency(g, g.edge_weight), rtol=1e-12)
    assert_graph_equal(from_scipy_sparse(a), coalesce(g), rtol=1e-12)  # sums in another order
    a.data[:] = 0                                          # a copy: the cache is untouched
    assert g.csr_by_target().data.all()


# ---------------------------------------------------------------------------------- networkx
def test_from_networkx_directed_relabels_in_node_order():
    G = nx.DiGraph()
    G.add_nodes_from([("c", {"f": [1.0, 2.0], "g": 0.5, "label": 1}),
                      ("a", {"f": [3.0, 4.0], "g": 1.5, "label": 0}),
                      ("b", {"f": [5.0, 6.0], "g": 2.5, "label": 2})])
    G.add_edge("a", "c", weight=2.0)
    G.add_edge("c", "b", weight=3.0)
    g = from_networkx(G, group_node_attrs=["f", "g"], label_attr="label")
    assert g.edge_index.tolist() == [[0, 1], [2, 0]]      # c=0 -> b=2, a=1 -> c=0
    assert g.edge_weight.tolist() == [3.0, 2.0]
    assert g.x.tolist() == [[1, 2, 0.5], [3, 4, 1.5], [5, 6, 2.5]]
    assert g.y.tolist() == [1, 0, 2]


def test_from_networkx_undirected_gives_both_directions():
    G = nx.Graph([(0, 1), (1, 2), (2, 2)])
    g = from_networkx(G)
    pairs = set(map(tuple, g.edge_index.T.tolist()))
    assert pairs == {(0, 1), (1, 0), (1, 2), (2, 1), (2, 2)} and g.num_edges == 5
    assert g.edge_weight is None and g.is_undirected()
    karate = from_networkx(nx.karate_club_graph(), weight_attr=None)
    assert (karate.num_nodes, karate.num_edges) == (34, 156)
    assert karate.is_undirected()


def test_from_networkx_errors():
    G = nx.DiGraph()
    G.add_edge(0, 1, weight=1.0)
    G.add_edge(1, 2)
    with pytest.raises(ValueError, match="weight_attr: only 1 of 2 edges have the attribute"):
        from_networkx(G)
    assert from_networkx(G, weight_attr=None).edge_weight is None
    G.nodes[0]["f"] = 1.0
    with pytest.raises(ValueError, match="node attribute 'f': missing on 2 node"):
        from_networkx(G, group_node_attrs=["f"], weight_attr=None)


def test_networkx_round_trip():
    g = random_graph(seed=21).replace(x=np.arange(24.0).reshape(12, 2), y=np.arange(12))
    G = to_networkx(g)
    assert isinstance(G, nx.DiGraph) and G.number_of_nodes() == 12
    back = from_networkx(G, group_node_attrs=["x"], label_attr="y")
    assert_graph_equal(back, coalesce(g), rtol=1e-12)
    np.testing.assert_allclose(nx.to_numpy_array(G, nodelist=range(12)).T,
                               dense_adjacency(g, g.edge_weight), rtol=1e-12)


def test_to_networkx_undirected():
    g = Graph([[0, 1, 1, 2], [1, 0, 2, 1]], num_nodes=4)
    G = to_networkx(g, to_undirected=True)
    assert type(G) is nx.Graph
    assert sorted(G.edges) == [(0, 1), (1, 2)] and G.number_of_nodes() == 4


# ---------------------------------------------------------------------------------- PyG
@pytest.fixture(scope="module")
def torch():
    pytest.importorskip("torch_geometric")
    return pytest.importorskip("torch")


def full_graph(seed: int = 22) -> Graph:
    rng = np.random.default_rng(seed)
    g = random_graph(seed=seed, edge_dim=2)
    n = g.num_nodes
    return g.replace(x=rng.standard_normal((n, 3)).astype(np.float32), y=rng.integers(0, 3, n),
                     train_mask=rng.random(n) < 0.5, val_mask=rng.random(n) < 0.5,
                     test_mask=rng.random(n) < 0.5)


def test_pyg_round_trip(torch):
    g = full_graph()
    data = to_pyg(g)
    assert data.num_nodes == g.num_nodes and data.x.dtype == torch.float32
    assert data.edge_index.dtype == torch.int64
    assert_graph_equal(from_pyg(data), g)
    data.x[0, 0] = 100.0                                 # to_pyg copies
    assert g.x[0, 0] != 100.0


def test_pyg_dense_adjacency_is_the_transpose(torch):
    to_dense_adj = pytest.importorskip("torch_geometric.utils").to_dense_adj
    g = random_graph(seed=23)
    pyg_dense = to_dense_adj(torch.from_numpy(g.edge_index), edge_attr=torch.from_numpy(
        g.edge_weight), max_num_nodes=g.num_nodes)[0].numpy()
    np.testing.assert_allclose(to_dense_adjacency(g), pyg_dense.T, rtol=1e-12)  # PyG: A[u, v] u->v


def test_from_pyg_batch_equals_our_batch(torch):
    pyg_batch = pytest.importorskip("torch_geometric.data").Batch
    graphs = [full_graph(seed) for seed in (1, 2, 3)]
    ours = Batch.from_graphs(graphs)
    theirs = from_pyg(pyg_batch.from_data_list([to_pyg(g) for g in graphs]))
    assert_graph_equal(theirs, ours)
    assert_graph_equal(from_pyg(to_pyg(ours)), ours)


def test_csr_features_are_densified_for_pyg(torch):
    g = Graph([[0], [1]], x=sp.csr_matrix(np.eye(2, dtype=np.float32)))
    assert not to_pyg(g).x.is_sparse
    np.testing.assert_array_equal(to_pyg(g).x.numpy(), np.eye(2))


def test_missing_pyg_gives_an_import_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch_geometric.data", None)
    with pytest.raises(ImportError, match="to_pyg needs torch and torch_geometric.*pip install"):
        to_pyg(Graph([[0], [1]]))
    with pytest.raises(ImportError, match="from_pyg needs torch and torch_geometric"):
        from_pyg(object())
