"""Datasets: Planetoid citation graphs, TU graph-classification sets, Zachary's karate club.

- ``Planetoid(root, name, split="public", ..., transform=None, pre_transform=None)``: Cora,
  CiteSeer, PubMed as a one-graph dataset (``ds[0]``, ``ds.num_classes``, ``ds.graph``).
- ``TUDataset(root, name, transform=None, pre_transform=None, pre_filter=None,
  use_node_attr=False, use_edge_attr=False)``: a sequence of ``Graph`` (one per molecule /
  protein / ego-network) with views by slice, fraction, index array or mask.
- ``karate_club(split="leaders") -> Graph``: built from networkx, no download.
- ``DegreeCorrectedBlockModelDataset(num_nodes, ...)``: a generated graph with power-law degrees,
  communities and class-correlated features, up to ogbn-products' size, no download.
- ``available_datasets(root=None)``: what is on disk (under ``root`` and in the cache).
- ``resolve_root(root, kind, name)``: the one rule for where under ``root`` a dataset's raw
  files are (shared by the loaders and the CLI).

The earlier npgnn forms ``Planetoid("cora", root=...)`` and ``TUDataset("MUTAG", root=...)``
keep working. Raw files come from ``root`` when given, else from the cache (``$NPGNN_CACHE``,
default ``~/.cache/npgnn``), downloaded there on first use. Every raw file is verified against a
pinned sha256 (or, for TU datasets npgnn does not pin, the hash recorded at first download)
before it is parsed; Planetoid pickles are read with a restricted unpickler.
"""
from npgnn.datasets._base import GraphDataset
from npgnn.datasets._cache import cache_dir
from npgnn.datasets._download import ChecksumError, DownloadError, download
from npgnn.datasets._listing import DatasetInfo, available_datasets
from npgnn.datasets._root import resolve_root
from npgnn.datasets.blockmodel import DegreeCorrectedBlockModelDataset
from npgnn.datasets.karate import karate_club
from npgnn.datasets.planetoid import NodeDataset, Planetoid
from npgnn.datasets.tu import TUDataset

__all__ = [
    "ChecksumError",
    "DatasetInfo",
    "DegreeCorrectedBlockModelDataset",
    "DownloadError",
    "GraphDataset",
    "NodeDataset",
    "Planetoid",
    "TUDataset",
    "available_datasets",
    "cache_dir",
    "download",
    "karate_club",
    "resolve_root",
]
