"""``Optimizer``: parameter groups (each with its own hyperparameters), state per parameter, and a
``state_dict`` so that training can stop and resume exactly.

A subclass supplies ``_update(p, grad, group, state)``, which changes ``p.data`` *in place* with
vectorized NumPy expressions (the array object a Parameter wraps stays the same object, and keeps
its dtype), and ``_check_hyperparameters(group, where)``, which validates one group's values.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn._validate import FLOAT_DTYPES, check_real, check_supported_dtype
from npgnn.autodiff.tensor import Tensor
from npgnn.nn.module import Module, Parameter


def check_number(
    where: str, name: str, value: Any, *, low: float | None = None, low_inclusive: bool = True,
    high: float | None = None, high_inclusive: bool = False,
) -> float:
    """``value`` as a float, or a ValueError/TypeError naming ``name``; NaN and inf are refused.

    ``where`` is the prefix of the message, e.g. ``"Adam: "`` or ``"Adam: param group 1: "``.
    (The shared check :func:`npgnn._validate.check_real`, with an optimizer's default of an
    exclusive upper bound.)
    """
    check_real(where, name, value, high=high, high_inclusive=high_inclusive)  # one bound per
    return check_real(where, name, value, low=low, low_inclusive=low_inclusive)  # message


def check_bool(where: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{where}{name} must be True or False, got {type(value).__name__} {show(value)}"
        )
    return bool(value)


class Optimizer:
    """Base class: ``step()`` updates parameters in place from their ``.grad``; ``zero_grad()``.

    Args:
        params: an iterable of Parameters (e.g. ``model.parameters()``), or of dicts
            ``{"params": [...], **overrides}`` to give a group its own hyperparameters, e.g. weight
            decay on the first layer only, as in the GCN paper::

                Adam([{"params": conv1.parameters(), "weight_decay": 5e-4},
                      {"params": conv2.parameters(), "weight_decay": 0.0}], lr=0.01)
        defaults: the hyperparameters every group starts from.

    A parameter listed twice in one group (a tied weight) is updated once; a parameter in two
    groups is an error, since it would be unclear which group's hyperparameters apply.
    Parameters whose ``.grad`` is None are skipped by ``step()``.

    Raises:
        TypeError/ValueError naming the argument (or the group) for a malformed ``params`` or an
        invalid hyperparameter.
    """

    #: names of the per-parameter state entries a subclass keeps ("step" and arrays)
    _state_names: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]):
        name = type(self).__name__
        if isinstance(params, (Tensor, Module)) or not isinstance(params, Iterable):
            hint = " (pass model.parameters())" if isinstance(params, Module) else ""
            raise TypeError(
                f"{name}: params must be an iterable of Parameters or of dicts, got "
                f"{type(params).__name__}{hint}"
            )
        if isinstance(params, Mapping):
            raise TypeError(
                f"{name}: params is one dict; pass a list of groups: [{{'params': ...}}]"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: params must be an ordered iterable (list), not a set: "
                            "the order fixes the indices of state_dict()")
        params = list(params)
        if not params:
            raise ValueError(f"{name}: params is empty; the optimizer has nothing to update")
        dicts = [isinstance(p, Mapping) for p in params]
        if any(dicts) and not all(dicts):
            raise TypeError(
                f"{name}: params must be all Parameters or all dicts {{'params': [...], ...}}, "
                "got a mix; put the loose Parameters into a group of their own"
            )
        self.defaults: dict[str, Any] = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}
        for group in params if all(dicts) else [{"params": params}]:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, group: Mapping[str, Any]) -> None:
        """Add ``{"params": [...], **overrides}``; unset hyperparameters take the defaults."""
        name = type(self).__name__
        index = len(self.param_groups)
        where = f"{name}: param group {index}: "
        if not isinstance(group, Mapping):
            raise TypeError(
                f"{where}expected a dict {{'params': [...], ...}}, got {type(group).__name__}"
            )
        if "params" not in group:
            raise ValueError(f"{where}the dict has no 'params' entry; keys are {sorted(group)}")
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}  # (set by schedulers)
        if unknown:
            raise ValueError(
                f"{where}unknown hyperparameters {sorted(unknown)}; {name} takes "
                f"{sorted(self.defaults)}"
            )
        raw = group["params"]
        if isinstance(raw, Tensor):
            raw = [raw]
        elif isinstance(raw, (set, frozenset)):
            raise TypeError(f"{where}'params' must be ordered (a list), not a set")
        elif isinstance(raw, Module):
            raise TypeError(f"{where}'params' is a Module; pass module.parameters()")
        elif not isinstance(raw, Iterable):
            raise TypeError(
                f"{where}'params' must be a list of Parameters, got {type(raw).__name__}"
            )
        members: list[Parameter] = []
        ids: set[int] = set()
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        for p in raw:
            if not isinstance(p, Parameter):
                raise TypeError(f"{where}expected Parameters, got {type(p).__name__}")
            if id(p) in taken:
                raise ValueError(
                    f"{where}a parameter {p!r} is already in an earlier group; each parameter "
                    "may belong to one group only"
                )
            if id(p) not in ids:
                ids.add(id(p))
                members.append(p)
        merged = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
        self._check_hyperparameters(merged, where)
        merged["params"] = members
        self.param_groups.append(merged)

    def _check_hyperparameters(self, group: dict[str, Any], where: str) -> None:
        """Raise TypeError/ValueError for an invalid value in ``group`` (``where`` prefixes it)."""

    # ------------------------------------------------------------------ updates
    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``grad = None``, as PyTorch's default)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a ``.grad``; returns ``closure()`` if one is given.

        The closure (re-evaluating the loss and calling backward) runs before the update.
        """
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        """Update one group's parameters (a subclass may update them all at once)."""
        for p in group["params"]:
            self._step_param(p, group)

    def _step_param(self, p: Parameter, group: dict[str, Any]) -> None:
        grad = p.grad
        if grad is None:
            return
        grad = np.asarray(grad)
        self._check_dtypes(p, grad)
        if grad.shape != p.data.shape:
            raise ValueError(
                f"{type(self).__name__}.step(): {p!r} has a gradient of shape "
                f"{grad.shape}; a gradient must have its parameter's shape"
            )
        if grad.dtype != p.data.dtype:  # the update keeps the parameter's dtype
            grad = grad.astype(p.data.dtype)
        self._update(p, grad, group, self.state.setdefault(id(p), {}))

    def _check_dtypes(self, p: Parameter, grad: np.ndarray) -> None:
        """Refuse a parameter whose data is not float32/float64, or an unsupported gradient.

        An integer parameter would silently become float64 (or fail mid-update): as torch,
        which refuses gradients for integer tensors, npgnn refuses to update it.
        """
        data_dtype = np.asarray(p.data).dtype
        if data_dtype in FLOAT_DTYPES and (grad.dtype in FLOAT_DTYPES or grad.dtype.kind in "biu"):
            return  # the common case, checked without building the message (a repr per step)
        where = f"{type(self).__name__}.step(): {p!r}"
        if data_dtype.kind in "biu":
            raise TypeError(f"{where} has {data_dtype} data; optimizers update only float32 or "
                            f"float64 parameters (integer tensors have no gradients, as in "
                            f"torch); cast it with p.data = p.data.astype(np.float32)")
        check_supported_dtype(f"{where} data", data_dtype, allow_int=False)
        check_supported_dtype(f"{where} grad", grad.dtype)

    def _update(
        self, p: Parameter, grad: np.ndarray, group: dict[str, Any], state: dict[str, Any],
    ) -> None:
        """Change ``p.data`` in place from ``grad`` (never modify ``grad``: it may be p.grad)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """A copy of the optimizer's state, PyTorch-shaped, to resume training later.

        Returns:
            ``{"state": {i: {"step": int, name: ndarray, ...}}, "param_groups": [{hyper...,
            "params": [i, ...]}]}`` where ``i`` numbers the parameters in group order. Arrays
            are copies; hyperparameters are plain numbers, bools and tuples.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = [index.setdefault(id(p), len(index)) for p in group["params"]]
            saved = {k: (list(v) if isinstance(v, list) else v)
                     for k, v in group.items() if k != "params"}
            groups.append({**saved, "params": ids})
        state = {
            index[pid]: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in st.items()}
            for pid, st in self.state.items() if pid in index and st
        }
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore ``state_dict()``'s output: hyperparameters per group and state per parameter.

        The optimizer must have been built over the same parameters in the same groups (same
        counts and shapes). Arrays are copied and cast to their parameter's dtype. Nothing
        changes unless everything checks out.

        Raises:
            TypeError/ValueError saying what differs (group count, group sizes, hyperparameter
            names of another optimizer, state names, shapes).
        """
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
            got = (sorted(state_dict) if isinstance(state_dict, Mapping)
                   else type(state_dict).__name__)
            raise TypeError(
                f"{name}: expected a dict with 'state' and 'param_groups' (from "
                f"optimizer.state_dict()), got {got}"
            )
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: the state has {len(saved_groups)} parameter groups, this optimizer has "
                f"{len(self.param_groups)}; build the optimizer with the same groups as when saved"
            )
        by_index: dict[int, Parameter] = {}
        new_groups = []
        for gi, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            ids = list(saved.get("params", []))
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{name}: param group {gi} has {len(ids)} parameters in the state and "
                    f"{len(group['params'])} in this optimizer"
                )
            missing = sorted(set(self.defaults) - set(saved))
            if missing:
                raise ValueError(
                    f"{name}: param group {gi} lacks hyperparameters {missing}; was the state "
                    f"saved from another kind of optimizer? (this one is {type(self).__name__})"
                )
            restored = {k: v for k, v in saved.items() if k != "params"}
            self._check_hyperparameters(restored, f"{name}: param group {gi}: ")
            for i, p in zip(ids, group["params"]):
                by_index[int(i)] = p
            new_groups.append({**restored, "params": group["params"]})

        new_state: dict[int, dict[str, Any]] = {}
        for key, entry in dict(state_dict["state"]).items():
            try:
                i = int(key)
            except (TypeError, ValueError):
                raise ValueError(f"{name}: state key {key!r} is not a parameter index") from None
            if i not in by_index:
                raise ValueError(
                    f"{name}: state for parameter {i}, but the groups number parameters "
                    f"0..{len(by_index) - 1}"
                )
            p = by_index[i]
            unknown = sorted(set(entry) - set(self._state_names))
            if unknown:
                raise ValueError(
                    f"{name}: state of parameter {i} has entries {unknown}; "
                    f"{type(self).__name__} keeps {list(self._state_names)}"
                )
            restored_entry: dict[str, Any] = {}
            for k, v in entry.items():
                if k == "step":
                    step = int(np.asarray(v))
                    if step < 0:
                        raise ValueError(f"{name}: parameter {i} has step {step} < 0")
                    restored_entry[k] = step
                    continue
                array = np.asarray(getattr(v, "data", v))
                if array.shape != p.data.shape:
                    raise ValueError(
                        f"{name}: state {k!r} of parameter {i} has shape {array.shape}, the "
                        f"parameter has {p.data.shape}; are the groups in the same order as "
                        "when saved?"
                    )
                restored_entry[k] = np.array(array, dtype=p.data.dtype, copy=True)
            new_state[id(p)] = restored_entry
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"  group {i}: {len(group['params'])} parameters")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
