"""SAGEConv: outputs and gradients equal PyG's SAGEConv for identical weights (float64 to 1e-10,
float32 to 1e-5) on directed graphs with isolated nodes, duplicate edges and self-loops; the L2
normalisation op; corner-case graphs, gradcheck and errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Graph, Tensor
from npgnn.nn.conv.sage import SAGEConv, l2_normalize

from ._helpers import close, compare_with_pyg, random_graph

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

OPTIONS = [{}, {"normalize": True}, {"root_weight": False}, {"project": True}, {"bias": False}]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("aggr", ["mean", "sum", "max"])
@pytest.mark.parametrize("channels", [(5, 3), (3, 6)])   # W_l before / after the aggregation
def test_equals_pyg(aggr, options, dtype, channels):
    c_in, c_out = channels
    ei = random_graph()
    x = np.random.default_rng(1).standard_normal((12, c_in))
    ours = SAGEConv(c_in, c_out, aggr, rng=0, **options)
    out = compare_with_pyg(ours, pyg_nn.SAGEConv(c_in, c_out, aggr, **options), x, ei, dtype)
    if not options:  # isolated nodes aggregate 0: x'_i = b + W_r x_i
        expected = ours.lin_l.bias.data + x[-2:].astype(dtype) @ ours.lin_r.weight.data.T
        close(out.data[-2:], expected, dtype)


@pytest.mark.parametrize("aggr", ["mean", "sum", "max"])
@pytest.mark.parametrize("options", [{}, {"normalize": True, "project": True}])
def test_gradcheck_wrt_x(aggr, options):
    ei = random_graph(2, n=6, e=8)
    layer = SAGEConv(3, 2, aggr, rng=1, **options).to(np.float64)
    npgnn.gradcheck(lambda t: layer(t, ei), np.random.default_rng(2).standard_normal((6, 3)))


def test_l2_normalize_matches_torch_and_handles_zero_rows():
    x = np.random.default_rng(3).standard_normal((5, 4))
    x[2] = 0.0
    cot = np.random.default_rng(4).standard_normal((5, 4))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = l2_normalize(xo)
    out.backward(cot)
    ref = torch.nn.functional.normalize(xt, p=2.0, dim=-1)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref)
    close(xo.grad, xt.grad)
    assert not out.data[2].any() and np.isfinite(xo.grad).all()
    npgnn.gradcheck(l2_normalize, np.random.default_rng(5).standard_normal((4, 3)))


def test_corner_case_graphs():
    layer = SAGEConv(3, 2, rng=0).to(np.float64)
    x = np.random.default_rng(6).standard_normal((4, 3))
    root = layer.lin_l.bias.data + x @ layer.lin_r.weight.data.T
    np.testing.assert_allclose(layer(x, np.zeros((2, 0), dtype=np.int64)).data, root, rtol=1e-12)
    one = layer(x[:1], np.array([[0], [0]])).data    # one node, its self-loop is a neighbour
    expected = x[:1] @ layer.lin_l.weight.data.T + root[:1]
    np.testing.assert_allclose(one, expected, rtol=1e-12)
    assert layer(np.zeros((0, 3)), np.zeros((2, 0), dtype=np.int64)).shape == (0, 2)
    for aggr in ("max", "sum"):
        empty = SAGEConv(3, 2, aggr, rng=0).to(np.float64)(x, np.zeros((2, 0), dtype=np.int64))
        assert empty.shape == (4, 2)


def test_graph_input_and_edge_weights_are_ignored():
    ei = random_graph(3)
    x = np.random.default_rng(7).standard_normal((12, 3))
    layer = SAGEConv(3, 2, rng=0).to(np.float64)
    g = Graph(ei, num_nodes=12, edge_weight=np.full(ei.shape[1], 5.0))
    np.testing.assert_allclose(layer(x, g).data, layer(x, ei).data, rtol=1e-14)


def test_parameters_init_and_repr():
    layer = SAGEConv(16, 4, rng=0, project=True)
    names = [n for n, _ in layer.named_parameters()]
    assert names == ["lin.weight", "lin.bias", "lin_l.weight", "lin_l.bias", "lin_r.weight"]
    bound = 1 / np.sqrt(16)
    assert np.abs(layer.lin_l.weight.data).max() <= bound
    np.testing.assert_array_equal(SAGEConv(16, 4, rng=0, project=True).lin_r.weight.data,
                                  layer.lin_r.weight.data)
    assert repr(SAGEConv(16, 4, "add")) == "SAGEConv(16, 4, aggr=sum)"
    assert repr(layer) == "SAGEConv(16, 4, aggr=mean)"


def test_errors():
    ei = np.array([[0, 1], [1, 2]])
    layer = SAGEConv(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"SAGEConv: x must have shape \(N, 3\), got \(3, 2\)"):
        layer(np.ones((3, 2), np.float32), ei)
    with pytest.raises(ValueError, match=r"SAGEConv: aggr must be one of"):
        SAGEConv(3, 2, "lstm")
    with pytest.raises(IndexError, match=r"edge_index: node ids must lie in \[0, 3\)"):
        layer(np.ones((3, 3), np.float32), np.array([[0, 5], [1, 2]]))
    with pytest.raises(TypeError, match=r"edge_index: expected integer node ids"):
        layer(np.ones((3, 3), np.float32), ei.astype(np.float32))
    with pytest.raises(ValueError, match=r"edge_index: the graph has 2 nodes but x has 3 rows"):
        layer(np.ones((3, 3), np.float32), Graph(np.array([[0], [1]]), num_nodes=2))
    with pytest.raises(TypeError, match=r"x_dst None is not supported"):
        layer((np.ones((3, 3)), None), ei)
