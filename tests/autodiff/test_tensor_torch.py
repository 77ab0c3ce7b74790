"""torch's Tensor habits beside NumPy's: dim=, argmax, view, size(), float(), f-strings, to(device)."""
import numpy as np
import pytest

import npgnn
from npgnn import Tensor, gradcheck, ops

torch = pytest.importorskip("torch")
rng = np.random.default_rng(0)


def both(shape=(3, 4)):
    a = rng.standard_normal(shape)
    return a, Tensor(a), torch.tensor(a)


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dim", [0, 1, -1, (0, 1)])
def test_reductions_take_dim_and_keepdim(name, dim):
    a, t, tt = both()
    for keep in (False, True):
        got = getattr(t, name)(dim=dim, keepdim=keep)
        np.testing.assert_allclose(got.data, getattr(tt, name)(dim=dim, keepdim=keep).numpy())
        np.testing.assert_allclose(getattr(t, name)(dim, keep).data, got.data)
        np.testing.assert_allclose(getattr(ops, name)(t, dim=dim, keepdim=keep).data, got.data)
    gradcheck(lambda x: getattr(x, name)(dim=dim), a)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "argmax", "argmin"])
def test_axis_and_dim_together_is_a_type_error(name):
    with pytest.raises(TypeError, match=rf"{name}: got both axis=1 and dim=0; pass one of them"):
        getattr(ops, name)(Tensor(np.ones((2, 2))), axis=1, dim=0)
    with pytest.raises(TypeError, match=r"got both keepdims=True and keepdim=True"):
        getattr(ops, name)(Tensor(np.ones((2, 2))), 1, keepdims=True, keepdim=True)


@pytest.mark.parametrize("name", ["concatenate", "stack", "softmax", "log_softmax", "squeeze"])
def test_every_axis_op_takes_dim(name):
    a = rng.standard_normal((2, 1, 3))
    fn = getattr(ops, name)
    if name in ("concatenate", "stack"):
        np.testing.assert_allclose(fn([a, a], dim=2).data, getattr(np, name)([a, a], axis=2))
        with pytest.raises(TypeError, match=f"{name}: got both axis=0 and dim=1"):
            fn([a, a], axis=0, dim=1)
    else:
        np.testing.assert_allclose(fn(a, dim=1).data, fn(a, axis=1).data)
        with pytest.raises(TypeError, match=f"{name}: got both axis=0 and dim=1"):
            fn(a, axis=0, dim=1)


def test_max_and_min_with_dim_give_values_and_indices_like_torch():
    a, t, tt = both((4, 5))
    for name in ("max", "min"):
        values, indices = getattr(t, name)(dim=1)
        ref = getattr(tt, name)(dim=1)
        np.testing.assert_allclose(values.data, ref.values.numpy())
        np.testing.assert_array_equal(indices.data, ref.indices.numpy())
        assert getattr(t, name)(1).indices.dtype == np.int64       # positional dim: torch's pair
        np.testing.assert_allclose(getattr(t, name)(axis=1).data, ref.values.numpy())  # NumPy's
        np.testing.assert_allclose(getattr(t, name)().data, getattr(tt, name)().numpy())
    gradcheck(lambda x: x.max(dim=0).values, a)
    with pytest.raises(TypeError, match=r"max: dim must be one int"):
        t.max(dim=(0, 1))


def test_argmax_argmin():
    _, t, tt = both((4, 5))
    for name in ("argmax", "argmin"):
        for kw in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}):
            got = getattr(t, name)(**kw)
            assert isinstance(got, Tensor) and got.dtype == np.int64 and not got.requires_grad
            np.testing.assert_array_equal(got.data, getattr(tt, name)(**kw).numpy())
    with pytest.raises(ValueError, match=r"argmax: cannot take the argmax of an empty array"):
        Tensor(np.zeros((0, 3))).argmax()


def test_pred_equals_y_after_argmax_counts_correctly():
    out = Tensor(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]))
    y = np.array([1, 0, 0])
    pred = out.argmax(dim=1)
    assert int((pred == y).sum()) == 2 and (pred[y == 0] == y[y == 0]).sum().item() == 1
    assert float((pred == y).sum()) / len(y) == pytest.approx(2 / 3)


@pytest.mark.parametrize("method", ["relu", "sigmoid", "tanh", "exp", "abs"])
def test_activation_methods(method):
    a, t, tt = both()
    np.testing.assert_allclose(getattr(t, method)().data, getattr(tt, method)().numpy(), rtol=1e-12)
    gradcheck(lambda x: getattr(x, method)(), a)


@pytest.mark.parametrize("method", ["softmax", "log_softmax"])
def test_softmax_methods_take_dim(method):
    a, t, tt = both()
    np.testing.assert_allclose(getattr(t, method)(dim=0).data, getattr(tt, method)(dim=0).numpy())
    np.testing.assert_allclose(getattr(t, method)(1).data, getattr(tt, method)(1).numpy())
    gradcheck(lambda x: getattr(x, method)(dim=0), a)


def test_shape_methods_match_torch():
    a, t, tt = both((2, 3, 4))
    for got, ref in [
        (t.view(6, 4), tt.view(6, 4)), (t.view(-1), tt.view(-1)), (t.unsqueeze(1), tt.unsqueeze(1)),
        (t.unsqueeze(-1), tt.unsqueeze(-1)), (t.unsqueeze(1).squeeze(1), tt), (t[:1].squeeze(), tt[:1].squeeze()),
        (t.squeeze(dim=1), tt.squeeze(1)), (t.transpose(1, 2), tt.transpose(1, 2)),
        (t.permute(2, 0, 1), tt.permute(2, 0, 1)), (t.flatten(1), tt.flatten(1)),
        (t.flatten(), tt.flatten()), (t[0].t(), tt[0].t()), (t[0].transpose(0, 1), tt[0].transpose(0, 1)),
    ]:
        np.testing.assert_array_equal(got.data, ref.numpy())
    gradcheck(lambda x: x.transpose(0, 2).view(4, -1) * 1.0, a)
    with pytest.raises(ValueError, match=r"t\(\): expects a tensor of at most 2 dimensions"):
        t.t()
    with pytest.raises(ValueError, match=r"unsqueeze: dim 4 is out of range"):
        t.unsqueeze(4)


def test_cat_is_torch_cat():
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 2))
    np.testing.assert_array_equal(ops.cat([a, b], dim=1).data, np.concatenate([a, b], 1))
    np.testing.assert_array_equal(ops.cat([a, a]).data, np.concatenate([a, a]))
    gradcheck(lambda x, y: ops.cat([x, y], dim=-1), a, b)
    np.testing.assert_array_equal(npgnn.cat([a, b], dim=1).data, np.concatenate([a, b], 1))  # torch.cat
    np.testing.assert_array_equal(npgnn.stack([a, a], dim=1).data, np.stack([a, a], 1))
    with pytest.raises(TypeError, match=r"cat: expected a list or tuple of arrays/Tensors, got Tensor"):
        ops.cat(Tensor(a))


def test_size_is_numpys_count_and_torchs_method():
    t = Tensor(np.zeros((2, 3)))
    assert t.size == 6 and t.size + 1 == 7 and isinstance(t.size, int)
    assert t.size() == (2, 3) and t.size(0) == 2 and t.size(-1) == 3
    assert t.numel() == 6 and t.dim() == 2
    with pytest.raises(IndexError, match=r"size\(\): dim 2 is out of range for a 2-D tensor"):
        t.size(2)


def test_python_scalars_and_formatting():
    loss = Tensor(np.array(0.123456))
    assert float(loss) == pytest.approx(0.123456) and f"{loss:.4f}" == "0.1235"
    assert int(Tensor(np.array([7]))) == 7 and bool(Tensor(np.array([True])))
    assert Tensor(np.array(3)).item() == 3 and [0, 1, 2][Tensor(np.array(1))] == 1
    assert Tensor(np.arange(4).reshape(2, 2)).tolist() == [[0, 1], [2, 3]]
    assert f"{Tensor(np.ones(2))}" == str(Tensor(np.ones(2)))
    many = Tensor(np.ones(3))
    for fn in (float, int):
        with pytest.raises(ValueError, match=r"only one-element tensors can be converted to Python scalars"):
            fn(many)
    with pytest.raises(ValueError, match=r"item: only one-element tensors .* got shape \(3,\)"):
        many.item()
    with pytest.raises(RuntimeError, match=r"Boolean value of Tensor with more than one value is ambiguous"):
        bool(many)
    with pytest.raises(TypeError, match=r"unsupported format string '.4f' passed to a Tensor of shape \(3,\)"):
        f"{many:.4f}"


def test_dtype_casts_like_torch():
    t = Tensor(np.array([1.5, -2.0]), requires_grad=True)
    assert t.float().dtype == np.float32 and t.double() is t and t.long().dtype == np.int64
    assert t.int().dtype == np.int32 and t.bool().dtype == np.bool_
    t.float().sum().backward()
    assert t.grad.dtype == np.float64
