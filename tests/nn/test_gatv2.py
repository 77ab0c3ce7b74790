"""GATv2Conv against PyG's GATv2Conv with identical weights, gradients, dropout and corner cases."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.graph import Graph
from npgnn.nn.conv.gatv2 import GATv2Conv

from ._helpers import C_OUT, F_IN, attention_parity_test, attention_twins, compare_attention, compare_with_edge_features
from ._helpers import random_graph_double_loop as random_graph

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")


# twins(torch_seed, dtype=np.float64, **options): PyG's GATv2Conv, its bias (if any) drawn at
# random in float32 (seed 0), and ours with its weights
twins = functools.partial(attention_twins, GATv2Conv, pyg_nn.GATv2Conv, bias_seed=0,
                          bias_dtype=torch.float32)


test_matches_pyg = attention_parity_test(twins)


@pytest.mark.parametrize(
    "share_weights,bias,residual", [(True, True, False), (False, False, True), (True, False, True)]
)
def test_options_match_pyg(share_weights, bias, residual):
    ours, theirs = twins(0, heads=3, share_weights=share_weights, bias=bias, residual=residual)
    x = np.random.default_rng(2).standard_normal((12, F_IN))
    compare_attention(ours, theirs, x, random_graph(5), np.float64)


@pytest.mark.parametrize("fill_value", ["mean", "max", 2.0])
def test_edge_features_match_pyg(fill_value):
    ours, theirs = twins(0, heads=2, edge_dim=3, fill_value=fill_value)
    compare_with_edge_features(ours, theirs, random_graph(6), np.random.default_rng(3), 3)


def test_parameters_have_pygs_names_shapes_and_init():
    ours = GATv2Conv(F_IN, C_OUT, heads=8, edge_dim=2, rng=0)
    theirs = pyg_nn.GATv2Conv(F_IN, C_OUT, heads=8, edge_dim=2)
    assert {k: v.shape for k, v in ours.named_parameters()} == {
        k: tuple(v.shape) for k, v in theirs.named_parameters()
    }
    assert np.abs(ours.lin_l.bias.data).max() <= 1 / np.sqrt(F_IN)  # PyG's Linear bias init
    assert np.abs(ours.lin_l.bias.data).std() > 0
    np.testing.assert_array_equal(ours.bias.data, 0)
    shared = GATv2Conv(F_IN, C_OUT, share_weights=True, rng=0)
    assert shared.lin_r is shared.lin_l
    assert [k for k, _ in shared.named_parameters()] == [
        "att",
        "bias",
        "lin_l.weight",
        "lin_l.bias",
    ]


def test_gradcheck_x():
    conv = GATv2Conv(3, 2, heads=2, rng=1, dtype=np.float64)
    conv.bias.data[...] = 0.3
    ei = np.array([[0, 1, 2, 2, 3, 0, 1], [1, 2, 0, 1, 1, 1, 1]])
    x = np.random.default_rng(0).standard_normal((5, 3))
    assert npgnn.gradcheck(lambda t: conv(t, ei), x)


def test_gradcheck_x_with_edge_features_shared_weights():
    conv = GATv2Conv(
        3, 2, heads=2, concat=False, edge_dim=2, share_weights=True, rng=1, dtype=np.float64
    )
    ei = np.array([[0, 1, 2, 2, 3, 3], [1, 2, 0, 1, 1, 3]])
    rng = np.random.default_rng(0)
    assert npgnn.gradcheck(
        lambda t, e: conv(t, ei, e), rng.standard_normal((5, 3)), rng.standard_normal((6, 2))
    )


def test_graph_input_is_cached():
    conv = GATv2Conv(F_IN, C_OUT, heads=2, rng=0, dtype=np.float64)
    x = Tensor(np.random.default_rng(0).standard_normal((12, F_IN)))
    g = Graph(random_graph(0), num_nodes=12)
    out = conv(x, g)
    assert ("attention_structure", True) in g._cache
    np.testing.assert_array_equal(conv(x, g).data, out.data)
    np.testing.assert_allclose(conv(x, random_graph(0)).data, out.data, rtol=1e-14)


def test_dropout():
    conv = GATv2Conv(F_IN, C_OUT, heads=4, dropout=0.4, rng=0, dtype=np.float64)
    x = Tensor(np.random.default_rng(0).standard_normal((12, F_IN)))
    ei = random_graph(0)
    conv.eval()
    out, (_, alpha_eval) = conv(x, ei, return_attention_weights=True)
    np.testing.assert_array_equal(out.data, conv(x, ei).data)
    conv.train()
    _, (_, alpha) = conv(x, ei, return_attention_weights=True)
    dropped = alpha.data == 0
    assert 0.2 < dropped.mean() < 0.6
    np.testing.assert_allclose(alpha.data[~dropped], alpha_eval.data[~dropped] / 0.6)


def test_corner_cases():
    conv = GATv2Conv(F_IN, C_OUT, heads=2, add_self_loops=False, rng=0, dtype=np.float64)
    conv.bias.data[...] = 1.5
    x = Tensor(np.random.default_rng(0).standard_normal((12, F_IN)), requires_grad=True)
    out = conv(x, random_graph(0))
    np.testing.assert_array_equal(out.data[10:], 1.5)  # no in-edges: bias only
    empty = np.empty((2, 0), dtype=np.int64)
    out = conv(x, empty)
    np.testing.assert_array_equal(out.data, 1.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, 0)
    looped = GATv2Conv(F_IN, C_OUT, heads=2, rng=0, dtype=np.float64)
    one = np.random.default_rng(1).standard_normal((1, F_IN))
    expected = one @ looped.lin_l.weight.data.T + looped.lin_l.bias.data
    np.testing.assert_allclose(looped(Tensor(one), empty).data, expected, rtol=1e-14)


def test_bad_inputs_raise():
    conv = GATv2Conv(F_IN, C_OUT, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(num_nodes, 5\)"):
        conv(Tensor(np.zeros((3, 2))), np.array([[0], [1]]))
    with pytest.raises(ValueError, match="heads must be a positive int"):
        GATv2Conv(F_IN, C_OUT, heads=-1)
    with pytest.raises(ValueError, match="construct it with edge_dim"):
        conv(Tensor(np.zeros((3, F_IN))), np.array([[0], [1]]), Tensor(np.zeros((1, 2))))


@pytest.mark.parametrize("path", ["numba", "numpy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("share_weights", [False, True])
def test_edge_features_match_pyg_on_both_kernel_paths(monkeypatch, path, dtype, share_weights):
    """The fused op (compiled kernel forced on a tiny graph, and NumPy): outputs, attention
    weights, x's and every parameter's gradient equal PyG's, edge features on."""
    from npgnn import kernels

    if path == "numba" and not kernels.numba_enabled():
        pytest.skip("numba kernels disabled")
    if path == "numpy":
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)
    ours, theirs = twins(3, dtype, heads=3, edge_dim=3, share_weights=share_weights)
    rng = np.random.default_rng(7)
    ei = random_graph(8)
    x, ea = rng.standard_normal((12, F_IN)), rng.standard_normal((ei.shape[1], 3))
    compare_attention(ours, theirs, x, ei, dtype, edge_attr=ea)


@pytest.mark.parametrize("add_self_loops", [True, False])
def test_compiled_path_without_edge_features_matches_pyg(monkeypatch, add_self_loops):
    from npgnn import kernels

    if not kernels.numba_enabled():
        pytest.skip("numba kernels disabled")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)
    ours, theirs = twins(4, np.float64, heads=8, concat=False, add_self_loops=add_self_loops)
    x = np.random.default_rng(9).standard_normal((12, F_IN))
    compare_attention(ours, theirs, x, random_graph(9), np.float64)
