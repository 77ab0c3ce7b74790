"""Adam's whole-group step (npgnn.optim._flat) gives bit-identical results to the per-parameter
step, keeps per-parameter state (views) that state_dict/load_state_dict round-trip, and hands
over to the per-parameter path when a gradient is missing."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn.nn.module import Parameter
from npgnn.optim import Adam, AdamW


def _params(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.standard_normal(shape).astype(dtype)) for shape in ((3, 4), (4,), (2, 2, 2))]


def _grads(step, params):
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(p.shape).astype(p.dtype) for p in params]


def _per_parameter(opt):
    """The base class's path: one _update per parameter."""
    for group in opt.param_groups:
        for p in group["params"]:
            opt._step_param(p, group)


@pytest.mark.parametrize("cls,kwargs", [(Adam, {}), (Adam, {"weight_decay": 0.1}),
                                        (AdamW, {"weight_decay": 0.1})])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bit_identical_to_per_parameter(cls, kwargs, dtype):
    a, b = _params(dtype=dtype), _params(dtype=dtype)
    opt_a, opt_b = cls(a, lr=0.01, **kwargs), cls(b, lr=0.01, **kwargs)
    for step in range(4):
        for p, q, g in zip(a, b, _grads(step, a)):
            p.grad, q.grad = g, g.copy()
        opt_a.step()
        _per_parameter(opt_b)
        for p, q in zip(a, b):
            np.testing.assert_array_equal(p.data, q.data)
    assert "_flat_buffers" in opt_a.__dict__ and "_flat_buffers" not in opt_b.__dict__
    for p, q in zip(a, b):
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(opt_a.state[id(p)][key], opt_b.state[id(q)][key])
        assert opt_a.state[id(p)]["step"] == opt_b.state[id(q)]["step"] == 4


def test_missing_gradient_and_state_round_trip():
    a, b = _params(1), _params(1)
    opt_a, opt_b = Adam(a, lr=0.05), Adam(b, lr=0.05)
    for step in range(5):
        grads = _grads(step, a)
        if step == 2:
            grads[1] = None                # one parameter without a gradient: per-parameter path
        for p, q, g in zip(a, b, grads):
            p.grad, q.grad = g, None if g is None else g.copy()
        opt_a.step()
        _per_parameter(opt_b)
        if step == 3:                      # resume from a saved state mid-run
            saved = opt_a.state_dict()
            opt_a = Adam(a, lr=0.05)
            opt_a.load_state_dict(saved)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.data, q.data)
