"""The `npgnn` command line: parser structure, the demo subcommand, exit codes, import cost."""
from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from npgnn import cli


def test_demo_subcommand(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("npgnn demo: the article's GNN on its 5-node graph")
    assert "logits = [[ 2.55736473 -2.42114885]]" in out


def test_demo_article_replay(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["demo", "--article-replay"]) == 0
    out = capsys.readouterr().out
    assert "[[ 58.68030203 -58.54451771]]" in out and "Why they differ" in out


def test_npgnn_alone_prints_the_help_and_returns_2(capsys: pytest.CaptureFixture) -> None:
    assert cli.main([]) == 2          # the help for a person (as git), a usage failure for a script
    out = capsys.readouterr().out
    assert out.startswith("usage: npgnn") and "demo" in out and "Exit status" in out


@pytest.mark.parametrize("argv,message", [
    (["fly"], "invalid choice: 'fly'"),
    (["demo", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_help_and_version(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    assert "demo" in capsys.readouterr().out
    from npgnn import __version__

    for flag in ("--version", "-V"):
        with pytest.raises(SystemExit) as exc:
            cli.main([flag])
        assert exc.value.code == 0
        assert capsys.readouterr().out == f"npgnn {__version__}\n"


@pytest.mark.parametrize("command", ["train", "eval", "datasets", "demo"])
def test_help_shows_every_default(command: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    options = [a for a in cli.build_parser()._subparsers._group_actions[0].choices[command]._actions
               if a.option_strings and a.help != argparse.SUPPRESS and a.dest != "help" and not a.required]
    assert out.count("(default:") == len(options), out
    assert "(default: None)" not in out and "paper's: gin gin" not in out


def test_a_new_subcommand_plugs_in_with_one_add_parser_and_handler(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def add_echo(subparsers: argparse._SubParsersAction) -> None:
        p = subparsers.add_parser("echo")
        p.add_argument("word")
        p.set_defaults(handler=lambda args: print(args.word) or 3)

    monkeypatch.setattr(cli, "SUBCOMMANDS", [*cli.SUBCOMMANDS, add_echo])
    assert cli.main(["echo", "hi"]) == 3
    assert capsys.readouterr().out == "hi\n"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], check=False, capture_output=True, text=True, timeout=60)


def test_python_dash_m_npgnn() -> None:
    done = run("-m", "npgnn", "demo")
    assert done.returncode == 0, done.stderr
    assert "npgnn demo" in done.stdout
    assert run("-m", "npgnn").returncode == 2


def test_the_cli_imports_neither_torch_nor_matplotlib() -> None:
    code = ("import sys; from npgnn.cli import main; main(['demo']); main(['demo', '--article-replay']);"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'matplotlib', 'torch_geometric'});"
            "print('HEAVY', heavy)")
    done = run("-c", code)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout
