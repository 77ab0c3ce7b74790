"""The CLI refuses bad input before loading data or training: ranges while parsing (exit 2, the
option named), options that do not fit the model (exit 2), unknown datasets with a did-you-mean
and output paths that cannot be written (exit 1, one line, no traceback); Ctrl-C exits 130."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from npgnn import experiment
from npgnn.cli import main


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to load data or train fails the test: every check must come first."""
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the CLI loaded data or trained before refusing the arguments")

    for name in ("load_node_data", "load_graph_data", "fit_nodes", "fit_fold"):
        monkeypatch.setattr(experiment, name, forbidden)


@pytest.mark.parametrize("argv,message", [
    (["--epochs", "0"], "argument --epochs: expected an integer >= 1, got 0"),
    (["--epochs", "-1"], "argument --epochs: expected an integer >= 1, got -1"),
    (["--epochs", "2.5"], "argument --epochs: expected an integer >= 1, got '2.5'"),
    (["--runs", "0"], "argument --runs: expected an integer >= 1, got 0"),
    (["--hidden", "0"], "argument --hidden: expected an integer >= 1, got 0"),
    (["--hidden", "-5"], "argument --hidden: expected an integer >= 1, got -5"),
    (["--patience", "-3"], "argument --patience: expected an integer >= 1, got -3"),
    (["--seed", "-1"], "argument --seed: expected an integer >= 0, got -1"),
    (["--folds", "1", "--model", "gin"], "argument --folds: expected an integer >= 2, got 1"),
    (["--batch-size", "0"], "argument --batch-size: expected an integer >= 1, got 0"),
    (["--lr", "0"], r"argument --lr: expected a finite number in \(0, inf\), got 0"),
    (["--lr", "nan"], r"argument --lr: expected a finite number in \(0, inf\), got nan"),
    (["--dropout", "1"], r"argument --dropout: expected a finite number in \[0, 1\), got 1"),
    (["--weight-decay=-1e-4"], r"argument --weight-decay: expected a finite number in \[0, inf\)"),
    (["--weight-decay", "inf"], r"argument --weight-decay: expected a finite number"),
    (["--model", "gcnn"], "argument --model: invalid choice: 'gcnn'"),
])
def test_out_of_range_options_exit_2_naming_the_option(argv: list[str], message: str, no_training: None,
                                                       capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["train", "--quiet", *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err


@pytest.mark.parametrize("argv,message", [
    (["--model", "gcn", "--folds", "3"], "folds: not used by gcn (node classification); drop --folds"),
    (["--model", "gcn", "--protocol", "holdout"], "protocol: not used by gcn"),
    (["--model", "gin", "--patience", "5"], "patience: not used by gin (graph classification)"),
])
def test_options_the_model_does_not_use_exit_2(argv: list[str], message: str, no_training: None,
                                                capsys: pytest.CaptureFixture) -> None:
    assert main(["train", "--quiet", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_typo_in_the_dataset_gets_a_did_you_mean_not_a_model_mismatch(
        no_training: None, capsys: pytest.CaptureFixture) -> None:
    assert main(["train", "--dataset", "coar", "--model", "gcn", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "unknown name 'coar'; did you mean 'cora'?" in err and "does not fit" not in err
    assert main(["train", "--dataset", "mutagg", "--model", "gin", "--quiet"]) == 1
    assert "did you mean 'MUTAG'?" in capsys.readouterr().err


def test_an_unknown_dataset_with_a_node_model_says_what_npgnn_knows(no_training: None,
                                                                     capsys: pytest.CaptureFixture) -> None:
    assert main(["train", "--dataset", "zzzdata", "--model", "gcn", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "'zzzdata' is not a dataset npgnn knows" in err and "needs the model gin" in err


@pytest.mark.parametrize("option", ["--save", "--metrics-out", "--plot"])
def test_unwritable_outputs_are_refused_before_training(option: str, tmp_path: Path, no_training: None,
                                                        capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["train", "--quiet", option, str(blocker / "m.out")]) == 1
    assert f"{option}: cannot write" in capsys.readouterr().err
    assert main(["train", "--quiet", option, str(tmp_path)]) == 1
    assert f"{option}: {str(tmp_path)!r} is a directory; give a file name inside it" in capsys.readouterr().err
    readonly = tmp_path / "ro.out"
    readonly.write_text("keep me")
    readonly.chmod(0o444)
    assert main(["train", "--quiet", option, str(readonly)]) == 1
    assert "exists and is read-only" in capsys.readouterr().err
    assert readonly.read_text() == "keep me"


def test_a_failed_check_creates_no_folder(tmp_path: Path, no_training: None) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["train", "--quiet", "--save", str(tmp_path / "new" / "m.safetensors"),
                 "--metrics-out", str(blocker / "m.json")]) == 1
    assert not (tmp_path / "new").exists()


def test_missing_output_folders_are_created_and_the_run_is_kept(tmp_path: Path) -> None:
    model, metrics = tmp_path / "nodir" / "m.safetensors", tmp_path / "a" / "b" / "m.json"
    assert main(["train", "--quiet", "--epochs", "5", "--save", str(model),
                 "--metrics-out", str(metrics)]) == 0
    assert model.stat().st_size > 0 and json.loads(metrics.read_text())["model"] == "gcn"


def test_plot_without_matplotlib_fails_before_training(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      no_training: None, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)       # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert main(["train", "--quiet", "--plot", str(tmp_path / "p.png")]) == 1
    err = capsys.readouterr().err
    assert "--plot needs matplotlib" in err and "pip install 'npgnn[plot]'" in err


@pytest.mark.parametrize("command", [["datasets"], ["train", "--quiet"], ["eval", "m.safetensors", "--dataset", "cora"]])
def test_a_missing_root_fails_clearly(command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main([*command, "--root", str(tmp_path / "nonexistent")]) == 1
    assert f"--root: no such folder: {str(tmp_path / 'nonexistent')!r}" in capsys.readouterr().err


def test_node_metrics_record_no_graph_protocol(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    assert main(["train", "--quiet", "--epochs", "3", "--metrics-out", str(out)]) == 0
    metrics = json.loads(out.read_text())
    assert "protocol" not in metrics["settings"] and "folds" not in metrics["settings"]
    assert metrics["std_over"] == "runs" and metrics["task"] == "node"


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    argv = ["train", "--dataset", "karate", "--model", "gat", "--stopping", "none", "--epochs", "10000000",
            "--quiet"]
    code = ("import sys; from npgnn.cli import main; print('ready', file=sys.stderr, flush=True); "
            f"sys.exit(main({argv!r}))")
    proc = subprocess.Popen([sys.executable, "-c", code],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
                            # a background job inherits an ignored SIGINT; give the child the default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stderr.readline() == "ready\n"      # imported (however busy the machine is)
    time.sleep(1.0)                                   # inside main: loading or training
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == "npgnn: interrupted\n" and out == ""


def test_a_failed_download_says_where_to_put_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture) -> None:
    from npgnn.datasets import tu

    monkeypatch.setattr(tu, "TU_URLS", ("http://127.0.0.1:9",))   # nothing listens: refused at once
    monkeypatch.setenv("NPGNN_CACHE", str(tmp_path / "cache"))
    (tmp_path / "data").mkdir()
    assert main(["train", "--dataset", "mutag", "--model", "gin", "--root", str(tmp_path / "data"),
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    assert ".part" not in err and "Traceback" not in err
    assert f"into {tmp_path / 'data' / 'MUTAG'}." in err     # the real folder, spelled as TU spells it


def test_a_diverging_run_fails_with_one_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["train", "--quiet", "--lr", "1e300", "--epochs", "5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("npgnn: error: training loss became nan at epoch") and err.count("\n") == 1


def test_a_diverging_graph_run_fails_with_one_line(capsys: pytest.CaptureFixture, shared_datasets: Path) -> None:
    assert main(["train", "--quiet", "--dataset", "mutag", "--model", "gin", "--lr", "1e300", "--epochs", "3",
                 "--folds", "2", "--root", str(shared_datasets)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("npgnn: error: fold 1/2: training loss became") and err.count("\n") == 1


def test_check_output_is_io_check_writable_with_the_option_named(tmp_path: Path) -> None:
    from npgnn.commands._args import check_output

    assert check_output(str(tmp_path / "new" / "m.json"), "--metrics-out") == tmp_path / "new" / "m.json"
    with pytest.raises(ValueError, match="--save: the path is empty"):
        check_output("", "--save")
    with pytest.raises(IsADirectoryError, match=r"--plot: .* is a directory; give a file name inside it"):
        check_output(str(tmp_path), "--plot")


def test_metrics_json_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import os

    from npgnn.commands._args import write_json

    out = tmp_path / "m.json"
    write_json(out, {"acc": 0.5}, "--metrics-out")
    assert json.loads(out.read_text()) == {"acc": 0.5}

    def fail(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)  # the write dies after the bytes went to the temp file
    with pytest.raises(OSError, match="No space left"):
        write_json(out, {"acc": 0.9}, "--metrics-out")
    assert json.loads(out.read_text()) == {"acc": 0.5}          # the previous file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]  # and no temporary file is left
