"""GATConv against PyG's GATConv with identical weights, its gradients, dropout and corner cases."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.graph import Graph
from npgnn.nn.conv.gat import GATConv, attention_structure

from ._helpers import C_OUT, F_IN, attention_parity_test, attention_twins, compare_attention, compare_with_edge_features
from ._helpers import random_graph_double_loop as random_graph

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")


# twins(torch_seed, dtype=np.float64, **options): PyG's GATConv, its bias drawn at random in its
# own dtype (seed 5), and ours with its weights
twins = functools.partial(attention_twins, GATConv, pyg_nn.GATConv, bias_seed=5)


# ---------------------------------------------------------------------------- PyG parity
test_matches_pyg = attention_parity_test(twins)


@pytest.mark.parametrize("fill_value", ["mean", "add", "max", "min", 0.5])
@pytest.mark.parametrize("add_self_loops", [True, False])
def test_edge_features_match_pyg(fill_value, add_self_loops):
    ours, theirs = twins(0, heads=3, edge_dim=2, fill_value=fill_value,
                         add_self_loops=add_self_loops)
    compare_with_edge_features(ours, theirs, random_graph(3), np.random.default_rng(2), 2)


@pytest.mark.parametrize("path", ["numba", "numpy"])
@pytest.mark.parametrize("fill_value", ["mean", "max"])
def test_edge_features_match_pyg_on_both_kernel_paths(monkeypatch, path, fill_value):
    """The fused op with its per-edge term, compiled kernel forced on a tiny graph, and NumPy."""
    import npgnn.kernels as kernels

    if path == "numba" and not kernels.numba_enabled():
        pytest.skip("numba kernels disabled")
    if path == "numpy":
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)
    ours, theirs = twins(2, heads=4, edge_dim=3, fill_value=fill_value)
    compare_with_edge_features(ours, theirs, random_graph(5), np.random.default_rng(6), 3)


@pytest.mark.parametrize("add_self_loops", [True, False])
def test_target_sorted_input_matches_pyg(add_self_loops):
    # edges already grouped by target: the structure skips its internal permutation
    ours, theirs = twins(1, heads=2, edge_dim=2, add_self_loops=add_self_loops)
    ei = random_graph(7)
    ei = ei[:, np.argsort(ei[1], kind="stable")]
    compare_with_edge_features(ours, theirs, ei, np.random.default_rng(8), 2)
    structure = attention_structure(Graph(ei, num_nodes=12), add_self_loops)
    assert (structure.to_input is None) == (not add_self_loops)  # loops come last
    assert (structure.feature_rows is None) == (not add_self_loops)


def test_residual_matches_pyg():
    ours, theirs = twins(0, heads=2, concat=False, residual=True)
    x = np.random.default_rng(3).standard_normal((12, F_IN))
    compare_attention(ours, theirs, x, random_graph(4), np.float64)


def test_parameters_have_pygs_names_shapes_and_init():
    conv = GATConv(F_IN, C_OUT, heads=8, edge_dim=3, rng=0)
    shapes = {k: v.shape for k, v in conv.named_parameters()}
    theirs = pyg_nn.GATConv(F_IN, C_OUT, heads=8, edge_dim=3)
    assert shapes == {k: tuple(v.shape) for k, v in theirs.named_parameters()}
    assert all(p.dtype == np.float32 for p in conv.parameters())
    bound = np.sqrt(6 / (8 + C_OUT))  # glorot on (1, H, C)
    assert np.abs(conv.att_src.data).max() <= bound and np.abs(conv.att_src.data).std() > 0
    np.testing.assert_array_equal(conv.bias.data, 0)
    assert GATConv(F_IN, C_OUT, heads=8, concat=False, rng=0).bias.shape == (C_OUT,)
    assert "bias" not in dict(GATConv(F_IN, C_OUT, bias=False, rng=0).named_parameters())


def test_torch_inputs_are_accepted():
    conv = GATConv(F_IN, C_OUT, heads=2, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((12, F_IN))
    ei = random_graph(0)
    expected = conv(Tensor(x), ei).data
    np.testing.assert_allclose(conv(torch.tensor(x), torch.tensor(ei)).data, expected)


# ---------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("heads,concat", [(1, True), (3, False)])
def test_gradcheck_x(heads, concat):
    conv = GATConv(3, 2, heads=heads, concat=concat, rng=1, dtype=np.float64)
    conv.bias.data[...] = np.random.default_rng(1).standard_normal(conv.bias.shape)
    ei = np.array([[0, 1, 2, 2, 3, 0, 1], [1, 2, 0, 1, 1, 1, 1]])  # duplicate 0->1, node 4 alone
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert npgnn.gradcheck(lambda t: conv(t, ei), x)


def test_gradcheck_x_with_edge_features_and_no_self_loops():
    conv = GATConv(3, 2, heads=2, edge_dim=2, add_self_loops=False, rng=1, dtype=np.float64)
    ei = np.array([[0, 1, 2, 2, 3, 3], [1, 2, 0, 1, 1, 3]])
    rng = np.random.default_rng(0)
    x, ea = rng.standard_normal((5, 3)), rng.standard_normal((6, 2))
    assert npgnn.gradcheck(lambda t, e: conv(t, ei, e), x, ea)


def test_same_layer_twice_sums_gradients():
    # conv∘conv uses lin.weight twice: its gradient is right only if both uses accumulate
    conv = GATConv(3, 3, heads=2, concat=False, rng=0, dtype=np.float64)
    ei = random_graph(1, n=6, e=10)
    x = np.random.default_rng(0).standard_normal((6, 3))
    assert npgnn.gradcheck(lambda w: _with_weight(conv, w, x, ei), conv.lin.weight.data.copy())


def _with_weight(conv: GATConv, w: Tensor, x: np.ndarray, ei: np.ndarray) -> Tensor:
    """conv∘conv with the lin weight replaced by ``w`` (for a gradient check of a tied weight)."""
    saved = conv.lin.weight
    conv.lin.weight = w
    try:
        return conv(conv(Tensor(x), ei), ei)
    finally:
        conv.lin.weight = saved


# ---------------------------------------------------------------------------- the Graph cache
def test_graph_input_caches_structure_and_matches_array_input():
    conv = GATConv(F_IN, C_OUT, heads=2, rng=0, dtype=np.float64)
    ei = random_graph(2)
    x = np.random.default_rng(0).standard_normal((12, F_IN))
    g = Graph(ei, num_nodes=12)
    out1, (ei1, _) = conv(Tensor(x), g, return_attention_weights=True)
    assert ("attention_graph", True) in g._cache  # the fused path's structure (no edge_dim)
    cached = g._cache[("attention_graph", True)]
    out2 = conv(Tensor(x), g)
    assert g._cache[("attention_graph", True)] is cached
    np.testing.assert_array_equal(out1.data, out2.data)
    np.testing.assert_allclose(out1.data, conv(Tensor(x), ei).data, rtol=1e-14)
    assert ei1.shape == (2, 40 + 4 - 4 + 12)  # loops dropped, 12 added


# ---------------------------------------------------------------------------- dropout
def test_dropout_eval_is_deterministic_and_training_drops_coefficients():
    conv = GATConv(F_IN, C_OUT, heads=4, dropout=0.5, rng=0, dtype=np.float64)
    plain = GATConv(F_IN, C_OUT, heads=4, rng=0, dtype=np.float64)
    x = Tensor(np.random.default_rng(0).standard_normal((12, F_IN)))
    ei = random_graph(0)
    conv.eval()
    out_a, (_, alpha_eval) = conv(x, ei, return_attention_weights=True)
    np.testing.assert_array_equal(out_a.data, conv(x, ei).data)
    np.testing.assert_array_equal(out_a.data, plain(x, ei).data)

    conv.train()
    _, (_, alpha1) = conv(x, ei, return_attention_weights=True)
    _, (_, alpha2) = conv(x, ei, return_attention_weights=True)
    dropped = alpha1.data == 0
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(alpha1.data[~dropped], alpha_eval.data[~dropped] / 0.5)
    assert not np.array_equal(alpha1.data, alpha2.data)
    # the layer's rng makes training runs reproducible
    again = GATConv(F_IN, C_OUT, heads=4, dropout=0.5, rng=0, dtype=np.float64)
    _, (_, alpha3) = again(x, ei, return_attention_weights=True)
    np.testing.assert_array_equal(alpha3.data, alpha1.data)


# ---------------------------------------------------------------------------- defined behaviour
def test_node_without_in_edges_gets_bias_without_self_loops():
    conv = GATConv(F_IN, C_OUT, heads=2, add_self_loops=False, rng=0, dtype=np.float64)
    conv.bias.data[...] = np.arange(2 * C_OUT)
    x = np.random.default_rng(0).standard_normal((12, F_IN))
    out = conv(Tensor(x), random_graph(0)).data
    np.testing.assert_array_equal(out[10], conv.bias.data)  # isolated nodes 10, 11
    np.testing.assert_array_equal(out[11], conv.bias.data)


@pytest.mark.parametrize("concat", [True, False])
def test_edgeless_graph(concat):
    conv = GATConv(F_IN, C_OUT, heads=3, concat=concat, rng=0, dtype=np.float64)
    conv.bias.data[...] = 1.0
    x = Tensor(np.random.default_rng(0).standard_normal((4, F_IN)), requires_grad=True)
    empty = np.empty((2, 0), dtype=np.int64)
    out, (ei, alpha) = conv(x, empty, return_attention_weights=True)
    np.testing.assert_array_equal(ei, np.stack([np.arange(4), np.arange(4)]))
    np.testing.assert_array_equal(alpha.data, np.ones((4, 3)))  # each node attends to itself
    h = (x.data @ conv.lin.weight.data.T).reshape(4, 3, C_OUT)
    expected = h.reshape(4, -1) if concat else h.mean(axis=1)
    np.testing.assert_allclose(out.data, expected + 1.0, rtol=1e-14)
    out.sum().backward()
    assert x.grad.shape == x.shape

    no_loops = GATConv(
        F_IN, C_OUT, heads=3, concat=concat, add_self_loops=False, rng=0, dtype=np.float64
    )
    out, (ei, alpha) = no_loops(x, empty, return_attention_weights=True)
    assert ei.shape == (2, 0) and alpha.shape == (0, 3)
    np.testing.assert_array_equal(out.data, np.zeros((4, C_OUT * (3 if concat else 1))))


def test_one_node_graph():
    conv = GATConv(F_IN, C_OUT, heads=2, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((1, F_IN))
    out = conv(Tensor(x), np.empty((2, 0), dtype=np.int64)).data
    np.testing.assert_allclose(out, x @ conv.lin.weight.data.T, rtol=1e-14)


def test_book_style_forward_backward():
    conv = GATConv(F_IN, C_OUT, heads=2, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((12, F_IN))
    ei = random_graph(0)
    out = conv.forward(x, ei)
    assert isinstance(out, np.ndarray) and out.shape == (12, 2 * C_OUT)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    dx = conv.backward(dout)
    xt = Tensor(x, requires_grad=True)
    conv(xt, ei).backward(dout)
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-12)
    out, (ei_loops, alpha) = conv.forward(x, ei, return_attention_weights=True)  # tuples too
    assert isinstance(alpha, np.ndarray) and alpha.shape == (ei_loops.shape[1], 2)
    np.testing.assert_allclose(conv.backward(dout), dx, rtol=1e-12)


# ---------------------------------------------------------------------------- errors
def test_bad_inputs_raise():
    conv = GATConv(F_IN, C_OUT, heads=2, rng=0)
    x = np.zeros((12, F_IN), dtype=np.float32)
    ei = random_graph(0)
    with pytest.raises(ValueError, match=r"x must have shape \(num_nodes, 5\)"):
        conv(Tensor(np.zeros((12, 3))), ei)
    with pytest.raises(ValueError, match="batch of signals"):
        conv(Tensor(np.zeros((2, 12, F_IN))), ei)
    with pytest.raises(TypeError, match="x must hold floats"):
        conv(Tensor(np.zeros((12, F_IN), dtype=np.int64)), ei)
    with pytest.raises(IndexError, match=r"must lie in \[0, 12\)"):
        conv(Tensor(x), np.array([[0, 12], [1, 2]]))
    with pytest.raises(ValueError, match=r"shape \(2, E\)"):
        conv(Tensor(x), ei.T)
    with pytest.raises(ValueError, match="the graph has 13 nodes but x has 12 rows"):
        conv(Tensor(x), Graph(ei, num_nodes=13))
    with pytest.raises(ValueError, match="construct it with edge_dim"):
        conv(Tensor(x), ei, Tensor(np.zeros((ei.shape[1], 2))))
    with_edges = GATConv(F_IN, C_OUT, edge_dim=2, rng=0)
    with pytest.raises(ValueError, match=r"edge_attr must have shape \(44, 2\)"):
        with_edges(Tensor(x), ei, Tensor(np.zeros((40, 2))))


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"heads": 0}, "heads must be a positive int"),
        ({"in_channels": (3, 4)}, "bipartite"),
        ({"dropout": 1.0}, r"dropout must lie in \[0, 1\)"),
        ({"edge_dim": 0}, "edge_dim must be a positive int"),
        ({"fill_value": "median"}, "fill_value must be"),
    ],
)
def test_bad_options_raise(kwargs, match):
    args = {"in_channels": F_IN, "out_channels": C_OUT} | kwargs
    with pytest.raises(ValueError, match=match):
        GATConv(**args)


def test_repr():
    assert repr(GATConv(F_IN, C_OUT, heads=8, rng=0)).startswith(
        "GATConv(5, 4, heads=8, concat=True"
    )


def test_sparse_features_give_the_dense_result():
    import scipy.sparse as sp

    x = sp.random(12, F_IN, density=0.4, format="csr", random_state=0, dtype=np.float64)
    conv = GATConv(F_IN, C_OUT, heads=2, residual=True, rng=0, dtype=np.float64)
    ei = random_graph(0)
    out = conv(x, ei)
    np.testing.assert_allclose(out.data, conv(Tensor(x.toarray()), ei).data, rtol=1e-13)
    out.sum().backward()  # gradients reach the weights (a sparse x itself takes none)
    assert conv.lin.weight.grad is not None and conv.att_src.grad is not None
