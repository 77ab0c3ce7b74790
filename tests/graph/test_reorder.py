"""Graph.reorder: node renumbering for locality (RCM, degree), every field permuted alike."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from npgnn import Graph, Tensor
from npgnn.graph import Batch
from npgnn.graph.reorder import inverse, node_order, restore
from npgnn.nn.conv.gat import GATConv
from npgnn.nn.conv.gcn import GCNConv
from npgnn.nn.conv.sage import SAGEConv


def directed(n: int = 14, e: int = 50, seed: int = 0) -> np.ndarray:
    """Directed edges with duplicates and self-loops; nodes n-2 and n-1 are isolated."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n - 2, e), rng.integers(0, n - 2, e)
    src[:4], dst[:4] = src[4:8], dst[4:8]          # duplicates
    src[8:11] = dst[8:11]                          # self-loops
    return np.stack([src, dst])


def full_graph(dtype=np.float64, seed: int = 0) -> Graph:
    rng = np.random.default_rng(seed)
    ei = directed(seed=seed)
    n, e = 14, ei.shape[1]
    return Graph(ei, num_nodes=n, x=rng.standard_normal((n, 5)).astype(dtype),
                 y=rng.integers(0, 3, n), train_mask=rng.random(n) < 0.5,
                 val_mask=rng.random(n) < 0.5, edge_attr=rng.standard_normal((e, 2)),
                 edge_weight=rng.random(e) + 0.5, pos=rng.standard_normal((n, 3)),
                 node_score=rng.random(n), edge_label_index=rng.integers(0, n, (2, 7)),
                 edge_label=rng.random(7), title="toy")


@pytest.mark.parametrize("method", ["rcm", "degree"])
def test_every_field_follows_the_permutation(method):
    g = full_graph()
    before = {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in g.items()}
    r = g.reorder(method)
    perm, inv = r.perm, r.perm_inverse
    assert perm.dtype == inv.dtype == np.int64
    assert np.array_equal(np.sort(perm), np.arange(g.num_nodes))
    assert np.array_equal(perm[inv], np.arange(g.num_nodes))
    for key in ("x", "y", "train_mask", "val_mask", "pos", "node_score"):
        assert np.array_equal(getattr(r, key), getattr(g, key)[perm]), key
        assert np.array_equal(getattr(r, key)[inv], getattr(g, key)), key
    # edges keep their order, with new ids: edge-level fields stay aligned untouched
    assert np.array_equal(perm[r.edge_index], g.edge_index)
    for key in ("edge_attr", "edge_weight", "edge_label"):
        assert np.array_equal(getattr(r, key), getattr(g, key)), key
    assert np.array_equal(perm[r.edge_label_index], g.edge_label_index)
    assert r.title == "toy" and r.num_nodes == g.num_nodes
    for key, value in before.items():   # the input graph is untouched
        assert np.array_equal(g[key], value) if isinstance(value, np.ndarray) else g[key] == value
    assert "perm" not in g


def test_sparse_features_are_permuted_by_rows():
    g = full_graph()
    g.x = sp.csr_matrix(np.where(g.x > 0.5, g.x, 0.0))
    r = g.reorder("rcm")
    assert sp.issparse(r.x)
    np.testing.assert_array_equal(r.x.toarray(), g.x.toarray()[r.perm])


def test_rcm_recovers_a_band_from_a_shuffled_path():
    n = 200
    rng = np.random.default_rng(3)
    label = rng.permutation(n)                       # a path 0-1-...-199 under random ids
    path = np.stack([np.arange(n - 1), np.arange(1, n)])
    ei = label[np.concatenate([path, path[::-1]], axis=1)]
    g = Graph(ei, num_nodes=n)

    def bandwidth(edge_index):
        return int(np.abs(edge_index[0] - edge_index[1]).max())

    assert bandwidth(g.edge_index) > 100
    assert bandwidth(g.reorder("rcm").edge_index) == 1


def test_degree_order_puts_hubs_first():
    ei = np.array([[0, 1, 2, 3, 4, 4, 4, 2],
                   [4, 4, 4, 4, 0, 1, 2, 0]])
    order = node_order(Graph(ei, num_nodes=6), "degree")
    # degrees (in + out): 4 -> 7, 0 -> 3, 2 -> 3, 1 -> 2, 3 -> 1, 5 -> 0; ties by id
    assert order.tolist() == [4, 0, 2, 1, 3, 5]


LAYERS = {
    "GCNConv": lambda: GCNConv(5, 4, rng=1),
    "SAGEConv": lambda: SAGEConv(5, 4, rng=1),
    "GATConv": lambda: GATConv(5, 3, heads=2, rng=1),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("method", ["rcm", "degree"])
def test_layer_outputs_and_gradients_match_after_the_inverse_permutation(name, method, dtype):
    g = full_graph(dtype)
    g.edge_weight = None
    g.edge_attr = None
    r = g.reorder(method)
    layer = LAYERS[name]().to(dtype)
    assert all(p.dtype == dtype for p in layer.parameters())
    cot = np.random.default_rng(5).standard_normal((g.num_nodes, layer(Tensor(g.x), g).shape[1]))
    cot = cot.astype(dtype)
    tol = 1e-10 if dtype == np.float64 else 1e-5

    def run(graph, cotangent):
        x = Tensor(graph.x, requires_grad=True)
        out = layer(x, graph)
        out.backward(cotangent)
        grads = [p.grad.copy() for p in layer.parameters()]
        for p in layer.parameters():
            p.grad = None
        return out.data, x.grad, grads

    out, gx, gw = run(g, cot)
    out_r, gx_r, gw_r = run(r, cot[r.perm])
    np.testing.assert_allclose(restore(out_r, r.perm), out, rtol=tol, atol=tol)
    np.testing.assert_allclose(gx_r[r.perm_inverse], gx, rtol=tol, atol=tol)
    for a, b in zip(gw_r, gw):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_restore_keeps_a_tensor_differentiable():
    g = full_graph()
    r = g.reorder("rcm")
    x = Tensor(r.x, requires_grad=True)
    back = restore(x * 2.0, r.perm)
    assert isinstance(back, Tensor)
    back.backward(np.ones_like(g.x))
    np.testing.assert_array_equal(x.grad, np.full_like(g.x, 2.0))
    np.testing.assert_array_equal(back.data, 2 * g.x)


def test_a_batch_keeps_nodes_in_their_graphs():
    graphs = [Graph(directed(n=8 + k, e=20, seed=k), num_nodes=8 + k,
                    x=np.random.default_rng(k).standard_normal((8 + k, 3))) for k in range(3)]
    b = Batch.from_data_list(graphs)
    r = b.reorder("rcm")
    assert np.array_equal(r.batch, b.batch) and np.array_equal(r.ptr, b.ptr)
    assert np.array_equal(b.batch[r.perm], b.batch)      # nobody changed graph
    np.testing.assert_array_equal(r.x, b.x[r.perm])
    assert np.array_equal(r.batch[r.edge_index[0]], r.batch[r.edge_index[1]])


def test_reordering_twice_composes_the_permutation():
    g = full_graph()
    twice = g.reorder("rcm").reorder("degree")
    np.testing.assert_array_equal(twice.x, g.x[twice.perm])
    np.testing.assert_array_equal(twice.x[twice.perm_inverse], g.x)


def test_empty_and_edgeless_graphs():
    for g in (Graph(num_nodes=0), Graph(num_nodes=3, x=np.eye(3))):
        for method in ("rcm", "degree"):
            r = g.reorder(method)
            assert r.perm.shape == (g.num_nodes,) and r.num_edges == 0
            if g.x is not None:
                np.testing.assert_array_equal(r.x, g.x[r.perm])


def test_errors_name_the_problem():
    g = full_graph()
    with pytest.raises(ValueError, match=r"reorder: method must be one of \('rcm', 'degree'\), got 'metis'"):
        g.reorder("metis")
    with pytest.raises(AttributeError, match="perm_inverse: this graph has no perm"):
        _ = g.perm_inverse
    sub = g.reorder("rcm").subgraph(np.arange(5))
    np.testing.assert_array_equal(sub.x, g.x[sub.perm])    # perm follows the kept nodes
    with pytest.raises(ValueError, match="perm: expected a permutation of 0..4, found ids outside"):
        _ = sub.perm_inverse
    with pytest.raises(ValueError, match="perm: expected a permutation of 0..2, found repeated"):
        inverse(np.array([0, 0, 2]))
    with pytest.raises(ValueError, match="perm: expected a 1-D integer array, got dtype float64"):
        inverse(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"restore: values must have 3 rows \(one per node\), got shape \(2, 4\)"):
        restore(np.zeros((2, 4)), np.array([2, 0, 1]))
