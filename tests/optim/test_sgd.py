"""SGD: trajectories equal torch.optim.SGD's (momentum, dampening, Nesterov, weight decay)."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn.nn import Linear, Parameter
from npgnn.optim import SGD

from ._helpers import SHAPES, assert_same_trajectory, trajectories

CASES = [
    {"lr": 0.1},
    {"lr": 0.1, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4},
    {"lr": 0.0, "momentum": 0.5},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_trajectory_matches_torch_float64(kwargs):
    assert_same_trajectory(trajectories(SGD, "SGD", [{"shapes": SHAPES}], kwargs, steps=8))


def test_trajectory_matches_torch_float32():
    traj = trajectories(SGD, "SGD", [{"shapes": SHAPES}],
                        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
                        dtype=np.float32)
    assert_same_trajectory(traj, rtol=1e-5, atol=1e-6)


def test_param_groups_and_missing_gradient_match_torch():
    groups = [{"shapes": SHAPES[:1], "momentum": 0.9, "weight_decay": 5e-4},
              {"shapes": SHAPES[1:], "lr": 0.3}]
    assert_same_trajectory(trajectories(SGD, "SGD", groups, {"lr": 0.05}, skip=(3, 1, 0)))


def test_update_is_in_place_and_keeps_float32():
    lin = Linear(4, 3, rng=0)
    arrays = [p.data for p in lin.parameters()]
    opt = SGD(lin.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1)
    for _ in range(2):
        for p in lin.parameters():
            p.grad = np.ones(p.shape)                  # float64 gradient, float32 parameter
        opt.step()
    for p, a in zip(lin.parameters(), arrays):
        assert p.data is a and a.dtype == np.float32
        assert opt.state[id(p)]["momentum_buffer"].dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": -0.1}, ValueError, r"SGD: lr must be >= 0, got -0.1"),
        ({"lr": None}, TypeError, r"SGD: lr must be a real number"),
        ({"lr": 0.1, "momentum": -0.9}, ValueError, r"momentum must be >= 0"),
        ({"lr": 0.1, "momentum": 0.9, "dampening": 1.5}, ValueError, r"dampening must be <= 1"),
        ({"lr": 0.1, "weight_decay": float("inf")}, ValueError, r"weight_decay must be finite"),
        ({"lr": 0.1, "nesterov": True}, ValueError, r"nesterov=True needs momentum > 0"),
        ({"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}, ValueError,
         r"nesterov=True needs momentum > 0 and dampening = 0"),
        ({"lr": 0.1, "nesterov": 1}, TypeError, r"nesterov must be True or False"),
    ],
)
def test_bad_hyperparameters_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        SGD([Parameter(np.ones(2))], **kwargs)


def test_state_dict_round_trip():
    p, q = Parameter(np.ones(3)), Parameter(np.ones(3))
    a, b = SGD([p], lr=0.1, momentum=0.9), SGD([q], lr=0.5, momentum=0.1)
    for _ in range(2):
        p.grad = np.array([1.0, 2.0, 3.0])
        a.step()
    b.load_state_dict(a.state_dict())
    q.data[...] = p.data
    p.grad = q.grad = np.array([-1.0, 0.5, 2.0])
    a.step()
    b.step()
    assert b.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(p.data, q.data)
