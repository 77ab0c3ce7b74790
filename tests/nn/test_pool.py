"""Global readouts: equal PyG's global_*_pool (values and gradients, ties included), empty graphs
in a batch give zero rows, batch=None, Graph input, gradcheck and errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Graph, Tensor
from npgnn.graph import Batch
from npgnn.nn.pool import global_add_pool, global_max_pool, global_mean_pool

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

POOLS = {"add": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}
TORCH_POOLS = {"add": pyg_nn.global_add_pool, "mean": pyg_nn.global_mean_pool,
               "max": pyg_nn.global_max_pool}


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("kind", ["add", "mean", "max"])
def test_equals_pyg_with_an_empty_graph_and_ties(kind, dtype, tol):
    rng = np.random.default_rng(0)
    batch = np.array([0, 0, 0, 2, 2, 3, 3, 3, 3, 5])      # graphs 1 and 4 are empty
    x = rng.standard_normal((10, 4)).astype(dtype)
    x[1] = x[0]                                           # a tie for the max
    cot = rng.standard_normal((7, 4)).astype(dtype)       # size=7: trailing empty graph 6
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = POOLS[kind](xo, batch, size=7)
    ref = TORCH_POOLS[kind](xt, torch.from_numpy(batch), size=7)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    assert out.shape == (7, 4) and out.dtype == dtype
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), rtol=tol, atol=tol)
    assert not out.data[[1, 4, 6]].any()


@pytest.mark.parametrize("kind", ["add", "mean", "max"])
def test_batch_none_is_one_graph(kind):
    x = np.random.default_rng(1).standard_normal((5, 3))
    expected = {"add": x.sum(0), "mean": x.mean(0), "max": x.max(0)}[kind]
    np.testing.assert_allclose(POOLS[kind](x).data, expected[None], rtol=1e-12)
    assert POOLS[kind](np.zeros((0, 3))).data.tolist() == [[0.0, 0.0, 0.0]]


@pytest.mark.parametrize("kind", ["add", "mean", "max"])
def test_graph_input_counts_trailing_empty_graphs(kind):
    rng = np.random.default_rng(2)
    graphs = [Graph(np.array([[0], [1]]), num_nodes=2), Graph(np.zeros((2, 0), dtype=int), num_nodes=0),
              Graph(np.array([[0, 1], [1, 2]]), num_nodes=3), Graph(np.zeros((2, 0), dtype=int), num_nodes=0)]
    g = Batch.from_graphs(graphs)
    x = rng.standard_normal((5, 2))
    out = POOLS[kind](x, g).data
    assert out.shape == (4, 2) and not out[[1, 3]].any()
    np.testing.assert_allclose(out, POOLS[kind](x, g.batch, size=4).data)
    single = Graph(np.array([[0], [1]]), num_nodes=2)
    np.testing.assert_allclose(POOLS[kind](x[:2], single).data, POOLS[kind](x[:2]).data)


@pytest.mark.parametrize("kind", ["add", "mean", "max"])
def test_unsorted_batch_and_gradcheck(kind):
    batch = np.array([2, 0, 1, 0, 2, 2])
    x = np.random.default_rng(3).standard_normal((6, 3))
    npgnn.gradcheck(lambda t: POOLS[kind](t, batch), x)
    ref = TORCH_POOLS[kind](torch.tensor(x), torch.from_numpy(batch))
    np.testing.assert_allclose(POOLS[kind](x, batch).data, ref.numpy(), rtol=1e-12)


def test_errors():
    x = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"global_add_pool: batch must have shape \(3,\).*got \(2,\)"):
        global_add_pool(x, np.array([0, 1]))
    with pytest.raises(TypeError, match=r"global_mean_pool: batch: expected a 1-D integer array"):
        global_mean_pool(x, np.array([0.0, 0.0, 1.0]))
    with pytest.raises(IndexError, match=r"global_max_pool: batch: ids must lie in \[0, 2\)"):
        global_max_pool(x, np.array([0, 1, 2]), size=2)
    with pytest.raises(IndexError, match=r"global_max_pool: batch: ids must lie in \[0, 2\).*min=-1"):
        global_max_pool(x, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"global_add_pool: the graph has 2 nodes but x has 3 rows"):
        global_add_pool(x, Graph(np.array([[0], [1]]), num_nodes=2))
    with pytest.raises(ValueError, match=r"global_add_pool: size: expected .*got -1"):
        global_add_pool(x, None, size=-1)


def test_a_batch_vector_is_grouped_once_and_never_stale():
    """Every readout of a model gets the same batch vector: its grouping is built once; an
    in-place edit, or a new array at the same address, is regrouped."""
    from npgnn.nn import pool

    x = np.arange(12.0).reshape(6, 2)
    batch = np.array([0, 0, 1, 1, 2, 2])
    first = pool._graph_segments("t", Tensor(x), batch, None)
    assert pool._graph_segments("t", Tensor(x), batch, None) is first
    assert pool._graph_segments("t", Tensor(x), batch, 4) is not first     # another size
    batch[:] = [0, 1, 1, 1, 1, 1]
    np.testing.assert_array_equal(global_add_pool(x, batch).data, [[0, 1], [30, 35]])
    with pytest.raises(IndexError, match="batch"):
        global_add_pool(x, batch, size=1)
