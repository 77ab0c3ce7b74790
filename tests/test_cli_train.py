"""npgnn train / eval / datasets end to end on small data, and the CI reproduction of GCN on Cora."""
import json

import numpy as np
import pytest

from npgnn.cli import main



def test_train_karate_writes_metrics_model_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out, model, png = tmp_path / "m.json", tmp_path / "gcn.safetensors", tmp_path / "fig.png"
    assert main(["train", "--dataset", "karate", "--model", "gcn", "--runs", "2", "--quiet",
                 "--metrics-out", str(out), "--save", str(model), "--plot", str(png)]) == 0
    printed = capsys.readouterr().out
    assert "gcn on karate: test accuracy" in printed
    metrics = json.loads(out.read_text())
    assert 0.0 <= metrics["test_accuracy_mean"] <= 1.0 and metrics["test_accuracy_std"] >= 0.0
    assert [r["seed"] for r in metrics["runs"]] == [0, 1]
    assert all(r["train_accuracy"] == 1.0 for r in metrics["runs"])  # karate: 100% training accuracy
    assert {"seed", "test_accuracy", "val_accuracy", "epochs", "seconds"} <= set(metrics["runs"][0])
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    assert main(["eval", str(model), "--dataset", "karate"]) == 0
    assert "test: accuracy" in capsys.readouterr().out


def test_train_is_deterministic_for_a_seed(tmp_path):
    runs = []
    for k in range(2):
        out = tmp_path / f"m{k}.json"
        main(["train", "--dataset", "karate", "--model", "gat", "--epochs", "30", "--quiet",
              "--metrics-out", str(out)])
        runs.append(json.loads(out.read_text())["runs"][0]["test_accuracy"])
    assert runs[0] == runs[1]


def test_gat_plot_draws_attention_on_karate(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "gat.png"
    assert main(["train", "--dataset", "karate", "--model", "gat", "--epochs", "20", "--quiet",
                 "--plot", str(png)]) == 0
    assert png.stat().st_size > 10_000


def test_user_errors_are_one_line(capsys, tmp_path):
    assert main(["train", "--dataset", "karate", "--model", "gin", "--quiet"]) == 1
    assert "does not fit 'karate' (node classification); choose one of" in capsys.readouterr().err
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a model")
    assert main(["eval", str(bad), "--dataset", "karate"]) == 1
    assert str(bad) in capsys.readouterr().err


def test_datasets_lists_shared_data(capsys, shared_datasets):
    assert main(["datasets", "--root", str(shared_datasets)]) == 0
    out = capsys.readouterr().out
    assert "cora" in out and "MUTAG" in out and "missing ind.pubmed.allx" in out


def test_gin_cross_validation_runs_on_mutag(tmp_path, shared_datasets):
    out = tmp_path / "gin.json"
    assert main(["train", "--dataset", "MUTAG", "--model", "gin", "--epochs", "2", "--folds", "3",
                 "--root", str(shared_datasets), "--quiet", "--metrics-out", str(out)]) == 0
    run = json.loads(out.read_text())["runs"][0]
    assert len(run["fold_accuracies"]) == 3 and run["test_accuracy"] == pytest.approx(np.mean(run["fold_accuracies"]))
    assert isinstance(run["epochs"], int) and run["val_accuracy"] is None  # no validation set
    assert main(["train", "--dataset", "MUTAG", "--model", "gin", "--epochs", "2", "--folds", "3",
                 "--protocol", "holdout", "--root", str(shared_datasets), "--quiet", "--metrics-out", str(out)]) == 0
    run = json.loads(out.read_text())["runs"][0]
    assert 0.0 <= run["val_accuracy"] <= 1.0 and len(run["selected_epochs"]) == 3


def test_gcn_on_cora_reaches_the_paper_for_three_seeds(tmp_path, shared_datasets):
    """The issue's CI check: GCN, public split, 3 seeds, mean test accuracy >= 80%."""
    out = tmp_path / "cora.json"
    assert main(["train", "--dataset", "cora", "--model", "gcn", "--runs", "3", "--root", str(shared_datasets),
                 "--quiet", "--metrics-out", str(out)]) == 0
    metrics = json.loads(out.read_text())
    assert metrics["test_accuracy_mean"] >= 0.80, metrics


def test_lowercase_mutag_trains_and_the_headline_is_over_folds(tmp_path, capsys, shared_datasets):
    out, model = tmp_path / "gin.json", tmp_path / "gin.safetensors"
    assert main(["train", "--dataset", "mutag", "--model", "gin", "--root", str(shared_datasets),
                 "--epochs", "2", "--folds", "3", "--runs", "2", "--quiet", "--metrics-out", str(out),
                 "--save", str(model)]) == 0
    printed = capsys.readouterr().out
    metrics = json.loads(out.read_text())
    folds = [a for r in metrics["runs"] for a in r["fold_accuracies"]]
    assert metrics["dataset"] == "MUTAG" and metrics["std_over"] == "folds" and len(folds) == 6
    assert metrics["test_accuracy_std"] == pytest.approx(np.std(folds))
    assert metrics["settings"]["protocol"] == "gin" and "stopping" not in metrics["settings"]
    headline = (f"gin on MUTAG: test accuracy {100 * np.mean(folds):.2f} ± {100 * np.std(folds):.2f} % "
                "(mean ± std over 3 folds x 2 runs)")
    assert headline in printed
    # eval: the dataset's own folder as --root, any case; another dataset is refused by name
    assert main(["eval", str(model), "--dataset", "MUTAG", "--root", str(shared_datasets / "tu" / "MUTAG")]) == 0
    assert "all: accuracy" in capsys.readouterr().out
    assert main(["eval", str(model), "--dataset", "nci1", "--root", str(shared_datasets)]) == 1
    err = capsys.readouterr().err
    assert "was trained on 'MUTAG' and takes 7 input features and predicts 2 classes, but 'NCI1' has 37" in err
    assert "Traceback" not in err
    assert main(["eval", str(model), "--dataset", "cora", "--root", str(shared_datasets)]) == 1
    assert "holds a GIN (trained on 'MUTAG'), a graph-classification model" in capsys.readouterr().err


def test_eval_names_the_training_dataset_of_a_node_model(tmp_path, capsys, shared_datasets):
    model = tmp_path / "karate.safetensors"
    assert main(["train", "--epochs", "3", "--quiet", "--save", str(model)]) == 0
    capsys.readouterr()
    assert main(["eval", str(model), "--dataset", "Cora", "--root", str(shared_datasets)]) == 1
    err = capsys.readouterr().err
    assert "was trained on 'karate' and takes 34 input features and predicts 2 classes" in err
    assert "'cora' has 1433 features and 7 classes" in err


def test_datasets_columns_line_up(capsys, shared_datasets):
    assert main(["datasets", "--root", str(shared_datasets)]) == 0
    lines = capsys.readouterr().out.splitlines()[:-1]
    starts = {line.index("planetoid") for line in lines if "planetoid" in line.split()[1:2]}
    assert len(starts) == 1 and lines[0].index("kind") == starts.pop()
    folder = lines[0].index("folder")
    assert all(line[folder - 2:folder] == "  " for line in lines[1:])


def test_datasets_lists_a_tu_dataset_given_as_its_own_folder(capsys, shared_datasets):
    assert main(["datasets", "--root", str(shared_datasets / "tu" / "MUTAG")]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["MUTAG", "tu", "root", "complete", str(shared_datasets / "tu" / "MUTAG")] in rows


@pytest.mark.parametrize("layout", ["pyg", "own-folder", "raw-files"])
def test_every_root_layout_trains(layout, tmp_path, capsys, shared_datasets):
    """--root as PyG's <root>/<Name>/raw, as the dataset's own folder, or holding the raw files."""
    cora_files = sorted((shared_datasets / "planetoid").glob("ind.cora.*"))
    mutag_files = sorted((shared_datasets / "tu" / "MUTAG").glob("MUTAG_*"))
    folders = {"pyg": (tmp_path / "Cora" / "raw", tmp_path / "MUTAG" / "raw", tmp_path, tmp_path),
               "own-folder": (tmp_path / "cora", tmp_path / "MUTAG", tmp_path / "cora", tmp_path / "MUTAG"),
               "raw-files": (tmp_path, tmp_path / "MUTAG", tmp_path, tmp_path)}[layout]
    for files, folder in ((cora_files, folders[0]), (mutag_files, folders[1])):
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            (folder / f.name).symlink_to(f)
    assert main(["train", "--dataset", "Cora", "--root", str(folders[2]), "--epochs", "2", "--quiet"]) == 0
    assert main(["train", "--dataset", "mutag", "--model", "gin", "--root", str(folders[3]), "--epochs", "2",
                 "--folds", "2", "--quiet"]) == 0
    assert "Traceback" not in capsys.readouterr().err
