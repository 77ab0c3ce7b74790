"""Full-batch node classification: train on the train mask, stop early on the validation mask."""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from npgnn.autodiff.grad_mode import no_grad
from npgnn.graph import Graph
from npgnn.metrics import accuracy
from npgnn.nn.module import Module
from npgnn.ops import nn as F
from npgnn.optim.optimizer import Optimizer
from npgnn.training.progress import progress_bar
from npgnn.training.sampled import fit_nodes_sampled


class Stopping(Protocol):
    regularized: bool  # judge the validation loss plus the optimizer's L2 penalty

    def update(self, epoch: int, val_loss: float, val_acc: float, model: Module) -> bool: ...
    def finish(self, model: Module) -> None: ...


@dataclass
class NodeResult:
    """What one training run produced. ``history`` holds one dict per epoch."""

    train_accuracy: float
    val_accuracy: float
    test_accuracy: float
    epochs: int
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)


def _masked_indices(graph: Graph, name: str) -> np.ndarray:
    mask = getattr(graph, name)
    if mask is None:
        raise ValueError(f"graph.{name}: node classification needs boolean train/val/test masks")
    return np.flatnonzero(mask)


def l2_penalty(optimizer: Optimizer) -> float:
    """Σ over parameter groups of weight_decay / 2 · ||p||²: the L2 term whose gradient the
    optimizer adds (the regulariser that Kipf & Welling's code includes in its validation loss)."""
    total = 0.0
    for group in optimizer.param_groups:
        wd = group.get("weight_decay", 0.0)
        if wd:
            total += 0.5 * wd * sum(float(np.sum(p.data.astype(np.float64) ** 2)) for p in group["params"])
    return total


def evaluate_nodes(model: Module, graph: Graph, index: np.ndarray) -> tuple[float, float]:
    """(loss, accuracy) of the model in eval mode on the nodes ``index``."""
    model.eval()
    with no_grad():
        logits = model(graph.x, graph)
        loss = F.cross_entropy(logits[index], graph.y[index]).item()
    return loss, accuracy(logits.data[index], graph.y[index])


def fit_nodes(
    model: Module, graph: Graph, optimizer: Optimizer, *, epochs: int = 200,
    stopping: Stopping | None = None, progress: bool = True, desc: str = "train",
    batch_size: int | None = None, num_neighbors: Sequence[int] | None = None,
    seed: Any = None, eval_batch_size: int = 1024,
) -> NodeResult:
    """Train ``model(x, graph) -> logits`` with cross-entropy on ``graph.train_mask``.

    Each epoch: one full-batch step, then validation loss/accuracy in eval mode (dropout off),
    which drives ``stopping``. The returned accuracies are those of the final model (after
    ``stopping.finish``, which may restore the best weights).

    With ``batch_size``, an epoch is instead one pass of mini-batches over the training nodes,
    each with its sampled in-neighbourhood (``NeighborLoader(graph, num_neighbors,
    input_nodes=train, batch_size, shuffle=True, seed=seed)``; ``num_neighbors`` defaults to
    [15, 10]), the loss taken on each batch's seed rows; each batch is trimmed layer by layer
    (``BasicGNN``'s ``num_sampled_nodes_per_hop``) when that leaves the seeds' outputs
    unchanged (``npgnn.nn.models.trimmed.trims_exactly``: not for GCN, GPS or norms); evaluation runs ``model.inference``
    layer by layer over all nodes in batches of ``eval_batch_size`` when the model has it
    (``npgnn.nn.models``), else one full-graph forward pass (see ``npgnn.training.sampled``).
    The reported train accuracy/loss per epoch is then the running one over the batches.

    BLAS threads follow npgnn's process-wide policy (``npgnn.kernels.threads``).

    Raises:
        ValueError if the graph lacks labels or masks, ``num_neighbors`` is given without
        ``batch_size`` (and NeighborLoader's errors for bad sampling arguments);
        FloatingPointError if the loss stops being finite (lower the learning rate).
    """
    if batch_size is None and num_neighbors is not None:
        raise ValueError(f"fit_nodes: num_neighbors={num_neighbors!r} needs batch_size "
                         "(full-batch training samples nothing)")
    if batch_size is None:
        return _fit_nodes(model, graph, optimizer, epochs, stopping, progress, desc)
    if graph.y is None:
        raise ValueError("graph.y: node classification needs a label per node")
    splits = [_masked_indices(graph, m) for m in ("train_mask", "val_mask", "test_mask")]
    return fit_nodes_sampled(
        model, graph, optimizer, *splits, epochs=epochs, batch_size=batch_size,
        num_neighbors=[15, 10] if num_neighbors is None else num_neighbors,
        stopping=stopping, progress=progress, desc=desc, seed=seed,
        eval_batch_size=eval_batch_size)


def _fit_nodes(model: Module, graph: Graph, optimizer: Optimizer, epochs: int,
               stopping: Stopping | None, progress: bool, desc: str) -> NodeResult:
    if graph.y is None:
        raise ValueError("graph.y: node classification needs a label per node")
    train, val, test = (_masked_indices(graph, m) for m in ("train_mask", "val_mask", "test_mask"))
    y_train = graph.y[train]
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    bar = progress_bar(range(epochs), desc=desc, enabled=progress)
    epoch = 0
    for epoch in bar:
        model.train()
        optimizer.zero_grad()
        logits = model(graph.x, graph)
        loss = F.cross_entropy(logits[train], y_train)
        if not np.isfinite(loss.item()):
            raise FloatingPointError(
                f"training loss became {loss.item()} at epoch {epoch}; lower the learning rate")
        loss.backward()
        optimizer.step()
        train_acc = accuracy(logits.data[train], y_train)
        val_loss, val_acc = evaluate_nodes(model, graph, val) if val.size else (np.nan, np.nan)
        if end_epoch(history, bar, stopping, optimizer, model, epoch, loss.item(), train_acc,
                     val_loss, val_acc, has_val=bool(val.size)):
            break
    # one eval forward scores all three splits
    return finish_run(bar, stopping, model, start, lambda: predict_nodes(model, graph), graph,
                      (train, val, test), epoch, history)


def end_epoch(history: list, bar: Any, stopping: Stopping | None, optimizer: Optimizer, model: Module,
              epoch: int, train_loss: float, train_acc: float, val_loss: float, val_acc: float, *,
              has_val: bool) -> bool:
    """Record one epoch (history, progress bar) and ask the stopping rule; True means stop.
    Shared by the full-batch and the sampled loops."""
    history.append(dict(epoch=epoch, train_loss=train_loss, train_acc=train_acc,
                        val_loss=val_loss, val_acc=val_acc))
    bar.set_postfix(loss=f"{train_loss:.4f}", train=f"{train_acc:.3f}", val=f"{val_acc:.3f}")
    if stopping is None or not has_val:
        return False
    judged = val_loss + l2_penalty(optimizer) if stopping.regularized else val_loss
    return bool(stopping.update(epoch, judged, val_acc, model))


def finish_run(bar: Any, stopping: Stopping | None, model: Module, start: float, predict: Any,
               graph: Graph, splits: tuple[np.ndarray, ...], epoch: int, history: list) -> NodeResult:
    """Close the bar, restore the stopping rule's pick, then score train/val/test from one call of
    ``predict() -> (N, C) logits``. Shared by the full-batch and the sampled loops."""
    bar.close()
    if stopping is not None:
        stopping.finish(model)
    seconds = time.perf_counter() - start
    logits = predict()
    scores = [accuracy(logits[idx], graph.y[idx]) if idx.size else float("nan") for idx in splits]
    return NodeResult(*scores, epochs=epoch + 1, seconds=seconds, history=history)


def predict_nodes(model: Module, graph: Graph) -> Any:
    """Eval-mode logits (N, C) as an ndarray."""
    model.eval()
    with no_grad():
        return model(graph.x, graph).data
