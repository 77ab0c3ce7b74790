"""npgnn train --batch-size/--num-neighbors: node models over NeighborLoader mini-batches."""
import json
import re

import pytest

from npgnn.cli import main


def test_node_model_trains_on_sampled_batches(tmp_path, shared_datasets):
    out = tmp_path / "m.json"
    assert main(["train", "--dataset", "Cora", "--model", "sage", "--root", str(shared_datasets),
                 "--epochs", "10", "--stopping", "none", "--batch-size", "32",
                 "--num-neighbors", "15,10", "--quiet", "--metrics-out", str(out)]) == 0
    metrics = json.loads(out.read_text())
    assert metrics["settings"]["batch_size"] == 32
    assert list(metrics["settings"]["num_neighbors"]) == [15, 10]
    assert metrics["runs"][0]["epochs"] == 10 and metrics["test_accuracy_mean"] > 0.7


def test_sampled_run_is_deterministic_for_a_seed(tmp_path):
    accs = []
    for k in range(2):
        out = tmp_path / f"m{k}.json"
        assert main(["train", "--dataset", "karate", "--model", "gcn", "--epochs", "5",
                     "--batch-size", "4", "--quiet", "--metrics-out", str(out)]) == 0
        accs.append(json.loads(out.read_text())["runs"][0]["val_accuracy"])
    assert accs[0] == accs[1]


@pytest.mark.parametrize("argv,message", [
    (["--num-neighbors", "15,x"], (r"argument --num-neighbors: expected comma-separated "
                                   r"integers >= -1 \(one per hop, e.g. 15,10\), got '15,x'")),
    (["--num-neighbors", "5,-2"], "argument --num-neighbors: expected comma-separated integers"),
])
def test_bad_neighbour_counts_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--quiet", *argv])
    assert exc.value.code == 2
    assert re.search(message, capsys.readouterr().err)


@pytest.mark.parametrize("argv,message", [
    (["--model", "gcn", "--num-neighbors", "5"], "num_neighbors: needs batch_size"),
    (["--model", "gin", "--num-neighbors", "5"], "num_neighbors: not used by gin"),
])
def test_misplaced_num_neighbors_exit_2(argv, message, capsys):
    assert main(["train", "--quiet", *argv]) == 2
    assert message in capsys.readouterr().err
