"""Datasets: Planetoid citation graphs, TU graph-classification sets, Zachary's karate club.

- ``Planetoid(name, root=None, download=True) -> NodeDataset``: Cora, CiteSeer, PubMed with the
  public split; ``.graph`` (sparse CSR features), ``.num_classes``, ``.num_features``.
- ``TUDataset(name, root=None, download=True, use_node_attr=False, use_edge_attr=False)``: a
  sequence of ``Graph`` (one per molecule / protein / ego-network) with ``.y``, ``.num_classes``.
- ``karate_club(split="leaders") -> Graph``: built from networkx, no download.
- ``available_datasets(root=None)``: what is on disk (under ``root`` and in the cache).

Raw files come from ``root`` when given, else from the cache (``$NPGNN_CACHE``, default
``~/.cache/npgnn``), downloaded there on first use. Every raw file is verified against a pinned
sha256 (or, for TU datasets npgnn does not pin, the hash recorded at first download) before it is
parsed; Planetoid pickles are read with a restricted unpickler.
"""
from npgnn.datasets._cache import cache_dir
from npgnn.datasets._download import ChecksumError, DownloadError, download
from npgnn.datasets._listing import DatasetInfo, available_datasets
from npgnn.datasets.karate import karate_club
from npgnn.datasets.planetoid import NodeDataset, Planetoid
from npgnn.datasets.tu import TUDataset

__all__ = [
    "ChecksumError",
    "DatasetInfo",
    "DownloadError",
    "NodeDataset",
    "Planetoid",
    "TUDataset",
    "available_datasets",
    "cache_dir",
    "download",
    "karate_club",
]
