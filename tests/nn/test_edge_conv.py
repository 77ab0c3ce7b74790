"""EdgeConv: outputs and gradients equal PyG's for identical weights (max/sum/mean, float64 and
float32, directed graphs with isolated nodes, duplicate edges and self-loops, bipartite pairs);
gradcheck; errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Graph, Tensor
from npgnn.interop import load_pyg_state_dict
from npgnn.nn import MLP, EdgeConv, Linear, Sequential, Tanh

from ._helpers import TORCH, backward_and_compare, close, random_graph

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

F, N = 4, 12


def twins(aggr: str, dtype, norm=None, seed: int = 0):
    torch.manual_seed(seed)
    theirs = pyg_nn.EdgeConv(pyg_nn.MLP([2 * F, 8, 3], norm=norm, act="tanh"), aggr=aggr)
    theirs = theirs.to(TORCH[dtype])
    ours = EdgeConv(MLP([2 * F, 8, 3], norm=norm, act="tanh", rng=0), aggr=aggr).to(dtype)
    load_pyg_state_dict(ours, theirs.state_dict())
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("aggr", ["max", "sum", "add", "mean"])
@pytest.mark.parametrize("norm", [None, "batch_norm"])
def test_equals_pyg(aggr, dtype, norm):
    ours, theirs = twins(aggr, dtype, norm)
    ei = random_graph(1, n=N)
    x = np.random.default_rng(2).standard_normal((N, F)).astype(dtype)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(xo, ei), theirs(xt, torch.from_numpy(ei))
    assert out.dtype == dtype and out.shape == (N, 3)
    cot = np.random.default_rng(3).standard_normal(out.shape).astype(dtype)
    backward_and_compare(ours, theirs, out, ref, cot, xo, xt, dtype, state=True)
    assert np.all(out.data[-2:] == 0)           # isolated nodes aggregate nothing


@pytest.mark.parametrize("aggr", ["max", "mean"])
def test_bipartite_pair_equals_pyg(aggr):
    ours, theirs = twins(aggr, np.float64)
    rng = np.random.default_rng(4)
    x_src, x_dst = rng.standard_normal((7, F)), rng.standard_normal((5, F))
    ei = np.stack([rng.integers(0, 7, 20), rng.integers(0, 4, 20)])   # target 4 isolated
    ts, td = torch.tensor(x_src, requires_grad=True), torch.tensor(x_dst, requires_grad=True)
    ref = theirs((ts, td), torch.from_numpy(ei))
    os_, od = Tensor(x_src, requires_grad=True), Tensor(x_dst, requires_grad=True)
    out = ours((os_, od), ei)
    cot = rng.standard_normal(out.shape)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref)
    close(os_.grad, ts.grad)
    close(od.grad, td.grad)


def test_duplicate_edges_share_the_max_gradient():
    """Two copies of an edge send equal messages; like torch's scatter 'amax' they split it."""
    conv = EdgeConv(Linear(2, 1, rng=0)).to(np.float64)
    x = Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
    out = conv(x, np.array([[0, 0], [1, 1]]))
    out.backward(np.array([[0.0], [1.0]]))
    w = conv.nn.weight.data[0]
    np.testing.assert_allclose(x.grad, [[w[1]], [w[0] - w[1]]])
    np.testing.assert_allclose(conv.nn.weight.grad, [[2.0, -1.0]])


@pytest.mark.parametrize("aggr", ["max", "sum", "mean"])
def test_gradcheck(aggr):
    conv = EdgeConv(Sequential(Linear(2 * 3, 5, rng=0), Tanh(), Linear(5, 2, rng=1)),
                    aggr=aggr).to(np.float64)
    ei = random_graph(5, n=9, e=25)
    x = np.random.default_rng(6).standard_normal((9, 3))
    npgnn.gradcheck(lambda t: conv(t, ei), x)
    npgnn.gradcheck(lambda t: conv(t, Graph(ei, num_nodes=9)), x)


def test_graph_input_and_empty_graph():
    conv = EdgeConv(Linear(6, 2, rng=0)).to(np.float64)
    ei = random_graph(7, n=N)
    x = np.random.default_rng(8).standard_normal((N, 3))
    np.testing.assert_array_equal(conv(x, Graph(ei, num_nodes=N)).data, conv(x, ei).data)
    empty = conv(x, np.zeros((2, 0), np.int64))
    assert empty.shape == (N, 2) and np.all(empty.data == 0)
    assert repr(conv).startswith("EdgeConv(nn=")


def test_errors():
    with pytest.raises(TypeError, match=r"EdgeConv: nn must be a Module \(or callable\), got int"):
        EdgeConv(3)
    with pytest.raises(ValueError, match=r"EdgeConv: aggr must be one of .* got 'min'"):
        EdgeConv(Linear(4, 2), aggr="min")
    conv = EdgeConv(Linear(4, 2, rng=0))
    ei = np.array([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match=r"EdgeConv: x must have shape \(N, F\), got \(3,\)"):
        conv(np.ones(3), ei)
    with pytest.raises(ValueError, match=r"x_src and x_dst must have the same width F, got 2 and 3"):
        conv((np.ones((3, 2)), np.ones((3, 3))), ei)
    with pytest.raises(TypeError, match=r"pair \(x_src, x_dst\), got a sequence of 3"):
        conv((np.ones((3, 2)),) * 3, ei)
    with pytest.raises(IndexError, match=r"edge_index\[1\] \(targets, rows of x_dst\): ids must "
                                         r"lie in \[0, 2\)"):
        conv((np.ones((3, 2)), np.ones((2, 2))), ei)
    with pytest.raises(ValueError, match=r"EdgeConv: nn must map \(E, 2F\) to \(E, F_out\)"):
        EdgeConv(lambda h: h.sum())(np.ones((3, 2)), ei)
