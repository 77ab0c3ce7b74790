"""Adam and AdamW: trajectories equal torch.optim's, parameter groups, dtypes, state."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn.nn import Linear, Parameter
from npgnn.optim import Adam, AdamW

from ._helpers import SHAPES, assert_same_trajectory, trajectories

CASES = [
    {},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    {"weight_decay": 0.1},
    {"amsgrad": True},
    {"amsgrad": True, "weight_decay": 0.05, "lr": 0.02},
    {"eps": 0.0},
]


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize("kwargs", CASES)
def test_trajectory_matches_torch_float64(cls, kwargs):
    traj = trajectories(cls, cls.__name__, [{"shapes": SHAPES}], kwargs, steps=8)
    assert_same_trajectory(traj)


@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_trajectory_matches_torch_float32(cls):
    traj = trajectories(cls, cls.__name__, [{"shapes": SHAPES}],
                        {"lr": 0.01, "weight_decay": 0.01, "amsgrad": True}, dtype=np.float32)
    assert_same_trajectory(traj, rtol=1e-5, atol=1e-6)   # both stay float32 (checked inside)


@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_param_groups_gcn_style_match_torch(cls):
    # GCN: weight decay 5e-4 on the first layer only; the second group also overrides lr and betas
    groups = [{"shapes": SHAPES[:2], "weight_decay": 5e-4},
              {"shapes": SHAPES[2:], "weight_decay": 0.0, "lr": 0.1, "betas": (0.5, 0.9)}]
    assert_same_trajectory(trajectories(cls, cls.__name__, groups, {"lr": 0.01}, steps=10))


@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_missing_gradient_skips_the_parameter_like_torch(cls):
    # parameter 1 has no gradient at step 2: it is not updated and its step count lags behind
    traj = trajectories(cls, cls.__name__, [{"shapes": SHAPES}], {"weight_decay": 0.1},
                        skip=(2, 0, 1))
    np.testing.assert_array_equal(traj[1][0][1], traj[2][0][1])
    assert_same_trajectory(traj)


def test_adamw_and_adam_differ_only_with_weight_decay():
    a, b = Parameter(np.ones(3)), Parameter(np.ones(3))
    c, d = Parameter(np.ones(3)), Parameter(np.ones(3))
    opts = [Adam([a], lr=0.1), AdamW([b], lr=0.1, weight_decay=0.0),
            Adam([c], lr=0.1, weight_decay=0.5), AdamW([d], lr=0.1, weight_decay=0.5)]
    for p in (a, b, c, d):
        p.grad = np.array([0.1, -0.2, 0.3])
    for o in opts:
        o.step()
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.allclose(c.data, d.data)
    assert AdamW([Parameter(np.ones(1))]).param_groups[0]["weight_decay"] == 1e-2


def test_first_step_moves_each_entry_by_lr():
    # with m = (1-β₁)g and v = (1-β₂)g², the bias-corrected step is lr·g/|g| (up to eps)
    p = Parameter(np.array([1.0, 2.0, -3.0]))
    p.grad = np.array([1e-3, -5.0, 40.0])
    Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.9, 2.1, -3.1], atol=1e-5)  # eps: 1e-8 vs |g|=1e-3


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_float32_stays_float32_in_place(cls, amsgrad):
    lin = Linear(3, 2, rng=0)                  # float32 by default
    arrays = [p.data for p in lin.parameters()]
    opt = cls(lin.parameters(), lr=0.01, weight_decay=0.1, amsgrad=amsgrad)
    for _ in range(3):
        for p in lin.parameters():
            p.grad = np.ones(p.shape, dtype=np.float64)   # even a float64 gradient
        opt.step()
    for p, a in zip(lin.parameters(), arrays):
        assert p.data is a and p.data.dtype == np.float32
        assert p.grad.dtype == np.float64                  # the gradient itself is untouched
        for v in opt.state[id(p)].values():
            assert not isinstance(v, np.ndarray) or v.dtype == np.float32


def test_step_does_not_modify_the_gradient():
    p = Parameter(np.ones(4))
    g = np.array([1.0, -2.0, 3.0, 0.5])
    p.grad = g
    opt = Adam([p], weight_decay=0.3, amsgrad=True)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(g, [1.0, -2.0, 3.0, 0.5])


def test_gradient_of_wrong_shape_is_an_error():
    p = Parameter(np.ones((2, 3)))
    p.grad = np.ones(3)
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\)"):
        Adam([p]).step()


def test_closure_is_called_and_its_loss_returned():
    p = Parameter(np.ones(2))

    def closure():
        p.grad = 2 * p.data
        return float((p.data ** 2).sum())

    assert Adam([p], lr=0.1).step(closure) == 2.0
    np.testing.assert_allclose(p.data, [0.9, 0.9])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": -1e-3}, ValueError, r"Adam: lr must be >= 0"),
        ({"lr": float("nan")}, ValueError, r"lr must be finite"),
        ({"lr": "0.01"}, TypeError, r"lr must be a real number"),
        ({"betas": (1.0, 0.999)}, ValueError, r"betas\[0\] must be < 1"),
        ({"betas": (0.9, -0.1)}, ValueError, r"betas\[1\] must be >= 0"),
        ({"betas": 0.9}, TypeError, r"betas must be a pair"),
        ({"betas": (0.9, 0.99, 0.1)}, TypeError, r"betas must be a pair"),
        ({"eps": -1e-8}, ValueError, r"eps must be >= 0"),
        ({"weight_decay": -5e-4}, ValueError, r"weight_decay must be >= 0"),
        ({"amsgrad": "yes"}, TypeError, r"amsgrad must be True or False"),
    ],
)
def test_bad_hyperparameters_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        Adam([Parameter(np.ones(2))], **kwargs)


def test_bad_group_override_names_the_group():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    with pytest.raises(ValueError,
                       match=r"AdamW: param group 1: weight_decay must be >= 0, got -1"):
        AdamW([{"params": [a]}, {"params": [b], "weight_decay": -1}])
    with pytest.raises(ValueError, match=r"param group 0: unknown hyperparameters \['momentum'\]"):
        Adam([{"params": [a], "momentum": 0.9}])


def test_state_dict_resume_is_bit_identical():
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(6)]

    def build(arrays):
        params = [Parameter(a.copy()) for a in arrays]
        opt = Adam([{"params": params[:2], "weight_decay": 0.01},
                    {"params": params[2:], "lr": 0.05}], amsgrad=True)
        return params, opt

    def run(params, opt, gs):
        for step in gs:
            for p, g in zip(params, step):
                p.grad = g.copy()
            opt.step()

    full_p, full = build(init)
    run(full_p, full, grads)

    half_p, half = build(init)
    run(half_p, half, grads[:3])
    saved = half.state_dict()
    saved_values = [p.data.copy() for p in half_p]
    run(half_p, half, grads[3:4])               # the saved dict holds copies: this cannot leak in
    resumed_p, resumed = build(saved_values)
    resumed.load_state_dict(saved)
    assert saved["state"][0]["step"] == 3 and resumed.param_groups[1]["lr"] == 0.05
    run(resumed_p, resumed, grads[3:])
    for a, b in zip(full_p, resumed_p):
        np.testing.assert_array_equal(a.data, b.data)
