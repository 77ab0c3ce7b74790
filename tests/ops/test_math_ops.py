"""Array-math ops: forward against NumPy, backward against finite differences and torch."""
import numpy as np
import pytest

from npgnn import Tensor, gradcheck
from npgnn import ops

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape)


def pos(*shape):
    return rng.uniform(0.5, 2.0, shape)


BINARY = {
    "add": (ops.add, np.add),
    "sub": (ops.sub, np.subtract),
    "mul": (ops.mul, np.multiply),
    "div": (ops.div, np.divide),
}
BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((1,), (2, 3)), ((), (2, 2))]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("sa,sb", BROADCAST_SHAPES)
def test_binary_ops_broadcast(name, sa, sb):
    op, ref = BINARY[name]
    a, b = r(*sa), pos(*sb)
    np.testing.assert_allclose(op(a, b).data, ref(a, b))
    gradcheck(op, a, b)


def test_pow_both_ways():
    a, b = pos(3, 2), r(3, 2)
    np.testing.assert_allclose(ops.pow(a, b).data, a**b)
    gradcheck(ops.pow, a, b)
    gradcheck(lambda t: t**3, r(4))
    gradcheck(lambda t: 2.0**t, r(4))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
                                   ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul(sa, sb):
    a, b = r(*sa), r(*sb)
    np.testing.assert_allclose(ops.matmul(a, b).data, np.matmul(a, b))
    gradcheck(ops.matmul, a, b)


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"inner dimensions differ: a has shape \(3, 4\) \(K=4\), b has shape \(5, 2\) \(K=5\)"):
        ops.matmul(r(3, 4), r(5, 2))


@pytest.mark.parametrize("fn,ref,make", [
    (ops.exp, np.exp, r), (ops.log, np.log, pos), (ops.sqrt, np.sqrt, pos), (ops.neg, np.negative, r),
    (ops.abs, np.abs, r), (ops.tanh, np.tanh, r), (ops.sigmoid, lambda x: 1 / (1 + np.exp(-x)), r),
    (ops.relu, lambda x: np.maximum(x, 0), r), (ops.elu, lambda x: np.where(x > 0, x, np.expm1(x)), r),
    (lambda x: ops.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), r),
])
def test_unary(fn, ref, make):
    x = make(3, 4)
    np.testing.assert_allclose(fn(x).data, ref(x), rtol=1e-12)
    gradcheck(fn, x)


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise"):
        y = ops.sigmoid(np.array([-1000.0, 0.0, 1000.0])).data
    np.testing.assert_allclose(y, [0.0, 0.5, 1.0])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(axis, keepdims):
    x = r(2, 3, 4)
    for op, ref in ((ops.sum, np.sum), (ops.mean, np.mean), (ops.max, np.max), (ops.min, np.min)):
        np.testing.assert_allclose(op(x, axis, keepdims).data, ref(x, axis=axis, keepdims=keepdims))
        gradcheck(lambda t, op=op: op(t, axis, keepdims), x)


def test_max_ties_share_the_gradient():
    x = Tensor(np.array([[1.0, 3.0, 3.0]]), requires_grad=True)
    ops.max(x, axis=1).backward(np.array([1.0]))
    np.testing.assert_allclose(x.grad, [[0.0, 0.5, 0.5]])


def test_axis_out_of_range():
    with pytest.raises(ValueError, match="axis 3 is out of range for an array of 2 dimensions"):
        ops.sum(r(2, 2), axis=3)


def test_shapes_ops():
    x = r(2, 3, 4)
    gradcheck(lambda t: ops.reshape(t, (6, 4)), x)
    gradcheck(lambda t: t.reshape(4, -1), x)
    gradcheck(lambda t: ops.transpose(t, (2, 0, 1)), x)
    gradcheck(lambda t: t.T, x)
    gradcheck(lambda a, b: ops.concatenate([a, b], axis=1), r(2, 3), r(2, 5))
    gradcheck(lambda a, b: ops.stack([a, b], axis=1), r(2, 3), r(2, 3))
    gradcheck(lambda a, b: ops.where(np.array([True, False, True]), a, b), r(2, 3), r(3))


@pytest.mark.parametrize("index", [
    1, slice(1, None), (slice(None), 2), (Ellipsis, 0), np.array([0, 1, 0, 0]),
    np.array([[True, False, True], [False, False, True]]), (np.array([0, 1, 1]), np.array([2, 2, 2])),
])
def test_getitem_including_repeated_indices(index):
    x = r(2, 3)
    np.testing.assert_array_equal(ops.getitem(x, index).data, x[index])
    gradcheck(lambda t: t[index], x)


def test_getitem_repeated_rows_accumulate():
    x = Tensor(np.ones((3, 2)), requires_grad=True)
    x[np.array([0, 0, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [[2, 2], [0, 0], [1, 1]])


def test_cast_round_trips_the_gradient_dtype():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = x.astype(np.float64) * 2
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_against_torch():
    torch = pytest.importorskip("torch")
    a, b, w = r(3, 4), r(4, 5), r(3, 5)
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    (torch.tanh(ta @ tb).exp() * torch.tensor(w)).sum().backward()
    na, nb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (ops.exp(ops.tanh(na @ nb)) * w).sum().backward()
    np.testing.assert_allclose(na.grad, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(nb.grad, tb.grad.numpy(), rtol=1e-12)
