"""GCNConv: outputs and gradients equal PyG's GCNConv for identical weights (float64 to 1e-10,
float32 to 1e-5) on directed graphs with isolated nodes, duplicate edges and self-loops; caching,
sparse features, corner-case graphs, gradcheck and errors."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import npgnn
from npgnn import Graph, Tensor
from npgnn.interop import load_pyg_state_dict
from npgnn.nn.conv.gcn import GCNConv

from ._helpers import close, compare_with_pyg, random_graph, torch_state

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

OPTIONS = [
    {}, {"bias": False}, {"normalize": False}, {"add_self_loops": False}, {"cached": True},
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("channels", [(6, 3), (3, 6)])  # W first, then aggregation first
def test_equals_pyg(channels, options, dtype):
    ei = random_graph()
    x = np.random.default_rng(1).standard_normal((12, channels[0]))
    ours = GCNConv(*channels, rng=0, **options)
    out = compare_with_pyg(ours, pyg_nn.GCNConv(*channels, **options), x, ei, dtype)
    if options.get("add_self_loops", True) and options.get("normalize", True):
        # isolated nodes get only their self-loop: x'_i = Θ x_i + b
        expected = x[-2:].astype(dtype) @ ours.lin.weight.data.T
        if ours.bias is not None:
            expected = expected + ours.bias.data
        close(out.data[-2:], expected, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", [{}, {"improved": True}, {"normalize": False},
                                     {"add_self_loops": False}])
def test_edge_weight_equals_pyg(options, dtype):
    ei = random_graph(1)
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((12, 4)), rng.uniform(0.5, 2.0, ei.shape[1])
    compare_with_pyg(GCNConv(4, 3, rng=1, **options), pyg_nn.GCNConv(4, 3, **options), x, ei,
                     dtype, w)


def test_graph_edge_weight_is_used_like_an_explicit_one():
    ei = random_graph(2)
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((12, 4)), rng.uniform(0.5, 2.0, ei.shape[1])
    ours = GCNConv(4, 3, rng=2).to(np.float64)
    explicit = ours(x, ei, w).data
    via_graph = ours(x, Graph(ei, num_nodes=12, edge_weight=w)).data
    np.testing.assert_allclose(via_graph, explicit, rtol=1e-14)


def test_improved_uses_fill_value_two():
    """A + 2I as PyG documents. (PyG 2.8.1 ignores `improved` when no edge_weight is given, so
    the reference here is PyG with explicit unit weights.)"""
    ei = random_graph(3)
    x = np.random.default_rng(4).standard_normal((12, 4))
    ours = GCNConv(4, 3, improved=True, rng=3).to(np.float64)
    theirs = pyg_nn.GCNConv(4, 3, improved=True).double()
    theirs.load_state_dict(torch_state(ours))
    ref = theirs(torch.tensor(x), torch.from_numpy(ei), torch.ones(ei.shape[1], dtype=torch.float64))
    close(ours(Tensor(x), ei).data, ref)


def test_learned_edge_weight_without_normalization_gets_pyg_gradient():
    ei = random_graph(4)
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((12, 4)), rng.uniform(0.5, 2.0, ei.shape[1])
    ours = GCNConv(4, 3, normalize=False, rng=4).to(np.float64)
    theirs = pyg_nn.GCNConv(4, 3, normalize=False).double()
    theirs.load_state_dict(torch_state(ours))
    wo, wt = Tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    cot = rng.standard_normal((12, 3))
    ours(Tensor(x), ei, wo).backward(cot)
    (theirs(torch.tensor(x), torch.from_numpy(ei), wt) * torch.from_numpy(cot)).sum().backward()
    close(wo.grad, wt.grad)


@pytest.mark.parametrize("norm", ["row", "col"])
def test_row_and_col_normalisation_equal_dense_formulas(norm):
    ei = random_graph(5)
    x = np.random.default_rng(6).standard_normal((12, 3))
    ours = GCNConv(3, 3, norm=norm, bias=False, rng=5).to(np.float64)
    a = np.zeros((12, 12))
    np.add.at(a, (ei[1], ei[0]), 1.0)
    a[np.diag_indices(12)] = 1.0                  # remaining self-loops; existing ones kept (1)
    a = a / a.sum(axis=1, keepdims=True) if norm == "row" else a / a.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(ours(x, ei).data, a @ x @ ours.lin.weight.data.T, rtol=1e-12)


@pytest.mark.parametrize("channels", [(6, 3), (3, 6)])
def test_gradcheck_wrt_x(channels):
    ei = random_graph(6, n=6, e=8)
    layer = GCNConv(*channels, rng=6).to(np.float64)
    npgnn.gradcheck(lambda t: layer(t, ei), np.random.default_rng(7).standard_normal((6, channels[0])))


def test_sparse_features_equal_dense_features():
    ei = random_graph(7)
    x = (np.random.default_rng(8).random((12, 20)) < 0.2).astype(np.float32)
    layer = GCNConv(20, 4, rng=7)
    dense_out = layer(Tensor(x), ei)
    dense_out.backward(np.ones((12, 4), np.float32))
    grad_dense = layer.lin.weight.grad.copy()
    layer.zero_grad()
    sparse_out = layer(sp.csr_matrix(x), ei)
    sparse_out.backward(np.ones((12, 4), np.float32))
    np.testing.assert_allclose(sparse_out.data, dense_out.data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.lin.weight.grad, grad_dense, rtol=1e-5, atol=1e-5)


def test_normalised_matrix_is_cached_on_the_graph_and_shared_by_layers():
    g = Graph(random_graph(8), num_nodes=12)
    x = np.random.default_rng(9).standard_normal((12, 4)).astype(np.float32)
    a, b = GCNConv(4, 3, rng=0), GCNConv(4, 5, rng=1)
    a(Tensor(x), g)
    keys = [k for k in g._cache if isinstance(k, tuple) and k[0] == "gcn_norm"]
    assert len(keys) == 1
    normalised = g._cache[keys[0]]
    b(Tensor(x), g)
    assert g._cache[keys[0]] is normalised
    GCNConv(4, 3, improved=True, rng=0)(Tensor(x), g)   # other options: another entry
    assert len([k for k in g._cache if isinstance(k, tuple) and k[0] == "gcn_norm"]) == 2


def test_cached_layer_keeps_the_first_graph():
    ei = random_graph(9)
    x = np.random.default_rng(10).standard_normal((12, 4)).astype(np.float32)
    layer = GCNConv(4, 3, cached=True, rng=0)
    first = layer(Tensor(x), ei).data
    other = np.array([[0, 1], [1, 0]])                  # ignored: transductive cache
    np.testing.assert_array_equal(layer(Tensor(x), other).data, first)
    with pytest.raises(ValueError, match=r"cached graph has 12 nodes but x has 5 rows"):
        layer(Tensor(x[:5]), other)
    layer.reset_parameters(0)
    assert layer._cached_graph is None


def test_edgeless_one_node_and_empty_graphs():
    layer = GCNConv(3, 2, rng=0).to(np.float64)
    x = np.random.default_rng(11).standard_normal((4, 3))
    none = np.zeros((2, 0), dtype=np.int64)
    expected = x @ layer.lin.weight.data.T + layer.bias.data       # self-loops only
    np.testing.assert_allclose(layer(x, none).data, expected, rtol=1e-12)
    np.testing.assert_allclose(layer(x[:1], np.array([[0], [0]])).data, expected[:1], rtol=1e-12)
    assert layer(np.zeros((0, 3)), none).shape == (0, 2)
    no_loops = GCNConv(3, 2, add_self_loops=False, bias=False, rng=0).to(np.float64)
    assert not no_loops(x, none).data.any()


def test_initialisation_repr_and_reproducibility():
    layer = GCNConv(30, 20, rng=0)
    bound = np.sqrt(6 / 50)
    w = layer.lin.weight.data.copy()
    assert w.shape == (20, 30) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not layer.bias.data.any()
    np.testing.assert_array_equal(GCNConv(30, 20, rng=0).lin.weight.data, w)
    layer.reset_parameters(1)
    assert not np.array_equal(layer.lin.weight.data, w)
    assert repr(layer) == "GCNConv(30, 20)" and "normalize=True" in layer.extra_repr()


def test_state_dict_round_trip_from_pyg():
    theirs = pyg_nn.GCNConv(5, 4)
    ours = GCNConv(5, 4, rng=0)
    load_pyg_state_dict(ours, theirs.state_dict())
    np.testing.assert_array_equal(ours.lin.weight.data, theirs.lin.weight.detach().numpy())


def test_errors():
    ei = np.array([[0, 1], [1, 2]])
    layer = GCNConv(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"GCNConv: x must have shape \(N, 3\), got \(3, 4\)"):
        layer(np.ones((3, 4), np.float32), ei)
    with pytest.raises(ValueError, match=r"add_self_loops=True needs normalize=True"):
        GCNConv(3, 2, normalize=False, add_self_loops=True)
    with pytest.raises(ValueError, match=r"norm must be 'sym', 'row' or 'col', got 'both'"):
        GCNConv(3, 2, norm="both")
    with pytest.raises(ValueError, match=r"edge_weight must have shape \(E,\) = \(2,\), got \(3,\)"):
        layer(np.ones((3, 3), np.float32), ei, np.ones(3, np.float32))
    with pytest.raises(IndexError, match=r"edge_index: node ids must lie in \[0, 3\)"):
        layer(np.ones((3, 3), np.float32), np.array([[0, 3], [1, 2]]))
    with pytest.raises(IndexError, match=r"edge_index: node ids must lie in \[0, 3\).*min=-2"):
        layer(np.ones((3, 3), np.float32), np.array([[0, -2], [1, 2]]))
    with pytest.raises(TypeError, match=r"edge_index: expected integer node ids"):
        layer(np.ones((3, 3), np.float32), ei.astype(float))
    with pytest.raises(ValueError, match=r"edge_index: expected shape \(2, E\)"):
        layer(np.ones((3, 3), np.float32), np.array([[0, 1, 2], [1, 2, 0]]).T)
    with pytest.raises(ValueError, match=r"edge_index: the graph has 4 nodes but x has 3 rows"):
        layer(np.ones((3, 3), np.float32), Graph(ei, num_nodes=4))
    with pytest.raises(TypeError, match=r"bipartite"):
        layer((np.ones((3, 3)), np.ones((3, 3))), ei)
