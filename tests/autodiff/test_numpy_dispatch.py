"""NumPy functions on Tensors run npgnn's differentiable ops, or raise naming what to use."""
import numpy as np
import pytest

from npgnn import Tensor, gradcheck
from npgnn.autodiff.numpy_dispatch import ROUTED_FUNCTIONS, ROUTED_UFUNCS
from npgnn.nn import MessagePassing

rng = np.random.default_rng(0)
UNARY = ["negative", "positive", "exp", "log", "sqrt", "absolute", "fabs", "tanh", "square",
         "reciprocal"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "power", "float_power",
          "maximum", "minimum", "fmax", "fmin", "matmul"]


def test_every_routed_ufunc_is_tested():
    assert set(ROUTED_UFUNCS) == set(UNARY) | set(BINARY)


@pytest.mark.parametrize("name", UNARY)
def test_unary_ufuncs_are_differentiable(name):
    ufunc = getattr(np, name)
    x = rng.uniform(0.5, 2.0, (3, 4)) * rng.choice([-1, 1], (3, 4))
    if name in ("log", "sqrt"):
        x = np.abs(x)
    out = ufunc(Tensor(x, requires_grad=True))
    assert isinstance(out, Tensor) and (out.grad_fn is not None or name == "positive")
    np.testing.assert_allclose(out.data, ufunc(x), rtol=1e-14)
    if name != "positive":
        gradcheck(lambda t: ufunc(t), x)


@pytest.mark.parametrize("name", BINARY)
def test_binary_ufuncs_are_differentiable_from_either_side(name):
    ufunc = getattr(np, name)
    a = rng.uniform(0.5, 2.0, (3, 4))
    b = rng.uniform(0.5, 2.0, (4, 2) if name == "matmul" else (3, 4))
    np.testing.assert_allclose(ufunc(Tensor(a), b).data, ufunc(a, b), rtol=1e-14)
    np.testing.assert_allclose(ufunc(a, Tensor(b)).data, ufunc(a, b), rtol=1e-14)
    gradcheck(lambda s, t: ufunc(s, t), a, b)


def test_maximum_tie_splits_the_gradient_like_torch():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 1.0, 4.0]), requires_grad=True)
    np.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0, 1.0])


def test_ndarray_operators_with_a_tensor_on_the_right():
    a, t = np.array([1.0, 2.0]), Tensor(np.array([2.0, 2.0]), requires_grad=True)
    assert isinstance(a * t, Tensor) and isinstance(np.float64(2.0) * t, Tensor)
    np.testing.assert_array_equal(a == t, [False, True])
    np.testing.assert_array_equal(a < t, [True, False])


@pytest.mark.parametrize("call,ref", [
    (lambda t: np.concatenate([t, t], axis=1), lambda a: np.concatenate([a, a], axis=1)),
    (lambda t: np.stack([t, t * 2.0]), lambda a: np.stack([a, a * 2.0])),
    (lambda t: np.where(np.arange(4) % 2 == 0, t, -t), lambda a: np.where(np.arange(4) % 2 == 0, a, -a)),
    (lambda t: np.sum(t, axis=0), lambda a: np.sum(a, axis=0)),
    (lambda t: np.sum(t, 1, keepdims=True), lambda a: np.sum(a, 1, keepdims=True)),
    (lambda t: np.mean(t), np.mean),
    (lambda t: np.max(t, axis=1), lambda a: np.max(a, axis=1)),
    (lambda t: np.amin(t, axis=0), lambda a: np.amin(a, axis=0)),
    (lambda t: np.min(t), np.min),
    (lambda t: np.amax(t), np.amax),
    (lambda t: np.reshape(t, (4, 3)), lambda a: np.reshape(a, (4, 3))),
    (lambda t: np.reshape(t, -1), lambda a: np.reshape(a, -1)),
    (np.transpose, np.transpose),
    (lambda t: np.dot(t, np.ones((4, 2))), lambda a: np.dot(a, np.ones((4, 2)))),
    (lambda t: np.clip(t, -0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
    (lambda t: np.expand_dims(t, 1), lambda a: np.expand_dims(a, 1)),
    (lambda t: np.squeeze(np.expand_dims(t, 0)), lambda a: a),
    (lambda t: np.matmul(t, np.ones(4)), lambda a: np.matmul(a, np.ones(4))),
])
def test_array_functions_are_differentiable(call, ref):
    a = rng.standard_normal((3, 4))
    out = call(Tensor(a, requires_grad=True))
    assert isinstance(out, Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, ref(a))
    gradcheck(call, a)


def test_every_routed_function_is_tested():
    assert set(ROUTED_FUNCTIONS) == {"concatenate", "stack", "where", "sum", "mean", "max", "amax",
                                     "min", "amin", "reshape", "transpose", "dot", "clip",
                                     "expand_dims", "squeeze", "matmul"}


def test_queries_run_on_the_data():
    t = Tensor(np.array([[1.0, 5.0], [3.0, np.nan]]))
    assert np.shape(t) == (2, 2) and np.ndim(t) == 2 and np.size(t) == 4
    np.testing.assert_array_equal(np.isnan(t), [[False, False], [False, True]])
    np.testing.assert_array_equal(np.argmax(Tensor(np.array([[1, 3], [4, 2]])), axis=1), [1, 0])
    assert np.allclose(Tensor(np.ones(2)), np.ones(2)) and np.zeros_like(t).shape == (2, 2)


def test_asarray_is_the_data_without_gradient():
    t = Tensor(np.arange(3.0), requires_grad=True)
    a = np.asarray(t)
    assert type(a) is np.ndarray and a.dtype == np.float64 and a is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert np.array([t, t]).dtype == np.float64          # never an object array of Tensors
    np.testing.assert_allclose(t, [0.0, 1.0, 2.0])       # NumPy's testing helpers work


@pytest.mark.parametrize("call,match", [
    (lambda t: np.sin(t), r"np.sin is not differentiable on npgnn Tensors: write it with npgnn.ops"),
    (lambda t: np.log1p(t), r"np.log1p is not differentiable on npgnn Tensors: use ops.log\(1 \+ x\)"),
    (lambda t: np.add.reduce(t), r"np.add.reduce is not supported on npgnn Tensors: use ops.sum"),
    (lambda t: np.exp(t, out=np.empty(3)), r"np.exp\(..., out=...\) cannot write into a Tensor"),
    (lambda t: np.cumsum(t), r"np.cumsum is not differentiable .* apply it to t.data"),
    (lambda t: np.var(t), r"np.var is not differentiable on npgnn Tensors: use \(\(x - x.mean"),
    (lambda t: np.sum(t, dtype=np.float32), r"np.sum on npgnn Tensors does not take dtype="),
])
def test_anything_else_raises_naming_what_to_use(call, match):
    with pytest.raises(TypeError, match=match):
        call(Tensor(np.ones(3)))


class TanhMessage(MessagePassing):
    def message(self, x_j):
        return np.tanh(x_j)                 # NumPy inside a message, as in PyG tutorials


def test_numpy_ufunc_inside_message_is_differentiable():
    ei = np.array([[0, 1, 2, 2, 3], [1, 2, 0, 1, 1]])
    x = rng.standard_normal((5, 3))
    layer = TanhMessage(aggr="sum")
    ref = np.zeros((5, 3))
    np.add.at(ref, ei[1], np.tanh(x[ei[0]]))
    np.testing.assert_allclose(layer(x, ei).data, ref)
    gradcheck(lambda t: layer(t, ei), x)
