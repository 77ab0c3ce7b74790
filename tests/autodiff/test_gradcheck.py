"""The gradient checker must catch wrong backwards (the article's softmax among them)."""
import numpy as np
import pytest

import npgnn
from npgnn import Function, GradcheckError, gradcheck


class DiagonalSoftmax(Function):
    """Softmax with only the Jacobian's diagonal y(1-y): the article's mistake."""

    def forward(self, x):
        z = np.exp(x - x.max(axis=-1, keepdims=True))
        self.y = z / z.sum(axis=-1, keepdims=True)
        return self.y

    def backward(self, g):
        return g * self.y * (1 - self.y)


def test_diagonal_softmax_is_rejected_with_a_clear_message():
    x = np.random.default_rng(0).standard_normal((3, 4))
    with pytest.raises(GradcheckError, match=r"gradcheck failed for DiagonalSoftmax: input 0 \(shape \(3, 4\)\), element"):
        gradcheck(DiagonalSoftmax, x)


def test_correct_softmax_passes():
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert gradcheck(lambda t: npgnn.ops.softmax(t, axis=-1), x)


def test_all_ones_weighting_would_have_missed_it():
    # why gradcheck uses random weights: with an all-ones cotangent, both backwards give 0
    x = npgnn.Tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True)
    DiagonalSoftmax()(x).backward(np.ones((2, 3)))
    full = npgnn.Tensor(x.data, requires_grad=True)
    npgnn.ops.softmax(full).backward(np.ones((2, 3)))
    np.testing.assert_allclose(full.grad, 0, atol=1e-12)
    assert np.abs(x.grad).max() > 0.01  # diagonal-only is wrong, yet the sum test cannot tell


def test_integer_inputs_are_constants():
    idx = np.array([2, 0, 0])
    assert gradcheck(lambda x, i: x[i] * 2, np.random.rand(3, 2), idx)


def test_no_float_input_is_an_error():
    with pytest.raises(ValueError, match="no floating input"):
        gradcheck(lambda i: i, np.array([1, 2]))
