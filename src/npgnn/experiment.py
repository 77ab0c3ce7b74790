"""One call from a dataset name to a published result: ``run(TrainConfig(...)) -> metrics``.

The defaults of each model are its paper's hyperparameters (``PAPER_DEFAULTS``); a run is one
seed of full-batch training for node classification, or one 10-fold cross-validation for graph
classification. The CLI's ``npgnn train`` is a thin layer over :func:`run`.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from npgnn.datasets import Planetoid, TUDataset, karate_club
from npgnn.graph import Graph, normalize_features
from npgnn.io import save
from npgnn.models import GAT, GCN, GIN, GraphSAGE, MLPClassifier
from npgnn.nn.module import Module
from npgnn.optim import Adam
from npgnn.training import PatienceStopping, WindowStopping, cross_validate, fit_nodes

NODE_MODELS = {"gcn": GCN, "gat": GAT, "sage": GraphSAGE, "mlp": MLPClassifier}
GRAPH_MODELS = {"gin": GIN}
PLANETOID = ("cora", "citeseer", "pubmed")

#: The papers' hyperparameters (GCN: Kipf & Welling 2017; GAT: Veličković et al. 2018; GIN: Xu
#: et al. 2019, its "bio" setting; SAGE and MLP: the GCN setting with width 64).
PAPER_DEFAULTS: dict[str, dict[str, Any]] = {
    "gcn": dict(epochs=200, lr=0.01, hidden=16, dropout=0.5, weight_decay=5e-4, stopping="window", patience=10),
    "gat": dict(epochs=1000, lr=0.005, hidden=8, dropout=0.6, weight_decay=5e-4, stopping="patience", patience=100),
    "sage": dict(epochs=200, lr=0.01, hidden=64, dropout=0.5, weight_decay=5e-4, stopping="patience", patience=100),
    "mlp": dict(epochs=200, lr=0.01, hidden=64, dropout=0.5, weight_decay=5e-4, stopping="patience", patience=100),
    "gin": dict(epochs=350, lr=0.01, hidden=32, dropout=0.5, weight_decay=0.0, batch_size=32, folds=10),
}
#: Dataset-specific settings from the papers: GAT on PubMed (8 output heads, lr 0.01, L2 1e-3);
#: GIN on the social datasets (hidden 64).
DATASET_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("gat", "pubmed"): dict(lr=0.01, weight_decay=1e-3, out_heads=8),
    ("gin", "imdb-binary"): dict(hidden=64),
    ("gin", "imdb-multi"): dict(hidden=64),
}


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
    batch_size: int | None = None
    folds: int | None = None
    protocol: str = "gin"              # graph classification: 'gin' or 'holdout'
    out_heads: int | None = None
    seed: int = 0
    runs: int = 1
    root: str | None = None
    save: str | None = None
    progress: bool = True

    def resolved(self) -> dict[str, Any]:
        """Every setting with the paper defaults filled in."""
        model, dataset = self.model.lower(), self.dataset.lower()
        if model not in PAPER_DEFAULTS:
            raise ValueError(f"model: expected one of {sorted(PAPER_DEFAULTS)}, got {self.model!r}")
        values = {**PAPER_DEFAULTS[model], **DATASET_DEFAULTS.get((model, dataset), {})}
        values.update({k: v for k, v in dataclasses.asdict(self).items() if v is not None})
        return values


def is_graph_task(dataset: str) -> bool:
    """True for graph-classification datasets (TU), False for node classification."""
    return dataset.lower() not in (*PLANETOID, "karate")


def _data_root(root: str | None, sub: str) -> str | None:
    """``root`` itself, or its ``planetoid``/``tu`` sub-folder when it has one (so that
    ``--root ../shared/datasets`` works for every dataset)."""
    if root is not None and (Path(root) / sub).is_dir():
        return str(Path(root) / sub)
    return root


def load_node_data(name: str, root: str | None = None, progress: bool = True) -> tuple[Graph, int]:
    """(graph with row-normalised features, number of classes) for a node-classification dataset."""
    if name.lower() == "karate":
        return karate_club(), 2
    ds = Planetoid(name, root=_data_root(root, "planetoid"), progress=progress)
    return normalize_features(ds.graph), ds.num_classes


def load_graph_data(name: str, root: str | None = None, progress: bool = True) -> TUDataset:
    """A TU graph-classification dataset by its TU name (case as on the TU site)."""
    return TUDataset(name, root=_data_root(root, "tu"), progress=progress)


def build_model(model: str, in_channels: int, out_channels: int, settings: dict[str, Any], seed: int) -> Module:
    """The named model with ``settings``' width and dropout."""
    common = dict(hidden_channels=settings["hidden"], dropout=settings["dropout"], seed=seed)
    if model == "gat":
        common["out_heads"] = settings.get("out_heads", 1)
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


def _summary(config: TrainConfig, settings: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any]:
    tests = np.array([r["test_accuracy"] for r in runs])
    vals = np.array([np.nan if r["val_accuracy"] is None else r["val_accuracy"] for r in runs])
    return {
        "dataset": config.dataset, "model": config.model.lower(),
        "task": "graph" if is_graph_task(config.dataset) else "node",
        "settings": settings,
        "test_accuracy_mean": float(tests.mean()), "test_accuracy_std": float(tests.std()),
        "val_accuracy_mean": _finite(np.nanmean(vals)) if np.isfinite(vals).any() else None,
        "runs": runs,
    }


def run(config: TrainConfig) -> tuple[dict[str, Any], list[Any]]:
    """Train ``config.runs`` times (seeds seed, seed+1, ...) and summarise.

    Returns:
        (metrics, details): metrics is JSON-ready (``test_accuracy_mean``/``_std`` as fractions,
        ``runs``: one record per seed); details holds each run's model and training history for
        plots. With ``config.save`` the last run's model is written there.
    """
    settings = config.resolved()
    model_name = config.model.lower()
    graph_task = is_graph_task(config.dataset)
    if graph_task != (model_name in GRAPH_MODELS):
        kind = "graph" if graph_task else "node"
        choices = sorted(GRAPH_MODELS if graph_task else NODE_MODELS)
        raise ValueError(f"model {config.model!r} does not fit {config.dataset!r} ({kind} "
                         f"classification); choose one of {choices}")
    runs, details = [], []
    if graph_task:
        dataset = load_graph_data(config.dataset, config.root, config.progress)
        for r in range(config.runs):
            seed = config.seed + r
            models: list[Module] = []

            def make(fold: int, seed: int = seed, models: list[Module] = models) -> Module:
                models.append(build_model(model_name, dataset.num_features, dataset.num_classes,
                                          settings, seed * 1000 + fold))
                return models[-1]

            cv = cross_validate(make, dataset, folds=settings["folds"], protocol=settings["protocol"],
                                seed=seed, progress=config.progress, epochs=settings["epochs"],
                                batch_size=settings["batch_size"], lr=settings["lr"],
                                weight_decay=settings["weight_decay"])
            runs.append(dict(seed=seed, test_accuracy=cv.mean, test_accuracy_std=cv.std,
                             val_accuracy=float(np.mean(cv.val_accuracies)) if cv.val_accuracies
                             else None, epochs=int(np.median(cv.epochs)),
                             selected_epochs=cv.epochs, seconds=cv.seconds,
                             fold_accuracies=cv.fold_accuracies, protocol=cv.protocol))
            details.append((models[-1], cv))
    else:
        graph, num_classes = load_node_data(config.dataset, config.root, config.progress)
        for r in range(config.runs):
            seed = config.seed + r
            model = build_model(model_name, graph.x.shape[1], num_classes, settings, seed)
            optimizer = Adam(model.param_groups(settings["weight_decay"]), lr=settings["lr"])
            result = fit_nodes(model, graph, optimizer, epochs=settings["epochs"],
                               stopping=_stopping(settings), progress=config.progress,
                               desc=f"{model_name} {config.dataset} seed {seed}")
            runs.append(dict(seed=seed, test_accuracy=result.test_accuracy,
                             val_accuracy=_finite(result.val_accuracy),
                             train_accuracy=result.train_accuracy,
                             epochs=result.epochs, seconds=result.seconds))
            details.append((model, result))
    if config.save:
        save(details[-1][0], os.fspath(config.save))
    return _summary(config, settings, runs), details
