"""Values given as npgnn Tensors stay differentiable through npgnn.utils (float64 gradcheck)."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn import Tensor, gradcheck, utils

from ._helpers import random_edges, t

INDEX = np.array([0, 3, 3, 1, 0, 3, 5, 1, 3])  # segments 2 and 4 are empty (isolated nodes)


def _src(seed=0, shape=(9, 3)):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("reduce", ["sum", "mean", "min", "max"])
@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_gradcheck(reduce, dim):
    src = _src(shape=(9, 4) if dim == 0 else (2, 9))
    assert gradcheck(lambda x: utils.scatter(x, INDEX, dim, 7, reduce), src)


@pytest.mark.parametrize("reduce", ["sum", "mean", "min", "max"])
def test_scatter_gradient_equals_torch_with_ties(torch, pyg, reduce):
    # ties at a nonzero extreme: at an extreme of exactly 0, torch also counts the zero-filled
    # output slot among the ties (documented in utils.scatter)
    src = np.array([[1.0, 2.0], [1.0, -1.0], [0.5, 2.0], [3.0, 0.5], [1.0, 0.5]])
    index = np.array([0, 0, 0, 2, 2])
    w = _src(1, (3, 2))
    x = Tensor(src, requires_grad=True)
    (utils.scatter(x, index, 0, 3, reduce) * w).sum().backward()
    xt = t(torch, src).requires_grad_()
    (pyg.scatter(xt, t(torch, index), 0, 3, reduce) * t(torch, w)).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dim", [0, 1])
def test_softmax_gradcheck_and_torch(torch, pyg, dim):
    src = _src(2, (9, 2) if dim == 0 else (2, 9))
    assert gradcheck(lambda x: utils.softmax(x, INDEX, num_nodes=7, dim=dim), src)
    w = _src(3, src.shape)
    x = Tensor(src, requires_grad=True)
    (utils.softmax(x, INDEX, dim=dim) * w).sum().backward()
    xt = t(torch, src).requires_grad_()
    (pyg.softmax(xt, t(torch, INDEX), dim=dim) * t(torch, w)).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_coalesce_and_to_undirected_gradcheck(reduce):
    ei = random_edges(4)
    attr = _src(4, (ei.shape[1], 2))
    assert gradcheck(lambda a: utils.coalesce(ei, a, reduce=reduce)[1], attr)
    assert gradcheck(lambda a: utils.to_undirected(ei, a, reduce=reduce)[1], attr)


@pytest.mark.parametrize("fill_value", [None, 0.5, "mean", "max"])
def test_self_loop_functions_gradcheck(fill_value):
    ei = random_edges(5)
    attr = _src(5, (ei.shape[1], 2))
    assert gradcheck(lambda a: utils.add_self_loops(ei, a, fill_value)[1], attr)
    assert gradcheck(lambda a: utils.add_remaining_self_loops(ei, a, fill_value)[1], attr)
    assert gradcheck(lambda a: utils.remove_self_loops(ei, a)[1], attr)


def test_subgraph_dense_and_isolated_gradcheck():
    ei = random_edges(6)
    attr = _src(6, (ei.shape[1],))
    assert gradcheck(lambda a: utils.subgraph([1, 2, 5, 7], ei, a)[1], attr)
    assert gradcheck(lambda a: utils.remove_isolated_nodes(ei, a)[1], attr)
    assert gradcheck(lambda a: utils.to_dense_adj(ei, edge_attr=a), attr)
    adj = _src(7, (2, 3, 3))
    assert gradcheck(lambda a: utils.dense_to_sparse(a)[1], adj)


def test_arrays_in_arrays_out():
    ei = random_edges(7)
    w = _src(7, (ei.shape[1],))
    for out in (utils.scatter(w, ei[1]), utils.softmax(w, ei[1]), utils.coalesce(ei, w)[1],
                utils.add_self_loops(ei, w, "mean")[1], utils.to_dense_adj(ei, edge_attr=w)):
        assert type(out) is np.ndarray
    assert isinstance(utils.coalesce(ei, Tensor(w))[1], Tensor)
