"""MessagePassing: the fused sum/mean/max paths, the general message/aggregate/update path,
edge weights (fixed and learned), argument gathering, caching on a Graph, corner-case graphs and
errors; outputs and gradients against PyG's MessagePassing and dense formulas."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Graph, Tensor
from npgnn.nn.conv._structure import target_segments
from npgnn.nn.conv.message_passing import MessagePassing, _signature
from npgnn.ops import Adjacency, Segments
from npgnn.ops.graph import segment_sum

from ._helpers import close, random_graph

torch = pytest.importorskip("torch")
pyg_conv = pytest.importorskip("torch_geometric.nn.conv")

def dense(ei: np.ndarray, n: int, w: np.ndarray | None = None) -> np.ndarray:
    """A[i, j] = Σ of the weights of the edges j -> i."""
    a = np.zeros((n, n))
    np.add.at(a, (ei[1], ei[0]), np.ones(ei.shape[1]) if w is None else w)
    return a


class TorchPlain(pyg_conv.MessagePassing):
    def forward(self, x, edge_index):
        return self.propagate(edge_index, x=x)


class TorchWeighted(pyg_conv.MessagePassing):
    """PyG twin of npgnn's default message with edge weights: w_e * x_j."""

    def forward(self, x, edge_index, edge_weight):
        return self.propagate(edge_index, x=x, edge_weight=edge_weight)

    def message(self, x_j, edge_weight):
        return edge_weight.view(-1, 1) * x_j


class Explicit(MessagePassing):
    """Overrides message with the default's formula: forces the general (gather/scatter) path."""

    def message(self, x_j, edge_weight=None):
        return x_j if edge_weight is None else x_j * edge_weight.reshape(-1, 1)


# ---------------------------------------------------------------------------- plain aggregation
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("aggr", ["sum", "mean", "max"])
def test_plain_aggregation_equals_pyg(aggr, dtype):
    ei = random_graph()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 5)).astype(dtype)
    cot = rng.standard_normal((12, 5)).astype(dtype)
    xo = Tensor(x, requires_grad=True)
    out = MessagePassing(aggr=aggr).propagate(ei, x=xo)
    out.backward(cot)
    xt = torch.tensor(x, requires_grad=True)
    ref = TorchPlain(aggr="add" if aggr == "sum" else aggr)(xt, torch.from_numpy(ei))
    (ref * torch.from_numpy(cot)).sum().backward()
    assert out.dtype == dtype
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    assert np.all(out.data[-2:] == 0)  # isolated nodes receive nothing


@pytest.mark.parametrize("aggr", ["sum", "mean", "max"])
def test_fused_path_equals_general_path(aggr):
    ei = random_graph(3)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((12, 4))
    cot = rng.standard_normal((12, 4))
    results = []
    for layer in (MessagePassing(aggr=aggr), Explicit(aggr=aggr)):
        t = Tensor(x, requires_grad=True)
        y = layer.propagate(ei, x=t)
        y.backward(cot)
        results.append((y.data, t.grad))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-12)


def test_sum_and_mean_equal_dense_formulas_with_duplicates_and_self_loops():
    ei = random_graph(4)
    x = np.random.default_rng(0).standard_normal((12, 3))
    a = dense(ei, 12)
    assert a.max() >= 2 and np.trace(a) == 3     # duplicates count twice, loops count once
    np.testing.assert_allclose(MessagePassing("sum").propagate(ei, x=x).data, a @ x, rtol=1e-12)
    deg = np.maximum(a.sum(axis=1, keepdims=True), 1)
    np.testing.assert_allclose(MessagePassing("mean").propagate(ei, x=x).data, a @ x / deg,
                               rtol=1e-12)


@pytest.mark.parametrize("aggr", ["sum", "mean", "max"])
def test_gradcheck_wrt_x(aggr):
    ei = random_graph(5, n=6, e=10)
    x = np.random.default_rng(3).standard_normal((6, 2))
    npgnn.gradcheck(lambda t: MessagePassing(aggr).propagate(ei, x=t), x)
    npgnn.gradcheck(lambda t: Explicit(aggr).propagate(ei, x=t), x)


def test_trailing_shapes_go_through_the_fused_path():
    ei = random_graph(6)
    x = np.random.default_rng(0).standard_normal((12, 2, 3))
    out = MessagePassing("mean").propagate(ei, x=x).data
    flat = MessagePassing("mean").propagate(ei, x=x.reshape(12, 6)).data
    np.testing.assert_allclose(out, flat.reshape(12, 2, 3), rtol=1e-12)
    vec = np.arange(12.0)
    np.testing.assert_allclose(MessagePassing("sum").propagate(ei, x=vec).data,
                               dense(ei, 12) @ vec, rtol=1e-12)
    ints = MessagePassing("sum").propagate(ei, x=np.ones((12, 1), dtype=np.int64))
    assert ints.dtype == np.float64


# ---------------------------------------------------------------------------- edge weights
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("aggr", ["sum", "mean", "max"])
@pytest.mark.parametrize("learned", [False, True])
def test_edge_weights_equal_pyg(aggr, learned, dtype):
    ei = random_graph(7)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((12, 3)).astype(dtype)
    w = rng.uniform(0.5, 2.0, ei.shape[1]).astype(dtype)
    cot = rng.standard_normal((12, 3)).astype(dtype)
    xo = Tensor(x, requires_grad=True)
    wo = Tensor(w, requires_grad=True) if learned else w
    out = MessagePassing(aggr).propagate(ei, x=xo, edge_weight=wo)
    out.backward(cot)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=learned)
    ref = TorchWeighted(aggr="add" if aggr == "sum" else aggr)(xt, torch.from_numpy(ei), wt)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    if learned:
        close(wo.grad, wt.grad, dtype)


@pytest.mark.parametrize("aggr", ["sum", "mean", "max"])
def test_gradcheck_wrt_learned_weights(aggr):
    ei = random_graph(8, n=6, e=10)
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((6, 2)), rng.uniform(0.5, 2.0, ei.shape[1])
    npgnn.gradcheck(lambda a, b: MessagePassing(aggr).propagate(ei, x=a, edge_weight=b), x, w)


@pytest.mark.parametrize("learned", [False, True])
def test_per_head_weights(learned):
    ei = random_graph(9)
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((12, 2, 3)), rng.standard_normal((ei.shape[1], 2))
    wt = Tensor(w, requires_grad=True) if learned else w
    out = MessagePassing("mean").propagate(ei, x=x, edge_weight=wt).data
    deg = np.maximum(dense(ei, 12).sum(axis=1), 1)[:, None]
    for h in range(2):
        np.testing.assert_allclose(out[:, h], dense(ei, 12, w[:, h]) @ x[:, h] / deg, rtol=1e-12)


# ---------------------------------------------------------------------------- argument passing
class EdgeModel(MessagePassing):
    """Uses x_i, x_j, a pass-through edge array, special names and an update argument."""

    def message(self, x_i, x_j, edge_attr, index, dim_size, edge_index_j, segments):
        assert isinstance(segments, Segments) and dim_size == 12
        np.testing.assert_array_equal(index, segments.index)
        assert edge_index_j.shape == index.shape
        return (x_i - x_j) * edge_attr

    def update(self, aggr_out, x, scale=2.0):
        return aggr_out + scale * x


class TorchEdgeModel(pyg_conv.MessagePassing):
    def forward(self, x, edge_index, edge_attr):
        return self.propagate(edge_index, x=x, edge_attr=edge_attr)

    def message(self, x_i, x_j, edge_attr):
        return (x_i - x_j) * edge_attr

    def update(self, aggr_out, x):
        return aggr_out + 2.0 * x


@pytest.mark.parametrize("aggr", ["sum", "mean", "max"])
def test_gathered_and_passed_through_arguments_equal_pyg(aggr):
    ei = random_graph(10)
    rng = np.random.default_rng(7)
    x, ea = rng.standard_normal((12, 3)), rng.standard_normal((ei.shape[1], 3))
    cot = rng.standard_normal((12, 3))
    xo, eo = Tensor(x, requires_grad=True), Tensor(ea, requires_grad=True)
    out = EdgeModel(aggr).propagate(ei, x=xo, edge_attr=eo)
    out.backward(cot)
    xt, et = torch.tensor(x, requires_grad=True), torch.tensor(ea, requires_grad=True)
    ref = TorchEdgeModel(aggr="add" if aggr == "sum" else aggr)(xt, torch.from_numpy(ei), et)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref)
    close(xo.grad, xt.grad)
    close(eo.grad, et.grad)


def test_signature_is_inspected_once_per_class():
    assert _signature(EdgeModel) is _signature(EdgeModel)
    sig = _signature(EdgeModel)
    assert [k for k, _ in sig.message] == ["x_i", "x_j", "edge_attr", "index", "dim_size",
                                            "edge_index_j", "segments"]
    assert [k for k, _ in sig.update] == ["x", "scale"]
    assert [k for k, _ in _signature(MessagePassing).aggregate] == ["segments", "dim_size"]


class MeanOfSquares(MessagePassing):
    """An aggregate override written PyG-style with the ``index`` array."""

    def aggregate(self, inputs, index, dim_size):
        return segment_sum(inputs * inputs, index, dim_size)


def test_aggregate_override():
    ei = random_graph(11)
    x = np.random.default_rng(8).standard_normal((12, 2))
    np.testing.assert_allclose(MeanOfSquares().propagate(ei, x=x).data, dense(ei, 12) @ x**2,
                               rtol=1e-12)


# ---------------------------------------------------------------------------- graphs and caching
def test_graph_input_caches_the_matrix_and_ignores_its_own_weights_unless_passed():
    ei = random_graph(12)
    w = np.random.default_rng(9).uniform(0.5, 2.0, ei.shape[1])
    g = Graph(ei, num_nodes=12, edge_weight=w)
    x = np.random.default_rng(10).standard_normal((12, 3))
    mp = MessagePassing("sum")
    np.testing.assert_allclose(mp.propagate(g, x=x).data, dense(ei, 12) @ x, rtol=1e-12)
    key = ("message_passing", "sum", False, np.dtype(np.float64).str)
    first = g._cache[key]
    assert isinstance(first, Adjacency)
    mp.propagate(g, x=x)
    assert g._cache[key] is first                        # reused, not rebuilt
    np.testing.assert_allclose(mp.propagate(g, x=x, edge_weight=g.edge_weight).data,
                               dense(ei, 12, w) @ x, rtol=1e-12)
    assert ("message_passing", "sum", True, np.dtype(np.float64).str) in g._cache
    assert target_segments(g) is target_segments(g)


def test_edgeless_one_node_and_empty_graphs():
    for aggr in ("sum", "mean", "max"):
        mp = MessagePassing(aggr)
        x = np.ones((3, 2))
        assert not mp.propagate(np.zeros((2, 0), dtype=np.int64), x=x).data.any()
        assert not Explicit(aggr).propagate(np.zeros((2, 0), dtype=np.int64), x=x).data.any()
        np.testing.assert_array_equal(mp.propagate(np.array([[0], [0]]), x=np.full((1, 2), 3.0)).data,
                                      np.full((1, 2), 3.0))     # one node with its self-loop
        assert mp.propagate(np.zeros((2, 0), dtype=np.int64), x=np.zeros((0, 2))).shape == (0, 2)
        assert mp.propagate(Graph(np.zeros((2, 0), dtype=np.int64), num_nodes=0),
                            x=np.zeros((0, 2))).shape == (0, 2)


def test_book_style_forward_backward():
    ei = random_graph(13)
    x = np.random.default_rng(11).standard_normal((12, 3))
    mp = MessagePassing("sum")
    y = mp.forward(x, ei)
    assert isinstance(y, np.ndarray)
    g = np.random.default_rng(12).standard_normal(y.shape)
    np.testing.assert_allclose(mp.backward(g), dense(ei, 12).T @ g, rtol=1e-12)


def test_repr():
    assert repr(MessagePassing("add")) == "MessagePassing(aggr='sum')"


# ---------------------------------------------------------------------------- errors
def test_bad_edge_index_errors_name_the_argument():
    mp = MessagePassing()
    x = np.ones((4, 2))
    with pytest.raises(IndexError, match=r"edge_index: node ids must lie in \[0, 4\).*max=4"):
        mp.propagate(np.array([[0, 4], [1, 2]]), x=x)
    with pytest.raises(IndexError, match=r"edge_index: node ids must lie in \[0, 4\).*min=-1"):
        mp.propagate(np.array([[0, -1], [1, 2]]), x=x)
    with pytest.raises(TypeError, match=r"edge_index: expected integer node ids, got float64"):
        mp.propagate(np.array([[0.0, 1.0], [1.0, 2.0]]), x=x)
    with pytest.raises(ValueError, match=r"edge_index: expected shape \(2, E\).*got \(3, 2\)"):
        mp.propagate(np.array([[0, 1], [1, 2], [2, 3]]), x=x)
    with pytest.raises(ValueError, match=r"x must have one row per node \(5\), got shape \(4, 2\)"):
        mp.propagate(Graph(np.array([[0], [1]]), num_nodes=5), x=x)


def test_argument_errors():
    ei = np.array([[0, 1], [1, 2]])
    x = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"edge_weight must have shape \(E,\) = \(2,\), got \(3,\)"):
        MessagePassing().propagate(ei, x=x, edge_weight=np.ones(3))
    with pytest.raises(TypeError, match=r"EdgeModel.message\(\) needs the argument 'edge_attr'"):
        EdgeModel().propagate(ei, x=x)

    class Bad(MessagePassing):
        def message(self, x_j):
            return x_j[:1]

    with pytest.raises(ValueError, match=r"Bad.message must return a Tensor with one row per edge \(E=2\)"):
        Bad().propagate(ei, x=x)

    class Pair(MessagePassing):
        def message(self, x_i, y_j):
            return x_i + y_j

    with pytest.raises(ValueError, match=r"y must have one row per node \(3\) to build y_j"):
        Pair().propagate(ei, x=x, y=np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"aggr must be one of 'sum' \(or 'add'\), 'mean', 'max', got 'min'"):
        MessagePassing("min")
    with pytest.raises(TypeError, match=r"pairs \(x_src, x_dst\) of bipartite graphs are not supported"):
        MessagePassing().propagate(ei, x=(x, x))
    with pytest.raises(ValueError, match=r"size must be N or \(N, N\)"):
        MessagePassing().propagate(ei, x=x, size=(3, 4))
    with pytest.raises(ValueError, match=r"cannot tell the number of nodes"):
        Explicit().propagate(ei)
    import scipy.sparse as sp
    with pytest.raises(TypeError, match=r"x must be a dense array or Tensor, got a scipy sparse"):
        MessagePassing().propagate(ei, x=sp.csr_matrix(x))
