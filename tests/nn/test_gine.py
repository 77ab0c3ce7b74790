"""GINEConv: outputs and gradients (x, edge_attr, nn's and lin's weights, a trained eps) equal
PyG's GINEConv for identical weights (float64 to 1e-10, float32 to 1e-5); the fused op's
gradcheck on a directed graph with duplicates, self-loops and isolated nodes; errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Graph, Tensor
from npgnn.nn.activation import ReLU
from npgnn.nn.conv.gine import GINEConv
from npgnn.nn.linear import Linear
from npgnn.nn.mlp import MLP
from npgnn.nn.module import Sequential
from npgnn.ops.edge_relu import edge_relu_sum
from npgnn.ops.segments import Segments

from ._helpers import TORCH, close, random_graph, torch_state

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")


def twins(kind: str, eps: float, train_eps: bool, edge_dim: int | None):
    if kind == "sequential":
        ours = GINEConv(Sequential(Linear(5, 8, rng=0), ReLU(), Linear(8, 3, rng=1)),
                        eps=eps, train_eps=train_eps, edge_dim=edge_dim, rng=2)
        theirs = pyg_nn.GINEConv(torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(),
                                                     torch.nn.Linear(8, 3)),
                                 eps=eps, train_eps=train_eps, edge_dim=edge_dim)
    else:
        ours = GINEConv(MLP([5, 8, 3], rng=0), eps=eps, train_eps=train_eps, edge_dim=edge_dim,
                        rng=2)
        theirs = pyg_nn.GINEConv(pyg_nn.MLP([5, 8, 3]), eps=eps, train_eps=train_eps,
                                 edge_dim=edge_dim)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["sequential", "mlp"])
@pytest.mark.parametrize("eps,train_eps", [(0.0, False), (-0.2, True)])
@pytest.mark.parametrize("edge_dim", [None, 3])
def test_equals_pyg(kind, eps, train_eps, edge_dim, dtype):
    ei = random_graph()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 5)).astype(dtype)
    ea = rng.standard_normal((ei.shape[1], edge_dim or 5)).astype(dtype)
    ours, theirs = twins(kind, eps, train_eps, edge_dim)
    ours.to(dtype).train(True)
    theirs.to(TORCH[dtype]).train(True)
    state = torch_state(ours)
    assert sorted(state) == sorted(theirs.state_dict())
    theirs.load_state_dict(state)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, et = Tensor(ea, requires_grad=True), torch.tensor(ea, requires_grad=True)
    out, ref = ours(xo, ei, eo), theirs(xt, torch.from_numpy(ei), et)
    cot = rng.standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    close(eo.grad, et.grad, dtype)
    theirs_params = dict(theirs.named_parameters())
    assert sorted(theirs_params) == sorted(n for n, _ in ours.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, theirs_params[name].grad, dtype)


def test_formula_and_graph_edge_attr():
    """Against a per-edge loop; a Graph's edge_attr is used when none is passed; isolated
    nodes get (1 + eps) x."""
    ei = random_graph(2)
    rng = np.random.default_rng(3)
    x, ea = rng.standard_normal((12, 4)), rng.standard_normal((ei.shape[1], 4))
    conv = GINEConv(Sequential(), eps=0.5)
    expect = 1.5 * x
    for e in range(ei.shape[1]):
        expect[ei[1, e]] += np.maximum(x[ei[0, e]] + ea[e], 0)
    np.testing.assert_allclose(conv(x, ei, ea).data, expect, rtol=1e-12)
    g = Graph(edge_index=ei, num_nodes=12, edge_attr=ea)
    np.testing.assert_allclose(conv(x, g).data, expect, rtol=1e-12)
    np.testing.assert_allclose(expect[-2:], 1.5 * x[-2:])


def test_gradcheck_op_and_layer():
    ei = random_graph(4, n=7, e=10)
    rng = np.random.default_rng(5)
    src, dst = Segments(ei[0], 7), Segments(ei[1], 7)
    x, ea = rng.standard_normal((7, 3)), rng.standard_normal((ei.shape[1], 3))
    npgnn.gradcheck(lambda a, b: edge_relu_sum(a, b, src, dst), x, ea)
    layer = GINEConv(Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1)),
                     train_eps=True, edge_dim=2, rng=3).to(np.float64)
    ea2 = rng.standard_normal((ei.shape[1], 2))
    npgnn.gradcheck(lambda a, b: layer(a, ei, b), x, ea2)


def test_empty_graph_in_a_batch():
    """A batch with an edgeless graph and an empty one: gradients still check."""
    from npgnn.graph import Batch
    rng = np.random.default_rng(6)
    graphs = [Graph(edge_index=random_graph(7, n=6, e=9), num_nodes=6),
              Graph(edge_index=np.zeros((2, 0), np.int64), num_nodes=3),
              Graph(edge_index=np.zeros((2, 0), np.int64), num_nodes=0)]
    graphs = [g.replace(edge_attr=rng.standard_normal((g.num_edges, 2))) for g in graphs]
    b = Batch.from_graphs(graphs)
    layer = GINEConv(Linear(3, 2, rng=0), edge_dim=2, rng=1).to(np.float64)
    npgnn.gradcheck(lambda a, e: layer(a, b.edge_index, e), rng.standard_normal((9, 3)),
                    b.edge_attr)


@pytest.mark.parametrize("make, call, err, match", [
    (lambda: GINEConv(Linear(3, 2)), lambda c: c(np.ones((3, 3)), np.array([[0], [1]])),
     ValueError, r"edge_attr is required"),
    (lambda: GINEConv(Linear(3, 2)),
     lambda c: c(np.ones((3, 3)), np.array([[0], [1]]), np.ones((1, 2))),
     ValueError, r"edge_attr must have shape \(1, 3\).*got \(1, 2\).*edge_dim=D"),
    (lambda: GINEConv(Linear(3, 2), edge_dim=2),
     lambda c: c(np.ones((3, 3)), np.array([[0], [1]]), np.ones((2, 2))),
     ValueError, r"edge_attr must have shape \(1, 2\)"),
    (lambda: GINEConv(Linear(3, 2), edge_dim=0), None, ValueError, r"edge_dim must be a positive"),
    (lambda: GINEConv(lambda x: x, edge_dim=2), None, ValueError, r"could not infer the input"),
    (lambda: GINEConv(3), None, TypeError, r"nn must be a Module"),
    (lambda: GINEConv(Linear(3, 2)),
     lambda c: c(np.ones((3, 3), np.int64), np.array([[0], [1]]), np.ones((1, 3))),
     ValueError, r"x must be a float array"),
])
def test_errors(make, call, err, match):
    with pytest.raises(err, match=match):
        conv = make()
        call(conv)
