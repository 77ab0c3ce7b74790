"""Adam over a whole parameter group at once (torch's ``foreach``/fused idea, in NumPy).

A model of a few dozen small parameters (a GIN has 42) spends most of an Adam step in per-array
NumPy call overhead. Here the group's moment estimates live in two flat buffers, and each
parameter's ``exp_avg`` / ``exp_avg_sq`` in ``optimizer.state`` is a *view* into them, so the
per-parameter state (``state_dict``, ``load_state_dict``, the per-parameter path) is unchanged.
One step is then a handful of whole-buffer operations plus one in-place subtraction per
parameter, with the same arithmetic, element by element, as ``Adam._update`` (so the results
are bit-identical).

Used only when it applies: every parameter of the group has a gradient of its shape and dtype,
one float dtype throughout, no amsgrad, and all states at the same step. Anything else takes
the per-parameter path (which updates the views in place, so the buffers stay in step).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgnn._validate import FLOAT_DTYPES


class _Buffers:
    """Flat moments of one group, and the views handed out as per-parameter state."""

    __slots__ = ("bounds", "m", "params", "v", "views_m", "views_v")

    def __init__(self, params: list[Any], states: list[dict[str, Any]], dtype: np.dtype) -> None:
        sizes = [p.data.size for p in params]
        ends = np.cumsum(sizes).tolist()
        self.bounds = list(zip([0] + ends[:-1], ends))
        total = ends[-1] if ends else 0
        self.params = params
        self.m = np.zeros(total, dtype=dtype)
        self.v = np.zeros(total, dtype=dtype)
        self.views_m, self.views_v = [], []
        for p, st, (lo, hi) in zip(params, states, self.bounds):
            vm = self.m[lo:hi].reshape(p.data.shape)
            vv = self.v[lo:hi].reshape(p.data.shape)
            if "exp_avg" in st:  # a state made elsewhere (per-parameter path, load_state_dict)
                vm[...] = st["exp_avg"]
                vv[...] = st["exp_avg_sq"]
            st["exp_avg"], st["exp_avg_sq"] = vm, vv
            self.views_m.append(vm)
            self.views_v.append(vv)

    def current(self, params: list[Any], states: list[dict[str, Any]]) -> bool:
        """True while the group and its states are the ones these buffers were built for."""
        if len(params) != len(self.params):
            return False
        for p, q, st, vm, vv in zip(params, self.params, states, self.views_m, self.views_v):
            if p is not q or st.get("exp_avg") is not vm or st.get("exp_avg_sq") is not vv:
                return False
        return True


def adam_group_step(optimizer: Any, group: dict[str, Any]) -> bool:
    """One Adam step for every parameter of ``group``; False (nothing done) when it does not
    apply (see the module docstring)."""
    if group["amsgrad"]:
        return False
    params = group["params"]
    if not params:
        return True
    dtype = params[0].data.dtype
    if dtype not in FLOAT_DTYPES:
        return False
    grads = []
    for p in params:
        g = p.grad
        if type(g) is not np.ndarray or g.dtype != dtype or g.shape != p.data.shape \
                or p.data.dtype != dtype:
            return False
        grads.append(g)
    states = [optimizer.state.setdefault(id(p), {}) for p in params]
    step = states[0].get("step", 0)
    if any(st.get("step", 0) != step for st in states):
        return False
    cache = optimizer.__dict__.setdefault("_flat_buffers", {})
    buffers = cache.get(id(group))
    if buffers is None or not buffers.current(params, states) or buffers.m.dtype != dtype:
        buffers = cache[id(group)] = _Buffers(params, states, dtype)
    t = step + 1
    for st in states:
        st["step"] = t

    lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
    beta1, beta2 = group["betas"]
    grad = np.concatenate([g.reshape(-1) for g in grads])
    if wd:
        if optimizer._decoupled:
            for p in params:
                p.data *= 1.0 - lr * wd
        else:
            grad = grad + wd * np.concatenate([p.data.reshape(-1) for p in params])
    update = adam_step(buffers.m, buffers.v, grad, beta1, beta2, t, eps, lr)
    for p, (lo, hi) in zip(params, buffers.bounds):
        p.data -= update[lo:hi].reshape(p.data.shape)
    return True


def adam_step(m: np.ndarray, v: np.ndarray, grad: np.ndarray, beta1: float, beta2: float, t: int,
              eps: float, lr: float, max_exp_avg_sq: np.ndarray | None = None) -> np.ndarray:
    """Update the moment estimates ``m``, ``v`` in place with ``grad`` and return the step
    η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε) to subtract (Kingma & Ba 2015, Algorithm 1, in
    torch's arrangement; v̂ = running max of v kept in ``max_exp_avg_sq`` for amsgrad, else v).
    The one formula both the flat and the per-parameter paths run."""
    m *= beta1
    m += (1.0 - beta1) * grad
    v *= beta2
    v += (1.0 - beta2) * (grad * grad)
    if max_exp_avg_sq is not None:
        v = np.maximum(max_exp_avg_sq, v, out=max_exp_avg_sq)
    # bias corrections: m and v start at 0, so early averages are too small by 1 − βᵗ
    bias1 = 1.0 - beta1 ** t
    bias2_sqrt = math.sqrt(1.0 - beta2 ** t)
    denom = np.sqrt(v)
    denom /= bias2_sqrt
    denom += eps
    step = m / denom
    step *= lr / bias1
    return step
