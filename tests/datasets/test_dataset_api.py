"""Datasets as PyG's: signatures, sequences, views, transforms, names and the one root rule."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import npgnn
from npgnn.datasets import GraphDataset, NodeDataset, Planetoid, TUDataset, resolve_root
from npgnn.graph import Graph


class Counting:
    """A transform that counts its calls and tags the graph."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, g: Graph) -> Graph:
        self.calls += 1
        g.tag = self.calls
        return g


# ---------------------------------------------------------------------------------- Planetoid
def test_planetoid_signatures(planetoid_dir: Path) -> None:
    shared = planetoid_dir.parent
    for ds in (Planetoid(shared, "Cora"), Planetoid(root=shared, name="cora"),
               Planetoid("CORA", root=planetoid_dir), Planetoid("cora", planetoid_dir),
               Planetoid(planetoid_dir, name="Cora")):
        assert isinstance(ds, (GraphDataset, NodeDataset)) and repr(ds) == "Cora()"
        assert len(ds) == 1 and ds.num_nodes == 2708 and ds.graph.num_edges == 10556
    assert (ds.num_classes, ds.num_features, ds.num_node_features, ds.num_edge_features) == (
        7, 1433, 1433, 0)


def test_planetoid_transform_on_access_pre_transform_once(planetoid_dir: Path) -> None:
    pre, post = Counting(), Counting()
    ds = Planetoid(planetoid_dir, "Cora", transform=post, pre_transform=pre)
    a, b = ds[0], ds[0]
    assert pre.calls == 1 and post.calls == 2 and (a.tag, b.tag) == (1, 2)
    assert ds.graph.tag == 1                             # stored: pre_transform only
    a.x = a.x * 0                                        # a fresh copy each time
    assert ds[0].x.sum() > 0
    assert [g.num_nodes for g in ds] == [2708]


def test_planetoid_splits_match_pyg(planetoid_dir: Path, tmp_path: Path) -> None:
    pyg = pytest.importorskip("torch_geometric.datasets")
    raw = tmp_path / "Cora" / "raw"
    raw.mkdir(parents=True)
    for f in planetoid_dir.glob("ind.cora.*"):
        shutil.copy(f, raw / f.name)
    ref = pyg.Planetoid(str(tmp_path), "Cora", split="full")[0]
    g = Planetoid(tmp_path, "Cora", split="full")[0]     # PyG's own layout as root
    for mask in ("train_mask", "val_mask", "test_mask"):
        np.testing.assert_array_equal(g[mask], ref[mask].numpy(), err_msg=mask)
    npgnn.manual_seed(0)
    g = Planetoid(tmp_path, "Cora", split="random", num_train_per_class=5, num_val=50,
                  num_test=100)[0]
    assert np.bincount(g.y[g.train_mask], minlength=7).tolist() == [5] * 7
    assert (g.val_mask.sum(), g.test_mask.sum()) == (50, 100)
    assert not (g.train_mask & g.val_mask).any() and not (g.val_mask & g.test_mask).any()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"name": "Coraa"}, ValueError, r"got 'Coraa'; did you mean 'cora'\?"),
    ({"name": "Cora", "split": "half"}, ValueError, "split must be one of"),
    ({"name": "Cora", "split": "geom-gcn"}, ValueError, "geom-gcn.*not supported"),
    ({"name": "Cora", "num_val": -1}, ValueError, "num_val: expected an int >= 0"),
    ({"name": "Cora", "transform": 3}, TypeError, "transform must be callable"),
])
def test_planetoid_errors(planetoid_dir: Path, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        Planetoid(planetoid_dir, **kwargs)


# ---------------------------------------------------------------------------------- TUDataset
def test_tu_signatures_and_case_blind_names(tu_dir: Path) -> None:
    shared = tu_dir.parent
    for ds in (TUDataset(shared, "MUTAG"), TUDataset(root=tu_dir, name="mutag"),
               TUDataset("Mutag", root=tu_dir / "MUTAG"), TUDataset(tu_dir, "MUTAG", None)):
        assert repr(ds) == "MUTAG(188)" and ds.name == "MUTAG"
    assert (ds.num_classes, ds.num_node_features, ds.num_edge_features) == (2, 7, 4)


def test_tu_views_match_pyg_slicing(tu_dir: Path) -> None:
    ds = TUDataset(tu_dir, "MUTAG")
    assert len(ds[:0.9]) == round(0.9 * 188) and len(ds[0.9:]) == 188 - round(0.9 * 188)
    assert ds[0.1:0.2].indices().tolist() == list(range(19, 38))
    assert ds[(3, 1)].indices().tolist() == [3, 1] and len(ds[range(5)]) == 5
    npgnn.manual_seed(3)
    shuffled, perm = ds.shuffle(return_perm=True)
    assert sorted(perm.tolist()) == list(range(188))
    np.testing.assert_array_equal(shuffled.y, ds.y[perm])
    assert isinstance(ds.shuffle(), TUDataset)
    with pytest.raises(TypeError, match="index must be"):
        ds["x"]


def test_tu_transform_pre_transform_pre_filter(tu_dir: Path) -> None:
    pre, post = Counting(), Counting()
    ds = TUDataset(tu_dir, "MUTAG", transform=post, pre_transform=pre,
                   pre_filter=lambda g: g.num_nodes > 20)
    assert len(ds) == pre.calls == int((TUDataset(tu_dir, "MUTAG").num_nodes > 20).sum())
    assert all(g.num_nodes > 20 for g in ds) and post.calls == len(ds)
    assert ds.num_classes == 2 and len(ds.y) == len(ds)


def test_tu_not_found_suggests_the_closest_name(tu_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"did you mean 'MUTAG'\?"):
        TUDataset(tu_dir, "MUTAGG", download=False)
    with pytest.raises(ValueError, match="cleaned=True .* is not supported"):
        TUDataset(tu_dir, "MUTAG", cleaned=True)


# ---------------------------------------------------------------------------------- root rule
def _touch(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / n).write_text("")
    return folder


@pytest.mark.parametrize("layout", ["shared", "own", "kind", "pyg", "pyg-under-kind"])
def test_resolve_root_layouts(tmp_path: Path, layout: str) -> None:
    tu_files, pl_files = ("MUTAG_A.txt", "MUTAG_graph_indicator.txt"), ("ind.cora.graph",)
    if layout == "shared":                 # root holds planetoid/ and tu/
        root = tmp_path
        tu, pl = _touch(tmp_path / "tu" / "MUTAG", *tu_files), _touch(tmp_path / "planetoid",
                                                                      *pl_files)
    elif layout == "own":                  # the dataset's own folder
        tu = root = _touch(tmp_path / "MUTAG", *tu_files)
        pl = _touch(tmp_path / "MUTAG", *pl_files)
    elif layout == "kind":                 # the folder of its kind (tu/ holding MUTAG/)
        root = tmp_path
        tu, pl = _touch(tmp_path / "MUTAG", *tu_files), _touch(tmp_path, *pl_files)
    elif layout == "pyg":                  # PyG's root/<Name>/raw
        root = tmp_path
        tu, pl = (_touch(tmp_path / "MUTAG" / "raw", *tu_files),
                  _touch(tmp_path / "Cora" / "raw", *pl_files))
    else:
        root = tmp_path
        tu, pl = (_touch(tmp_path / "tu" / "mutag" / "raw", *tu_files),
                  _touch(tmp_path / "planetoid" / "cora" / "raw", *pl_files))
    assert resolve_root(root, "tu", "MUTAG") == tu
    assert resolve_root(root, "planetoid", "cora") == pl
    assert resolve_root(tmp_path / "nowhere", "tu", "MUTAG") is None
    with pytest.raises(ValueError, match="kind must be one of"):
        resolve_root(root, "ogb", "arxiv")
