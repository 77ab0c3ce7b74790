"""TU Dortmund graph-classification datasets (MUTAG, PROTEINS, NCI1, IMDB-BINARY, ...).

Parsing is vectorized: each text file is read once with ``np.loadtxt``, edges are coalesced with
one ``np.unique`` over ``row * N + col`` codes, and graphs are split with ``np.searchsorted`` on
the (sorted) graph indicator. The result matches PyTorch Geometric's ``TUDataset`` graph by graph.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from npgnn.datasets._cache import cache_dir, read_record, read_verified, write_record
from npgnn.datasets._download import download as _download
from npgnn.datasets._download import extract_zip
from npgnn.datasets._files import not_found
from npgnn.graph import Graph

#: Mirrors tried in order for ``<NAME>.zip`` (PyTorch Geometric 2.8 uses the first).
TU_URLS = (
    "https://www.chrsmrrs.com/graphkerneldatasets",
    "https://www.chrsmrrs.de/graphkerneldatasets",
)

_REQUIRED = ("A", "graph_indicator")


def _folder_candidates(root: str | os.PathLike | None, name: str) -> list[Path]:
    places: list[Path] = []
    if root is not None:
        r = Path(root).expanduser()
        places += [r / name, r / name / "raw"]        # npgnn layout, then PyG's <root>/<NAME>/raw
    places.append(cache_dir() / "tu" / name)
    return places


def _download_tu(name: str, dest: Path, progress: bool) -> None:
    """Download ``<name>.zip``, extract it safely, verify, then move the folder into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for base in TU_URLS:
        url = f"{base}/{name}.zip"
        work = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".part", dir=dest.parent))
        try:
            archive = work / f"{name}.zip"
            try:
                _download(url, archive, progress=progress)
            except OSError as err:  # the reason only: the message names a temporary folder
                errors.append(f"{url}: {err.__cause__ or err}")
                continue
            try:
                extract_zip(archive, work / "extracted")
            except zipfile.BadZipFile as err:
                raise ValueError(f"{url}: the download is not a zip archive ({err}); the "
                                 f"server may have sent an error page. Try again later, or "
                                 f"copy the dataset's files by hand.") from err
            hits = sorted((work / "extracted").rglob(f"{name}_A.txt"))
            if not hits:
                raise ValueError(f"{url}: the archive holds no {name}_A.txt; is {name!r} a TU "
                                 f"dataset name?")
            src_dir = hits[0].parent
            data_files = [f for f in src_dir.iterdir()
                          if f.is_file() and f.name.startswith(f"{name}_")]
            for f in data_files:          # check pinned files now, before they reach the cache
                read_verified(f, f"tu/{name}/{f.name}")
            # Record every data file (trust on first use): pinned hashes still take precedence,
            # and files npgnn does not pin are checked against this record on later loads.
            write_record(src_dir, data_files)
            dest.mkdir(exist_ok=True)
            for f in src_dir.iterdir():
                if f.is_file():
                    os.replace(f, dest / f.name)
            return
        finally:
            shutil.rmtree(work, ignore_errors=True)
    raise OSError("; ".join(errors))


def _locate(name: str, root: str | os.PathLike | None, download: bool, progress: bool) -> Path:
    places = _folder_candidates(root, name)
    for folder in places:
        if all((folder / f"{name}_{p}.txt").is_file() for p in _REQUIRED):
            return folder
    looked = [p / f"{name}_A.txt" for p in places]
    urls = ", ".join(f"{u}/{name}.zip" for u in TU_URLS)
    if not download:
        raise not_found(f"{name}_A.txt", name, looked,
                        f"Pass download=True to fetch {urls} into the cache, or copy the "
                        f"dataset's text files into one of these folders.")
    try:
        _download_tu(name, places[-1], progress)
    except OSError as err:
        raise not_found(f"{name}_A.txt", name, looked,
                        f"Downloading failed: {err}. Check the name and the network, or copy "
                        f"the dataset's text files ({name}_A.txt, {name}_graph_indicator.txt, "
                        f"...) into {places[0]}.") from err
    return places[-1]


def _read(folder: Path, name: str, part: str, dtype: type, record: dict[str, tuple[int, str]],
          ) -> np.ndarray | None:
    path = folder / f"{name}_{part}.txt"
    if not path.is_file():
        return None
    data = read_verified(path, f"tu/{name}/{path.name}", record, folder / "SHA256SUMS.tsv")
    try:
        return np.loadtxt(io.BytesIO(data), delimiter=",", dtype=dtype, ndmin=2)
    except ValueError as err:
        raise ValueError(f"{path}: expected comma-separated {dtype.__name__} values, one row "
                         f"per line: {err}") from err


def _one_hot_columns(labels: np.ndarray) -> np.ndarray:
    """One-hot each column of integer labels and concatenate: (N, K) -> (N, sum of widths).

    As PyG: each column is shifted by its minimum and has ``max - min + 1`` categories.
    """
    labels = labels - labels.min(axis=0, keepdims=True)
    widths = labels.max(axis=0) + 1
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]])
    out = np.zeros((labels.shape[0], int(widths.sum())), dtype=np.float32)
    rows = np.repeat(np.arange(labels.shape[0]), labels.shape[1])
    out[rows, (labels + offsets).ravel()] = 1.0
    return out


class TUDataset(Sequence[Graph]):
    """A TU Dortmund graph-classification dataset as a sequence of ``Graph`` objects.

    Files ``<NAME>_A.txt`` (1-based "i, j" edges), ``<NAME>_graph_indicator.txt`` and, where
    present, ``_node_labels``, ``_node_attributes``, ``_edge_labels``, ``_edge_attributes`` and
    ``_graph_labels`` are read from ``<root>/<NAME>/`` (or PyG's ``<root>/<NAME>/raw/``), else
    from the cache (``$NPGNN_CACHE``/tu/<NAME>), else downloaded from ``TU_URLS``. Files of the
    datasets npgnn pins (MUTAG, PROTEINS, ENZYMES, NCI1, NCI109, PTC_MR, IMDB-BINARY, IMDB-MULTI)
    are checked against their sha256 before parsing; for other datasets the hashes are recorded in
    the cache at first download and checked on later loads (a local copy of such a dataset under
    ``root=`` has nothing to be checked against and is read as is).

    Each graph ``g = ds[i]`` (PyTorch Geometric's processing):
        - ``g.edge_index`` (2, E_i) int64, 0-based within the graph, self-loops removed,
          duplicates merged, sorted by (source, target).
        - ``g.x`` (N_i, F) float32: [continuous node attributes if ``use_node_attr``] followed by
          one-hot node labels (each label column shifted by its minimum, ``max - min + 1``
          categories). When that leaves no feature at all (IMDB-BINARY, IMDB-MULTI), ``x`` is the
          one-hot degree (out-degree, ``max_degree + 1`` columns, ``max_degree`` over the whole
          dataset), as PyG's ``OneHotDegree`` in the GIN paper's setup; ``degree_features`` is
          then True.
        - ``g.edge_attr`` (E_i, D) float32: [edge attributes if ``use_edge_attr``] followed by
          one-hot edge labels; None when there are neither. Merged duplicate edges sum theirs.
        - ``g.y`` (1,) int64: the graph label mapped to 0..C-1 by sorted value (MUTAG -1/1 -> 0/1).

    Indexing: ``ds[i]`` (int) builds a fresh ``Graph`` (its arrays are copies); ``ds[a:b]``,
    ``ds[[i, j]]``, ``ds[int_array]`` and ``ds[bool_mask]`` return a ``TUDataset`` view of those
    graphs (sharing storage), e.g. for cross-validation folds.

    Args:
        name: the dataset name as on the TU site, e.g. ``"MUTAG"`` (case-sensitive).
        root: a directory holding ``<NAME>/`` folders, or None for the cache only.
        download: download into the cache if no local copy is found.
        use_node_attr: prepend continuous node attributes to the one-hot node labels.
        use_edge_attr: prepend continuous edge attributes to the one-hot edge labels.
        progress: show a download progress bar (only on a terminal).

    Attributes:
        name, num_classes (C), num_features (F), num_edge_features (D), y ((G,) int64 labels of
        the graphs in this view), indices ((G,) ids of this view's graphs in the full dataset),
        classes (the original label values, sorted), degree_features.

    Raises:
        FileNotFoundError: no copy found (and download off or failed); lists every place looked.
        ChecksumError: a file differs from its pinned or recorded sha256.
        ValueError: a malformed file (the message names it).

    Example:
        >>> ds = TUDataset("MUTAG", root="../shared/datasets/tu")  # doctest: +SKIP
        >>> len(ds), ds.num_features, ds.num_classes, ds[0].x.shape  # doctest: +SKIP
        (188, 7, 2, (17, 7))
    """

    name: str

    def __init__(
        self,
        name: str,
        root: str | os.PathLike | None = None,
        download: bool = True,
        use_node_attr: bool = False,
        use_edge_attr: bool = False,
        progress: bool = True,
    ) -> None:
        if not isinstance(name, str) or not name or "/" in name or "\\" in name or ".." in name:
            raise ValueError(f"TUDataset: name must be a dataset name such as 'MUTAG', "
                             f"got {name!r}")
        folder = _locate(name, root, download, progress)
        self._load(folder, name, use_node_attr, use_edge_attr)
        self._indices = np.arange(len(self._graph_y))

    # ---------------------------------------------------------------- parsing
    def _load(self, folder: Path, name: str, use_node_attr: bool, use_edge_attr: bool) -> None:
        record = read_record(folder)

        def read(part: str, dtype: type = np.int64) -> np.ndarray | None:
            return _read(folder, name, part, dtype, record)

        def fail(part: str, msg: str) -> ValueError:
            return ValueError(f"{folder / f'{name}_{part}.txt'}: {msg}")

        edges, indicator = read("A"), read("graph_indicator")
        if edges is None or indicator is None:
            missing = "A" if edges is None else "graph_indicator"
            raise FileNotFoundError(f"{folder / f'{name}_{missing}.txt'}: file disappeared "
                                    f"while loading")
        if edges.shape[1] != 2:
            raise fail("A", f"expected 2 columns 'i, j', got {edges.shape[1]}")
        if indicator.shape[1] != 1:
            raise fail("graph_indicator", f"expected 1 column, got {indicator.shape[1]}")
        batch = indicator[:, 0] - 1                                   # (N,) graph of each node
        n = batch.size
        if n == 0 or batch.min() < 0:
            raise fail("graph_indicator", "expected 1-based graph ids, one line per node")
        if np.any(np.diff(batch) < 0):
            raise fail("graph_indicator", "graph ids must be non-decreasing (the nodes of a "
                                          "graph are consecutive)")
        row, col = edges[:, 0] - 1, edges[:, 1] - 1
        if edges.size and (min(row.min(), col.min()) < 0 or max(row.max(), col.max()) >= n):
            raise fail("A", f"node ids must lie in [1, {n}] (1-based, {n} nodes in "
                            f"graph_indicator), found min={edges.min()} max={edges.max()}")
        if np.any(batch[row] != batch[col]):
            bad = int(np.flatnonzero(batch[row] != batch[col])[0])
            raise fail("A", f"line {bad + 1} joins nodes of different graphs")

        def features(attr_part: str, label_part: str, use_attr: bool, count: int,
                     ) -> tuple[np.ndarray, int, int]:
            attrs = read(attr_part, np.float64) if use_attr else None
            labels = read(label_part)
            blocks = []
            for part, arr in ((attr_part, attrs), (label_part, labels)):
                if arr is not None and arr.shape[0] != count:
                    raise fail(part, f"expected {count} lines, got {arr.shape[0]}")
            if attrs is not None:
                blocks.append(attrs.astype(np.float32))
            n_labels = 0
            if labels is not None and labels.size:
                onehot = _one_hot_columns(labels)
                n_labels = onehot.shape[1]
                blocks.append(onehot)
            n_attr = 0 if attrs is None else attrs.shape[1]
            out = (np.concatenate(blocks, axis=1) if blocks
                   else np.zeros((count, 0), dtype=np.float32))
            return out, n_attr, n_labels

        x, self.num_node_attributes, self.num_node_labels = features(
            "node_attributes", "node_labels", use_node_attr, n)
        edge_attr, self.num_edge_attributes, self.num_edge_labels = features(
            "edge_attributes", "edge_labels", use_edge_attr, edges.shape[0])

        graph_labels = read("graph_labels")
        num_graphs = int(batch[-1]) + 1
        if graph_labels is None:
            if (folder / f"{name}_graph_attributes.txt").is_file():
                raise NotImplementedError(f"{name}: graph regression targets (graph_attributes) "
                                          f"are not supported yet; only graph_labels")
            raise fail("graph_labels", "file missing: a graph-classification dataset needs it")
        if graph_labels.shape != (num_graphs, 1):
            raise fail("graph_labels", f"expected {num_graphs} lines of one label (graph_indicator "
                                       f"has {num_graphs} graphs), got shape {graph_labels.shape}")
        self.classes, graph_y = np.unique(graph_labels[:, 0], return_inverse=True)
        self._graph_y = graph_y.astype(np.int64).reshape(-1)

        # Coalesce as PyG: drop self-loops, merge duplicates (sum edge_attr), sort by (row, col).
        keep = row != col
        code = row[keep] * n + col[keep]
        order = np.argsort(code, kind="stable")
        code, edge_attr = code[order], edge_attr[keep][order]
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if code.size else order[:0]
        if starts.size != code.size:                           # duplicates: keep one, sum attrs
            if edge_attr.shape[1]:
                edge_attr = np.add.reduceat(edge_attr, starts, axis=0)
            else:
                edge_attr = edge_attr[starts]
            code = code[starts]
        row, col = code // n, code % n

        self._node_ptr = np.searchsorted(batch, np.arange(num_graphs + 1)).astype(np.int64)
        self._edge_ptr = np.searchsorted(row, self._node_ptr).astype(np.int64)
        offset = self._node_ptr[batch[row]]
        self._edge_index = np.stack([row - offset, col - offset]).astype(np.int64)
        self._edge_attr = edge_attr if edge_attr.shape[1] else None

        self.degree_features = x.shape[1] == 0
        if self.degree_features:
            self._degree = np.bincount(row, minlength=n).astype(np.int64)
            self._max_degree = int(self._degree.max()) if n else 0
            self._x: np.ndarray | None = None
        else:
            self._x = x
        self.name = name

    # ---------------------------------------------------------------- sequence protocol
    def __len__(self) -> int:
        return int(self._indices.size)

    @overload
    def __getitem__(self, index: int | np.integer) -> Graph: ...
    @overload
    def __getitem__(self, index: slice | Sequence[int] | np.ndarray) -> TUDataset: ...

    def __getitem__(self, index: Any) -> Graph | TUDataset:
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
            i = int(index)
            if not -len(self) <= i < len(self):
                raise IndexError(f"{self.name}: index {i} is out of range for {len(self)} graphs")
            return self._graph(int(self._indices[i]))
        if isinstance(index, slice):
            return self._view(self._indices[index])
        arr = np.asarray(index)
        if arr.dtype == bool:
            if arr.shape != (len(self),):
                raise IndexError(f"{self.name}: a boolean mask must have shape ({len(self)},), "
                                 f"got {arr.shape}")
            return self._view(self._indices[arr])
        if arr.ndim == 1 and (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
            arr = arr.astype(np.int64)
            if arr.size and (arr.min() < -len(self) or arr.max() >= len(self)):
                raise IndexError(f"{self.name}: indices must lie in [{-len(self)}, {len(self)}), "
                                 f"found min={arr.min()} max={arr.max()}")
            return self._view(self._indices[arr])
        raise TypeError(f"{self.name}: index must be an int, a slice, a 1-D integer array or a "
                        f"boolean mask, got {type(index).__name__}"
                        + (f" with dtype={arr.dtype} shape={arr.shape}" if arr.ndim else ""))

    def __iter__(self) -> Iterator[Graph]:
        for g in self._indices:
            yield self._graph(int(g))

    def _view(self, indices: np.ndarray) -> TUDataset:
        view = object.__new__(TUDataset)
        view.__dict__.update(self.__dict__)
        view._indices = np.asarray(indices, dtype=np.int64)
        return view

    def _graph(self, g: int) -> Graph:
        n0, n1 = self._node_ptr[g], self._node_ptr[g + 1]
        e0, e1 = self._edge_ptr[g], self._edge_ptr[g + 1]
        if self._x is not None:
            x = self._x[n0:n1].copy()
        else:
            x = np.zeros((n1 - n0, self._max_degree + 1), dtype=np.float32)
            x[np.arange(n1 - n0), self._degree[n0:n1]] = 1.0
        edge_attr = None if self._edge_attr is None else self._edge_attr[e0:e1].copy()
        return Graph(edge_index=self._edge_index[:, e0:e1].copy(), num_nodes=int(n1 - n0), x=x,
                     edge_attr=edge_attr, y=self._graph_y[g:g + 1].copy())

    # ---------------------------------------------------------------- summary
    @property
    def indices(self) -> np.ndarray:
        """(G,) int64: the ids, in the full dataset, of the graphs of this view."""
        return self._indices.copy()

    @property
    def y(self) -> np.ndarray:
        """(G,) int64 graph labels in 0..C-1, for the graphs of this view."""
        return self._graph_y[self._indices]

    @property
    def num_classes(self) -> int:
        """C, the number of graph classes in the full dataset."""
        return int(self.classes.size)

    @property
    def num_features(self) -> int:
        """F, the width of every graph's ``x``."""
        return self._max_degree + 1 if self._x is None else int(self._x.shape[1])

    @property
    def num_edge_features(self) -> int:
        """D, the width of ``edge_attr`` (0 when the graphs have none)."""
        return 0 if self._edge_attr is None else int(self._edge_attr.shape[1])

    @property
    def num_nodes(self) -> np.ndarray:
        """(G,) int64: node count of each graph of this view."""
        return np.diff(self._node_ptr)[self._indices]

    def __repr__(self) -> str:
        return (f"TUDataset({self.name}: {len(self)} graphs, {self.num_features} features, "
                f"{self.num_classes} classes)")
