"""Tensor comparisons are elementwise (the silent ``(pred == y).sum() == 0`` bug) and hashing is by identity."""
import numpy as np
import pytest

from npgnn import Tensor, optim
from npgnn.nn import Linear


def test_equality_counts_matches_like_torch():
    pred = Tensor(np.array([0, 1, 2, 1]))
    y = np.array([0, 1, 1, 1])
    # with identity equality this was Python False and the sum counted nothing
    assert (pred == y).sum() == 3
    assert (pred == Tensor(y)).sum() == 3
    assert (pred != y).sum() == 1
    assert (y == pred).sum() == 3          # the ndarray on the left defers to the Tensor
    mask = np.array([True, True, False, True])
    assert int((pred[mask] == y[mask]).sum()) == 3
    assert pred.eq(y).sum().item() == 3 and pred.ne(y).sum().item() == 1   # older PyG idiom


@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
def test_every_comparison_is_an_elementwise_bool_array(op):
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    got = getattr(Tensor(a), op)(b)
    assert isinstance(got, np.ndarray) and got.dtype == np.bool_
    np.testing.assert_array_equal(got, getattr(a, op)(b))


def test_comparison_with_none_is_false_as_in_torch():
    t = Tensor(np.ones(2))
    assert (t == None) is False  # noqa: E711 - the point of the test
    assert (t != None) is True  # noqa: E711


def test_hash_is_identity_so_dicts_sets_and_optimizers_work():
    a, b = Tensor(np.zeros(3)), Tensor(np.zeros(3))   # equal values, different tensors
    assert len({a, b}) == 2 and {a: 1, b: 2}[a] == 1
    lin = Linear(2, 2, rng=0)
    opt = optim.SGD([lin.weight, lin.weight, lin.bias], lr=0.1)  # a tied weight listed twice
    assert sum(len(g["params"]) for g in opt.param_groups) == 2
