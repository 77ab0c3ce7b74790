"""Graph classification: mini-batch training, stratified k-fold cross-validation, two protocols."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from npgnn.autodiff.grad_mode import no_grad
from npgnn.graph import Batch, DataLoader, Graph
from npgnn.nn.module import Module
from npgnn.ops import nn as F
from npgnn.optim import Adam, StepLR
from npgnn.random import default_generator
from npgnn.training.progress import progress_bar


def stratified_kfold(y: Any, folds: int, seed: int | None = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split indices 0..G-1 into ``folds`` (train, test) pairs with class proportions preserved.

    Each class's members are shuffled by ``np.random.default_rng(seed)`` and dealt round-robin
    to the folds, so fold sizes differ by at most one per class.
    """
    y = np.asarray(y).reshape(-1)
    if folds < 2 or folds > y.size:
        raise ValueError(f"stratified_kfold: folds must lie in [2, {y.size}], got {folds}")
    rng = default_generator() if seed is None else np.random.default_rng(seed)
    fold_of = np.empty(y.size, dtype=np.int64)
    offset = 0
    for c in np.unique(y):  # a loop over classes, not samples
        members = rng.permutation(np.flatnonzero(y == c))
        fold_of[members] = (np.arange(members.size) + offset) % folds
        offset += members.size
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(folds)]


def _labels(g: Graph) -> np.ndarray:
    return np.asarray(g.y).reshape(-1)


def _forward(model: Module, g: Graph) -> Any:
    return model(g.x, g, g, g.num_graphs)


def evaluate_graphs(model: Module, batches: Sequence[Graph]) -> tuple[float, float]:
    """(mean loss, accuracy) of the model in eval mode over pre-built batches."""
    model.eval()
    losses, correct, count = 0.0, 0, 0
    with no_grad():
        for g in batches:
            logits, y = _forward(model, g), _labels(g)
            losses += F.cross_entropy(logits, y, reduction="sum").item()
            correct += int((logits.data.argmax(axis=1) == y).sum())
            count += y.size
    return losses / count, correct / count


@dataclass
class GraphRun:
    """Per-epoch curves of one training run: train loss, and loss/accuracy on each eval set."""

    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0

    def curve(self, key: str) -> np.ndarray:
        return np.array([h[key] for h in self.history])


def fit_graphs(
    model: Module, train_set: Sequence[Graph], eval_sets: dict[str, Sequence[Graph]], *,
    epochs: int = 350, batch_size: int = 32, lr: float = 0.01, weight_decay: float = 0.0,
    step_size: int = 50, gamma: float = 0.5, seed: int | None = 0, progress: bool = True,
    desc: str = "train",
) -> GraphRun:
    """Adam with the learning rate multiplied by ``gamma`` every ``step_size`` epochs (the GIN
    paper halves 0.01 every 50), shuffled mini-batches; every epoch each eval set is scored.
    BLAS threads follow npgnn's process-wide policy (``npgnn.kernels.threads``).

    Raises:
        FloatingPointError: a mini-batch's loss is not finite (the learning rate is too high).
    """
    return _fit_graphs(model, train_set, eval_sets, epochs, batch_size, lr, weight_decay,
                       step_size, gamma, seed, progress, desc)


def _fit_graphs(model: Module, train_set: Sequence[Graph], eval_sets: dict[str, Sequence[Graph]],
                epochs: int, batch_size: int, lr: float, weight_decay: float, step_size: int,
                gamma: float, seed: int | None, progress: bool, desc: str) -> GraphRun:
    optimizer = Adam(model.param_groups(weight_decay), lr=lr)
    schedule = StepLR(optimizer, step_size=step_size, gamma=gamma)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, seed=seed)
    fixed = {name: list(DataLoader(ds, batch_size=max(batch_size, 128))) for name, ds in eval_sets.items()}
    run = GraphRun()
    start = time.perf_counter()
    bar = progress_bar(range(epochs), desc=desc, enabled=progress)
    for epoch in bar:
        model.train()
        total, count = 0.0, 0
        for g in loader:
            if g.num_graphs < 2:
                continue  # batch norm needs two graphs' worth of statistics
            optimizer.zero_grad()
            y = _labels(g)
            loss = F.cross_entropy(_forward(model, g), y)
            if not np.isfinite(loss.item()):
                bar.close()
                raise FloatingPointError(
                    f"{desc}: training loss became {loss.item()} at epoch {epoch}; lower the "
                    "learning rate")
            loss.backward()
            optimizer.step()
            total, count = total + loss.item() * y.size, count + y.size
        schedule.step()
        record = dict(epoch=epoch, train_loss=total / max(count, 1))
        for name, batches in fixed.items():
            record[f"{name}_loss"], record[f"{name}_acc"] = evaluate_graphs(model, batches)
        run.history.append(record)
        bar.set_postfix(loss=f"{record['train_loss']:.4f}",
                        **{name: f"{record[name + '_acc']:.3f}" for name in fixed})
    bar.close()
    run.seconds = time.perf_counter() - start
    return run


@dataclass
class CrossValidation:
    """Result of k-fold cross-validation.

    ``protocol='gin'`` (Xu et al.): the epoch with the best accuracy averaged over the test folds
    is picked, and the fold accuracies at that epoch are reported; it selects on the test folds.
    ``protocol='holdout'``: each fold holds out 10% of its training graphs for validation, picks
    its own epoch by validation accuracy, and reports the test fold's accuracy at that epoch.
    """

    protocol: str
    fold_accuracies: list[float]
    epochs: list[int]
    seconds: float
    test_curves: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (folds, epochs)
    val_accuracies: list[float] = field(default_factory=list)  # holdout: at each picked epoch

    @property
    def mean_curve(self) -> np.ndarray:
        """Test accuracy per epoch, averaged over the folds."""
        return self.test_curves.mean(axis=0)

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_accuracies))

    @property
    def std(self) -> float:
        return float(np.std(self.fold_accuracies))


def cross_validate(
    make_model: Callable[[int], Module], dataset: Any, *, folds: int = 10, protocol: str = "gin",
    seed: int = 0, progress: bool = True, **fit_kwargs: Any,
) -> CrossValidation:
    """k-fold CV of ``make_model(fold) -> Module`` on a graph dataset (with ``dataset.y``).

    The folds are independent (:func:`fit_fold` trains one, :func:`combine_folds` picks the
    epochs), which is how ``npgnn train --workers`` runs them as separate tasks with the same result.

    Args:
        protocol: 'gin' or 'holdout' (see :class:`CrossValidation`).
        fit_kwargs: passed to :func:`fit_graphs` (epochs, batch_size, lr, ...).
    """
    _check_protocol(protocol)
    runs = [fit_fold(make_model(k), dataset, folds=folds, fold=k, protocol=protocol, seed=seed,
                     progress=progress, **fit_kwargs) for k in range(folds)]
    return combine_folds(protocol, runs)


def _check_protocol(protocol: str) -> None:
    if protocol not in ("gin", "holdout"):
        raise ValueError(f"cross_validate: protocol must be 'gin' or 'holdout', got {protocol!r}")


def fit_fold(model: Module, dataset: Any, *, folds: int, fold: int, protocol: str = "gin",
             seed: int = 0, progress: bool = True, **fit_kwargs: Any) -> GraphRun:
    """Train ``model`` on fold ``fold`` (0-based) of the stratified ``folds``-fold split of
    ``dataset`` drawn with ``seed``, scoring the test fold (and, for ``protocol='holdout'``, the
    10% of the training graphs held out as ``val``) every epoch.

    The split depends only on ``(dataset.y, folds, seed)``, so each fold can train in its own
    process; :func:`combine_folds` then turns the folds' curves into a :class:`CrossValidation`.

    Raises:
        ValueError: ``protocol`` is not 'gin' or 'holdout', or ``fold`` is not in ``[0, folds)``.
    """
    _check_protocol(protocol)
    if not 0 <= fold < folds:
        raise ValueError(f"fit_fold: fold must lie in [0, {folds}), got {fold}")
    y = np.asarray(dataset.y).reshape(-1)
    train_idx, test_idx = stratified_kfold(y, folds, seed)[fold]
    evals = {"test": dataset[test_idx]}
    if protocol == "holdout":
        inner_train, inner_val = stratified_kfold(y[train_idx], 10, seed + 1 + fold)[0]
        evals["val"] = dataset[train_idx[inner_val]]
        train_idx = train_idx[inner_train]
    return fit_graphs(model, dataset[train_idx], evals, seed=seed + fold, progress=progress,
                      desc=f"fold {fold + 1}/{folds}", **fit_kwargs)


def combine_folds(protocol: str, runs: Sequence[GraphRun]) -> CrossValidation:
    """The :class:`CrossValidation` of the folds' runs (in fold order): ``'gin'`` picks the one
    epoch with the best test accuracy averaged over the folds, ``'holdout'`` each fold's epoch
    with the best ``val`` accuracy. ``seconds`` is the folds' training time summed.

    Raises:
        ValueError: ``protocol`` is not 'gin' or 'holdout', or ``runs`` is empty.
    """
    _check_protocol(protocol)
    if not runs:
        raise ValueError("combine_folds: expected at least one fold's run, got none")
    curves = np.stack([run.curve("test_acc") for run in runs])
    if protocol == "gin":
        best = int(np.argmax(curves.mean(axis=0)))
        picks, accs, vals = [best] * len(runs), curves[:, best].tolist(), []
    else:
        picks = [int(np.argmax(run.curve("val_acc"))) for run in runs]
        vals = [float(run.curve("val_acc")[p]) for run, p in zip(runs, picks)]
        accs = [float(curves[k, p]) for k, p in enumerate(picks)]
    return CrossValidation(protocol, accs, [p + 1 for p in picks],
                           float(sum(run.seconds for run in runs)), curves, vals)


def batch_all(graphs: Sequence[Graph]) -> Graph:
    """Every graph of a dataset in one block-diagonal batch (for inference on a small dataset)."""
    return Batch.from_graphs([graphs[i] for i in range(len(graphs))])
