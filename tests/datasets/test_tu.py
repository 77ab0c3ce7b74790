"""TUDataset: identical to PyTorch Geometric graph by graph; indexing; download, TOFU, errors."""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from npgnn.datasets import ChecksumError, TUDataset
from npgnn.datasets import tu as tu_mod
from npgnn.datasets._checksums import CHECKSUMS
from npgnn.graph import Graph

PYG_CASES = [  # (name, use_node_attr, use_edge_attr)
    ("MUTAG", False, False),
    ("PROTEINS", False, False),
    ("PROTEINS", True, False),
    ("IMDB-BINARY", False, False),
]


@pytest.fixture(scope="module")
def pyg_tu(tmp_path_factory: pytest.TempPathFactory, tu_dir: Path, copy_raw):
    """``get(name, use_node_attr)``: PyG's TUDataset processed from copies of the shared files."""
    pyg_datasets = pytest.importorskip("torch_geometric.datasets")
    root = tmp_path_factory.mktemp("pyg-tu")
    cache: dict = {}

    def get(name: str, use_node_attr: bool, use_edge_attr: bool):
        key = (name, use_node_attr, use_edge_attr)
        if key not in cache:
            copy_raw(tu_dir / name, root / name / "raw", f"{name}_*.txt")
            cache[key] = pyg_datasets.TUDataset(str(root), name, use_node_attr=use_node_attr,
                                                use_edge_attr=use_edge_attr)
        return cache[key]

    return get


@pytest.mark.parametrize("name, use_node_attr, use_edge_attr", PYG_CASES)
def test_matches_pyg(tu_dir: Path, pyg_tu, name: str, use_node_attr: bool,
                     use_edge_attr: bool) -> None:
    """Every graph's x, edge_index, edge_attr and y equal PyG's.

    Compared in bulk (PyG stores the graphs concatenated, with per-graph local edge ids and
    slice pointers), which is the same check as graph by graph but 20x faster; a sample of graphs
    is also compared through PyG's own indexing.
    """
    import torch
    from torch_geometric.data import Data
    from torch_geometric.transforms import OneHotDegree
    from torch_geometric.utils import degree

    ref = pyg_tu(name, use_node_attr, use_edge_attr)
    ds = TUDataset(name, root=tu_dir, download=False, use_node_attr=use_node_attr,
                   use_edge_attr=use_edge_attr, degree_features=True)
    assert len(ds) == len(ref) and ds.num_classes == ref.num_classes
    graphs = list(ds)
    assert all(isinstance(g, Graph) for g in graphs)
    node_ptr = np.concatenate([[0], np.cumsum([g.num_nodes for g in graphs])])
    edge_ptr = np.concatenate([[0], np.cumsum([g.edge_index.shape[1] for g in graphs])])
    edge_index = np.concatenate([g.edge_index for g in graphs], axis=1)
    x = np.concatenate([g.x for g in graphs])
    data, slices = ref._data, ref.slices
    np.testing.assert_array_equal(edge_ptr, slices["edge_index"].numpy())
    np.testing.assert_array_equal(edge_index, data.edge_index.numpy())
    np.testing.assert_array_equal(np.concatenate([g.y for g in graphs]), data.y.numpy())
    assert ds.y.tolist() == data.y.tolist()
    if data.x is None:                    # IMDB: PyG's OneHotDegree(max degree), as in GIN
        global_ei = data.edge_index + torch.from_numpy(node_ptr[:-1]).repeat_interleave(
            torch.from_numpy(np.diff(edge_ptr)))
        union = Data(edge_index=global_ei, num_nodes=int(node_ptr[-1]))
        max_deg = int(degree(global_ei[0], union.num_nodes).max())
        assert ds.degree_features and ds.num_features == max_deg + 1
        ref_x = OneHotDegree(max_deg)(union).x.numpy()
    else:
        np.testing.assert_array_equal(node_ptr, slices["x"].numpy())
        assert ds.num_features == ref.num_features
        ref_x = data.x.numpy()
    np.testing.assert_array_equal(x, ref_x)
    if data.edge_attr is None:
        assert all(g.edge_attr is None for g in graphs)
    else:
        np.testing.assert_array_equal(np.concatenate([g.edge_attr for g in graphs]),
                                      data.edge_attr.numpy())
    assert x.dtype == np.float32 and edge_index.dtype == np.int64
    for i in np.random.default_rng(0).choice(len(ds), 10, replace=False).tolist() + [0, -1]:
        r, g = ref[i], ds[i]
        np.testing.assert_array_equal(g.edge_index, r.edge_index.numpy(), err_msg=f"graph {i}")
        assert g.num_nodes == r.num_nodes and g.y.tolist() == r.y.tolist()


def test_mutag_counts_and_labels(tu_dir: Path) -> None:
    ds = TUDataset("MUTAG", root=tu_dir, download=False)
    assert len(ds) == 188 and int(ds.num_nodes.sum()) == 3371
    assert (ds.num_features, ds.num_classes, ds.num_edge_features) == (7, 2, 4)
    np.testing.assert_array_equal(ds.classes, [-1, 1])
    raw = np.loadtxt(tu_dir / "MUTAG" / "MUTAG_graph_labels.txt", dtype=np.int64)
    np.testing.assert_array_equal(ds.y, (raw == 1).astype(np.int64))
    assert ds.y.dtype == np.int64 and ds.y.shape == (188,)
    g = ds[0]
    assert g.x.shape == (17, 7) and (g.x.sum(axis=1) == 1).all() and g.y.shape == (1,)


def test_indexing(tu_dir: Path) -> None:
    ds = TUDataset("MUTAG", root=tu_dir, download=False)
    np.testing.assert_array_equal(ds[-1].x, ds[187].x)
    sub = ds[10:20]
    assert isinstance(sub, TUDataset) and len(sub) == 10
    np.testing.assert_array_equal(sub.y, ds.y[10:20])
    np.testing.assert_array_equal(sub[0].edge_index, ds[10].edge_index)
    picked = ds[np.array([5, 3, 3])]
    np.testing.assert_array_equal(picked.indices(), [5, 3, 3])
    np.testing.assert_array_equal(picked.y, ds.y[[5, 3, 3]])
    mask = ds.y == 1
    assert len(ds[mask]) == int(mask.sum()) and (ds[mask].y == 1).all()
    assert len(ds[[]]) == 0 and len(sub[2:4]) == 2 and sub[2:4].indices().tolist() == [12, 13]
    assert len(list(ds)) == 188
    with pytest.raises(IndexError, match=r"index 188 is out of range for 188 graph\(s\)"):
        ds[188]
    with pytest.raises(IndexError, match="boolean mask must have shape"):
        ds[np.array([True, False])]
    with pytest.raises(TypeError, match="index must be"):
        ds[1.5]
    # Items are fresh copies: editing one never changes the dataset.
    g = ds[0]
    g.x[:] = 0
    assert ds[0].x.sum() == 17


def test_imdb_degree_features(tu_dir: Path) -> None:
    plain = TUDataset("IMDB-BINARY", root=tu_dir, download=False)
    assert plain[0].x is None and plain.num_features == 0 and not plain.degree_features  # as PyG
    ds = TUDataset("IMDB-BINARY", root=tu_dir, download=False, degree_features=True)
    assert ds.degree_features and ds.num_features == 136        # max degree 135, as in GIN
    g = ds[0]
    deg = np.bincount(g.edge_index[0], minlength=g.num_nodes)
    np.testing.assert_array_equal(g.x.argmax(axis=1), deg)


def test_missing_dataset_message(tu_dir: Path, isolated_cache: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        TUDataset("NOPE", root=tu_dir, download=False)
    msg = str(info.value)
    for place in (tu_dir / "NOPE" / "NOPE_A.txt", tu_dir / "NOPE" / "raw" / "NOPE_A.txt",
                  isolated_cache / "tu" / "NOPE" / "NOPE_A.txt"):
        assert str(place) in msg
    assert "download=True" in msg


def test_bad_name() -> None:
    with pytest.raises(ValueError, match="name must be a dataset name"):
        TUDataset("../etc")


def test_corrupted_local_file(tu_dir: Path, tmp_path: Path, copy_raw) -> None:
    folder = copy_raw(tu_dir / "MUTAG", tmp_path / "MUTAG", "MUTAG_*.txt")
    target = folder / "MUTAG_node_labels.txt"
    data = bytearray(target.read_bytes())
    data[0:1] = b"9"
    target.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as info:
        TUDataset("MUTAG", root=tmp_path, download=False)
    msg = str(info.value)
    assert str(target) in msg
    assert "678f429965490e84dd27713017538c995fc05d1621beac910848b600015ee863" in msg
    assert hashlib.sha256(bytes(data)).hexdigest() in msg and "delete it" in msg


# ---------------------------------------------------------------- downloads (local server)
def _write_zip(path: Path, name: str, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for fname, data in files.items():
            zf.writestr(f"{name}/{fname}", data)


def _toy_files() -> dict[str, bytes]:
    # Two graphs: a triangle (nodes 1-3, with a duplicate edge and a self-loop) and an edge 4-5.
    return {
        "TOY_A.txt": b"1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n1, 2\n2, 2\n4, 5\n5, 4\n",
        "TOY_graph_indicator.txt": b"1\n1\n1\n2\n2\n",
        "TOY_graph_labels.txt": b"3\n7\n",
        "TOY_node_labels.txt": b"2\n4\n2\n3\n3\n",
        "README.txt": b"toy\n",
    }


@pytest.fixture
def serve_tu(http_server, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tu_mod, "TU_URLS", ("http://127.0.0.1:9/dead", http_server.url))
    return http_server


def test_download_pinned_dataset(serve_tu, tu_dir: Path, isolated_cache: Path) -> None:
    files = {f.name: f.read_bytes() for f in (tu_dir / "MUTAG").iterdir()}
    _write_zip(serve_tu.root / "MUTAG.zip", "MUTAG", files)
    ds = TUDataset("MUTAG", progress=False)           # first mirror dead, second serves
    assert len(ds) == 188 and serve_tu.requests == ["/MUTAG.zip"]
    cached = isolated_cache / "tu" / "MUTAG"
    assert sorted(p.name for p in cached.iterdir()) == sorted([*files, "SHA256SUMS.tsv"])
    recorded = {line.split("\t")[2]: line.split("\t")[1]
                for line in (cached / "SHA256SUMS.tsv").read_text().splitlines()}
    assert recorded["MUTAG_A.txt"] == CHECKSUMS["tu/MUTAG/MUTAG_A.txt"][1]
    assert "README.txt" not in recorded
    assert [p.name for p in (isolated_cache / "tu").iterdir()] == ["MUTAG"]  # no leftovers
    TUDataset("MUTAG", download=False)
    assert serve_tu.requests == ["/MUTAG.zip"]


def test_download_pinned_dataset_tampered(serve_tu, tu_dir: Path, isolated_cache: Path) -> None:
    files = {f.name: f.read_bytes() for f in (tu_dir / "MUTAG").iterdir()}
    files["MUTAG_A.txt"] = files["MUTAG_A.txt"].replace(b"2, 1", b"3, 1", 1)
    _write_zip(serve_tu.root / "MUTAG.zip", "MUTAG", files)
    with pytest.raises(ChecksumError, match="MUTAG_A.txt"):
        TUDataset("MUTAG", progress=False)
    assert list((isolated_cache / "tu").iterdir()) == []           # nothing half-written stays


def test_trust_on_first_use(serve_tu, isolated_cache: Path) -> None:
    _write_zip(serve_tu.root / "TOY.zip", "TOY", _toy_files())
    ds = TUDataset("TOY", progress=False)
    assert len(ds) == 2 and ds.num_classes == 2 and ds.num_features == 3
    np.testing.assert_array_equal(ds.y, [0, 1])
    g0, g1 = ds[0], ds[1]
    # Self-loop dropped, duplicate merged, sorted by (source, target).
    np.testing.assert_array_equal(g0.edge_index, [[0, 0, 1, 1, 2, 2], [1, 2, 0, 2, 0, 1]])
    np.testing.assert_array_equal(g1.edge_index, [[0, 1], [1, 0]])
    np.testing.assert_array_equal(g0.x, np.eye(3, dtype=np.float32)[[0, 2, 0]])  # labels 2,4,2
    record = isolated_cache / "tu" / "TOY" / "SHA256SUMS.tsv"
    lines = record.read_text().splitlines()
    assert len(lines) == 4 and all(line.split("\t")[2].startswith("TOY_") for line in lines)
    # A later load checks the recorded hashes: a changed file is caught.
    labels = isolated_cache / "tu" / "TOY" / "TOY_graph_labels.txt"
    labels.write_bytes(b"7\n3\n")
    with pytest.raises(ChecksumError, match="record made at first download") as info:
        TUDataset("TOY", download=False)
    assert str(labels) in str(info.value)
    assert serve_tu.requests == ["/TOY.zip"]


def test_download_all_mirrors_fail(serve_tu, isolated_cache: Path) -> None:
    with pytest.raises(FileNotFoundError, match="Downloading failed") as info:
        TUDataset("ABSENT", progress=False)
    msg = str(info.value)
    assert "http://127.0.0.1:9/dead/ABSENT.zip" in msg and "404" in msg
    assert not (isolated_cache / "tu").exists() or list((isolated_cache / "tu").iterdir()) == []


def test_download_not_a_zip(serve_tu, isolated_cache: Path) -> None:
    (serve_tu.root / "HTML.zip").write_bytes(b"<html>rate limited</html>")
    with pytest.raises(ValueError, match="HTML.zip: the download is not a zip archive"):
        TUDataset("HTML", progress=False)
    assert list((isolated_cache / "tu").iterdir()) == []


def test_zip_slip_in_download_is_refused(serve_tu, isolated_cache: Path) -> None:
    with zipfile.ZipFile(serve_tu.root / "EVIL.zip", "w") as zf:
        zf.writestr("EVIL/EVIL_A.txt", b"1, 2\n")
        zf.writestr("../../evil.txt", b"pwned")
    with pytest.raises(ValueError, match="refusing to extract"):
        TUDataset("EVIL", progress=False)
    assert list((isolated_cache / "tu").iterdir()) == []


@pytest.mark.parametrize("fname, content, match", [
    ("TOY_A.txt", b"1, 2, 3\n", "expected 2 columns"),
    ("TOY_A.txt", b"1, 9\n", r"node ids must lie in \[1, 5\]"),
    ("TOY_A.txt", b"1, 4\n", "joins nodes of different graphs"),
    ("TOY_graph_indicator.txt", b"2\n1\n1\n2\n2\n", "non-decreasing"),
    ("TOY_graph_labels.txt", b"1\n", "expected 2 lines"),
    ("TOY_node_labels.txt", b"1\n2\n", "expected 5 lines"),
    ("TOY_A.txt", b"1; 2\n", "expected comma-separated int64"),
    ("TOY_node_labels.txt", b"2\n4\n1000000000000\n3\n3\n",
     r"line 3 holds the label 1000000000000: column 1 spans 999999999999 categories .* more than "
     r"the 1024 a one-hot encoding accepts"),
])
def test_malformed_files(tmp_path: Path, fname: str, content: bytes, match: str) -> None:
    folder = tmp_path / "TOY"
    folder.mkdir()
    for name, data in _toy_files().items():
        (folder / name).write_bytes(data)
    (folder / fname).write_bytes(content)
    with pytest.raises(ValueError, match=match) as info:
        TUDataset("TOY", root=tmp_path, download=False)
    assert str(folder / fname) in str(info.value)


def _toy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "TOY"
    folder.mkdir()
    for name, data in _toy_files().items():
        (folder / name).write_bytes(data)
    return folder


def test_truncated_adjacency_is_blamed_not_the_edge_labels(tmp_path: Path) -> None:
    folder = _toy_folder(tmp_path)
    (folder / "TOY_edge_labels.txt").write_bytes(b"1\n" * 10)     # one per edge of TOY_A.txt
    (folder / "TOY_A.txt").write_bytes(_toy_files()["TOY_A.txt"][:-10])  # its last 2 lines lost
    with pytest.raises(ValueError, match=r"TOY_A\.txt: has 8 lines \(edges\) but "
                                         r"TOY_edge_labels\.txt has 10, one per edge; is "
                                         r"TOY_A\.txt truncated\?"):
        TUDataset("TOY", root=tmp_path, download=False)
    (folder / "TOY_A.txt").write_bytes(_toy_files()["TOY_A.txt"])
    (folder / "TOY_edge_labels.txt").write_bytes(b"1\n" * 9)
    with pytest.raises(ValueError, match=r"TOY_edge_labels\.txt: expected 10 lines \(one per "
                                         r"edge of TOY_A\.txt\), got 9; is the file truncated"):
        TUDataset("TOY", root=tmp_path, download=False)


def test_huge_edge_label_is_refused_before_allocating(tmp_path: Path) -> None:
    folder = _toy_folder(tmp_path)
    (folder / "TOY_edge_labels.txt").write_bytes(b"1\n" * 9 + b"-5000000000\n")
    with pytest.raises(ValueError, match=r"TOY_edge_labels\.txt: line 10 holds the label "
                                         r"-5000000000"):
        TUDataset("TOY", root=tmp_path, download=False)


def test_labels_spanning_up_to_the_limit_are_one_hot(tmp_path: Path) -> None:
    folder = _toy_folder(tmp_path)
    (folder / "TOY_node_labels.txt").write_bytes(b"0\n1023\n0\n1\n1\n")
    assert TUDataset("TOY", root=tmp_path, download=False).num_node_labels == 1024


def test_multi_column_attributes(tu_dir: Path) -> None:
    # ENZYMES: 18 continuous attributes first, then 3 one-hot labels (PyG's column order).
    ds = TUDataset("ENZYMES", root=tu_dir, download=False, use_node_attr=True)
    assert (len(ds), ds.num_features, ds.num_classes) == (600, 21, 6)
    raw = np.loadtxt(tu_dir / "ENZYMES" / "ENZYMES_node_attributes.txt", delimiter=",")
    labels = np.loadtxt(tu_dir / "ENZYMES" / "ENZYMES_node_labels.txt", dtype=np.int64)
    g = ds[1]
    start = int(ds.num_nodes[0])
    rows = slice(start, start + g.num_nodes)
    np.testing.assert_array_equal(g.x[:, :18], raw[rows].astype(np.float32))
    np.testing.assert_array_equal(g.x[:, 18:].argmax(axis=1), labels[rows] - 1)
    assert TUDataset("ENZYMES", root=tu_dir, download=False).num_features == 3
