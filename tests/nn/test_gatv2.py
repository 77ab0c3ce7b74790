"""GATv2Conv against PyG's GATv2Conv with identical weights, gradients, dropout and corner cases."""

from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.graph import Graph
from npgnn.nn.conv.gatv2 import GATv2Conv

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

F_IN, C_OUT = 5, 4
TOL = {np.float64: {"rtol": 1e-10, "atol": 1e-10}, np.float32: {"rtol": 1e-5, "atol": 1e-5}}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def random_graph(seed: int = 0, num_nodes: int = 12, num_edges: int = 40) -> np.ndarray:
    """Directed edges with duplicates, self-loops (node 3 twice) and isolated nodes N-2, N-1."""
    rng = np.random.default_rng(seed)
    active = num_nodes - 2
    src = rng.integers(0, active, num_edges)
    dst = rng.integers(0, active, num_edges)
    dst = np.where(src == dst, (dst + 1) % active, dst)
    src[:4], dst[:4] = src[4:8], dst[4:8]
    loops = np.array([1, 3, 3, 6]) % active
    ei = np.concatenate([np.stack([src, dst]), np.stack([loops, loops])], axis=1)
    return ei[:, rng.permutation(ei.shape[1])]


def copy_weights(ours: npgnn.nn.Module, theirs: torch.nn.Module) -> None:
    """PyG's parameters into ours by name (PyG's state_dict repeats a shared lin_l as lin_r)."""
    state = {k: v.detach().numpy() for k, v in theirs.named_parameters()}
    try:
        from npgnn.interop import load_pyg_state_dict
    except ImportError:  # pragma: no cover
        ours.load_state_dict(state)
    else:
        load_pyg_state_dict(ours, state)


def compare_with_pyg(ours, theirs, x, edge_index, dtype, edge_attr=None, seed=0):
    tol = TOL[dtype]
    x = x.astype(dtype)
    if theirs.bias is not None:  # PyG starts it at 0: a random one tests its value and gradient
        with torch.no_grad():
            gen = torch.Generator().manual_seed(seed)
            theirs.bias.copy_(torch.randn(theirs.bias.shape, generator=gen))
    copy_weights(ours, theirs)
    xt = torch.tensor(x, requires_grad=True)
    eat = None if edge_attr is None else torch.tensor(edge_attr.astype(dtype))
    out_t, (ei_t, alpha_t) = theirs(
        xt, torch.tensor(edge_index), eat, return_attention_weights=True
    )
    cot = np.random.default_rng(seed).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_t.backward(torch.tensor(cot))

    xn = Tensor(x, requires_grad=True)
    ean = None if edge_attr is None else Tensor(edge_attr.astype(dtype))
    out, (ei, alpha) = ours(xn, edge_index, ean, return_attention_weights=True)
    out.backward(cot)

    assert out.dtype == dtype
    np.testing.assert_array_equal(ei, ei_t.numpy())
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **tol)
    np.testing.assert_allclose(alpha.data, alpha_t.detach().numpy(), **tol)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), **tol)
    ours_params = dict(ours.named_parameters())
    theirs_params = dict(theirs.named_parameters())
    assert sorted(ours_params) == sorted(theirs_params)
    for name, p in theirs_params.items():
        np.testing.assert_allclose(ours_params[name].grad, p.grad.numpy(), **tol, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("heads", [1, 8])
@pytest.mark.parametrize("concat", [True, False])
@pytest.mark.parametrize("add_self_loops", [True, False])
def test_matches_pyg(dtype, heads, concat, add_self_loops):
    torch.manual_seed(heads)
    theirs = pyg_nn.GATv2Conv(
        F_IN, C_OUT, heads=heads, concat=concat, add_self_loops=add_self_loops
    ).to(TORCH_DTYPE[dtype])
    ours = GATv2Conv(
        F_IN, C_OUT, heads=heads, concat=concat, add_self_loops=add_self_loops, rng=0, dtype=dtype
    )
    x = np.random.default_rng(1).standard_normal((12, F_IN))
    compare_with_pyg(ours, theirs, x, random_graph(heads), dtype)


@pytest.mark.parametrize(
    "share_weights,bias,residual", [(True, True, False), (False, False, True), (True, False, True)]
)
def test_options_match_pyg(share_weights, bias, residual):
    torch.manual_seed(0)
    theirs = pyg_nn.GATv2Conv(
        F_IN, C_OUT, heads=3, share_weights=share_weights, bias=bias, residual=residual
    ).double()
    ours = GATv2Conv(
        F_IN,
        C_OUT,
        heads=3,
        share_weights=share_weights,
        bias=bias,
        residual=residual,
        rng=0,
        dtype=np.float64,
    )
    x = np.random.default_rng(2).standard_normal((12, F_IN))
    compare_with_pyg(ours, theirs, x, random_graph(5), np.float64)


@pytest.mark.parametrize("fill_value", ["mean", "max", 2.0])
def test_edge_features_match_pyg(fill_value):
    torch.manual_seed(0)
    theirs = pyg_nn.GATv2Conv(F_IN, C_OUT, heads=2, edge_dim=3, fill_value=fill_value).double()
    ours = GATv2Conv(
        F_IN, C_OUT, heads=2, edge_dim=3, fill_value=fill_value, rng=0, dtype=np.float64
    )
    rng = np.random.default_rng(3)
    ei = random_graph(6)
    compare_with_pyg(
        ours,
        theirs,
        rng.standard_normal((12, F_IN)),
        ei,
        np.float64,
        edge_attr=rng.standard_normal((ei.shape[1], 3)),
    )


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
