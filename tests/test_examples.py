"""The examples run (on small settings) with the public API."""
import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_karate_walkthrough_separates_the_clubs(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    load("karate_walkthrough").main(["--plot", str(tmp_path / "k.png")])
    out = capsys.readouterr().out
    assert "GCN: training accuracy 100%" in out and (tmp_path / "k.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", ["gcn_planetoid", "gat_planetoid"])
def test_planetoid_examples(name, capsys, shared_datasets):
    load(name).main(["--root", str(shared_datasets / "planetoid"), "--runs", "1", "--epochs", "3"])
    assert "on cora:" in capsys.readouterr().out


def test_gin_example(capsys, shared_datasets):
    load("gin_tu").main(["--root", str(shared_datasets / "tu"), "--epochs", "2", "--folds", "2"])
    assert "GIN-0 on MUTAG (gin protocol)" in capsys.readouterr().out


def test_link_prediction_example(capsys, shared_datasets):
    auc = load("link_prediction").main(["--root", str(shared_datasets / "planetoid"), "--epochs", "3"])
    assert "final test AUC (at the best validation AUC)" in capsys.readouterr().out
    assert 0.5 < auc <= 1.0
