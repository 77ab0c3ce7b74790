"""npgnn sweep: a 4-configuration grid on a local Dask cluster equals the in-process sweep, the
ranking is by validation accuracy, and every bad grid is refused (exit 2, named) before any
data is loaded."""
from __future__ import annotations

import json

import pytest

from npgnn.cli import main
from npgnn.experiment import ConfigError, TrainConfig
from npgnn.sweep import grid_configs, run_sweep, sweep_table

from .conftest import without_seconds

GRID = {"lr": [0.01, 0.005], "hidden": [8, 16]}


def test_four_configs_on_a_local_cluster_equal_the_sequential_sweep(client, shared_datasets):
    base = TrainConfig(dataset="mutag", model="gin", epochs=2, folds=2, root=str(shared_datasets),
                       progress=False)
    sequential = run_sweep(base, GRID)
    on_dask = run_sweep(base, GRID, client=client)
    assert without_seconds(on_dask) == without_seconds(sequential)
    configs = on_dask["configs"]
    assert [c["params"] for c in configs if c["rank"] == 1] == [on_dask["best"]]
    assert sorted(tuple(c["params"].values()) for c in configs) == [
        (0.005, 8), (0.005, 16), (0.01, 8), (0.01, 16)]
    vals = [c["metrics"]["val_accuracy_mean"] for c in configs]
    assert vals == sorted(vals, reverse=True) and [c["rank"] for c in configs] == [1, 2, 3, 4]
    assert all(c["metrics"]["settings"]["protocol"] == "holdout" for c in configs)
    # a configuration's metrics are what npgnn train reports for it
    from npgnn.experiment import run

    best = run(TrainConfig(**{**base.__dict__, "protocol": "holdout", **on_dask["best"]}))[0]
    assert without_seconds(configs[0]["metrics"]) == without_seconds(best)
    assert sweep_table(on_dask).splitlines()[-1].startswith("best by validation accuracy: ")


def test_cli_sweep_writes_the_ranked_json_and_table(shared_datasets, tmp_path, capsys):
    out = tmp_path / "sweep" / "metrics.json"
    assert main(["sweep", "--dataset", "cora", "--model", "gcn", "--grid", "lr=0.01,0.05",
                 "weight-decay=0,5e-4", "--epochs", "3", "--root", str(shared_datasets),
                 "--metrics-out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out.splitlines()
    result = json.loads(out.read_text())
    assert result["rank_by"] == "val_accuracy_mean" and len(result["configs"]) == 4
    assert result["grid"] == {"lr": [0.01, 0.05], "weight_decay": [0.0, 0.0005]}
    assert printed[0].split() == ["rank", "lr", "weight_decay", "val", "acc", "test", "acc",
                                  "seconds"]
    assert [int(line.split()[0]) for line in printed[1:5]] == [1, 2, 3, 4]
    assert printed[-1] == f"wrote the sweep's metrics to {out}"


@pytest.mark.parametrize("grid,message", [
    (["lr=0,0.1"], r"grid lr: expected a finite number in \(0, inf\), got 0"),
    (["learning_rate=0.1"], r"grid: unknown key 'learning_rate'"),
    (["hidden=8,8"], r"grid hidden: 8 is given twice"),
    (["hidden=8", "hidden=16"], r"grid hidden: given twice"),
    (["stopping=window,early"], r"grid stopping: expected one of \['window', 'patience', 'none'\], got 'early'"),
    (["dropout=0.5,1"], r"grid dropout: expected a finite number in \[0, 1\), got 1"),
    (["epochs=1e3"], r"grid epochs: expected an integer >= 1, got '1e3'"),
    (["lr"], r"grid: expected KEY=V1,V2"),
    (["lr="], r"grid: expected KEY=V1,V2"),
    (["patience=3,5"], r"grid patience: not used by gin"),
])
def test_a_bad_grid_exits_2_naming_it_before_loading(grid, message, capsys, tmp_path):
    # --root points at an empty folder: the grid must be refused before any dataset is looked up
    assert main(["sweep", "--dataset", "mutag", "--model", "gin", "--root", str(tmp_path),
                 "--grid", *grid]) == 2
    err = capsys.readouterr().err
    assert err.startswith("npgnn sweep: error: ") and err.count("\n") == 1
    assert __import__("re").search(message, err), err


def test_sweep_refuses_what_would_rank_on_the_test_set_or_cannot_rank(capsys):
    assert main(["sweep", "--model", "gin", "--dataset", "mutag", "--protocol", "gin",
                 "--grid", "lr=0.1,0.01"]) == 2
    assert "ranking configurations by it would select them on the test set" in capsys.readouterr().err
    assert main(["sweep", "--grid", "lr=0.1,0.01", "--lr", "0.1"]) == 2
    assert "grid lr: also set as --lr; give it once" in capsys.readouterr().err
    assert main(["sweep", "--model", "gae", "--grid", "lr=0.1"]) == 2
    assert "a sweep trains node or graph classifiers" in capsys.readouterr().err


def test_grid_configs_checks_the_library_call_too():
    base = TrainConfig(model="gcn")
    assert grid_configs(base, {"lr": [0.1], "hidden": [4, 8]}) == [
        {"lr": 0.1, "hidden": 4}, {"lr": 0.1, "hidden": 8}]
    with pytest.raises(ConfigError, match=r"grid lr: expected a finite number > 0, got -1"):
        grid_configs(base, {"lr": [-1]})
    with pytest.raises(ConfigError, match=r"grid: unknown key 'seed'"):
        grid_configs(base, {"seed": [1, 2]})
    with pytest.raises(ConfigError, match=r"grid hidden: expected a non-empty list"):
        grid_configs(base, {"hidden": []})
    with pytest.raises(ConfigError, match=r"grid: expected at least one"):
        grid_configs(base, {})
