"""Planetoid citation graphs (Cora, CiteSeer, PubMed) with the public split of Yang et al. 2016.

Reads the original release files ``ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}`` and
reproduces PyTorch Geometric's ``read_planetoid_data`` exactly (features, labels, masks, edge
set), but keeps the bag-of-words features sparse.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.datasets._cache import cache_dir, read_verified
from npgnn.datasets._checksums import pinned
from npgnn.datasets._download import download as _download
from npgnn.datasets._files import first_existing, not_found
from npgnn.datasets._safe_pickle import restricted_load
from npgnn.graph import Graph

#: Where the release files are downloaded from (the URL PyTorch Geometric uses).
PLANETOID_URL = "https://github.com/kimiyoung/planetoid/raw/master/data"

#: lower-case name -> display name
PLANETOID_NAMES = {"cora": "Cora", "citeseer": "CiteSeer", "pubmed": "PubMed"}
PLANETOID_PARTS = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
_NUM_VAL = 500


@dataclass(frozen=True)
class NodeDataset:
    """One graph for node classification, with what a model needs to be sized.

    Attributes:
        graph: the ``Graph``: ``x`` (N, F) float32 (a scipy CSR matrix for Planetoid; call
            ``.toarray()`` for a dense copy), ``edge_index`` (2, E) int64, ``y`` (N,) int64 and
            boolean ``train_mask``/``val_mask``/``test_mask`` (N,).
        num_classes: C, the number of label classes.
        name: the dataset's display name, e.g. ``"Cora"``.
    """

    graph: Graph
    num_classes: int
    name: str

    @property
    def num_features(self) -> int:
        """F, the number of node feature columns."""
        return int(self.graph.x.shape[1])

    @property
    def num_nodes(self) -> int:
        """N, the number of nodes."""
        return int(self.graph.x.shape[0])

    def __repr__(self) -> str:
        return (f"NodeDataset({self.name}: {self.num_nodes} nodes, "
                f"{self.graph.edge_index.shape[1]} edges, {self.num_features} features, "
                f"{self.num_classes} classes)")


def _candidates(root: str | os.PathLike | None, lname: str, filename: str) -> list[Path]:
    places: list[Path] = []
    if root is not None:
        r = Path(root).expanduser()
        # npgnn layout (root holds ind.* directly) and PyTorch Geometric's (<root>/Cora/raw/).
        places += [r / filename, r / PLANETOID_NAMES[lname] / "raw" / filename]
    places.append(cache_dir() / "planetoid" / filename)
    return places


def _fetch(root: str | os.PathLike | None, lname: str, part: str, download: bool,
           progress: bool) -> tuple[Path, bytes]:
    """Locate (or download into the cache) one raw file, then read and verify it."""
    filename = f"ind.{lname}.{part}"
    key = f"planetoid/{filename}"
    places = _candidates(root, lname, filename)
    path = first_existing(places)
    if path is None:
        dest = places[-1]
        url = f"{PLANETOID_URL}/{filename}"
        if not download:
            raise not_found(filename, PLANETOID_NAMES[lname], places,
                            f"Pass download=True to fetch it from {url} into the cache, or copy "
                            f"the file into one of these places.")
        expected = pinned(key)
        try:
            _download(url, dest, sha256=expected[1] if expected else None, progress=progress)
        except OSError as err:
            raise not_found(filename, PLANETOID_NAMES[lname], places,
                            f"Downloading it from {url} failed: {err}") from err
        path = dest
    return path, read_verified(path, key)


def _check(cond: bool, path: Path, what: str) -> None:
    if not cond:
        raise ValueError(f"{path}: {what}; the file does not match the Planetoid release format")


def Planetoid(  # noqa: N802 -- named like the PyTorch Geometric class it mirrors
    name: str,
    root: str | os.PathLike | None = None,
    download: bool = True,
    progress: bool = True,
) -> NodeDataset:
    """Load Cora, CiteSeer or PubMed with the public Planetoid split.

    Files are looked up in ``root`` (which directly holds ``ind.<name>.*``; PyTorch Geometric's
    ``<root>/<Name>/raw/`` layout is accepted too), then in the cache
    (``$NPGNN_CACHE``/planetoid, default ``~/.cache/npgnn``); missing files are downloaded into
    the cache from ``PLANETOID_URL`` when ``download`` is true. Every file is checked against its
    pinned sha256 before it is parsed, and the pickles are read with a restricted unpickler.

    Processing (identical to PyTorch Geometric's ``read_planetoid_data``):
        - x = vstack(allx, tx) with the test rows moved so that row ``tx[k]`` belongs to node
          ``test.index[k]``; float32, kept as a scipy CSR matrix (N, F).
        - CiteSeer: the test ids span 1015 positions but only 1000 are listed; the 15 missing
          nodes get all-zero features, label 0 (argmax of an all-zero row, as in PyG) and are
          in no mask.
        - y = argmax of the one-hot label rows, (N,) int64.
        - Masks (N,) bool: train = the first len(y) ids, val = the next 500, test = test.index.
        - edge_index (2, E) int64 from the adjacency dict, made symmetric, self-loops and
          duplicates removed, sorted by target then source.

    Expected sizes (N / E / F / C): Cora 2708 / 10556 / 1433 / 7, CiteSeer 3327 / 9104 / 3703 / 6,
    PubMed 19717 / 88648 / 500 / 3.

    Args:
        name: ``"cora"``, ``"citeseer"`` or ``"pubmed"`` (any case).
        root: a directory holding local copies of the raw files, or None for the cache only.
        download: download missing files into the cache.
        progress: show a download progress bar (only on a terminal).

    Returns:
        A ``NodeDataset`` with ``.graph``, ``.num_classes``, ``.num_features`` and ``.name``.

    Raises:
        ValueError: unknown ``name``, or a file that does not have the expected structure.
        FileNotFoundError: a raw file is missing; the message lists every place looked.
        ChecksumError: a raw file's size or sha256 differs from the pinned one.
        pickle.UnpicklingError: a file contains a disallowed object.

    Example:
        >>> ds = Planetoid("cora", root="../shared/datasets/planetoid")  # doctest: +SKIP
        >>> ds.graph.x.shape, ds.num_classes                            # doctest: +SKIP
        ((2708, 1433), 7)
    """
    if not isinstance(name, str) or name.lower() not in PLANETOID_NAMES:
        raise ValueError(f"Planetoid: name must be one of {sorted(PLANETOID_NAMES)} (any case), "
                         f"got {name!r}")
    lname = name.lower()
    loaded: dict[str, tuple[Path, Any]] = {}
    for part in PLANETOID_PARTS:
        path, data = _fetch(root, lname, part, download, progress)
        if part == "test.index":
            try:
                obj: Any = np.loadtxt(io.BytesIO(data), dtype=np.int64, ndmin=1)
            except ValueError as err:
                raise ValueError(f"{path}: expected one integer node id per line: {err}") from err
        else:
            obj = restricted_load(data, path)
        loaded[part] = (path, obj)
    return NodeDataset(graph=_build(loaded), num_classes=int(loaded["ally"][1].shape[1]),
                       name=PLANETOID_NAMES[lname])


def _build(loaded: dict[str, tuple[Path, Any]]) -> Graph:
    (p_tx, tx), (p_allx, allx), (p_ty, ty), (p_ally, ally) = (
        loaded["tx"], loaded["allx"], loaded["ty"], loaded["ally"])
    (p_y, y_train), (p_graph, adj), (p_ti, test_index) = (
        loaded["y"], loaded["graph"], loaded["test.index"])
    for p, m in ((p_tx, tx), (p_allx, allx)):
        _check(isinstance(m, sp.csr_matrix), p, f"expected a CSR matrix, got {type(m).__name__}")
    for p, a in ((p_ty, ty), (p_ally, ally), (p_y, y_train)):
        _check(isinstance(a, np.ndarray) and a.ndim == 2, p, "expected a 2-D one-hot array")
    _check(isinstance(adj, dict), p_graph, f"expected a dict of neighbour lists, got "
                                           f"{type(adj).__name__}")
    num_features, num_classes = allx.shape[1], ally.shape[1]
    _check(tx.shape[1] == num_features, p_tx, f"{tx.shape[1]} columns, allx has {num_features}")
    _check(ty.shape[1] == num_classes and y_train.shape[1] == num_classes, p_ty,
           f"label width differs from ally's {num_classes}")
    _check(allx.shape[0] == ally.shape[0], p_ally, f"{ally.shape[0]} rows, allx has "
                                                   f"{allx.shape[0]}")
    _check(tx.shape[0] == ty.shape[0] == test_index.size, p_ti,
           f"{test_index.size} test ids but tx/ty have {tx.shape[0]}/{ty.shape[0]} rows")
    _check(test_index.size == np.unique(test_index).size, p_ti, "repeated test ids")

    n_all = allx.shape[0]
    sorted_test = np.sort(test_index)
    _check(test_index.size == 0 or sorted_test[0] == n_all, p_ti,
           f"the smallest test id is {sorted_test[:1]}, expected {n_all} (= rows of allx)")
    # Test rows sit after allx; where the ids have gaps (CiteSeer) the missing rows stay empty.
    span = int(sorted_test[-1] - sorted_test[0] + 1) if test_index.size else 0
    pos = sorted_test - n_all                                   # row of the k-th smallest id
    tx_coo = tx.tocoo()
    tx_ext = sp.csr_matrix((tx_coo.data, (pos[tx_coo.row], tx_coo.col)),
                           shape=(span, num_features))
    ty_ext = np.zeros((span, num_classes), dtype=ty.dtype)
    ty_ext[pos] = ty
    num_nodes = n_all + span

    # PyG: x[test_index] = x[sorted_test_index], i.e. row tx[k] ends at node test_index[k].
    perm = np.arange(num_nodes)
    perm[test_index] = sorted_test
    x = sp.vstack([allx, tx_ext], format="csr")[perm].astype(np.float32)
    x.sum_duplicates()
    x.eliminate_zeros()
    x.sort_indices()
    y = np.concatenate([ally, ty_ext]).argmax(axis=1).astype(np.int64)[perm]

    n_train = y_train.shape[0]
    train_mask = np.zeros(num_nodes, dtype=bool)
    train_mask[:n_train] = True
    val_mask = np.zeros(num_nodes, dtype=bool)
    val_mask[n_train:n_train + _NUM_VAL] = True
    test_mask = np.zeros(num_nodes, dtype=bool)
    test_mask[test_index] = True

    edge_index = _edges_from_dict(adj, num_nodes, p_graph)
    return Graph(edge_index=edge_index, num_nodes=num_nodes, x=x, y=y, train_mask=train_mask,
                 val_mask=val_mask, test_mask=test_mask)


def _edges_from_dict(adj: dict[Any, Any], num_nodes: int, path: Path) -> np.ndarray:
    """Symmetric, loop-free, duplicate-free (2, E) edge_index sorted by (target, source)."""
    lengths = np.fromiter((len(v) for v in adj.values()), dtype=np.int64, count=len(adj))
    keys = np.fromiter(adj.keys(), dtype=np.int64, count=len(adj))
    nbrs = np.fromiter((u for v in adj.values() for u in v), dtype=np.int64,
                       count=int(lengths.sum()))
    src = np.repeat(keys, lengths)
    for ids in (src, nbrs):
        if ids.size and (ids.min() < 0 or ids.max() >= num_nodes):
            raise ValueError(f"{path}: node ids must lie in [0, {num_nodes}), found "
                             f"min={ids.min()} max={ids.max()}")
    row = np.concatenate([src, nbrs])
    col = np.concatenate([nbrs, src])
    keep = row != col
    code = np.unique(col[keep] * num_nodes + row[keep])        # sorted by target, then source
    return np.stack([code % num_nodes, code // num_nodes]).astype(np.int64)
