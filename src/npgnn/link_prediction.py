"""Link prediction with graph auto-encoders, one call from a dataset name to the numbers of
Kipf & Welling, "Variational Graph Auto-Encoders" (NIPS BDL 2016), Table 1:
``run_link(LinkConfig(dataset="cora", model="vgae", runs=10))``.

Protocol (the paper's, in PyG's formulation): the undirected edges are split 85 / 5 / 10 %
into train / validation / test with as many sampled non-edges for validation and test
(``RandomLinkSplit(num_val=0.05, num_test=0.1, is_undirected=True)``); the raw binary node
features (the paper's code does not normalise them; PyG's example does); a GCN encoder 32-16 (``GCNEncoder``); 200 full-batch epochs of Adam, lr 0.01, no
weight decay, no dropout; the inner-product decoder. The reconstruction loss is PyG's: the
training edges against as many negatives sampled afresh every epoch (the paper's code instead
weights the positives of the dense adjacency by pos_weight = (N² - E) / E: ``loss="dense"``,
O(N²) per epoch); the VGAE adds KL / N.
Validation and test pairs are scored with the encoder over their split's message edges (test:
train + validation edges, as PyG's ``RandomLinkSplit`` gives them); the last epoch is reported.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from npgnn.models.gae import GCNEncoder
from npgnn.nn.models.autoencoder import GAE, VGAE
from npgnn.optim import Adam
from npgnn.training.link import fit_link
from npgnn.transforms.random_link_split import RandomLinkSplit

LINK_MODELS = ("gae", "vgae")
#: The paper's settings (Kipf & Welling 2016, section 3 and their gae code's defaults).
LINK_DEFAULTS: dict[str, Any] = dict(epochs=200, lr=0.01, hidden=32, out_channels=16, num_val=0.05,
                                     num_test=0.1)


@dataclass
class LinkConfig:
    """What to train; ``None`` means the paper's value (``LINK_DEFAULTS``)."""

    dataset: str = "cora"
    model: str = "gae"
    epochs: int | None = None
    lr: float | None = None
    hidden: int | None = None
    loss: str = "sampled"              # 'sampled' (PyG) or 'dense' (the paper's code)
    seed: int = 0
    runs: int = 1
    root: str | None = None
    save: str | None = None
    progress: bool = True

    def resolved(self) -> dict[str, Any]:
        """The settings with the paper's defaults filled in.

        Raises:
            ValueError: an unknown model, or a setting out of range.
        """
        if self.model.lower() not in LINK_MODELS:
            raise ValueError(f"model: link prediction needs one of {list(LINK_MODELS)}, got {self.model!r}")
        given = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        for key in ("epochs", "hidden", "runs"):
            if key in given and (isinstance(given[key], bool) or int(given[key]) != given[key] or given[key] < 1):
                raise ValueError(f"{key}: expected an integer >= 1, got {given[key]!r}")
        if self.loss not in ("sampled", "dense"):
            raise ValueError(f"loss: expected 'sampled' or 'dense', got {self.loss!r}")
        if "lr" in given and not (np.isfinite(given["lr"]) and given["lr"] > 0):
            raise ValueError(f"lr: expected a finite number > 0, got {given['lr']!r}")
        return {**LINK_DEFAULTS, **given, "model": self.model.lower()}


def run_link(config: LinkConfig) -> tuple[dict[str, Any], list[Any]]:
    """Train ``config.runs`` GAEs/VGAEs (seeds seed, seed+1, ...: each its own split, weights
    and negatives) and summarise test ROC-AUC and AP.

    Returns:
        (metrics, details): metrics is JSON-ready (``test_auc_mean``/``_std``,
        ``test_ap_mean``/``_std`` as fractions, std over runs; ``runs``: one record per seed);
        details holds each run's (model, LinkResult). With ``config.save`` the last run's
        encoder is written there (``npgnn.load`` rebuilds it).

    Raises:
        ValueError: a bad setting, an unknown dataset, or one that is not a node dataset.
        FileNotFoundError: the dataset's files are missing.
    """
    from npgnn.dataset_lookup import loader_root, resolve_dataset
    from npgnn.datasets import Planetoid

    settings = config.resolved()
    ref = resolve_dataset(config.dataset, config.root)
    if ref.task != "node" or ref.kind == "builtin":
        raise ValueError(f"dataset: link prediction runs on cora, citeseer or pubmed, got {config.dataset!r}")
    graph = Planetoid(ref.name, root=loader_root(config.root, ref), progress=config.progress).graph
    graph = graph.replace(y=None, train_mask=None, val_mask=None, test_mask=None)
    runs, details = [], []
    for r in range(config.runs):
        seed = config.seed + r
        split = RandomLinkSplit(num_val=settings["num_val"], num_test=settings["num_test"],
                                is_undirected=True, split_labels=True,
                                add_negative_train_samples=False, rng=seed)
        train, val, test = split(graph)
        variational = settings["model"] == "vgae"
        encoder = GCNEncoder(graph.num_features, settings["hidden"], settings["out_channels"],
                             variational=variational, seed=seed)
        model = (VGAE if variational else GAE)(encoder, rng=seed)
        optimizer = Adam(model.parameters(), lr=settings["lr"])
        result = fit_link(model, train, val, test, optimizer, epochs=settings["epochs"], loss=config.loss,
                          progress=config.progress, desc=f"{settings['model']} {config.dataset} seed {seed}")
        runs.append(dict(seed=seed, test_auc=result.test_auc, test_ap=result.test_ap,
                         val_auc=result.val_auc, val_ap=result.val_ap, epochs=result.epochs,
                         seconds=result.seconds))
        details.append((model, result))
    if config.save:
        from npgnn.io import save

        save(details[-1][0].encoder, os.fspath(config.save))
    metrics = {"dataset": config.dataset.lower(), "model": settings["model"], "task": "link",
               "settings": settings, "runs": runs, "std_over": "runs"}
    for key in ("test_auc", "test_ap", "val_auc", "val_ap"):
        values = np.array([r[key] for r in runs])
        metrics[f"{key}_mean"], metrics[f"{key}_std"] = float(values.mean()), float(values.std())
    return metrics, details
