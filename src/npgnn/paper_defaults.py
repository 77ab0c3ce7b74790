"""The papers' hyperparameters, per model and per (model, dataset): what ``npgnn train`` and
:func:`npgnn.experiment.run` use for every setting left unset.

A module of plain data (no imports) so that ``npgnn train --help`` can show every default without
loading the library.
"""
from __future__ import annotations

from typing import Any

__all__ = ["DATASET_DEFAULTS", "GRAPH_ONLY", "NODE_ONLY", "PAPER_DEFAULTS", "describe"]

#: The papers' hyperparameters (GCN: Kipf & Welling 2017; GAT: Veličković et al. 2018; GIN: Xu
#: et al. 2019, its "bio" setting; SAGE and MLP: the GCN setting with width 64).
PAPER_DEFAULTS: dict[str, dict[str, Any]] = {
    "gcn": dict(epochs=200, lr=0.01, hidden=16, dropout=0.5, weight_decay=5e-4, stopping="window", patience=10),
    "gat": dict(epochs=1000, lr=0.005, hidden=8, dropout=0.6, weight_decay=5e-4, stopping="patience", patience=100),
    "sage": dict(epochs=200, lr=0.01, hidden=64, dropout=0.5, weight_decay=5e-4, stopping="patience", patience=100),
    "mlp": dict(epochs=200, lr=0.01, hidden=64, dropout=0.5, weight_decay=5e-4, stopping="patience", patience=100),
    "gin": dict(epochs=350, lr=0.01, hidden=32, dropout=0.5, weight_decay=0.0, batch_size=32, folds=10,
                protocol="gin"),
    # GINE (Hu et al. 2020) in GIN's setup, so that the two differ only by the edge features
    "gine": dict(epochs=350, lr=0.01, hidden=32, dropout=0.5, weight_decay=0.0, batch_size=32, folds=10,
                 protocol="gin"),
    # GraphGPS (Rampášek et al. 2022) as PyG's example: width 64, 4 heads, Adam 1e-3; 3 layers and
    # 100 epochs for the small TU datasets, GIN's folds and batches
    "gps": dict(epochs=100, lr=0.001, hidden=64, dropout=0.1, weight_decay=0.0, batch_size=32, folds=10,
                protocol="gin"),
}
#: Settings that only one task uses: a node model given ``folds`` (or a graph model given
#: ``stopping``) is refused rather than silently ignored.
#: ``batch_size`` serves both: graphs per batch, or seed nodes per sampled batch (node models).
NODE_ONLY = ("stopping", "patience", "num_neighbors")
GRAPH_ONLY = ("folds", "protocol")
#: Dataset-specific settings from the papers: GAT on PubMed (8 output heads, lr 0.01, L2 1e-3);
#: GIN on the social datasets (hidden 64).
DATASET_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("gat", "pubmed"): dict(lr=0.01, weight_decay=1e-3, out_heads=8),
    ("gin", "imdb-binary"): dict(hidden=64),
    ("gin", "imdb-multi"): dict(hidden=64),
}




def describe(key: str) -> str:
    """The paper's value of ``key`` for each model that uses it: ``"gcn 200, gat 1000, ..."``."""
    return ", ".join(f"{model} {values[key]:g}" if isinstance(values[key], float)
                     else f"{model} {values[key]}"
                     for model, values in PAPER_DEFAULTS.items() if key in values)
