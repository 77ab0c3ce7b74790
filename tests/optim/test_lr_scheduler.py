"""StepLR against torch.optim.lr_scheduler.StepLR; state_dict; errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from npgnn.nn import Parameter
from npgnn.optim import SGD, Adam, StepLR


def _ours(lrs=(0.01, 0.1)):
    return Adam([{"params": [Parameter(np.ones(2))], "lr": lr} for lr in lrs])


@pytest.mark.parametrize(("step_size", "gamma"), [(50, 0.5), (3, 0.1), (1, 0.9), (7, 1.5)])
def test_matches_torch_exactly(step_size, gamma):
    torch = pytest.importorskip("torch")
    topt = torch.optim.Adam([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr}
                             for lr in (0.01, 0.1)])
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=step_size, gamma=gamma)
    opt = _ours()
    sched = StepLR(opt, step_size=step_size, gamma=gamma)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(160):
            assert sched.get_last_lr() == tsched.get_last_lr(), f"epoch {epoch}"
            assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]
            assert sched.last_epoch == tsched.last_epoch
            topt.step()
            opt.step()
            tsched.step()
            sched.step()


def test_gin_halves_every_50_epochs():
    opt = SGD([Parameter(np.ones(1))], lr=0.01)
    sched = StepLR(opt, step_size=50, gamma=0.5)
    lrs = []
    for _ in range(151):
        lrs.append(opt.param_groups[0]["lr"])
        sched.step()
    assert lrs[0] == lrs[49] == 0.01 and lrs[50] == lrs[99] == 0.005 and lrs[100] == 0.0025
    assert lrs[150] == 0.00125
    assert opt.param_groups[0]["initial_lr"] == 0.01 and sched.base_lrs == [0.01]


def test_state_dict_resume_gives_the_same_schedule():
    opt, ref_opt = _ours(), _ours()
    sched, ref = StepLR(opt, 4, 0.5), StepLR(ref_opt, 4, 0.5)
    for _ in range(10):
        sched.step()
        ref.step()
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    assert saved_sched == {"step_size": 4, "gamma": 0.5, "last_epoch": 10,
                           "base_lrs": [0.01, 0.1], "last_lr": sched.get_last_lr()}
    new_opt = _ours(lrs=(1.0, 1.0))
    new_sched = StepLR(new_opt, 100, 0.9)
    new_opt.load_state_dict(saved_opt)          # restores each group's lr and initial_lr
    new_sched.load_state_dict(saved_sched)
    assert new_sched.step_size == 4 and new_sched.get_last_lr() == ref.get_last_lr()
    for _ in range(15):
        new_sched.step()
        ref.step()
        assert new_sched.get_last_lr() == ref.get_last_lr()
        assert [g["lr"] for g in new_opt.param_groups] == [g["lr"] for g in ref_opt.param_groups]


def test_resume_with_last_epoch_needs_initial_lr():
    opt = _ours()
    with pytest.raises(ValueError, match=r"last_epoch=5 resumes a schedule, but param group 0 "
                                         r"has no 'initial_lr'"):
        StepLR(opt, 2, last_epoch=5)
    StepLR(opt, 2)                              # records initial_lr
    sched = StepLR(opt, 2, last_epoch=5)        # now it can resume: epoch 6 is a boundary
    assert sched.last_epoch == 6 and sched.get_last_lr() == pytest.approx([0.001, 0.01])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"step_size": 0}, ValueError, r"StepLR: step_size must be an integer >= 1"),
        ({"step_size": 2.5}, ValueError, r"step_size must be an integer"),
        ({"step_size": 2, "gamma": 0.0}, ValueError, r"StepLR: gamma must be > 0"),
        ({"step_size": 2, "gamma": "0.5"}, TypeError, r"gamma must be a real number"),
        ({"step_size": 2, "last_epoch": -2}, ValueError, r"last_epoch must be an integer >= -1"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        StepLR(_ours(), **kwargs)


def test_bad_optimizer_and_bad_state():
    with pytest.raises(TypeError, match=r"optimizer must be an npgnn Optimizer, got list"):
        StepLR([Parameter(np.ones(1))], 2)
    sched = StepLR(_ours(), 2)
    with pytest.raises(TypeError, match=r"expected a dict with keys"):
        sched.load_state_dict({"last_epoch": 3})
    with pytest.raises(ValueError, match=r"base_lrs has 1 entries, the optimizer has 2"):
        sched.load_state_dict({**sched.state_dict(), "base_lrs": [0.1]})
    with pytest.raises(ValueError, match=r"StepLR.load_state_dict: step_size must be"):
        sched.load_state_dict({**sched.state_dict(), "step_size": 0})
