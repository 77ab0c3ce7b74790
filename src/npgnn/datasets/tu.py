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
from pathlib import Path
from typing import Any

import numpy as np

from npgnn.datasets._base import GraphDataset, Transform, did_you_mean, positional_arguments
from npgnn.datasets._cache import cache_dir, read_record, read_verified, write_record
from npgnn.datasets._checksums import CHECKSUMS
from npgnn.datasets._download import download as _download
from npgnn.datasets._download import extract_zip
from npgnn.datasets._files import not_found
from npgnn.datasets._root import candidate_folders
from npgnn.graph import Graph

#: Mirrors tried in order for ``<NAME>.zip`` (PyTorch Geometric 2.8 uses the first).
TU_URLS = (
    "https://www.chrsmrrs.com/graphkerneldatasets",
    "https://www.chrsmrrs.de/graphkerneldatasets",
)

_REQUIRED = ("A", "graph_indicator")


#: TU datasets whose raw files npgnn pins (their sha256 is checked before parsing).
PINNED_TU = tuple(sorted({key.split("/")[1] for key in CHECKSUMS if key.startswith("tu/")}))


def _folder_candidates(root: str | os.PathLike | None, name: str) -> list[Path]:
    places = candidate_folders(root, "tu", name)
    places.append(cache_dir() / "tu" / name)
    return places


def canonical_name(name: str, root: str | os.PathLike | None = None) -> str:
    """``name`` in the spelling of its files: a TU folder under ``root`` or in the cache whose
    name matches case-blind (``mutag`` -> ``MUTAG``), else a pinned dataset's name, else
    ``name`` unchanged (taken as given, to download)."""
    lowered = name.lower()
    folders = [*candidate_folders(root, "tu", name), cache_dir() / "tu" / name]
    for folder in folders:
        for sub in (folder, folder.parent) if folder.name.lower() == "raw" else (folder,):
            if sub.name.lower() == lowered and (
                    (sub / f"{sub.name}_A.txt").is_file()
                    or (sub / "raw" / f"{sub.name}_A.txt").is_file()):
                return sub.name
    for pinned_name in PINNED_TU:
        if pinned_name.lower() == lowered:
            return pinned_name
    return name


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
                        f"dataset's text files into one of these folders"
                        f"{did_you_mean(name, PINNED_TU) or '.'}")
    try:
        _download_tu(name, places[-1], progress)
    except OSError as err:
        raise not_found(f"{name}_A.txt", name, looked,
                        f"Downloading failed: {err}{did_you_mean(name, PINNED_TU)}. Check the "
                        f"name and the network, or copy "
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


MIN_LABEL_LIMIT = 1024
"""A label column may span max(its line count, this) categories; more is a corrupted file."""


def _one_hot_columns(labels: np.ndarray, path: Path) -> np.ndarray:
    """One-hot each column of integer labels and concatenate: (N, K) -> (N, sum of widths).

    As PyG: each column is shifted by its minimum and has ``max - min + 1`` categories.

    Raises:
        ValueError naming ``path``, the line and the value: a column spans more than
        max(N, MIN_LABEL_LIMIT) categories (a one-hot that wide cannot be real data, and would
        try to allocate terabytes for one stray value such as 10**12), checked before allocating.
    """
    low = labels.min(axis=0)
    limit = max(labels.shape[0], MIN_LABEL_LIMIT)
    span = labels.max(axis=0).astype(object) - low.astype(object) + 1  # Python ints: no overflow
    too_wide = [j for j in range(labels.shape[1]) if span[j] > limit]
    if too_wide:
        j = too_wide[0]
        far = np.abs(labels[:, j].astype(np.float64) - float(np.median(labels[:, j])))
        line = int(np.argmax(far))
        raise ValueError(f"{path}: line {line + 1} holds the label {int(labels[line, j])}: column "
                         f"{j + 1} spans {span[j]} categories (from {int(low[j])} to "
                         f"{int(labels[:, j].max())}), more than the {limit} a one-hot encoding "
                         f"accepts for {labels.shape[0]} lines; is the file corrupted?")
    labels = labels - low[None, :]
    widths = labels.max(axis=0) + 1
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]])
    out = np.zeros((labels.shape[0], int(widths.sum())), dtype=np.float32)
    rows = np.repeat(np.arange(labels.shape[0]), labels.shape[1])
    out[rows, (labels + offsets).ravel()] = 1.0
    return out


class TUDataset(GraphDataset):
    """A TU Dortmund graph-classification dataset as a sequence of ``Graph`` objects (PyG's
    ``TUDataset``).

    Signatures: PyG's ``TUDataset(root, name, transform=None, pre_transform=None,
    pre_filter=None, force_reload=False, use_node_attr=False, use_edge_attr=False,
    cleaned=False)`` and npgnn's earlier ``TUDataset(name, root=None, download=True, ...)``
    (one positional argument is the name unless ``name=`` is given).

    Files ``<NAME>_A.txt`` (1-based "i, j" edges), ``<NAME>_graph_indicator.txt`` and, where
    present, ``_node_labels``, ``_node_attributes``, ``_edge_labels``, ``_edge_attributes`` and
    ``_graph_labels`` are read from the folder ``npgnn.datasets.resolve_root(root, "tu", name)``
    finds (``root/tu/NAME``, ``root/NAME``, ``root`` itself, PyG's ``root/NAME/raw``), else from
    the cache (``$NPGNN_CACHE``/tu/<NAME>), else downloaded from ``TU_URLS``. The name matches
    folders case-blind (``"mutag"`` finds ``MUTAG``). Files of the datasets npgnn pins (MUTAG,
    PROTEINS, ENZYMES, NCI1, NCI109, PTC_MR, IMDB-BINARY, IMDB-MULTI) are checked against their
    sha256 before parsing; for other datasets the hashes are recorded in the cache at first
    download and checked on later loads.

    Each graph ``g = ds[i]`` (PyTorch Geometric's processing):
        - ``g.edge_index`` (2, E_i) int64, 0-based within the graph, self-loops removed,
          duplicates merged, sorted by (source, target).
        - ``g.x`` (N_i, F) float32: [continuous node attributes if ``use_node_attr``] followed by
          one-hot node labels (each label column shifted by its minimum, ``max - min + 1``
          categories); absent (None) when the dataset has neither (IMDB-BINARY), as in PyG.
          With ``degree_features=True`` (npgnn) a graph without feature columns gets the
          one-hot degree instead (out-degree, ``max_degree + 1`` columns over the whole
          dataset: PyG's ``OneHotDegree`` in the GIN paper's setup).
        - ``g.edge_attr`` (E_i, D) float32: [edge attributes if ``use_edge_attr``] followed by
          one-hot edge labels; None when there are neither. Merged duplicate edges sum theirs.
        - ``g.y`` (1,) int64: the graph label mapped to 0..C-1 by sorted value (MUTAG -1/1 ->
          0/1), so a ``Batch`` of B graphs has ``y`` of shape (B,).

    Indexing and the rest of the sequence interface: see ``GraphDataset`` (``ds[i]`` is a fresh
    copy; slices, float fractions, index arrays and masks give views sharing storage).

    Args:
        root: a folder as described above, or None for the cache only.
        name: the dataset name as on the TU site, e.g. ``"MUTAG"`` (any case for local copies
            and pinned datasets).
        transform, pre_transform, pre_filter: as in PyG (on access / once at load / a
            Graph -> bool filter at load).
        force_reload: accepted for PyG compatibility; npgnn parses the raw files at every load
            (it keeps no processed copy), so there is nothing to reload.
        use_node_attr: prepend continuous node attributes to the one-hot node labels.
        use_edge_attr: prepend continuous edge attributes to the one-hot edge labels.
        cleaned: PyG's de-duplicated variants; not supported (raises ValueError).
        download: download into the cache if no local copy is found (npgnn).
        progress: show a download progress bar (only on a terminal) (npgnn).
        degree_features: one-hot degrees as ``x`` when the graphs have no node features
            (npgnn; what ``npgnn train`` uses for IMDB-BINARY/IMDB-MULTI).

    Attributes:
        name, num_classes (C), num_node_features / num_features (F), num_edge_features (D),
        y ((G,) int64 labels of the graphs in this view), num_nodes ((G,) node counts of this
        view), classes (the original label values, sorted), degree_features,
        num_node_attributes, num_node_labels, num_edge_attributes, num_edge_labels.

    Raises:
        FileNotFoundError: no copy found (and download off or failed); lists every place looked
            and the closest known name.
        ChecksumError: a file differs from its pinned or recorded sha256.
        ValueError: a malformed file (the message names it); a bad name.

    Example:
        >>> ds = TUDataset("../shared/datasets/tu", "MUTAG")  # doctest: +SKIP
        >>> ds, ds.num_features, ds.num_classes, ds[0].x.shape  # doctest: +SKIP
        (MUTAG(188), 7, 2, (17, 7))
    """

    def __init__(
        self,
        *args: Any,
        name: str | None = None,
        root: str | os.PathLike | None = None,
        transform: Transform | None = None,
        pre_transform: Transform | None = None,
        pre_filter: Any = None,
        force_reload: bool = False,
        use_node_attr: bool = False,
        use_edge_attr: bool = False,
        cleaned: bool = False,
        download: bool = True,
        progress: bool = True,
        degree_features: bool = False,
    ) -> None:
        root, name, given = positional_arguments(
            "TUDataset", args, root, name, ("transform", "pre_transform", "pre_filter",
                                            "force_reload", "use_node_attr", "use_edge_attr",
                                            "cleaned"))
        transform = given.get("transform", transform)
        pre_transform = given.get("pre_transform", pre_transform)
        pre_filter = given.get("pre_filter", pre_filter)
        use_node_attr = given.get("use_node_attr", use_node_attr)
        use_edge_attr = given.get("use_edge_attr", use_edge_attr)
        cleaned = given.get("cleaned", cleaned)
        if not isinstance(name, str) or not name or "/" in name or "\\" in name or ".." in name:
            raise ValueError(f"TUDataset: name must be a dataset name such as 'MUTAG', "
                             f"got {name!r}")
        if cleaned:
            raise ValueError("TUDataset: cleaned=True (PyG's de-duplicated variants) is not "
                             "supported; npgnn reads the original TU release")
        name = canonical_name(name, root)
        folder = _locate(name, root, download, progress)
        self.degree_features = bool(degree_features)
        graphs = self._load(folder, name, use_node_attr, use_edge_attr)
        self._setup(graphs, transform, pre_transform, pre_filter)

    # ---------------------------------------------------------------- parsing
    def _load(self, folder: Path, name: str, use_node_attr: bool, use_edge_attr: bool,
              ) -> list[Graph]:
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
                     ) -> tuple[np.ndarray | None, int, int]:
            attrs = read(attr_part, np.float64) if use_attr else None
            labels = read(label_part)
            blocks = []
            ref, unit = ("A", "edge") if attr_part.startswith("edge") else ("graph_indicator", "node")
            for part, arr in ((attr_part, attrs), (label_part, labels)):
                if arr is None or arr.shape[0] == count:
                    continue
                if arr.shape[0] > count:  # the reference file is the short one
                    raise fail(ref, f"has {count} lines ({unit}s) but {name}_{part}.txt has "
                                    f"{arr.shape[0]}, one per {unit}; is {name}_{ref}.txt "
                                    f"truncated?")
                raise fail(part, f"expected {count} lines (one per {unit} of {name}_{ref}.txt), "
                                 f"got {arr.shape[0]}; is the file truncated?")
            if attrs is not None:
                blocks.append(attrs.astype(np.float32))
            n_labels = 0
            if labels is not None and labels.size:
                onehot = _one_hot_columns(labels, folder / f"{name}_{label_part}.txt")
                n_labels = onehot.shape[1]
                blocks.append(onehot)
            n_attr = 0 if attrs is None else attrs.shape[1]
            out = np.concatenate(blocks, axis=1) if blocks else None
            return out, n_attr, n_labels

        x, self.num_node_attributes, self.num_node_labels = features(
            "node_attributes", "node_labels", use_node_attr, n)
        edge_attr, self.num_edge_attributes, self.num_edge_labels = features(
            "edge_attributes", "edge_labels", use_edge_attr, edges.shape[0])
        if edge_attr is None:
            edge_attr = np.zeros((edges.shape[0], 0), dtype=np.float32)

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

        node_ptr = np.searchsorted(batch, np.arange(num_graphs + 1)).astype(np.int64)
        edge_ptr = np.searchsorted(row, node_ptr).astype(np.int64)
        offset = node_ptr[batch[row]]
        edge_index = np.stack([row - offset, col - offset]).astype(np.int64)
        edge_attr = edge_attr if edge_attr.shape[1] else None
        if x is None and (folder / f"{name}_node_attributes.txt").is_file():
            x = np.zeros((n, 0), dtype=np.float32)        # attributes present but not used
        if self.degree_features and (x is None or x.shape[1] == 0):
            degree = np.bincount(row, minlength=n)
            x = np.zeros((n, int(degree.max(initial=0)) + 1), dtype=np.float32)
            x[np.arange(n), degree] = 1.0
        else:
            self.degree_features = False
        self.name = name
        self._graph_y = graph_y.astype(np.int64).reshape(-1)
        self._num_nodes = np.diff(node_ptr)
        return _split_graphs(edge_index, x, edge_attr, self._graph_y, node_ptr, edge_ptr)

    # ---------------------------------------------------------------- summary
    @property
    def y(self) -> np.ndarray:
        """(G,) int64 graph labels in 0..C-1, for the graphs of this view."""
        return self._graph_y[self._indices]

    @property
    def num_classes(self) -> int:
        """C, the number of graph classes in the full dataset."""
        return int(self.classes.size)

    @property
    def num_nodes(self) -> np.ndarray:
        """(G,) int64: node count of each graph of this view."""
        return self._num_nodes[self._indices]

    def __repr__(self) -> str:
        return f"{self.name}({len(self)})"


def _split_graphs(edge_index: np.ndarray, x: np.ndarray | None, edge_attr: np.ndarray | None,
                  y: np.ndarray, node_ptr: np.ndarray, edge_ptr: np.ndarray) -> list[Graph]:
    """One Graph per graph of the dataset (views into the parsed arrays; ``get`` copies)."""
    graphs = []
    for g in range(y.size):   # a loop over graphs, each a few slices
        n0, n1, e0, e1 = node_ptr[g], node_ptr[g + 1], edge_ptr[g], edge_ptr[g + 1]
        graphs.append(Graph(edge_index=edge_index[:, e0:e1],
                            num_nodes=int(n1 - n0) if x is None else None,  # as PyG's repr
                            x=None if x is None else x[n0:n1],
                            edge_attr=None if edge_attr is None else edge_attr[e0:e1],
                            y=y[g:g + 1]))
    return graphs
