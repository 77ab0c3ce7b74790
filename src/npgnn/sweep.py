"""Hyperparameter sweeps: every configuration of a grid trained with the same seeds and folds,
ranked by validation accuracy (``npgnn sweep``).

Each (configuration, seed, fold) is one :class:`npgnn.experiment.RunTask`: in this process one
after another, or with a ``dask.distributed`` client all at once on its cluster. A
configuration's metrics are exactly those ``npgnn train`` reports for it.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from npgnn._format import show
from npgnn.experiment import GRAPH_MODELS, ConfigError, TrainConfig, finish, plan_runs, run_task

#: The settings a grid may vary (``TrainConfig`` fields; the CLI also accepts dashes).
SWEEP_KEYS = ("epochs", "lr", "hidden", "dropout", "weight_decay", "stopping", "patience",
              "batch_size")
#: What the configurations are ranked by (higher is better).
RANK_BY = "val_accuracy_mean"


def grid_configs(base: TrainConfig, grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The Cartesian product of ``grid`` in order (the last key varies fastest), each checked
    as ``npgnn train`` checks its options.

    Raises:
        ConfigError: an empty grid, an unknown key, a key with no values or a repeated value, a
            key also set in ``base``, or a value out of range / unused by the model (named).
    """
    if not grid:
        raise ConfigError("grid: expected at least one key=values, got none")
    for key, values in grid.items():
        if key not in SWEEP_KEYS:
            raise ConfigError(f"grid: unknown key {key!r}; expected one of {list(SWEEP_KEYS)}")
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(f"grid {key}: expected a non-empty list of values, got {show(values)}")
        repeated = [v for i, v in enumerate(values) if v in values[:i]]
        if repeated:
            raise ConfigError(f"grid {key}: {repeated[0]!r} is given twice")
        if getattr(base, key) is not None:
            raise ConfigError(f"grid {key}: also set as --{key.replace('_', '-')}; give it once")
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    for combo in combos:
        try:
            dataclasses.replace(base, **combo).resolved()
        except ConfigError as err:
            raise ConfigError(f"grid {err}") from None
    return combos


def sweep_base(base: TrainConfig) -> TrainConfig:
    """``base`` with a sweep's default: graph models pick each fold's epoch on held-out
    training graphs (``protocol='holdout'``).

    Raises:
        ConfigError: ``protocol='gin'``, which picks the epoch on the test folds: ranking
            configurations by it would select them on the test set.
    """
    if base.model.lower() not in GRAPH_MODELS:
        return base
    if base.protocol == "gin":
        raise ConfigError("protocol: 'gin' picks each fold's epoch on its test fold, so ranking "
                          "configurations by it would select them on the test set; a sweep "
                          "uses 'holdout' (its default)")
    return dataclasses.replace(base, protocol="holdout")


def run_sweep(base: TrainConfig, grid: dict[str, list[Any]], client: Any = None) -> dict[str, Any]:
    """Train every configuration of ``grid`` (over ``base``, :func:`grid_configs`) for
    ``base.runs`` seeds (and each fold), and rank them by validation accuracy.

    Everything is checked before the first task starts. The dataset is loaded once (on a Dask
    cluster: once per worker). With ``client``, a ``dask.distributed.Client``, every task runs
    on its cluster (:func:`npgnn.distributed.run_tasks`).

    Returns:
        JSON-ready: ``dataset``, ``model``, ``task``, ``grid``, ``rank_by``
        (``"val_accuracy_mean"``), ``best`` (the winning configuration's values) and
        ``configs``, best first: ``rank`` (1 = best; ties keep the grid's order), ``params``
        and ``metrics`` (what ``npgnn train --metrics-out`` writes for that configuration).

    Raises:
        ConfigError: a bad grid (:func:`grid_configs`), ``protocol='gin'``
            (:func:`sweep_base`), ``save`` set, or a dataset without validation nodes.
        ValueError, FileNotFoundError: as :func:`npgnn.experiment.run`.
        FloatingPointError: a run's training loss stopped being finite.
    """
    if base.save:
        raise ConfigError("save: a sweep trains many models and saves none; drop save")
    base = sweep_base(base)
    combos = grid_configs(base, grid)
    plans, data = [], None
    for combo in combos:
        plans.append(plan_runs(dataclasses.replace(base, **combo), data))
        data = plans[0].data
    first = plans[0]
    if first.ref.task == "node":
        graph = first.data[0]
        if graph.val_mask is None or not graph.val_mask.any():
            raise ConfigError(f"dataset: {first.ref.name} has no validation nodes to rank the "
                              f"configurations by")
    tasks = [dataclasses.replace(t, keep_model=False) for plan in plans for t in plan.tasks]
    if client is None:
        results = [run_task(t, data, progress=base.progress) for t in tasks]
    else:
        from npgnn.distributed import run_tasks

        results = run_tasks(client, tasks, progress=base.progress)
    entries, start = [], 0
    for combo, plan in zip(combos, plans):
        metrics, _ = finish(plan, results[start:start + len(plan.tasks)])
        start += len(plan.tasks)
        entries.append(dict(params=combo, metrics=metrics))
    order = sorted(range(len(entries)), key=lambda i: -(entries[i]["metrics"][RANK_BY] or 0.0))
    ranked = [dict(rank=r + 1, **entries[i]) for r, i in enumerate(order)]
    return dict(dataset=first.ref.name, model=base.model.lower(), task=first.ref.task,
                grid={k: list(v) for k, v in grid.items()}, rank_by=RANK_BY,
                best=ranked[0]["params"], configs=ranked)


def sweep_table(result: dict[str, Any]) -> str:
    """The ranked table ``npgnn sweep`` prints: one row per configuration, best first."""
    keys = list(result["grid"])
    widths = [max(len(k), *(len(str(c["params"][k])) for c in result["configs"])) for k in keys]
    head = "  ".join(f"{k:>{w}}" for k, w in zip(keys, widths))
    rows = [f"{'rank':>4}  {head}  {'val acc':>8}  {'test acc':>15}  {'seconds':>8}"]
    for c in result["configs"]:
        m = c["metrics"]
        val = "-" if m[RANK_BY] is None else f"{100 * m[RANK_BY]:.2f}"
        test = f"{100 * m['test_accuracy_mean']:.2f} ± {100 * m['test_accuracy_std']:.2f}"
        cells = "  ".join(f"{c['params'][k]!s:>{w}}" for k, w in zip(keys, widths))
        seconds = sum(r["seconds"] for r in m["runs"])
        rows.append(f"{c['rank']:>4}  {cells}  {val:>8}  {test:>15}  {seconds:>8.2f}")
    best = result["configs"][0]
    chosen = " ".join(f"{k}={v}" for k, v in best["params"].items())
    rows.append(f"best by validation accuracy: {chosen} ({100 * best['metrics'][RANK_BY]:.2f} % "
                f"validation, {100 * best['metrics']['test_accuracy_mean']:.2f} % test; "
                f"{len(result['configs'])} configurations of {result['model']} on {result['dataset']})")
    return "\n".join(rows)
