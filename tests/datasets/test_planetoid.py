"""Planetoid: identical to PyTorch Geometric's processing; verified reads; helpful errors."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.datasets import ChecksumError, NodeDataset, Planetoid
from npgnn.datasets import planetoid as planetoid_mod
from npgnn.graph import Graph

EXPECTED = {  # name: (nodes, directed edges, features, classes, train size)
    "cora": (2708, 10556, 1433, 7, 140),
    "citeseer": (3327, 9104, 3703, 6, 120),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts(planetoid_dir: Path, name: str) -> None:
    ds = Planetoid(name.upper(), root=planetoid_dir, download=False)
    n, e, f, c, n_train = EXPECTED[name]
    g = ds.graph
    assert isinstance(ds, NodeDataset) and isinstance(g, Graph)
    assert (ds.num_nodes, g.edge_index.shape, ds.num_features, ds.num_classes) == (n, (2, e), f, c)
    assert sp.issparse(g.x) and g.x.format == "csr" and g.x.dtype == np.float32
    assert g.edge_index.dtype == np.int64 and g.y.dtype == np.int64 and g.y.shape == (n,)
    assert (g.train_mask.sum(), g.val_mask.sum(), g.test_mask.sum()) == (n_train, 500, 1000)
    assert not (g.train_mask & g.val_mask).any() and not (g.val_mask & g.test_mask).any()
    np.testing.assert_array_equal(np.bincount(g.y[g.train_mask]), np.full(c, 20))
    src, dst = g.edge_index
    assert (src != dst).all()
    codes = src * n + dst
    assert np.unique(codes).size == e                                   # no duplicates
    assert np.array_equal(np.sort(codes), np.sort(dst * n + src))      # symmetric


def test_citeseer_missing_test_nodes(planetoid_dir: Path) -> None:
    g = Planetoid("CiteSeer", root=planetoid_dir, download=False).graph
    in_no_mask = ~(g.train_mask | g.val_mask | g.test_mask)
    gap = np.flatnonzero(in_no_mask[2312:]) + 2312        # test ids span 2312..3326
    assert gap.size == 15
    assert g.x[gap].nnz == 0 and (g.y[gap] == 0).all()


@pytest.fixture(scope="module")
def copy_planetoid(copy_raw):
    return lambda src, dest, name: copy_raw(src, dest, f"ind.{name}.*")


@pytest.fixture(scope="module")
def pyg_planetoid(tmp_path_factory: pytest.TempPathFactory, planetoid_dir: Path, copy_planetoid):
    """PyG's Planetoid datasets, processed from copies of the shared raw files (no download)."""
    pyg_datasets = pytest.importorskip("torch_geometric.datasets")
    root = tmp_path_factory.mktemp("pyg-planetoid")
    out = {}
    for name, display in (("cora", "Cora"), ("citeseer", "CiteSeer")):
        copy_planetoid(planetoid_dir, root / display / "raw", name)
        out[name] = pyg_datasets.Planetoid(str(root), display)[0]
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_matches_pyg(planetoid_dir: Path, pyg_planetoid, name: str) -> None:
    ref = pyg_planetoid[name]
    g = Planetoid(name, root=planetoid_dir, download=False).graph
    np.testing.assert_array_equal(g.x.toarray(), ref.x.numpy())
    np.testing.assert_array_equal(g.y, ref.y.numpy())
    for mask in ("train_mask", "val_mask", "test_mask"):
        np.testing.assert_array_equal(getattr(g, mask), getattr(ref, mask).numpy(), err_msg=mask)
    # Same edges in the same order (PyG coalesces by target, then source).
    np.testing.assert_array_equal(g.edge_index, ref.edge_index.numpy())


def test_pyg_raw_layout_is_accepted(copy_planetoid, planetoid_dir: Path, tmp_path: Path) -> None:
    copy_planetoid(planetoid_dir, tmp_path / "Cora" / "raw", "cora")
    assert Planetoid("cora", root=tmp_path, download=False).num_nodes == 2708


def test_pubmed_missing_allx_message(planetoid_dir: Path, isolated_cache: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        Planetoid("pubmed", root=planetoid_dir, download=False)
    msg = str(info.value)
    assert "ind.pubmed.allx" in msg and "PubMed" in msg
    for place in (planetoid_dir / "ind.pubmed.allx",
                  planetoid_dir / "PubMed" / "raw" / "ind.pubmed.allx",
                  isolated_cache / "planetoid" / "ind.pubmed.allx"):
        assert str(place) in msg
    assert "download=True" in msg


def test_pubmed_download_failure_names_url(planetoid_dir: Path, http_server,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planetoid_mod, "PLANETOID_URL", http_server.url)   # serves nothing
    with pytest.raises(FileNotFoundError,
                       match=r"ind\.pubmed\.allx' not found\. Looked in") as info:
        Planetoid("pubmed", root=planetoid_dir)
    assert f"{http_server.url}/ind.pubmed.allx" in str(info.value)
    assert "404" in str(info.value)


def test_download_into_cache_then_offline(copy_planetoid, planetoid_dir: Path, http_server,
                                          isolated_cache: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    copy_planetoid(planetoid_dir, http_server.root, "cora")
    monkeypatch.setattr(planetoid_mod, "PLANETOID_URL", http_server.url)
    ds = Planetoid("Cora")                                   # no root: cache, then download
    assert ds.num_nodes == 2708 and len(http_server.requests) == 8
    assert sorted(p.name for p in (isolated_cache / "planetoid").iterdir()) == sorted(
        f"ind.cora.{p}" for p in planetoid_mod.PLANETOID_PARTS)
    again = Planetoid("cora", download=False)               # served from the cache
    assert len(http_server.requests) == 8
    assert (again.graph.x != ds.graph.x).nnz == 0


def test_download_of_tampered_file_is_refused(copy_planetoid, planetoid_dir: Path, http_server,
                                              isolated_cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    copy_planetoid(planetoid_dir, http_server.root, "cora")
    bad = http_server.root / "ind.cora.graph"
    data = bytearray(bad.read_bytes())
    data[100] ^= 0xFF
    bad.write_bytes(bytes(data))
    monkeypatch.setattr(planetoid_mod, "PLANETOID_URL", http_server.url)
    with pytest.raises(ChecksumError, match=r"ind\.cora\.graph: sha256 expected 58f13302"):
        Planetoid("cora")
    cached = isolated_cache / "planetoid"
    assert not (cached / "ind.cora.graph").exists()
    assert not [p for p in cached.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_corrupted_local_file(copy_planetoid, planetoid_dir: Path, tmp_path: Path,
                              how: str) -> None:
    root = copy_planetoid(planetoid_dir, tmp_path / "p", "cora")
    target = root / "ind.cora.tx"
    data = bytearray(target.read_bytes())
    if how == "flip":
        data[len(data) // 2] ^= 0x01
    else:
        data = data[:-10]
    target.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as info:
        Planetoid("cora", root=root, download=False)
    msg = str(info.value)
    expected_hash = "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a"
    assert str(target) in msg and expected_hash in msg
    assert hashlib.sha256(bytes(data)).hexdigest() in msg
    assert "delete it" in msg and "re-download" in msg
    if how == "truncate":
        assert "148025 bytes, found 148015 bytes" in msg


def test_corrupted_cache_file(copy_planetoid, planetoid_dir: Path, isolated_cache: Path) -> None:
    cached = copy_planetoid(planetoid_dir, isolated_cache / "planetoid", "cora")
    (cached / "ind.cora.y").write_bytes(b"not a pickle")
    with pytest.raises(ChecksumError, match=r"ind\.cora\.y"):
        Planetoid("cora", download=False)


def test_bad_name() -> None:
    with pytest.raises(ValueError, match=r"name must be one of \['citeseer', 'cora', 'pubmed'\]"
                                         r".*'coraa'"):
        Planetoid("coraa")


def test_root_and_cache_are_combined(copy_planetoid, planetoid_dir: Path, tmp_path: Path,
                                     isolated_cache: Path) -> None:
    # A file missing under root= but present in the cache is taken from the cache (verified).
    root = copy_planetoid(planetoid_dir, tmp_path / "p", "citeseer")
    (root / "ind.citeseer.allx").unlink()
    cached = isolated_cache / "planetoid"
    cached.mkdir()
    shutil.copy(planetoid_dir / "ind.citeseer.allx", cached)
    assert Planetoid("citeseer", root=root, download=False).num_nodes == 3327
