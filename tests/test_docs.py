"""Every python block of the docs site runs: the blocks of one page run in order, in one process
(a page is a walk-through whose later blocks use earlier names), from the project's folder; and
every bash block made only of ``npgnn`` commands runs too (fast settings, the shared datasets)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
WITH_CODE = [p for p in PAGES if "```python\n" in p.read_text()]


def page_code(page: Path) -> str:
    return "\n\n".join(re.findall(r"```python\n(.*?)```", page.read_text(), re.S))


@pytest.mark.parametrize("page", WITH_CODE, ids=[str(p.relative_to(ROOT / "docs")) for p in WITH_CODE])
def test_docs_page_code_runs(page: Path) -> None:
    done = subprocess.run([sys.executable, "-c", page_code(page)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr


def test_the_cli_page_documents_every_option() -> None:
    from npgnn.cli import build_parser

    text = (ROOT / "docs" / "cli.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert f"## `npgnn {name}`" in text, name
        for action in sub._actions:
            for flag in action.option_strings or [action.dest]:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}`" in text, (name, flag)


def test_every_page_is_in_the_nav() -> None:
    """A page missing from mkdocs.yml's nav builds but cannot be reached (mkdocs only logs it)."""
    config = (ROOT / "mkdocs.yml").read_text()
    listed = set(re.findall(r":\s*([\w./-]+\.md)\s*$", config, re.M))
    assert {str(p.relative_to(ROOT / "docs")) for p in PAGES} == listed


CLI_BLOCKS = [(p, b) for p in PAGES for b in re.findall(r"```bash\n(.*?)```", p.read_text(), re.S)
              if all(line.startswith("npgnn ") for line in b.strip().splitlines())]


@pytest.mark.parametrize("page,block", CLI_BLOCKS, ids=[p.stem for p, _ in CLI_BLOCKS])
def test_docs_cli_blocks_run(page, block, tmp_path, shared_datasets, monkeypatch, capsys, cli_commands):
    from npgnn.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NPGNN_CACHE", str(tmp_path / "cache"))
    for argv in cli_commands(block, shared_datasets):
        assert main(argv) == 0, (argv, capsys.readouterr().err)

