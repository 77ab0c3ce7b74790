"""Softmax family, cross-entropy and dropout."""
import numpy as np
import pytest

from npgnn import Tensor, gradcheck, ops

rng = np.random.default_rng(1)


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_softmax_and_log_softmax_any_axis(axis):
    x = rng.standard_normal((2, 3, 4))
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    ref = e / e.sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(ops.softmax(x, axis).data, ref, rtol=1e-12)
    np.testing.assert_allclose(ops.log_softmax(x, axis).data, np.log(ref), rtol=1e-12)
    gradcheck(lambda t: ops.softmax(t, axis), x)
    gradcheck(lambda t: ops.log_softmax(t, axis), x)


def test_softmax_is_stable():
    y = ops.softmax(np.array([[1000.0, 1000.0, -1000.0]])).data
    np.testing.assert_allclose(y, [[0.5, 0.5, 0.0]])
    assert np.isfinite(ops.log_softmax(np.array([[1e4, 0.0]])).data).all()


def test_softmax_bad_axis():
    with pytest.raises(ValueError, match="softmax: axis 2 is out of range for a 2-D input"):
        ops.softmax(np.ones((2, 2)), axis=2)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    x, t = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    ref = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t), reduction=reduction)
    np.testing.assert_allclose(ops.cross_entropy(x, t, reduction).data, ref.numpy(), rtol=1e-12)
    soft = rng.dirichlet(np.ones(3), 5)
    ref = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(soft), reduction=reduction)
    np.testing.assert_allclose(ops.cross_entropy(x, soft, reduction).data, ref.numpy(), rtol=1e-12)
    gradcheck(lambda a: ops.cross_entropy(a, t, reduction), x)
    gradcheck(lambda a, b: ops.cross_entropy(a, b, reduction), x, soft)


def test_cross_entropy_onehot_equals_integer_targets():
    x, t = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    np.testing.assert_allclose(ops.cross_entropy(x, np.eye(3)[t]).data, ops.cross_entropy(x, t).data)


@pytest.mark.parametrize("target,err,match", [
    (np.array([0, 3]), IndexError, r"target class ids must lie in \[0, 3\), found min=0 max=3"),
    (np.array([0, 1, 2]), ValueError, r"integer target must have shape \(2,\)"),
    (np.ones((2, 4)), ValueError, r"must have the logits' shape \(2, 3\), got \(2, 4\)"),
    (np.array([True, False]), TypeError, "target must be integer ids or float rows"),
])
def test_cross_entropy_bad_targets(target, err, match):
    with pytest.raises(err, match=match):
        ops.cross_entropy(np.zeros((2, 3)), target)


def test_cross_entropy_bad_logits_and_reduction():
    with pytest.raises(ValueError, match="logits must be a 2-D float array"):
        ops.cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        ops.cross_entropy(np.zeros((1, 3)), np.array([0]), "avg")


def test_dropout_scales_and_is_reproducible():
    x = np.ones((200, 50))
    a = ops.dropout(x, 0.3, True, np.random.default_rng(7)).data
    b = ops.dropout(x, 0.3, True, np.random.default_rng(7)).data
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 1 / 0.7}
    assert abs((a == 0).mean() - 0.3) < 0.02
    assert ops.dropout(Tensor(x), 0.3, training=False).data is x
    t = Tensor(x[:3, :4], requires_grad=True)
    y = ops.dropout(t, 0.5, True, np.random.default_rng(0))
    y.backward(np.ones((3, 4)))
    np.testing.assert_array_equal(t.grad, y.data)  # gradient flows exactly where values were kept
    np.testing.assert_array_equal(ops.dropout(x, 1.0).data, 0.0)   # p = 1 drops all, as torch
    with pytest.raises(ValueError, match=r"dropout: p must be a probability in \[0, 1\], got 1.5"):
        ops.dropout(x, 1.5)


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_linear(shape, bias):
    x, w, b = rng.standard_normal(shape), rng.standard_normal((2, 3)), rng.standard_normal(2)
    args = (x, w, b) if bias else (x, w)
    np.testing.assert_allclose(ops.nn.linear(*args).data, x @ w.T + (b if bias else 0), rtol=1e-12)
    gradcheck(ops.nn.linear, *args)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_fused_batch_norm_matches_torch(shape):
    torch = pytest.importorskip("torch")
    x, g, b = rng.standard_normal(shape), rng.standard_normal(3), rng.standard_normal(3)
    y, mean, var = ops.nn.batch_norm(x, g, b, 1e-5)
    ref = torch.nn.functional.batch_norm(torch.tensor(x), None, None, torch.tensor(g), torch.tensor(b),
                                         training=True, eps=1e-5)
    np.testing.assert_allclose(y.data, ref.numpy(), rtol=1e-10, atol=1e-12)
    axes = (0,) if len(shape) == 2 else (0, 2)
    np.testing.assert_allclose(mean, x.mean(axis=axes))
    np.testing.assert_allclose(var, x.var(axis=axes))
    gradcheck(lambda *t: ops.nn.batch_norm(*t)[0], x, g, b)
