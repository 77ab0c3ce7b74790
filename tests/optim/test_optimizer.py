"""The Optimizer base: building parameter groups, zero_grad, state_dict checks; doctests."""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import npgnn.optim.adam
import npgnn.optim.clip
import npgnn.optim.lr_scheduler
import npgnn.optim.sgd
from npgnn.nn import Linear, Parameter, Sequential
from npgnn.optim import SGD, Adam, AdamW


@pytest.mark.parametrize("module", [npgnn.optim.adam, npgnn.optim.sgd, npgnn.optim.clip,
                                    npgnn.optim.lr_scheduler])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_accepts_a_generator_and_dedups_tied_weights_within_a_group():
    model = Sequential(Linear(3, 4, rng=0), Linear(4, 2, rng=1))
    opt = SGD(model.parameters(), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 4
    w = Parameter(np.ones(2))
    assert len(SGD([w, w], lr=0.1).param_groups[0]["params"]) == 1
    assert len(SGD([{"params": w}], lr=0.1).param_groups[0]["params"]) == 1   # one Parameter


def test_groups_get_defaults_and_overrides():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = Adam([{"params": [a], "weight_decay": 5e-4}, {"params": [b]}], lr=0.01)
    assert opt.param_groups[0]["weight_decay"] == 5e-4 and opt.param_groups[1]["weight_decay"] == 0
    assert all(g["lr"] == 0.01 for g in opt.param_groups)
    assert "group 0: 1 parameters" in repr(opt)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ([], ValueError, r"params is empty"),
        (Linear(2, 2), TypeError, r"pass model.parameters\(\)"),
        (Parameter(np.ones(2)), TypeError, r"params must be an iterable"),
        ({Parameter(np.ones(2))}, TypeError, r"not a set"),
        ([np.ones(2)], TypeError, r"expected Parameters, got ndarray"),
        ([Parameter(np.ones(2)), {"params": []}], TypeError, r"got a mix"),
        ([{"lr": 0.1}], ValueError, r"no 'params' entry"),
        ({"params": [Parameter(np.ones(2))]}, TypeError, r"params is one dict; pass a list"),
        ([{"params": Linear(2, 2)}], TypeError, r"'params' is a Module"),
    ],
)
def test_malformed_params(params, error, match):
    with pytest.raises(error, match=match):
        SGD(params, lr=0.1)


def test_a_parameter_in_two_groups_is_an_error():
    w = Parameter(np.ones(2))
    with pytest.raises(ValueError, match=r"param group 1: .*already in an earlier group"):
        Adam([{"params": [w]}, {"params": [w], "weight_decay": 0.1}])


def test_zero_grad_and_none_gradients():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = SGD([a, b], lr=1.0)
    a.grad = np.ones(2)
    opt.step()                                   # b has no gradient: left alone
    np.testing.assert_array_equal(a.data, [0.0, 0.0])
    np.testing.assert_array_equal(b.data, [1.0, 1.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_numpy_scalar_hyperparameters_do_not_change_the_dtype():
    p = Parameter(np.ones(3, dtype=np.float32))
    opt = Adam([p], lr=np.float64(0.1), weight_decay=np.float64(0.01))
    assert type(opt.param_groups[0]["lr"]) is float
    p.grad = np.ones(3, dtype=np.float32)
    opt.step()
    assert p.data.dtype == np.float32 and opt.state[id(p)]["exp_avg"].dtype == np.float32


def test_add_param_group():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = Adam([a], lr=0.01)
    opt.add_param_group({"params": [b], "lr": 0.1})
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.9, 0.999)


def _trained_adam(n_groups=2):
    ps = [Parameter(np.ones((2, 3))), Parameter(np.ones(3)), Parameter(np.ones(1))]
    groups = [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5}][:n_groups]
    opt = Adam(groups if n_groups == 2 else [{"params": ps}], amsgrad=True)
    for p in ps:
        p.grad = np.full(p.shape, 0.5)
    opt.step()
    return ps, opt


def test_state_dict_layout_is_pytorch_shaped_and_json_friendly():
    import json

    _, opt = _trained_adam()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert sd["state"][0]["step"] == 1 and isinstance(sd["state"][0]["step"], int)
    json.dumps(sd["param_groups"])               # hyperparameters are plain values


def test_state_dict_matches_torch_names():
    torch = pytest.importorskip("torch")
    t = torch.zeros(2, requires_grad=True)
    t.grad = torch.ones(2)
    topt = torch.optim.Adam([t], amsgrad=True)
    topt.step()
    _, opt = _trained_adam(n_groups=1)
    assert set(opt.state_dict()["state"][0]) == set(topt.state_dict()["state"][0])


def test_load_state_dict_casts_to_the_parameter_dtype_and_accepts_string_keys():
    p = Parameter(np.ones(3, dtype=np.float32))
    opt = Adam([p])
    opt.load_state_dict({"state": {"0": {"step": np.int64(4), "exp_avg": np.ones(3),
                                         "exp_avg_sq": np.ones(3)}},
                         "param_groups": [{**Adam([Parameter(np.ones(1))]).param_groups[0],
                                           "params": [0]}]})
    assert opt.state[id(p)]["exp_avg"].dtype == np.float32 and opt.state[id(p)]["step"] == 4


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda sd: sd["param_groups"].pop(),
         r"the state has 1 parameter groups, this optimizer has 2"),
        (lambda sd: sd["param_groups"][0]["params"].pop(),
         r"param group 0 has 1 parameters in the state and 2"),
        (lambda sd: sd["state"][1].update(exp_avg=np.ones(4)),
         r"state 'exp_avg' of parameter 1 has shape \(4,\), the parameter has \(3,\)"),
        (lambda sd: sd["state"][0].update(momentum_buffer=np.ones((2, 3))),
         r"entries \['momentum_buffer'\]; Adam keeps"),
        (lambda sd: sd["state"].update({7: {"step": 1}}), r"state for parameter 7"),
        (lambda sd: sd["param_groups"][1].update(lr=-1.0), r"param group 1: lr must be >= 0"),
        (lambda sd: sd.pop("state"), r"expected a dict with 'state' and 'param_groups'"),
    ],
)
def test_load_state_dict_errors_leave_the_optimizer_unchanged(edit, match):
    _, opt = _trained_adam()
    before = opt.state_dict()
    sd = opt.state_dict()
    edit(sd)
    with pytest.raises((TypeError, ValueError), match=match):
        opt.load_state_dict(sd)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i in before["state"]:
        for k, v in before["state"][i].items():
            np.testing.assert_array_equal(after["state"][i][k], v)


def test_loading_another_optimizers_state_is_refused():
    w = Parameter(np.ones(2))
    sgd = SGD([w], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"lacks hyperparameters \['amsgrad', 'betas', 'eps'\]"
                                         r".*this one is Adam"):
        Adam([w]).load_state_dict(sgd.state_dict())
    AdamW([w]).load_state_dict(Adam([w]).state_dict())   # same hyperparameters and state: fine
