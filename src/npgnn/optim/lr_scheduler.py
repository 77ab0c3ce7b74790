"""Learning-rate schedules that change ``optimizer.param_groups[i]["lr"]`` once per ``step()``."""
from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.optim.optimizer import Optimizer, check_number


class LRScheduler:
    """Base class, with ``torch.optim.lr_scheduler``'s protocol.

    Call ``scheduler.step()`` once per epoch *after* ``optimizer.step()``. On construction each
    group's starting lr is recorded as ``group["initial_lr"]`` (kept if already there, e.g. by an
    earlier scheduler) and ``base_lrs``; ``last_epoch`` counts the ``step()`` calls (0 after
    construction). A subclass implements ``get_lr()``: the lrs for epoch ``last_epoch``, computed
    from the current ones ("chainable", so that two schedulers can act on one optimizer), and names
    its own settings in ``_settings`` for ``state_dict``.

    Args:
        optimizer: the optimizer whose groups' ``lr`` is scheduled.
        last_epoch: the index of the last epoch done, -1 to start afresh. Resuming with another
            value needs ``"initial_lr"`` in every group (an optimizer restored with
            ``load_state_dict`` has it); prefer ``scheduler.load_state_dict``.
    """

    _settings: tuple[str, ...] = ()
    optimizer: Optimizer
    last_epoch: int

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{name}: optimizer must be an npgnn Optimizer, got {type(optimizer).__name__}"
            )
        if (isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral)
                or last_epoch < -1):
            raise ValueError(f"{name}: last_epoch must be an integer >= -1, got {show(last_epoch)}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise ValueError(
                        f"{name}: last_epoch={last_epoch} resumes a schedule, but param group {i} "
                        "has no 'initial_lr'; restore the optimizer's state_dict first, or use "
                        "scheduler.load_state_dict()"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._last_lr: list[float] = []
        self.step()

    def get_lr(self) -> list[float]:
        """The lr of each group for epoch ``self.last_epoch`` (already advanced by ``step``)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and write the new lrs into the optimizer's groups."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lrs that the last ``step()`` (or the construction) set, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Settings, ``last_epoch``, ``base_lrs`` and ``last_lr`` as plain numbers and lists.

        It does not hold the optimizer: save and restore ``optimizer.state_dict()`` beside it
        (that carries each group's current lr).
        """
        return {
            **{k: getattr(self, k) for k in self._settings},
            "last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs),
            "last_lr": list(self._last_lr),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore ``state_dict()``'s output (the optimizer's lrs are not touched)."""
        name = f"{type(self).__name__}.load_state_dict"
        needed = {*self._settings, "last_epoch", "base_lrs", "last_lr"}
        if not isinstance(state_dict, Mapping) or not needed <= set(state_dict):
            got = (sorted(state_dict) if isinstance(state_dict, Mapping)
                   else type(state_dict).__name__)
            raise TypeError(f"{name}: expected a dict with keys {sorted(needed)}, got {got}")
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "last_lr"):
            if len(state_dict[key]) != groups:
                raise ValueError(
                    f"{name}: {key} has {len(state_dict[key])} entries, the optimizer has "
                    f"{groups} parameter groups"
                )
        settings = {k: state_dict[k] for k in self._settings}
        self._check_settings(settings, f"{name}: ")
        for k, v in settings.items():
            setattr(self, k, v)
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = [float(v) for v in state_dict["base_lrs"]]
        self._last_lr = [float(v) for v in state_dict["last_lr"]]

    def _check_settings(self, settings: dict[str, Any], where: str) -> None:
        """Raise TypeError/ValueError for an invalid setting."""

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._settings)
        return f"{type(self).__name__}({body}, last_epoch={self.last_epoch})"


class StepLR(LRScheduler):
    """Multiply every group's lr by ``gamma`` each ``step_size`` epochs (``torch``'s ``StepLR``)::

        lr(epoch) = initial_lr · gamma ^ ⌊epoch / step_size⌋

    (applied as one multiplication at each boundary, so that it composes with other schedulers
    and matches PyTorch bit for bit). The GIN paper halves the lr every 50 epochs:
    ``StepLR(optimizer, step_size=50, gamma=0.5)``.

    Args:
        optimizer: the optimizer to schedule.
        step_size: epochs between decays, an integer ≥ 1.
        gamma: the factor, a finite number > 0.
        last_epoch: see ``LRScheduler``.

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Parameter
        >>> from npgnn.optim import SGD
        >>> opt = SGD([Parameter(np.zeros(1))], lr=0.01)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(sched.get_last_lr()[0])   # train with this lr, then:
        ...     opt.step(); sched.step()
        >>> lrs
        [0.01, 0.01, 0.005, 0.005, 0.0025]
    """

    _settings = ("step_size", "gamma")

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1,
    ):
        settings = {"step_size": step_size, "gamma": gamma}
        self._check_settings(settings, "StepLR: ")
        self.step_size, self.gamma = int(step_size), float(gamma)
        super().__init__(optimizer, last_epoch)

    def _check_settings(self, settings: dict[str, Any], where: str) -> None:
        step_size = settings["step_size"]
        if (isinstance(step_size, (bool, np.bool_)) or not isinstance(step_size, numbers.Integral)
                or step_size < 1):
            raise ValueError(
                f"{where}step_size must be an integer >= 1 (epochs), got {show(step_size)}"
            )
        check_number(where, "gamma", settings["gamma"], low=0.0, low_inclusive=False)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]
