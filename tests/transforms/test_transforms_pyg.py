"""npgnn.transforms equal torch_geometric.transforms on random graphs."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import npgnn.transforms as T
from npgnn import Graph
from npgnn.graph import Batch, to_pyg

from ._helpers import random_edges, same


@pytest.fixture(scope="module")
def PT():
    pytest.importorskip("torch")
    return pytest.importorskip("torch_geometric.transforms")


FIELDS = ("edge_index", "x", "y", "edge_weight", "edge_attr", "train_mask", "val_mask",
          "test_mask", "batch")


def graph(seed=0, weighted=True, edge_dim=2, n=12, e=40):
    rng = np.random.default_rng(seed)
    ei = random_edges(seed, n, e)
    m = ei.shape[1]
    return Graph(ei, num_nodes=n, x=rng.random((n, 3)).astype(np.float32) - 0.2,
                 y=rng.integers(0, 3, n), edge_weight=rng.random(m) if weighted else None,
                 edge_attr=rng.standard_normal((m, edge_dim)) if edge_dim else None)


def assert_same(ours: Graph, data, fields=FIELDS, rtol=1e-6):
    assert ours.num_nodes == data.num_nodes
    for key in fields:
        theirs = getattr(data, key, None)
        if theirs is None:
            assert getattr(ours, key) is None, key
        else:
            same(getattr(ours, key), theirs, rtol)


@pytest.mark.parametrize("seed", [0, 1])
def test_normalize_features(PT, seed):
    g = graph(seed)
    assert_same(T.NormalizeFeatures()(g), PT.NormalizeFeatures()(to_pyg(g)))
    nonneg = g.replace(x=np.abs(g.x) * (g.x > 0.3))    # zero rows and a minimum of 0
    ours = T.NormalizeFeatures()(nonneg)
    assert_same(ours, PT.NormalizeFeatures()(to_pyg(nonneg)))
    sparse = T.NormalizeFeatures()(nonneg.replace(x=sp.csr_matrix(nonneg.x)))
    assert sp.issparse(sparse.x) and np.allclose(sparse.x.toarray(), ours.x)


@pytest.mark.parametrize("reduce", ["add", "mean", "max"])
def test_to_undirected(PT, reduce):
    g = graph(2)
    assert_same(T.ToUndirected(reduce)(g), PT.ToUndirected(reduce)(to_pyg(g)), rtol=1e-12)


@pytest.mark.parametrize("fill_value", [1.0, 0.5, "mean"])
def test_add_and_remove_self_loops(PT, fill_value):
    g = graph(3, edge_dim=None)
    assert_same(T.AddSelfLoops(fill_value=fill_value)(g),
                PT.AddSelfLoops(fill_value=fill_value)(to_pyg(g)), rtol=1e-12)
    assert_same(T.RemoveSelfLoops()(g), PT.RemoveSelfLoops()(to_pyg(g)), rtol=1e-12)
    unweighted = graph(3, weighted=False, edge_dim=None)
    assert_same(T.AddSelfLoops()(unweighted), PT.AddSelfLoops()(to_pyg(unweighted)))
    g2 = graph(3)  # edge_attr follows too (PyG leaves it unchanged, mismatched)
    out = T.AddSelfLoops(fill_value=fill_value)(g2)
    assert out.edge_attr.shape == (out.num_edges, 2)


@pytest.mark.parametrize("loops", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_gcn_norm(PT, loops, weighted):
    g = graph(4, weighted=weighted, edge_dim=None)
    assert_same(T.GCNNorm(loops)(g), PT.GCNNorm(loops)(to_pyg(g)))


def test_remove_isolated_nodes(PT):
    g = graph(5)
    ei = np.concatenate([g.edge_index, [[11], [11]]], axis=1)  # node 11: only a self-loop
    g = g.replace(edge_index=ei, edge_weight=np.r_[g.edge_weight, 7.0],
                  edge_attr=np.r_[g.edge_attr, [[1.0, 2.0]]],
                  train_mask=np.arange(12) % 2 == 0)
    ours = T.RemoveIsolatedNodes()(g)
    assert ours.num_nodes == 11
    assert_same(ours, PT.RemoveIsolatedNodes()(to_pyg(g)))


@pytest.mark.parametrize("value, cat", [(1.0, True), (0.5, False)])
def test_constant(PT, value, cat):
    g = graph(6)
    assert_same(T.Constant(value, cat)(g), PT.Constant(value, cat)(to_pyg(g)))
    bare = g.replace(x=None)
    assert_same(T.Constant(value, cat)(bare), PT.Constant(value, cat)(to_pyg(bare)))
    assert T.Constant(node_types="paper")(g).x is g.x


@pytest.mark.parametrize("in_degree", [False, True])
@pytest.mark.parametrize("cat", [False, True])
def test_one_hot_degree(PT, in_degree, cat):
    g = graph(7)
    assert_same(T.OneHotDegree(12, in_degree, cat)(g), PT.OneHotDegree(12, in_degree, cat)(to_pyg(g)))
    bare = g.replace(x=None)
    assert_same(T.OneHotDegree(12, in_degree, cat)(bare),
                PT.OneHotDegree(12, in_degree, cat)(to_pyg(bare)))


@pytest.mark.parametrize("norm, max_value, cat", [(True, None, True), (False, None, False),
                                                  (True, 10.0, True)])
def test_target_indegree(PT, norm, max_value, cat):
    g = graph(8)
    assert_same(T.TargetIndegree(norm, max_value, cat)(g),
                PT.TargetIndegree(norm, max_value, cat)(to_pyg(g)))


@pytest.mark.parametrize("num_components", [1, 2, 5])
@pytest.mark.parametrize("connection", ["weak", "strong"])
def test_largest_connected_components(PT, num_components, connection):
    rng = np.random.default_rng(9)
    parts = [random_edges(s, 8, 10) + 8 * k for k, s in enumerate([1, 2, 3])]
    ei = np.concatenate([p[:, rng.permutation(p.shape[1])[:6 + 2 * k]]
                         for k, p in enumerate(parts)], axis=1)
    n = 26
    g = Graph(ei, num_nodes=n, x=rng.random((n, 2)), y=rng.integers(0, 2, n),
              edge_weight=rng.random(ei.shape[1]))
    ours = T.LargestConnectedComponents(num_components, connection)(g)
    assert_same(ours, PT.LargestConnectedComponents(num_components, connection)(to_pyg(g)))


def test_compose_and_lists(PT):
    g = graph(10)
    ours = T.Compose([T.ToUndirected(), T.AddSelfLoops(), T.NormalizeFeatures()])
    theirs = PT.Compose([PT.ToUndirected(), PT.AddSelfLoops(), PT.NormalizeFeatures()])
    assert_same(ours(g), theirs(to_pyg(g.replace(edge_attr=None))),
                fields=[f for f in FIELDS if f != "edge_attr"])
    assert repr(ours).replace("npgnn", "") == repr(theirs)
    out = ours([g, g])
    assert isinstance(out, list) and len(out) == 2


def test_reprs_match_pyg(PT):
    pairs = [(T.NormalizeFeatures(), PT.NormalizeFeatures()), (T.GCNNorm(), PT.GCNNorm()),
             (T.Constant(2.0), PT.Constant(2.0)), (T.OneHotDegree(4), PT.OneHotDegree(4)),
             (T.RandomNodeSplit("random"), PT.RandomNodeSplit("random")),
             (T.LargestConnectedComponents(3), PT.LargestConnectedComponents(3)),
             (T.TargetIndegree(), PT.TargetIndegree()), (T.ToUndirected(), PT.ToUndirected()),
             (T.AddSelfLoops(), PT.AddSelfLoops()), (T.RemoveSelfLoops(), PT.RemoveSelfLoops()),
             (T.RemoveIsolatedNodes(), PT.RemoveIsolatedNodes())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_transforms_keep_batches_consistent():
    graphs = [graph(s, n=6, e=8) for s in range(3)]
    b = Batch.from_graphs(graphs)
    out = T.RemoveIsolatedNodes()(b)
    assert out.num_graphs == 3 and out.ptr[-1] == out.num_nodes
    assert (out.batch[out.edge_index[0]] == out.batch[out.edge_index[1]]).all()
    assert T.Compose([T.ToUndirected(), T.GCNNorm()])(b).num_graphs == 3


def with_extras(seed=11):
    """A Graph with an edge-level, a node-level and a graph-level extra attribute."""
    g = graph(seed)
    rng = np.random.default_rng(seed)
    g.edge_label = rng.integers(0, 2, g.num_edges)
    g.node_score = rng.random((g.num_nodes, 2))
    g.name = "g0"
    return g


@pytest.mark.parametrize("make", [
    lambda PT, T: (T.ToUndirected(), PT.ToUndirected()),
    lambda PT, T: (T.RemoveIsolatedNodes(), PT.RemoveIsolatedNodes()),
    lambda PT, T: (T.LargestConnectedComponents(), PT.LargestConnectedComponents()),
    lambda PT, T: (T.RemoveSelfLoops(), None),
    lambda PT, T: (T.AddSelfLoops(fill_value=0.0), None),
])
def test_extra_attributes_follow_their_level(PT, make):
    g = with_extras()
    ours, theirs = make(PT, T)
    out = ours(g)
    assert out.name == "g0"
    assert out.edge_label.shape == (out.num_edges,) and out.node_score.shape == (out.num_nodes, 2)
    if theirs is not None:
        data = theirs(to_pyg(g))
        assert_same(out, data, FIELDS + ("edge_label", "node_score"))
        assert data.name == "g0"


def test_pyg_round_trip_keeps_extras():
    from npgnn.graph import from_pyg

    pytest.importorskip("torch_geometric")
    g = with_extras()
    back = from_pyg(to_pyg(g))
    assert back.name == "g0" and np.array_equal(back.edge_label, g.edge_label)
    assert np.array_equal(back.node_score, g.node_score)
