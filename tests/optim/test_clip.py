"""clip_grad_norm_ and clip_grad_value_ against torch.nn.utils."""
from __future__ import annotations

import math

import numpy as np
import pytest

from npgnn.nn import Linear, Parameter
from npgnn.optim import clip_grad_norm_, clip_grad_value_

SHAPES = [(4, 3), (3,), (2, 2, 2), (0, 3)]


def _pair(dtype=np.float64, seed=0, scale=1.0, none_at=1, shapes=SHAPES):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for k, s in enumerate(shapes):
        p = Parameter(np.zeros(s, dtype=dtype))
        t = torch.zeros(s, dtype=getattr(torch, np.dtype(dtype).name))
        if k != none_at:                         # one parameter without a gradient: ignored
            g = (scale * rng.standard_normal(s)).astype(dtype)
            p.grad, t.grad = g.copy(), torch.from_numpy(g.copy())
        ours.append(p)
        theirs.append(t)
    return torch, ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6, 0.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    # torch refuses the inf norm of an empty gradient; npgnn counts it as 0 (tested below)
    shapes = SHAPES[:-1] if norm_type in (math.inf, "inf") else SHAPES
    torch, ours, theirs = _pair(scale=2.0, shapes=shapes)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, float)
    np.testing.assert_allclose(total, expected.item(), rtol=1e-12)
    for p, t in zip(ours, theirs):
        if t.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_clip_grad_norm_float32_matches_torch_and_keeps_dtype():
    torch, ours, theirs = _pair(dtype=np.float32, scale=3.0)
    total = clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_allclose(total, expected.item(), rtol=1e-5)
    for p, t in zip(ours, theirs):
        if t.grad is not None:
            assert p.grad.dtype == np.float32
            np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_is_in_place_and_returns_the_norm_before_clipping():
    w = Parameter(np.zeros(2))
    g = np.array([3.0, 4.0])
    w.grad = g
    assert clip_grad_norm_(w, 1.0) == 5.0       # a single Parameter is accepted too
    assert w.grad is g
    np.testing.assert_allclose(g, [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(g), 1.0, rtol=1e-5)


def test_clip_grad_norm_with_nonfinite_gradients():
    torch, ours, theirs = _pair()
    ours[0].grad[0, 0] = np.nan
    theirs[0].grad[0, 0] = float("nan")
    with pytest.raises(RuntimeError, match=r"error_if_nonfinite=False"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert math.isnan(clip_grad_norm_(ours, 1.0))
    torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    for p, t in zip(ours, theirs):
        if t.grad is not None:
            np.testing.assert_array_equal(np.isnan(p.grad), np.isnan(t.grad.numpy()))


def test_empty_gradient_has_norm_zero():
    e, w = Parameter(np.zeros((0, 3))), Parameter(np.zeros(2))
    e.grad, w.grad = np.zeros((0, 3)), np.array([-3.0, 2.0])
    assert clip_grad_norm_([e, w], 10.0, norm_type="inf") == 3.0


def test_no_gradients_gives_zero():
    assert clip_grad_norm_([Parameter(np.ones(2))], 1.0) == 0.0
    assert clip_grad_norm_([], 1.0) == 0.0


@pytest.mark.parametrize("clip_value", [0.5, 0.0, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    torch, ours, theirs = _pair(scale=2.0)
    clip_grad_value_(ours, clip_value)
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, t in zip(ours, theirs):
        if t.grad is not None:
            np.testing.assert_array_equal(p.grad, t.grad.numpy())


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda ps: clip_grad_norm_(ps, -1.0), ValueError,
         r"clip_grad_norm_: max_norm must be >= 0"),
        (lambda ps: clip_grad_norm_(ps, "1"), TypeError, r"max_norm must be a real number"),
        (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0), ValueError, r"norm_type must be > 0"),
        (lambda ps: clip_grad_norm_(ps, 1.0, norm_type="fro"), ValueError, r"norm_type must be"),
        (lambda ps: clip_grad_norm_(Linear(2, 2), 1.0), TypeError, r"pass module.parameters\(\)"),
        (lambda ps: clip_grad_norm_([np.ones(2)], 1.0), TypeError, r"expected Tensors"),
        (lambda ps: clip_grad_norm_(3.0, 1.0), TypeError,
         r"parameters must be a Tensor or an iterable"),
        (lambda ps: clip_grad_value_(ps, -0.5), ValueError,
         r"clip_grad_value_: clip_value must be >= 0"),
        (lambda ps: clip_grad_value_(ps, None), TypeError, r"clip_value must be a real number"),
    ],
)
def test_errors_name_the_argument(call, error, match):
    p = Parameter(np.ones(2))
    p.grad = np.ones(2)
    with pytest.raises(error, match=match):
        call([p])
