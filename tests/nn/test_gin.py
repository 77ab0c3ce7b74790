"""GINConv: outputs and gradients (x, nn's weights, a trained eps) equal PyG's GINConv for
identical weights (float64 to 1e-10, float32 to 1e-5), with a Sequential or an MLP with batch
norm inside; corner-case graphs, gradcheck and errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.interop import load_pyg_state_dict
from npgnn.nn.activation import ReLU
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.linear import Linear
from npgnn.nn.mlp import MLP
from npgnn.nn.module import Sequential

from ._helpers import TORCH, backward_and_compare, close, random_graph, torch_state

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

def twins(kind: str, eps: float, train_eps: bool, rng: int = 0):
    if kind == "sequential":
        ours = GINConv(Sequential(Linear(5, 8, rng=rng), ReLU(), Linear(8, 3, rng=rng + 1)),
                       eps=eps, train_eps=train_eps)
        theirs = pyg_nn.GINConv(torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(),
                                                    torch.nn.Linear(8, 3)), eps=eps,
                                train_eps=train_eps)
    else:
        ours = GINConv(MLP([5, 8, 3], rng=rng), eps=eps, train_eps=train_eps)
        theirs = pyg_nn.GINConv(pyg_nn.MLP([5, 8, 3]), eps=eps, train_eps=train_eps)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["sequential", "mlp"])
@pytest.mark.parametrize("eps,train_eps", [(0.0, False), (0.3, False), (-0.2, True)])
@pytest.mark.parametrize("training", [True, False])
def test_equals_pyg(kind, eps, train_eps, training, dtype):
    ei = random_graph()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 5)).astype(dtype)
    ours, theirs = twins(kind, eps, train_eps)
    ours.to(dtype).train(training)
    theirs.to(TORCH[dtype]).train(training)
    state = torch_state(ours)
    assert sorted(state) == sorted(theirs.state_dict())
    theirs.load_state_dict(state)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(xo, ei), theirs(xt, torch.from_numpy(ei))
    cot = rng.standard_normal(out.shape).astype(dtype)
    # state: training mode updated the running statistics identically
    backward_and_compare(ours, theirs, out, ref, cot, xo, xt, dtype, state=True)


def test_formula_with_duplicates_self_loops_and_isolated_nodes():
    ei = random_graph(2)
    x = np.random.default_rng(3).standard_normal((12, 4))
    ident = Sequential()                       # h = identity: the aggregation itself
    out = GINConv(ident, eps=0.5)(x, ei).data
    a = np.zeros((12, 12))
    np.add.at(a, (ei[1], ei[0]), 1.0)
    np.testing.assert_allclose(out, a @ x + 1.5 * x, rtol=1e-12)
    np.testing.assert_allclose(out[-2:], 1.5 * x[-2:], rtol=1e-12)   # isolated nodes


def test_gradcheck_wrt_x_and_eps():
    ei = random_graph(4, n=6, e=8)
    layer = GINConv(Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1)),
                    train_eps=True).to(np.float64)
    x = np.random.default_rng(5).standard_normal((6, 3))
    npgnn.gradcheck(lambda t: layer(t, ei), x)

    def of_eps(e):
        layer.eps = e          # any Tensor works in place of the Parameter
        return layer(Tensor(x), ei)

    npgnn.gradcheck(of_eps, np.array([0.1]))


def test_eps_is_a_buffer_or_a_parameter_named_like_pyg():
    fixed = GINConv(Linear(3, 2, rng=0), eps=0.25)
    assert [n for n, _ in fixed.named_parameters()] == ["nn.weight", "nn.bias"]
    assert dict(fixed.named_buffers())["eps"].tolist() == [0.25]
    learned = GINConv(Linear(3, 2, rng=0), eps=0.25, train_eps=True)
    assert "eps" in dict(learned.named_parameters())
    learned.eps.data[...] = 7.0
    learned.reset_parameters(1)
    assert learned.eps.data.tolist() == [0.25]
    theirs = pyg_nn.GINConv(torch.nn.Linear(3, 2), eps=0.25, train_eps=True)
    load_pyg_state_dict(learned, theirs.state_dict())
    np.testing.assert_array_equal(learned.nn.weight.data, theirs.nn.weight.detach().numpy())


def test_corner_case_graphs():
    layer = GINConv(Linear(3, 2, rng=0, dtype=np.float64), eps=0.1, dtype=np.float64)
    x = np.random.default_rng(6).standard_normal((4, 3))
    lin = x @ layer.nn.weight.data.T
    np.testing.assert_allclose(layer(x, np.zeros((2, 0), dtype=np.int64)).data,
                               1.1 * lin + layer.nn.bias.data, rtol=1e-12)
    np.testing.assert_allclose(layer(x[:1], np.array([[0], [0]])).data,
                               2.1 * lin[:1] + layer.nn.bias.data, rtol=1e-12)
    assert layer(np.zeros((0, 3)), np.zeros((2, 0), dtype=np.int64)).shape == (0, 2)


def test_repr_and_errors():
    layer = GINConv(Linear(3, 2, rng=0))
    assert repr(layer).startswith("GINConv(nn=Linear(3, 2")
    with pytest.raises(TypeError, match=r"GINConv: nn must be a Module"):
        GINConv(3)
    with pytest.raises(ValueError, match=r"GINConv: x must have shape \(N, F\)"):
        layer(np.ones(3, np.float32), np.array([[0], [1]]))
    with pytest.raises(IndexError, match=r"edge_index: node ids must lie in \[0, 3\)"):
        layer(np.ones((3, 3), np.float32), np.array([[0, 3], [1, 2]]))
    with pytest.raises(ValueError, match=r"Linear: x must have last dimension in_features=3"):
        layer(np.ones((3, 4), np.float32), np.array([[0], [1]]))


# 7 sources, 4 targets: a duplicate edge (2 -> 1 twice), target 3 without in-edges, source 6 unused
PAIR_EI = np.array([[0, 2, 2, 5, 4, 1, 0], [0, 1, 1, 1, 2, 0, 2]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("eps,train_eps", [(0.0, False), (-0.2, True)])
def test_bipartite_pair_equals_pyg(eps, train_eps, dtype):
    """conv((x_src, x_dst), edge_index): outputs and gradients to both arrays, the nn's weights
    and eps equal PyG's."""
    rng = np.random.default_rng(5)
    xs, xd = rng.standard_normal((7, 5)).astype(dtype), rng.standard_normal((4, 5)).astype(dtype)
    ours, theirs = twins("sequential", eps, train_eps)
    ours.to(dtype)
    theirs.to(TORCH[dtype]).load_state_dict(torch_state(ours))
    xso, xdo = Tensor(xs, requires_grad=True), Tensor(xd, requires_grad=True)
    xst, xdt = torch.tensor(xs, requires_grad=True), torch.tensor(xd, requires_grad=True)
    out = ours((xso, xdo), PAIR_EI)
    ref = theirs((xst, xdt), torch.from_numpy(PAIR_EI))
    assert out.shape == (4, 3)
    cot = rng.standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xso.grad, xst.grad, dtype)
    close(xdo.grad, xdt.grad, dtype)
    params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, params[name].grad, dtype)


def test_bipartite_pair_is_the_target_rows_of_the_square_call_and_checks_ids():
    layer = GINConv(Sequential(Linear(5, 4, rng=0), ReLU()), eps=0.1).to(np.float64)
    x = np.random.default_rng(0).standard_normal((7, 5))
    np.testing.assert_allclose(layer((x, x[:4]), PAIR_EI).data, layer(x, PAIR_EI).data[:4],
                               rtol=1e-12, atol=1e-12)
    npgnn.gradcheck(lambda t: layer((t, x[:4]), PAIR_EI), x)
    with pytest.raises(IndexError, match=r"targets in \[0, 2\).*targets in \[0, 2\]"):
        layer((x, x[:2]), PAIR_EI)
    with pytest.raises(TypeError, match="x_dst None is not supported"):
        layer((x, None), PAIR_EI)
    with pytest.raises(ValueError, match=r"the same F, got \(7, 5\) and \(4, 3\)"):
        layer((x, np.ones((4, 3))), PAIR_EI)
