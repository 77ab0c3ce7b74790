"""One call from a dataset name to a published result: ``run(TrainConfig(...)) -> metrics``.

The defaults of each model are its paper's hyperparameters (``PAPER_DEFAULTS``); a run is one
seed of full-batch training for node classification, or one 10-fold cross-validation for graph
classification. The CLI's ``npgnn train`` is a thin layer over :func:`run`.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.dataset_lookup import DatasetRef, loader_root, resolve_dataset
from npgnn.datasets import Planetoid, TUDataset, karate_club
from npgnn.graph import Graph, normalize_features
from npgnn.io import save
from npgnn.models import GAT, GCN, GIN, GINE, GPS, GraphSAGE, MLPClassifier
from npgnn.nn.module import Module
from npgnn.optim import Adam
from npgnn.paper_defaults import DATASET_DEFAULTS, GRAPH_ONLY, NODE_ONLY, PAPER_DEFAULTS
from npgnn.training import PatienceStopping, WindowStopping, combine_folds, fit_fold, fit_nodes

NODE_MODELS = {"gcn": GCN, "gat": GAT, "sage": GraphSAGE, "mlp": MLPClassifier}
GRAPH_MODELS = {"gin": GIN, "gine": GINE, "gps": GPS}
PLANETOID = ("cora", "citeseer", "pubmed")

@dataclass
class TrainConfig:
    """What to train and how; ``None`` means the paper's value for that model and dataset."""

    dataset: str = "karate"
    model: str = "gcn"
    epochs: int | None = None
    lr: float | None = None
    hidden: int | None = None
    dropout: float | None = None
    weight_decay: float | None = None
    stopping: str | None = None        # 'window' (GCN rule), 'patience' (GAT rule) or 'none'
    patience: int | None = None
    batch_size: int | None = None      # node models: seed nodes per NeighborLoader batch
    num_neighbors: tuple[int, ...] | None = None  # node models: neighbours sampled per hop
    folds: int | None = None
    protocol: str | None = None        # graph classification: 'gin' (default) or 'holdout'
    out_heads: int | None = None
    seed: int = 0
    runs: int = 1
    root: str | None = None
    save: str | None = None
    progress: bool = True

    def resolved(self) -> dict[str, Any]:
        """Every setting with the paper defaults filled in; only the settings the model's task
        uses (a GCN run has no ``protocol``, a GIN run no ``stopping``).

        Raises:
            ConfigError: an unknown model, a setting out of range, or a setting the model's task
                does not use (``folds`` for GCN, ``patience`` for GIN).
        """
        model, dataset = self.model.lower(), self.dataset.lower()
        if model not in PAPER_DEFAULTS:
            raise ConfigError(f"model: expected one of {sorted(PAPER_DEFAULTS)}, got {self.model!r}")
        unused = GRAPH_ONLY if model in NODE_MODELS else NODE_ONLY
        given = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        wrong = [k for k in unused if k in given]
        if wrong:
            task = "node" if model in NODE_MODELS else "graph"
            raise ConfigError(f"{', '.join(wrong)}: not used by {model} ({task} classification); "
                              f"drop {' and '.join('--' + k.replace('_', '-') for k in wrong)}")
        _check_ranges(given)
        if "num_neighbors" in given:
            counts = given["num_neighbors"]
            if (isinstance(counts, (str, bytes)) or not isinstance(counts, (list, tuple))
                    or not counts or any(isinstance(c, bool) or not isinstance(c, (int, np.integer))
                                         or c < -1 for c in counts)):
                raise ConfigError(f"num_neighbors: expected a non-empty sequence of integers "
                                  f">= -1 (one per hop), got {show(counts)}")
            if "batch_size" not in given:
                raise ConfigError("num_neighbors: needs batch_size (full-batch training samples "
                                  "nothing); add --batch-size")
        values = {**PAPER_DEFAULTS[model], **DATASET_DEFAULTS.get((model, dataset), {})}
        values.update(given)
        return values


class ConfigError(ValueError):
    """A setting that cannot work, found before any data is loaded (the CLI exits with 2)."""


#: (lowest value, whether it must be an int) of each numeric setting.
_RANGES: dict[str, tuple[float, bool]] = {
    "epochs": (1, True), "hidden": (1, True), "patience": (1, True), "batch_size": (1, True),
    "folds": (2, True), "out_heads": (1, True), "seed": (0, True), "runs": (1, True),
    "lr": (0.0, False), "weight_decay": (0.0, False), "dropout": (0.0, False),
}


def _check_ranges(given: dict[str, Any]) -> None:
    for key, (low, integral) in _RANGES.items():
        if key not in given:
            continue
        value = given[key]
        if integral:
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ConfigError(f"{key}: expected an integer >= {low}, got {show(value)}")
        elif (isinstance(value, bool) or not isinstance(value, (int, float, np.floating))
              or not np.isfinite(value) or value < low or (key == "lr" and value == 0)
              or (key == "dropout" and value >= 1)):
            span = {"lr": "> 0", "dropout": "in [0, 1)"}.get(key, ">= 0")
            raise ConfigError(f"{key}: expected a finite number {span}, got {show(value)}")
    for key, choices in (("stopping", ("window", "patience", "none")), ("protocol", ("gin", "holdout"))):
        if key in given and given[key] not in choices:
            raise ConfigError(f"{key}: expected one of {list(choices)}, got {given[key]!r}")


def is_graph_task(dataset: str, root: str | None = None) -> bool:
    """True for graph-classification datasets (TU), False for node classification."""
    return resolve_dataset(dataset, root).task == "graph"


def load_node_data(name: str, root: str | None = None, progress: bool = True) -> tuple[Graph, int]:
    """(graph with row-normalised features, number of classes) for a node-classification dataset
    (any case: ``"Cora"``, ``"cora"``); ``root`` as in :mod:`npgnn.dataset_lookup`."""
    ref = resolve_dataset(name, root)
    if ref.task != "node":
        raise ValueError(f"dataset: {name!r} is a graph-classification dataset, not a node one")
    if ref.kind == "builtin":
        return karate_club(), 2
    ds = Planetoid(ref.name, root=loader_root(root, ref), progress=progress)
    return normalize_features(ds.graph), ds.num_classes


def load_graph_data(name: str, root: str | None = None, progress: bool = True) -> TUDataset:
    """A TU graph-classification dataset (any case for the names npgnn knows: ``"mutag"`` finds
    ``tu/MUTAG``); ``root`` as in :mod:`npgnn.dataset_lookup`."""
    ref = resolve_dataset(name, root)
    if ref.task != "graph":
        raise ValueError(f"dataset: {name!r} is a node-classification dataset, not a graph one")
    return TUDataset(ref.name, root=loader_root(root, ref), progress=progress,
                     degree_features=True)  # IMDB-*: one-hot degrees, the GIN paper's input


def build_model(model: str, in_channels: int, out_channels: int, settings: dict[str, Any], seed: int) -> Module:
    """The named model with ``settings``' width and dropout."""
    common = dict(hidden_channels=settings["hidden"], dropout=settings["dropout"], seed=seed)
    if model == "gat":
        common["out_heads"] = settings.get("out_heads", 1)
    if model == "gine":
        common["edge_dim"] = settings["edge_dim"]
    if model == "gps":  # edge features when the dataset has them (GINE as the local layer)
        common["edge_dim"] = settings.get("edge_dim")
    cls = {**NODE_MODELS, **GRAPH_MODELS}[model]
    return cls(in_channels, out_channels, **common)


def _stopping(settings: dict[str, Any]) -> Any:
    kind = settings["stopping"]
    if kind == "window":
        return WindowStopping(settings["patience"])
    if kind == "patience":
        return PatienceStopping(settings["patience"])
    if kind == "none":
        return None
    raise ValueError(f"stopping: expected 'window', 'patience' or 'none', got {kind!r}")


def _finite(value: float) -> float | None:
    """NaN (no validation set) becomes None, so the metrics stay valid JSON."""
    return float(value) if np.isfinite(value) else None


def _summary(config: TrainConfig, ref: DatasetRef, settings: dict[str, Any],
             runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The metrics record. For graph classification the headline is the mean ± std over every
    fold of every run (the GIN paper's statistic); for node classification over the runs."""
    graph_task = ref.task == "graph"
    tests = np.array([a for r in runs for a in r["fold_accuracies"]] if graph_task
                     else [r["test_accuracy"] for r in runs])
    vals = np.array([np.nan if r["val_accuracy"] is None else r["val_accuracy"] for r in runs])
    return {
        "dataset": ref.name, "model": config.model.lower(), "task": ref.task,
        "settings": settings,
        "test_accuracy_mean": float(tests.mean()), "test_accuracy_std": float(tests.std()),
        "std_over": "folds" if graph_task else "runs",
        "val_accuracy_mean": _finite(np.nanmean(vals)) if np.isfinite(vals).any() else None,
        "runs": runs,
    }


def check_fit(ref: DatasetRef, model: str) -> None:
    """Raise ValueError when ``model`` cannot train on the dataset ``ref`` (node vs graph task)."""
    model = model.lower()
    graph_model = model in GRAPH_MODELS
    if (ref.task == "graph") == graph_model:
        return
    choices = sorted(GRAPH_MODELS if ref.task == "graph" else NODE_MODELS)
    if not ref.known:
        raise ValueError(
            f"dataset: {ref.name!r} is not a dataset npgnn knows (node classification: "
            f"{', '.join(['karate', *PLANETOID])}); any other name is read as a TU "
            f"graph-classification dataset, which needs the model {' or '.join(choices)}, not "
            f"{model!r}")
    raise ValueError(f"model {model!r} does not fit {ref.name!r} ({ref.task} classification); "
                     f"choose one of {choices}")


@dataclass(frozen=True)
class RunTask:
    """One independent unit of an experiment: one seed of node classification, or one fold of
    one seed's cross-validation for graph classification.

    A task carries names and settings only, never data: :func:`run_task` loads the dataset
    itself when it is not handed one (once per process, :func:`cached_data`), so a task
    pickles to a few hundred bytes and a Dask worker loads each dataset once.
    """

    dataset: str                  # the resolved name (``DatasetRef.name``)
    root: str | None
    task: str                     # 'node' or 'graph'
    model: str
    settings: dict[str, Any]      # ``TrainConfig.resolved()`` plus what the data adds (edge_dim)
    seed: int
    fold: int | None = None       # graph classification: the fold, 0-based
    keep_model: bool = True       # return the trained model (for --save and --plot)


@dataclass
class TaskResult:
    """What :func:`run_task` returns: the task, its training record (``NodeResult`` for a node
    run, ``GraphRun`` for a fold) and the trained model (None unless ``task.keep_model``)."""

    task: RunTask
    record: Any
    model: Module | None


@dataclass
class Plan:
    """An experiment checked and cut into tasks (:func:`plan_runs`); :func:`finish` turns the
    tasks' results into the metrics."""

    config: TrainConfig
    ref: DatasetRef
    settings: dict[str, Any]
    data: Any
    tasks: list[RunTask]
    in_channels: int
    num_classes: int


_DATA_CACHE: dict[tuple[str, str, str | None], Any] = {}


def cached_data(task: str, name: str, root: str | None) -> Any:
    """The dataset of a task, loaded on first use in this process and kept (``(graph,
    num_classes)`` for node tasks, the ``TUDataset`` for graph ones): each Dask worker process
    loads a dataset once, whatever number of tasks it runs."""
    key = (task, name, root)
    if key not in _DATA_CACHE:
        loader = load_graph_data if task == "graph" else load_node_data
        _DATA_CACHE[key] = loader(name, root, progress=False)
    return _DATA_CACHE[key]


def plan_runs(config: TrainConfig, data: Any = None) -> Plan:
    """Check ``config``, load its dataset (unless ``data``, as :func:`cached_data` returns it,
    is given) and cut the experiment into :class:`RunTask` s: seeds ``seed .. seed + runs - 1``,
    and for graph classification every fold of each.

    Raises:
        ConfigError: a setting out of range or unused by the model (before anything is loaded),
            more folds than graphs, or GINE on a dataset without edge features.
        ValueError: an unknown dataset (with a did-you-mean), or a model that does not fit it.
        FileNotFoundError: the dataset's files are missing (the message says where to put them).
    """
    settings = config.resolved()
    model_name = config.model.lower()
    ref = resolve_dataset(config.dataset, config.root)
    check_fit(ref, model_name)
    seeds = [config.seed + r for r in range(config.runs)]
    if ref.task == "graph":
        dataset = load_graph_data(ref.name, config.root, config.progress) if data is None else data
        if settings["folds"] > len(dataset):
            raise ConfigError(f"folds: expected at most {len(dataset)} (the number of graphs in "
                              f"{ref.name}), got {settings['folds']}")
        if model_name == "gine":
            if not dataset.num_edge_features:
                raise ConfigError(f"model 'gine' needs edge features, and {ref.name} has none "
                                  f"(no edge labels or attributes); use --model gin")
            settings["edge_dim"] = dataset.num_edge_features
        if model_name == "gps":
            settings["edge_dim"] = dataset.num_edge_features or None
        folds = settings["folds"]
        tasks = [RunTask(ref.name, config.root, "graph", model_name, settings, seed, k,
                         keep_model=k == folds - 1) for seed in seeds for k in range(folds)]
        return Plan(config, ref, settings, dataset, tasks, dataset.num_features, dataset.num_classes)
    if data is None:
        data = load_node_data(ref.name, config.root, config.progress)
    graph, num_classes = data
    tasks = [RunTask(ref.name, config.root, "node", model_name, settings, seed) for seed in seeds]
    return Plan(config, ref, settings, data, tasks, graph.x.shape[1], num_classes)


def run_task(task: RunTask, data: Any = None, progress: bool = False) -> TaskResult:
    """Train one :class:`RunTask` on ``data`` (None: :func:`cached_data`). The result depends
    only on the task (every random draw is seeded by ``task.seed`` and ``task.fold``), so it
    is the same in this process or in a Dask worker.

    Raises:
        FloatingPointError: the training loss stopped being finite.
    """
    if data is None:
        data = cached_data(task.task, task.dataset, task.root)
    s = task.settings
    if task.task == "graph":
        model = build_model(task.model, data.num_features, data.num_classes, s,
                            task.seed * 1000 + task.fold)
        record = fit_fold(model, data, folds=s["folds"], fold=task.fold, protocol=s["protocol"],
                          seed=task.seed, progress=progress, epochs=s["epochs"],
                          batch_size=s["batch_size"], lr=s["lr"], weight_decay=s["weight_decay"])
    else:
        graph, num_classes = data
        model = build_model(task.model, graph.x.shape[1], num_classes, s, task.seed)
        optimizer = Adam(model.param_groups(s["weight_decay"]), lr=s["lr"])
        sampling = {} if s.get("batch_size") is None else dict(
            batch_size=s["batch_size"], seed=task.seed,
            num_neighbors=list(s.get("num_neighbors") or (15, 10)))
        record = fit_nodes(model, graph, optimizer, epochs=s["epochs"], stopping=_stopping(s),
                           progress=progress, desc=f"{task.model} {task.dataset} seed {task.seed}",
                           **sampling)
    return TaskResult(task, record, model if task.keep_model else None)


def finish(plan: Plan, results: list[TaskResult]) -> tuple[dict[str, Any], list[Any]]:
    """The metrics and details of :func:`run` from the results of ``plan.tasks`` (in any
    order; matched to the tasks by seed and fold). With ``plan.config.save`` the last run's
    model is written there.

    Raises:
        ValueError: ``results`` do not answer ``plan.tasks`` one for one.
    """
    by_key = {(r.task.seed, r.task.fold): r for r in results}
    wanted = [(t.seed, t.fold) for t in plan.tasks]
    if len(results) != len(wanted) or set(by_key) != set(wanted):
        raise ValueError(f"finish: expected one result per task {wanted}, got "
                         f"{[(r.task.seed, r.task.fold) for r in results]}")
    runs, details = [], []
    for seed in dict.fromkeys(t.seed for t in plan.tasks):
        if plan.ref.task == "graph":
            folds = [by_key[(seed, k)] for k in range(plan.settings["folds"])]
            cv = combine_folds(plan.settings["protocol"], [f.record for f in folds])
            runs.append(dict(seed=seed, test_accuracy=cv.mean, test_accuracy_std=cv.std,
                             val_accuracy=float(np.mean(cv.val_accuracies)) if cv.val_accuracies
                             else None, epochs=int(np.median(cv.epochs)),
                             selected_epochs=cv.epochs, seconds=cv.seconds,
                             fold_accuracies=cv.fold_accuracies, protocol=cv.protocol))
            details.append((folds[-1].model, cv))
        else:
            done = by_key[(seed, None)]
            result = done.record
            runs.append(dict(seed=seed, test_accuracy=result.test_accuracy,
                             val_accuracy=_finite(result.val_accuracy),
                             train_accuracy=result.train_accuracy,
                             epochs=result.epochs, seconds=result.seconds))
            details.append((done.model, result))
    config = plan.config
    if config.save:
        trained_on = dict(dataset=plan.ref.name, task=plan.ref.task,
                          in_channels=int(plan.in_channels), num_classes=int(plan.num_classes))
        save(details[-1][0], os.fspath(config.save), metadata={"trained_on": trained_on})
    return _summary(config, plan.ref, plan.settings, runs), details


def run(config: TrainConfig, client: Any = None) -> tuple[dict[str, Any], list[Any]]:
    """Train ``config.runs`` times (seeds seed, seed+1, ...) and summarise.

    Every setting is checked before any data is loaded. Each seed (node classification) or
    each fold of each seed (graph classification) is one :class:`RunTask`; with ``client``, a
    ``dask.distributed.Client`` (``npgnn train --workers``), the tasks run on its cluster
    (:func:`npgnn.distributed.run_tasks`), and the metrics equal the in-process run's except
    the wall-clock ``seconds``.

    Returns:
        (metrics, details): metrics is JSON-ready (``test_accuracy_mean``/``_std`` as fractions,
        over the folds of every run for graph classification, over the runs for node
        classification, as ``std_over`` says; ``runs``: one record per seed, ``seconds`` its
        training time, summed over the folds); details holds each
        run's model and training history for plots. With ``config.save`` the last run's model is
        written there, with the dataset it was trained on in its metadata.

    Raises:
        ConfigError: a setting out of range or unused by the model (before anything is loaded).
        ValueError: an unknown dataset (with a did-you-mean), or a model that does not fit it.
        FileNotFoundError: the dataset's files are missing (the message says where to put them).
        FloatingPointError: a run's training loss stopped being finite.
    """
    plan = plan_runs(config)
    if client is None:
        results = [run_task(t, plan.data, progress=config.progress) for t in plan.tasks]
    else:
        from npgnn.distributed import run_tasks

        results = run_tasks(client, plan.tasks, progress=config.progress)
    return finish(plan, results)
