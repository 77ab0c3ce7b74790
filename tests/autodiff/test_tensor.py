"""Tensor construction, dtypes and operators."""
import numpy as np
import pytest

import npgnn
from npgnn import Tensor


def test_non_numeric_data_is_rejected():
    with pytest.raises(TypeError, match="Tensor data: dtype <U1 is not supported"):
        Tensor(np.array(["a"]))
    with pytest.raises(TypeError, match="Tensor data: dtype object is not supported"):
        Tensor(np.array([{}, 1], dtype=object))


def test_requires_grad_needs_float():
    with pytest.raises(TypeError, match="Tensor data: dtype int64 is not supported; .*only "
                                        "floating-point data can require gradients"):
        Tensor(np.array([1, 2]), requires_grad=True)


def test_scalar_operand_keeps_float32():
    x = Tensor(np.ones(2, dtype=np.float32))
    for y in (x + 1.5, 2 * x, x / 3, 1 - x, x**2):
        assert y.dtype == np.float32


def test_int_tensor_with_float_scalar_promotes():
    y = Tensor(np.array([1, 2])) * 0.5
    np.testing.assert_array_equal(y.data, [0.5, 1.0])


def test_ndarray_on_the_left_defers_to_tensor():
    x = Tensor(np.ones(2), requires_grad=True)
    y = np.array([1.0, 2.0]) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])


def test_comparisons_give_plain_arrays():
    x = Tensor(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(x > 2, [False, True])


def test_tensor_function_copies():
    a = np.ones(2)
    t = npgnn.tensor(a)
    a[0] = 5
    assert t.data[0] == 1


def test_repr_and_properties():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    assert "requires_grad=True" in repr(x)
    assert "grad_fn=Mul" in repr(x * 2)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and len(x) == 2 and x.is_leaf
    assert x.detach().grad_fn is None and not x.detach().requires_grad
