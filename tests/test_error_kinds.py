"""Errors as a kind (issue 7 item 6): hints built from names keep the whole name, NumPy scalars
appear as plain numbers, and reductions over an empty axis give the documented result."""
import numpy as np
import pytest

import npgnn
from npgnn import Function, GradcheckError, Tensor, gradcheck, ops, optim
from npgnn._format import number, show
from npgnn.nn import Linear, MessagePassing, MultiHeadAttention


class WeightModel(MessagePassing):
    def message(self, x_j, weight):
        return x_j * weight[:, None]


class PairModel(MessagePassing):
    def message(self, x_j, h_i):
        return x_j * h_i


def test_missing_message_argument_hint_keeps_the_whole_name():
    ei, x = np.array([[0, 1], [1, 2]]), np.ones((3, 2))
    with pytest.raises(TypeError, match=r"WeightModel.message\(\) needs the argument 'weight': "
                                        r"pass weight=... to propagate$"):
        WeightModel().propagate(ei, x=x)
    with pytest.raises(TypeError, match=r"needs the argument 'h_i': pass h_i=... to propagate "
                                        r"\(or h=... for a node array gathered as h_i\)"):
        PairModel().propagate(ei, x=x)


class WrongBackward(Function):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return g * self.x          # misses the factor 2


def test_gradcheck_prints_plain_numbers():
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongBackward, np.array([0.3, -1.2]))
    assert "np.float64" not in str(info.value)
    info.match(r"element \(1,\): backward gives -?[\d.]+, finite differences give -?[\d.]+ "
               r"\(\|diff\| [\d.]+, rtol")


@pytest.mark.parametrize("call,match", [
    (lambda: optim.SGD(Linear(2, 2, rng=0).parameters(), lr=np.float64(-0.5)), r"lr must be >= 0, got -0.5$"),
    (lambda: optim.Adam(Linear(2, 2, rng=0).parameters(), betas=(np.float64(0.9), np.float32(1.5))), r"got 1.5"),
    (lambda: npgnn.optim.clip_grad_norm_(Linear(2, 2, rng=0).parameters(), np.float64(-1.0)), r"max_norm must be >= 0, got -1.0$"),
    (lambda: ops.dropout(np.ones(2), np.float64(1.5)), r"got 1.5$"),
    (lambda: ops.sum(np.ones((2, 2)), axis=np.int64(0), dim=np.int64(1)), r"got both axis=0 and dim=1"),
    (lambda: npgnn.Graph(np.array([[0], [1]]), num_nodes=np.float64(3.5)), r"3.5"),
])
def test_numpy_scalars_appear_as_plain_numbers(call, match):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert "np.float" not in str(info.value) and "np.int" not in str(info.value), str(info.value)
    assert info.match(match)


def test_show_and_number():
    assert show(np.float64(0.5)) == "0.5" and show((np.int64(1), 2.5)) == "(1, 2.5)"
    assert show(np.array([1, 2])) == "array([1, 2])" and show("a") == "'a'"
    assert number(np.float64(0.025830123456)) == "0.0258301"


def test_multi_head_attention_with_no_keys_gives_the_documented_result():
    """S = 0 keys: every query attends to nothing: weights (B, L, 0), output out_proj.bias."""
    mha = MultiHeadAttention(4, 2, rng=0)
    mha.out_proj.bias.data[:] = np.arange(4)
    q = Tensor(np.ones((2, 3, 4), dtype=np.float32), requires_grad=True)
    kv = np.ones((2, 0, 4), dtype=np.float32)
    out, w = mha(q, kv, kv)
    assert out.shape == (2, 3, 4) and w.shape == (2, 3, 0)
    np.testing.assert_allclose(out.data, np.broadcast_to(np.arange(4), (2, 3, 4)))
    (out * 2.0).sum().backward()
    np.testing.assert_array_equal(q.grad, 0)


@pytest.mark.parametrize("fn", [ops.softmax, ops.log_softmax])
def test_softmax_over_an_empty_axis_is_empty_not_an_error(fn):
    x = Tensor(np.ones((3, 0)), requires_grad=True)
    y = fn(x, dim=1)
    assert y.shape == (3, 0)
    y.backward(np.ones((3, 0)))
    assert x.grad.shape == (3, 0)
