"""Full-batch link prediction with a graph auto-encoder: train on one split's positive edges
against fresh negatives every epoch (PyG's ``GAE.recon_loss``), score AUC and AP."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from npgnn.autodiff.grad_mode import no_grad
from npgnn.graph import Graph
from npgnn.kernels.threads import blas_threads
from npgnn.nn.models.autoencoder import GAE, VGAE
from npgnn.nn.models.dense_recon import dense_recon_loss
from npgnn.optim.optimizer import Optimizer
from npgnn.training.progress import progress_bar


@dataclass
class LinkResult:
    """Final ROC-AUC and average precision (fractions) on validation and test, and the per-epoch
    ``history`` (the training loss; validation AUC/AP every ``eval_every`` epochs)."""

    val_auc: float
    val_ap: float
    test_auc: float
    test_ap: float
    epochs: int
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)


def _labelled(split: Graph, name: str) -> tuple[np.ndarray, np.ndarray]:
    pos, neg = getattr(split, "pos_edge_label_index", None), getattr(split, "neg_edge_label_index", None)
    if pos is None or (name != "train" and neg is None):
        raise ValueError(f"{name}: expected a RandomLinkSplit(split_labels=True) graph with "
                         f"pos_edge_label_index and neg_edge_label_index")
    return pos, neg


def evaluate_link(model: GAE, split: Graph) -> tuple[float, float]:
    """(AUC, AP) of ``split``'s positive against negative pairs, encoding over its message edges
    in eval mode (VGAE decodes μ)."""
    pos, neg = _labelled(split, "split")
    model.eval()
    with no_grad():
        z = model.encode(split.x, split)
    return model.test(z, pos, neg)


def fit_link(model: GAE, train: Graph, val: Graph, test: Graph, optimizer: Optimizer, *,
             epochs: int = 200, loss: str = "sampled", eval_every: int = 0, progress: bool = True,
             desc: str = "train", blas_thread_limit: int | None = 1) -> LinkResult:
    """Train ``model`` for ``epochs`` full-batch steps and score it on ``val`` and ``test``.

    Each step encodes over ``train``'s message edges and minimises, with ``loss="sampled"``,
    ``recon_loss`` on ``train.pos_edge_label_index`` against as many negatives, sampled afresh
    every epoch with the model's rng (PyG's autoencoder example), or with ``loss="dense"`` the
    weighted cross-entropy over every pair of Kipf & Welling's code (``dense_recon_loss`` of the
    training message graph, O(N²)); plus KL / N for a VGAE (their weighting).
    The splits come from ``RandomLinkSplit(..., split_labels=True,
    add_negative_train_samples=False)``. With ``eval_every`` > 0 the validation AUC/AP are
    recorded every that many epochs; the reported scores are those of the last epoch (the
    paper's protocol: no early stopping).

    Raises:
        ValueError: a split lacks its labelled pairs. FloatingPointError: the loss stops being
            finite (lower the learning rate).
    """
    if loss not in ("sampled", "dense"):
        raise ValueError(f"loss: expected 'sampled' or 'dense', got {loss!r}")
    pos, _ = _labelled(train, "train")
    _labelled(val, "val")
    _labelled(test, "test")
    with blas_threads(blas_thread_limit):
        history: list[dict[str, float]] = []
        start = time.perf_counter()
        bar = progress_bar(range(epochs), desc=desc, enabled=progress)
        for epoch in bar:
            model.train()
            optimizer.zero_grad()
            z = model.encode(train.x, train)
            value = dense_recon_loss(z, train.edge_index) if loss == "dense" else model.recon_loss(z, pos)
            if isinstance(model, VGAE):
                value = value + (1.0 / train.num_nodes) * model.kl_loss()
            if not np.isfinite(value.item()):
                raise FloatingPointError(f"training loss became {value.item()} at epoch {epoch}; "
                                         f"lower the learning rate")
            value.backward()
            optimizer.step()
            record = dict(epoch=epoch, loss=value.item())
            if eval_every and (epoch + 1) % eval_every == 0:
                record["val_auc"], record["val_ap"] = evaluate_link(model, val)
            history.append(record)
            bar.set_postfix(loss=f"{value.item():.4f}")
        bar.close()
        seconds = time.perf_counter() - start
        val_auc, val_ap = evaluate_link(model, val)
        test_auc, test_ap = evaluate_link(model, test)
    return LinkResult(val_auc, val_ap, test_auc, test_ap, epochs, seconds, history)
