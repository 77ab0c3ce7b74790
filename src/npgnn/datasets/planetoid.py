"""Planetoid citation graphs (Cora, CiteSeer, PubMed) with the public split of Yang et al. 2016.

Reads the original release files ``ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}`` and
reproduces PyTorch Geometric's ``read_planetoid_data`` exactly (features, labels, masks, edge
set), but keeps the bag-of-words features sparse.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.datasets._base import GraphDataset, Transform, did_you_mean, positional_arguments
from npgnn.datasets._cache import cache_dir, read_verified
from npgnn.datasets._checksums import pinned
from npgnn.datasets._download import download as _download
from npgnn.datasets._files import first_existing, not_found
from npgnn.datasets._root import candidate_folders
from npgnn.datasets._safe_pickle import restricted_load
from npgnn.graph import Graph
from npgnn.graph._checks import as_count

#: Where the release files are downloaded from (the URL PyTorch Geometric uses).
PLANETOID_URL = "https://github.com/kimiyoung/planetoid/raw/master/data"

#: lower-case name -> display name
PLANETOID_NAMES = {"cora": "Cora", "citeseer": "CiteSeer", "pubmed": "PubMed"}
PLANETOID_PARTS = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
_NUM_VAL = 500


def _candidates(root: str | os.PathLike | None, lname: str, filename: str) -> list[Path]:
    places = [folder / filename for folder in candidate_folders(root, "planetoid", lname)]
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


class Planetoid(GraphDataset):
    """Cora, CiteSeer or PubMed: one citation graph for node classification (PyG's
    ``Planetoid``), with the public split of Yang et al. (2016) or PyG's other splits.

    Signatures: PyG's ``Planetoid(root, name, split="public", num_train_per_class=20,
    num_val=500, num_test=1000, transform=None, pre_transform=None, force_reload=False)`` and
    npgnn's earlier ``Planetoid(name, root=None, download=True, progress=True)`` (a single
    positional argument is the name unless ``name=`` is given).

    Files are looked up where ``npgnn.datasets.resolve_root(root, "planetoid", name)`` looks
    (``root`` itself, ``root/planetoid``, PyG's ``root/Cora/raw``), then in the cache
    (``$NPGNN_CACHE``/planetoid, default ``~/.cache/npgnn``); missing files are downloaded into
    the cache from ``PLANETOID_URL`` when ``download`` is true. Every file is checked against
    its pinned sha256 before it is parsed, and the pickles are read with a restricted unpickler.

    Processing (identical to PyTorch Geometric's ``read_planetoid_data``):
        - x = vstack(allx, tx) with the test rows moved so that row ``tx[k]`` belongs to node
          ``test.index[k]``; float32, kept as a scipy CSR matrix (N, F) (npgnn: sparse; call
          ``.toarray()`` for a dense copy).
        - CiteSeer: the test ids span 1015 positions but only 1000 are listed; the 15 missing
          nodes get all-zero features, label 0 (argmax of an all-zero row, as in PyG) and are
          in no mask.
        - y = argmax of the one-hot label rows, (N,) int64.
        - Masks (N,) bool for ``split="public"``: train = the first len(y) ids, val = the next
          500, test = test.index. ``"full"``: every node outside val/test trains. ``"random"``:
          ``num_train_per_class`` random nodes per class train, then ``num_val`` and
          ``num_test`` random others (drawn from npgnn's global generator,
          ``npgnn.manual_seed``; torch's draws differ). ``"geom-gcn"`` is not supported.
        - edge_index (2, E) int64 from the adjacency dict, made symmetric, self-loops and
          duplicates removed, sorted by target then source.

    Expected sizes (N / E / F / C): Cora 2708 / 10556 / 1433 / 7, CiteSeer 3327 / 9104 / 3703 / 6,
    PubMed 19717 / 88648 / 500 / 3.

    ``len(ds) == 1``; ``ds[0]`` is the graph with ``transform`` applied (a fresh copy);
    ``ds.graph`` the stored graph (after ``pre_transform``, without ``transform``).

    Args:
        root: a folder as described above, or None for the cache only.
        name: ``"Cora"``, ``"CiteSeer"`` or ``"PubMed"`` (any case).
        split, num_train_per_class, num_val, num_test: as in PyG (see above).
        transform, pre_transform: Graph -> Graph callables, on access / once at load.
        force_reload: accepted for PyG compatibility (npgnn keeps no processed copy).
        download: download missing files into the cache (npgnn).
        progress: show a download progress bar (only on a terminal) (npgnn).

    Raises:
        ValueError: unknown ``name`` (with the closest one) or ``split``; a file that does not
            have the expected structure.
        FileNotFoundError: a raw file is missing; the message lists every place looked.
        ChecksumError: a raw file's size or sha256 differs from the pinned one.
        pickle.UnpicklingError: a file contains a disallowed object.

    Example:
        >>> ds = Planetoid("../shared/datasets", "Cora")  # doctest: +SKIP
        >>> ds, ds[0].x.shape, ds.num_classes             # doctest: +SKIP
        (Cora(), (2708, 1433), 7)
    """

    def __init__(self, *args: Any, name: str | None = None,
                 root: str | os.PathLike | None = None, split: str = "public",
                 num_train_per_class: int = 20, num_val: int = 500, num_test: int = 1000,
                 transform: Transform | None = None, pre_transform: Transform | None = None,
                 force_reload: bool = False, download: bool = True, progress: bool = True,
                 ) -> None:
        root, name, given = positional_arguments(
            "Planetoid", args, root, name, ("split", "num_train_per_class", "num_val", "num_test",
                                            "transform", "pre_transform", "force_reload"), _is_name)
        split = given.get("split", split)
        num_train_per_class = given.get("num_train_per_class", num_train_per_class)
        num_val = given.get("num_val", num_val)
        num_test = given.get("num_test", num_test)
        transform = given.get("transform", transform)
        pre_transform = given.get("pre_transform", pre_transform)
        if not isinstance(name, str) or name.lower() not in PLANETOID_NAMES:
            hint = did_you_mean(name, list(PLANETOID_NAMES)) if isinstance(name, str) else ""
            raise ValueError(f"Planetoid: name must be one of {sorted(PLANETOID_NAMES)} (any "
                             f"case), got {name!r}{hint}")
        if not isinstance(split, str) or split.lower() not in _SPLITS:
            raise ValueError(f"Planetoid: split must be one of {list(_SPLITS)}, got {split!r}")
        split = split.lower()
        if split == "geom-gcn":
            raise ValueError("Planetoid: split='geom-gcn' (Pei et al.'s ten fixed splits) is not "
                             "supported: npgnn does not ship its split files; use 'public', "
                             "'full' or 'random'")
        for arg, value in (("num_train_per_class", num_train_per_class), ("num_val", num_val),
                           ("num_test", num_test)):
            as_count(arg, value)
        graph = _load(name, root, download, progress)
        if split == "full":
            graph.train_mask = ~(graph.val_mask | graph.test_mask)
        elif split == "random":
            _random_split(graph, num_train_per_class, num_val, num_test)
        self.name = PLANETOID_NAMES[name.lower()]
        self.split = split
        self._setup([graph], transform, pre_transform, None)

    @property
    def graph(self) -> Graph:
        """The stored graph (after ``pre_transform``; ``transform`` not applied)."""
        return self._stored[0]

    @property
    def num_nodes(self) -> int:
        """N, the number of nodes."""
        return int(self.graph.num_nodes)

    def __repr__(self) -> str:
        return f"{self.name}()"


#: The earlier name of the object ``Planetoid`` returns.
NodeDataset = Planetoid
_SPLITS = ("public", "full", "random", "geom-gcn")


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and value.lower() in PLANETOID_NAMES


def _random_split(graph: Graph, per_class: int, num_val: int, num_test: int) -> None:
    """PyG's ``split="random"``: per-class train nodes, then val and test from the rest."""
    from npgnn.random import default_generator

    rng = default_generator()
    y, n = graph.y, graph.num_nodes
    train = np.zeros(n, dtype=bool)
    for c in range(int(y.max()) + 1):          # a loop over classes, not nodes
        members = np.flatnonzero(y == c)
        train[members[rng.permutation(members.size)[:per_class]]] = True
    rest = np.flatnonzero(~train)
    rest = rest[rng.permutation(rest.size)]
    val = np.zeros(n, dtype=bool)
    val[rest[:num_val]] = True
    test = np.zeros(n, dtype=bool)
    test[rest[num_val:num_val + num_test]] = True
    graph.update(train_mask=train, val_mask=val, test_mask=test)


def _load(name: str, root: str | os.PathLike | None, download: bool, progress: bool) -> Graph:
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
    return _build(loaded)


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
