"""npgnn train --task link: GAE/VGAE on Cora end to end (a few epochs), and its refusals."""
import json

import pytest

import npgnn

from npgnn.cli import main


@pytest.mark.parametrize("model", ["gae", "vgae"])
def test_link_prediction_reports_auc_and_ap_over_seeds(model, tmp_path, capsys, shared_datasets):
    out, saved = tmp_path / "m.json", tmp_path / "encoder.safetensors"
    assert main(["train", "--task", "link", "--dataset", "cora", "--model", model, "--epochs", "3",
                 "--runs", "2", "--quiet", "--root", str(shared_datasets), "--metrics-out", str(out),
                 "--save", str(saved)]) == 0
    printed = capsys.readouterr().out
    assert f"{model} on cora: test AUC" in printed and "(mean ± std over 2 runs)" in printed
    metrics = json.loads(out.read_text())
    assert metrics["task"] == "link" and [r["seed"] for r in metrics["runs"]] == [0, 1]
    assert 0.5 < metrics["test_auc_mean"] <= 1.0 and 0.5 < metrics["test_ap_mean"] <= 1.0
    assert metrics["settings"]["num_val"] == 0.05 and metrics["settings"]["num_test"] == 0.1
    encoder = npgnn.load(str(saved))                   # the last run's encoder
    assert type(encoder).__name__ == "GCNEncoder" and encoder.variational == (model == "vgae")


@pytest.mark.parametrize("argv, match", [
    (["--model", "gcn"], "model: --task link trains one of"),
    (["--model", "gae", "--dropout", "0.5"], "dropout: not used by link prediction"),
])
def test_link_task_refuses_what_it_cannot_use(argv, match, capsys):
    assert main(["train", "--task", "link", "--dataset", "cora", *argv]) == 2
    assert match in capsys.readouterr().err


def test_recon_loss_belongs_to_link_prediction(capsys):
    assert main(["train", "--dataset", "karate", "--model", "gcn", "--recon-loss", "dense"]) == 2
    assert "recon_loss: used by link prediction only" in capsys.readouterr().err


def test_the_dense_loss_of_the_paper_code_runs(tmp_path, capsys, shared_datasets):
    assert main(["train", "--task", "link", "--dataset", "cora", "--model", "vgae", "--epochs", "2",
                 "--recon-loss", "dense", "--quiet", "--root", str(shared_datasets)]) == 0
    assert "vgae on cora: test AUC" in capsys.readouterr().out
