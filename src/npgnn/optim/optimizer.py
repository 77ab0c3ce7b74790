"""``Optimizer``: parameter groups (each with its own hyperparameters), state per parameter."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from npgnn.nn.module import Parameter


class Optimizer:
    """Base class: ``step()`` updates parameters in place from their ``.grad``; ``zero_grad()``.

    Args:
        params: an iterable of Parameters, or of dicts ``{"params": [...], **overrides}`` to give a
            group its own hyperparameters (e.g. weight decay on the first layer only, as in GCN).
        defaults: the hyperparameters every group starts from.
    Parameters are deduplicated by identity: a tied weight is updated once.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]):
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups: list[dict[str, Any]] = []
        seen: set[int] = set()
        for group in groups:
            unknown = set(group) - set(defaults) - {"params"}
            if unknown:
                raise ValueError(f"{type(self).__name__}: unknown hyperparameters {sorted(unknown)}")
            members = []
            for p in group["params"]:
                if not isinstance(p, Parameter):
                    raise TypeError(f"{type(self).__name__}: expected Parameters, got {type(p).__name__}")
                if id(p) not in seen:
                    seen.add(id(p))
                    members.append(p)
            self.param_groups.append({**defaults, **group, "params": members})
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, p.grad, group, self.state.setdefault(id(p), {}))

    def _update(self, p: Parameter, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any]) -> None:
        raise NotImplementedError
