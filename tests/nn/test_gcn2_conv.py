"""GCN2Conv: outputs and gradients (x, x_0, weights) equal PyG's for identical weights (float64
to 1e-10, float32 to 1e-5) on directed graphs with isolated nodes, duplicate edges and
self-loops, over β (theta/layer), shared weights, normalisation, self-loops, edge weights and
caching; gradcheck; errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import npgnn
from npgnn import Graph, Tensor
from npgnn.interop import load_pyg_state_dict, to_pyg_state_dict
from npgnn.nn import GCN2Conv

from ._helpers import TORCH, close, random_graph

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

C, N = 4, 12
OPTIONS = [{}, {"theta": 0.5, "layer": 2}, {"shared_weights": False, "theta": 1.0, "layer": 1},
           {"normalize": False}, {"add_self_loops": False}, {"cached": True}]


def compare(options, dtype, edge_weight=False, rows0=N, seed=0):
    torch.manual_seed(seed)
    theirs = pyg_nn.GCN2Conv(C, 0.2, **options).to(TORCH[dtype])
    ours = GCN2Conv(C, 0.2, **options, rng=0, dtype=dtype)
    load_pyg_state_dict(ours, theirs.state_dict())
    rng = np.random.default_rng(seed + 1)
    ei = random_graph(seed, n=N)
    x, x0 = (rng.standard_normal((N, C)).astype(dtype),
             rng.standard_normal((rows0, C)).astype(dtype))
    w = rng.uniform(0.5, 2.0, ei.shape[1]).astype(dtype) if edge_weight else None
    xo, x0o = Tensor(x, requires_grad=True), Tensor(x0, requires_grad=True)
    xt, x0t = torch.tensor(x, requires_grad=True), torch.tensor(x0, requires_grad=True)
    for _ in range(2 if options.get("cached") else 1):   # the cached adjacency is reused
        out = ours(xo, x0o, ei, w)
        ref = theirs(xt, x0t, torch.from_numpy(ei), None if w is None else torch.from_numpy(w))
    assert out.dtype == dtype and out.shape == (N, C)
    cot = rng.standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    close(x0o.grad, x0t.grad, dtype)
    theirs_params = dict(theirs.named_parameters())
    assert sorted(theirs_params) == sorted(n for n, _ in ours.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, theirs_params[name].grad, dtype)
    return ours, out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", OPTIONS)
def test_equals_pyg(options, dtype):
    compare(options, dtype)


@pytest.mark.parametrize("options", [{}, {"normalize": False}, {"add_self_loops": False}])
def test_edge_weight_equals_pyg(options):
    compare(options, np.float64, edge_weight=True, seed=3)


def test_longer_x0_uses_its_first_rows():
    compare({"theta": 0.5, "layer": 3}, np.float64, rows0=N + 5, seed=4)


def test_beta_names_and_isolated_nodes():
    conv = GCN2Conv(C, 0.1, theta=0.5, layer=4, rng=0).to(np.float64)
    assert math.isclose(conv.beta, math.log(0.5 / 4 + 1)) and GCN2Conv(C, 0.1).beta == 1.0
    assert sorted(to_pyg_state_dict(conv)) == ["weight1"]
    assert sorted(to_pyg_state_dict(GCN2Conv(C, 0.1, shared_weights=False))) == ["weight1",
                                                                                  "weight2"]
    assert repr(conv) == f"GCN2Conv({C}, alpha=0.1, beta={conv.beta})"
    rng = np.random.default_rng(5)
    x, x0 = rng.standard_normal((N, C)), rng.standard_normal((N, C))
    out = conv(x, x0, random_graph(5, n=N)).data
    # an isolated node has only its self-loop (weight 1): h = 0.9 x_i + 0.1 x0_i
    h = 0.9 * x[-2:] + 0.1 * x0[-2:]
    close(out[-2:], (1 - conv.beta) * h + conv.beta * h @ conv.weight1.data)


def test_gradcheck():
    conv = GCN2Conv(3, 0.3, theta=0.7, layer=2, shared_weights=False, rng=0).to(np.float64)
    ei = random_graph(6, n=9, e=25)
    rng = np.random.default_rng(7)
    x, x0 = rng.standard_normal((9, 3)), rng.standard_normal((9, 3))
    npgnn.gradcheck(lambda a, b: conv(a, b, ei), x, x0)
    npgnn.gradcheck(lambda a, b: conv(a, b, Graph(ei, num_nodes=9)), x, x0)
    raw = GCN2Conv(3, 0.3, normalize=False, rng=0).to(np.float64)
    w = rng.uniform(0.5, 2.0, ei.shape[1])
    npgnn.gradcheck(lambda a, ew: raw(a, x0, ei, ew), x, w)   # learned edge weights


def test_cached_reuses_the_first_graph_and_reset_forgets_it():
    conv = GCN2Conv(C, 0.2, cached=True, rng=0).to(np.float64)
    x = np.random.default_rng(8).standard_normal((N, C))
    first = conv(x, x, random_graph(8, n=N)).data
    np.testing.assert_array_equal(conv(x, x, random_graph(9, n=N)).data, first)
    with pytest.raises(ValueError, match=r"GCN2Conv\(cached=True\): the cached graph has 12 nodes"):
        conv(x[:5], x[:5], np.zeros((2, 0), np.int64))
    conv.reset_parameters(0)
    assert not np.array_equal(conv(x, x, random_graph(9, n=N)).data, first)


def test_errors():
    with pytest.raises(ValueError, match=r"GCN2Conv: channels must be a positive int, got 0"):
        GCN2Conv(0, 0.1)
    with pytest.raises(ValueError, match=r"GCN2Conv: alpha must be a finite real number, got nan"):
        GCN2Conv(4, float("nan"))
    with pytest.raises(ValueError, match=r"GCN2Conv: theta and layer must be given together"):
        GCN2Conv(4, 0.1, theta=0.5)
    with pytest.raises(ValueError, match=r"GCN2Conv: layer must be a positive int, got 0"):
        GCN2Conv(4, 0.1, theta=0.5, layer=0)
    with pytest.raises(ValueError, match=r"GCN2Conv: theta must be >= 0, got -1.0"):
        GCN2Conv(4, 0.1, theta=-1.0, layer=1)
    conv = GCN2Conv(4, 0.1, rng=0)
    ei = np.array([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match=r"GCN2Conv: x must have shape \(N, 4\), got \(3, 3\)"):
        conv(np.ones((3, 3)), np.ones((3, 4)), ei)
    with pytest.raises(ValueError, match=r"GCN2Conv: x_0 must have shape \(N0, 4\) with N0 >= N "
                                         r"= 3, got \(2, 4\)"):
        conv(np.ones((3, 4)), np.ones((2, 4)), ei)
    with pytest.raises(ValueError, match=r"GCN2Conv: edge_weight must have shape \(E,\) = \(2,\)"):
        conv(np.ones((3, 4)), np.ones((3, 4)), ei, np.ones(3))
