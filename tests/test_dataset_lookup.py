"""Dataset names: case-blind, did-you-mean, and the --root layouts the CLI accepts."""
from pathlib import Path

import numpy as np
import pytest

import npgnn
from npgnn.dataset_lookup import DatasetRef, loader_root, resolve_dataset
from npgnn.io import load, load_state_dict_file, save


@pytest.fixture(autouse=True)
def empty_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("NPGNN_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.mark.parametrize("name,expected", [
    ("CORA", DatasetRef("cora", "planetoid")), ("Karate", DatasetRef("karate", "builtin")),
    ("mutag", DatasetRef("MUTAG", "tu")), ("imdb-binary", DatasetRef("IMDB-BINARY", "tu")),
    ("COLLAB", DatasetRef("COLLAB", "tu", known=False)),
])
def test_names_are_case_blind(name, expected):
    assert resolve_dataset(name) == expected


def test_local_tu_folders_are_found_in_any_case(tmp_path):
    (tmp_path / "tu" / "MyGraphs").mkdir(parents=True)
    (tmp_path / "tu" / "MyGraphs" / "MyGraphs_A.txt").write_text("1, 2\n")
    (tmp_path / "tu" / "MyGraphs" / "MyGraphs_graph_indicator.txt").write_text("1\n1\n")
    assert resolve_dataset("mygraphs", tmp_path) == DatasetRef("MyGraphs", "tu")
    ref = resolve_dataset("MYGRAPHS", tmp_path / "tu" / "MyGraphs")     # the dataset's own folder
    # loader_root is npgnn.datasets.resolve_root: the folder holding the files, from any layout
    assert loader_root(tmp_path / "tu" / "MyGraphs", ref) == str(tmp_path / "tu" / "MyGraphs")
    assert loader_root(tmp_path, ref) == str(tmp_path / "tu" / "MyGraphs")


def test_root_layouts():
    cora = DatasetRef("cora", "planetoid")
    assert loader_root(None, cora) is None
    assert loader_root("/no/such/place", cora) == "/no/such/place"   # raw files directly, or PyG's


@pytest.mark.parametrize("typo,offer", [("coar", "'cora'"), ("MUTAGG", "'MUTAG'"), ("protiens", "'PROTEINS'")])
def test_typos_get_a_did_you_mean(typo, offer):
    with pytest.raises(ValueError, match=f"unknown name '{typo}'; did you mean {offer}"):
        resolve_dataset(typo)


@pytest.mark.parametrize("bad", ["", "  ", None, 3])
def test_a_name_is_required(bad):
    with pytest.raises(ValueError, match="dataset: expected a dataset name"):
        resolve_dataset(bad)


def test_save_keeps_metadata_and_load_ignores_it(tmp_path):
    from npgnn.models import GCN

    model = GCN(5, 3, seed=0)
    path = tmp_path / "m.safetensors"
    save(model, path, metadata={"trained_on": {"dataset": "cora"}})
    assert load_state_dict_file(path, with_metadata=True)[1]["metadata"] == {"trained_on": {"dataset": "cora"}}
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    edges = np.array([[0, 1, 2], [1, 2, 3]])
    back = load(path)
    model.eval(), back.eval()
    with npgnn.no_grad():
        assert np.array_equal(back(x, edges).data, model(x, edges).data)
    with pytest.raises(TypeError, match="save: metadata must be JSON-serialisable"):
        save(model, tmp_path / "x.safetensors", metadata={"a": object()})
    assert not Path(tmp_path / "x.safetensors").exists()
