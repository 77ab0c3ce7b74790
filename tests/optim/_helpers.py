"""Run npgnn and torch.optim optimizers side by side on identical parameters and gradients."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from npgnn.nn import Parameter

SHAPES = [(4, 3), (3,), (2, 2, 2)]


def trajectories(
    ours_cls: type, torch_name: str, groups: list[dict[str, Any]], kwargs: dict[str, Any],
    steps: int = 6, seed: int = 0, dtype: Any = np.float64,
    skip: tuple[int, int, int] | None = None,
) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """Parameters after each step: [(ours, torch's)], flattened over groups.

    ``groups`` are dicts ``{"shapes": [...], **overrides}``; every step draws fresh Gaussian
    gradients. ``skip=(step, group, param)`` leaves that parameter without a gradient at that
    step (both libraries then skip it, and its step count lags behind).
    """
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    init = [[rng.standard_normal(s).astype(dtype) for s in g["shapes"]] for g in groups]
    ours_p = [[Parameter(a.copy()) for a in gi] for gi in init]
    torch_p = [[torch.tensor(a.copy(), requires_grad=True) for a in gi] for gi in init]

    def spec(params: list[Any], g: dict[str, Any]) -> dict[str, Any]:
        return {"params": params, **{k: v for k, v in g.items() if k != "shapes"}}

    ours = ours_cls([spec(p, g) for p, g in zip(ours_p, groups)], **kwargs)
    torch_cls = getattr(torch.optim, torch_name)
    theirs = torch_cls([spec(p, g) for p, g in zip(torch_p, groups)], **kwargs)
    out = []
    for t in range(steps):
        for gi, (ps, tps) in enumerate(zip(ours_p, torch_p)):
            for pi, (p, tp) in enumerate(zip(ps, tps)):
                if skip == (t, gi, pi):
                    p.grad, tp.grad = None, None
                    continue
                g = rng.standard_normal(p.shape).astype(dtype)
                p.grad, tp.grad = g.copy(), torch.from_numpy(g.copy())
        ours.step()
        theirs.step()
        out.append(([p.data.copy() for ps in ours_p for p in ps],
                     [tp.detach().numpy().copy() for tps in torch_p for tp in tps]))
    return out


def assert_same_trajectory(traj: list[tuple[list[np.ndarray], list[np.ndarray]]],
                           rtol: float = 1e-12, atol: float = 1e-12) -> None:
    for step, (ours, theirs) in enumerate(traj):
        for k, (a, b) in enumerate(zip(ours, theirs)):
            assert a.dtype == b.dtype, f"step {step}, parameter {k}: dtype {a.dtype} vs {b.dtype}"
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol,
                                       err_msg=f"step {step}, parameter {k}")
