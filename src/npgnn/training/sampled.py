"""Mini-batch node classification over ``NeighborLoader`` (GraphSAGE-style neighbour sampling),
evaluated by layer-wise full-graph inference when the model offers it."""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from npgnn.autodiff.grad_mode import no_grad
from npgnn.graph import Graph
from npgnn.loader.neighbor_loader import NeighborLoader
from npgnn.metrics import accuracy
from npgnn.nn.models.trimmed import trims_exactly
from npgnn.nn.module import Module
from npgnn.ops import nn as F
from npgnn.optim.optimizer import Optimizer
from npgnn.training.progress import progress_bar

if TYPE_CHECKING:
    from npgnn.training.node import NodeResult, Stopping


def predict_nodes_layerwise(model: Module, graph: Graph, batch_size: int = 1024) -> np.ndarray:
    """Eval-mode logits (N, C) as an ndarray: ``model.inference`` over 1-hop full-neighbourhood
    batches of ``batch_size`` nodes when the model has it (``npgnn.nn.models`` BasicGNNs),
    else one full-graph forward pass."""
    model.eval()
    if hasattr(model, "inference"):
        return model.inference(NeighborLoader(graph, [-1], batch_size=batch_size)).data
    with no_grad():
        return model(graph.x, graph).data


def fit_nodes_sampled(model: Module, graph: Graph, optimizer: Optimizer, train: np.ndarray,
                      val: np.ndarray, test: np.ndarray, *, epochs: int, batch_size: int,
                      num_neighbors: Sequence[int], stopping: Stopping | None, progress: bool,
                      desc: str, seed: Any, eval_batch_size: int) -> NodeResult:
    """The loop behind ``fit_nodes(..., batch_size=...)``: see there."""
    from npgnn.training.node import end_epoch, finish_run

    loader = NeighborLoader(graph, num_neighbors, input_nodes=train, batch_size=batch_size,
                            shuffle=True, seed=seed)
    trim = trims_exactly(model)     # the seeds' outputs are the same, with less work
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    bar = progress_bar(range(epochs), desc=desc, enabled=progress)
    epoch = 0
    for epoch in bar:
        model.train()
        total, correct = 0.0, 0
        for batch in loader:
            bs = batch.batch_size
            optimizer.zero_grad()
            if trim:
                out = model(batch.x, batch.edge_index,
                            num_sampled_nodes_per_hop=batch.num_sampled_nodes,
                            num_sampled_edges_per_hop=batch.num_sampled_edges)[:bs]
            else:
                out = model(batch.x, batch)[:bs]
            y = batch.y[:bs]
            loss = F.cross_entropy(out, y)
            if not np.isfinite(loss.item()):
                raise FloatingPointError(f"training loss became {loss.item()} at epoch "
                                         f"{epoch}; lower the learning rate")
            loss.backward()
            optimizer.step()
            total += loss.item() * bs
            correct += int((out.data.argmax(1) == y).sum())
        train_loss, train_acc = total / train.size, correct / train.size
        val_loss = val_acc = np.nan
        if val.size:
            logits = predict_nodes_layerwise(model, graph, eval_batch_size)
            with no_grad():
                val_loss = F.cross_entropy(logits[val], graph.y[val]).item()
            val_acc = accuracy(logits[val], graph.y[val])
        if end_epoch(history, bar, stopping, optimizer, model, epoch, train_loss, train_acc,
                     val_loss, val_acc, has_val=bool(val.size)):
            break
    return finish_run(bar, stopping, model, start,
                      lambda: predict_nodes_layerwise(model, graph, eval_batch_size), graph,
                      (train, val, test), epoch, history)
