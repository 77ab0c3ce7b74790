"""The backward engine: accumulation, diamonds, no_grad, freeing, depth, shape checks."""
import gc
import sys
import weakref

import numpy as np
import pytest

import npgnn
from npgnn import Function, Tensor, no_grad
from npgnn.ops import math as M


def test_gradients_accumulate_until_zeroed():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    x.zero_grad()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_diamond_graph_sums_both_paths():
    x = Tensor(np.array([2.0]), requires_grad=True)
    a = x * 3
    y = a * a + a  # y = 9x² + 3x, dy/dx = 18x + 3
    y.backward(np.ones(1))
    np.testing.assert_allclose(x.grad, [39.0])


def test_same_tensor_used_twice_as_inputs():
    x = Tensor(np.array([3.0]), requires_grad=True)
    (x * x).backward(np.ones(1))
    np.testing.assert_allclose(x.grad, [6.0])


def test_explicit_output_gradient_as_array_and_tensor():
    x = Tensor(np.arange(3.0), requires_grad=True)
    y = x * 2
    y.backward(np.array([1.0, 10.0, 100.0]), retain_graph=True)
    y.backward(Tensor(np.array([1.0, 1.0, 1.0])))
    np.testing.assert_allclose(x.grad, [4.0, 22.0, 202.0])


def test_non_scalar_backward_needs_grad():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="grad can be omitted only for a one-element output"):
        y.backward()


def test_backward_grad_shape_is_checked():
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"grad must have the output's shape \(3,\), got \(4,\)"):
        y.backward(np.ones(4))


def test_backward_without_graph_explains():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(np.ones(2)).sum().backward()


def test_no_grad_records_nothing():
    x = Tensor(np.ones(2), requires_grad=True)
    with no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert npgnn.is_grad_enabled()


def test_no_grad_as_decorator_and_enable_grad_inside():
    x = Tensor(np.ones(2), requires_grad=True)

    @no_grad()
    def f():
        with npgnn.enable_grad():
            inner = x * 2
        return x * 2, inner

    outer, inner = f()
    assert not outer.requires_grad and inner.requires_grad


def test_second_backward_through_freed_graph_raises():
    x = Tensor(np.ones(2), requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_graph_is_freed_after_backward():
    x = Tensor(np.ones((4, 4)), requires_grad=True)
    h = M.exp(x)
    saved = weakref.ref(h.grad_fn.y)  # the array Exp saved for its backward
    y = h.sum()
    del h
    y.backward()
    gc.collect()
    assert saved() is None


def test_deep_chain_has_no_recursion_limit():
    x = Tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    assert 10_000 > sys.getrecursionlimit() // 2
    y.backward(np.ones(1))
    np.testing.assert_allclose(x.grad, [1.0001**10_000], rtol=1e-10)


def test_wrong_gradient_shape_from_custom_op_names_the_op():
    class Broken(Function):
        def forward(self, x):
            return x.sum(axis=0)

        def backward(self, g):
            return g  # forgot to broadcast back

    x = Tensor(np.ones((3, 2)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Broken.backward returned a gradient of shape \(2,\) for input 0 of shape \(3, 2\)"):
        Broken()(x).backward(np.ones(2))


def test_wrong_number_of_gradients_names_the_op():
    class TwoIn(Function):
        def forward(self, a, b):
            return a + b

        def backward(self, g):
            return g

    a = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="TwoIn.backward returned 1 gradients for 2 inputs"):
        TwoIn()(a, np.ones(2)).backward(np.ones(2))


def test_function_instance_cannot_be_reused():
    op = M.Exp()
    op(Tensor(np.ones(2)))
    with pytest.raises(RuntimeError, match="already applied"):
        op(Tensor(np.ones(2)))


def test_retain_grad_on_intermediate():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = (x * 2).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, [4.0, 8.0])
    np.testing.assert_allclose(x.grad, [8.0, 16.0])


def test_leaf_grad_does_not_alias_the_output_gradient():
    x = Tensor(np.zeros(3), requires_grad=True)
    g = np.ones(3)
    (x + 0.0).backward(g)
    x.grad += 1
    np.testing.assert_array_equal(g, np.ones(3))


def test_float32_stays_float32():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = (x * 2.5 + 1).exp().sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_detect_anomaly_names_the_op():
    x = Tensor(np.array([-1.0, 1.0]), requires_grad=True)
    with npgnn.detect_anomaly():
        with pytest.raises(FloatingPointError, match="Log.forward output holds a non-finite value"):
            with np.errstate(invalid="ignore"):
                M.log(x)


def test_nan_propagates_without_anomaly_mode():
    x = Tensor(np.array([np.nan, 1.0]), requires_grad=True)
    y = (x * 2).sum()
    assert np.isnan(y.item())
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
