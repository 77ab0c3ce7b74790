"""``npgnn train --model gine``: GIN with edge features on a TU dataset, end to end; the model
saves and loads; a dataset without edge features is refused with a clear message."""
import json

import numpy as np
import pytest

import npgnn
from npgnn.cli import main
from npgnn.graph import Batch
from npgnn.models import GINE

def test_gine_cross_validation_runs_on_mutag_with_bond_types(tmp_path, shared_datasets):
    out, saved = tmp_path / "gine.json", tmp_path / "gine.safetensors"
    assert main(["train", "--dataset", "MUTAG", "--model", "gine", "--epochs", "2", "--folds", "3",
                 "--root", str(shared_datasets), "--quiet", "--metrics-out", str(out), "--save", str(saved)]) == 0
    metrics = json.loads(out.read_text())
    assert metrics["settings"]["edge_dim"] == 4                 # MUTAG's one-hot bond types
    assert len(metrics["runs"][0]["fold_accuracies"]) == 3
    model = npgnn.load(saved)
    assert isinstance(model, GINE) and model.get_config()["edge_dim"] == 4


def test_gine_refuses_a_dataset_without_edge_features(capsys, shared_datasets):
    assert main(["train", "--dataset", "IMDB-BINARY", "--model", "gine", "--epochs", "1",
                 "--root", str(shared_datasets), "--quiet"]) == 2
    assert "needs edge features" in capsys.readouterr().err


def test_gine_uses_the_edge_features():
    """Same graphs, different edge features: different logits (the edge term is not ignored)."""
    rng = np.random.default_rng(0)
    ei = np.array([[0, 1, 1, 2], [1, 0, 2, 1]])
    graphs = [npgnn.Graph(edge_index=ei, num_nodes=3, x=rng.standard_normal((3, 2)),
                          edge_attr=rng.standard_normal((4, 3))) for _ in range(2)]
    b = Batch.from_graphs(graphs)
    model = GINE(2, 2, edge_dim=3, hidden_channels=4, num_layers=2, seed=0).to(np.float64)
    model.eval()
    first = model(b.x, b, b, b.num_graphs).data
    second = model(b.x, b, b, b.num_graphs, edge_attr=b.edge_attr * 3).data
    assert first.shape == (2, 2) and not np.allclose(first, second)


def test_gps_cross_validation_runs_on_mutag(tmp_path, shared_datasets):
    """MUTAG has bond types: GINE inside GPS."""
    out, saved = tmp_path / "gps.json", tmp_path / "gps.safetensors"
    assert main(["train", "--dataset", "MUTAG", "--model", "gps", "--epochs", "1", "--folds", "2",
                 "--root", str(shared_datasets), "--quiet", "--metrics-out", str(out), "--save", str(saved)]) == 0
    assert json.loads(out.read_text())["settings"]["edge_dim"] == 4
    model = npgnn.load(saved)
    assert model.get_config()["edge_dim"] == 4


def test_gps_model_random_walk_encoding_is_per_graph():
    """The encoding computed on a batch equals each graph's own (walks stay in their graph)."""
    from npgnn.models import GPS
    from npgnn.transforms import AddRandomWalkPE
    from npgnn.transforms.add_random_walk_pe import random_walk_pe

    rng = np.random.default_rng(1)
    graphs = [npgnn.Graph(edge_index=rng.integers(0, n, (2, 2 * n)), num_nodes=n,
                          x=rng.standard_normal((n, 3))) for n in (4, 6)]
    b = Batch.from_graphs(graphs)
    per_graph = np.concatenate([AddRandomWalkPE(5, attr_name=None)(g.replace(x=None)).x for g in graphs])
    np.testing.assert_allclose(random_walk_pe(b.edge_index, b.num_nodes, 5), per_graph, rtol=1e-6)
    model = GPS(3, 2, hidden_channels=16, num_layers=2, heads=2, walk_length=5, pe_dim=4, seed=0)
    assert model(b.x, b, b, b.num_graphs).shape == (2, 2)
