"""Where the tests find the real datasets: ``$NPGNN_SHARED_DATASETS`` if set, else
``../shared/datasets`` beside the project's folder (a folder holding ``planetoid/`` and ``tu/``).
Tests that need them take the ``shared_datasets`` fixture and are skipped when it is absent."""
from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

SHARED_DATASETS = Path(os.environ.get("NPGNN_SHARED_DATASETS",
                                      Path(__file__).resolve().parents[1].parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The shared datasets folder (with ``planetoid/`` and ``tu/``); skips the test without it."""
    if not (SHARED_DATASETS / "planetoid").is_dir() or not (SHARED_DATASETS / "tu").is_dir():
        pytest.skip(f"shared datasets not found in {SHARED_DATASETS} (set NPGNN_SHARED_DATASETS)")
    return SHARED_DATASETS


def _cli_commands(block: str, shared: Path) -> list[list[str]]:
    """The block's commands, with ``../shared/datasets`` pointing at ``shared`` and, so that the
    test is fast, ``--epochs 2`` (and ``--folds 2``, ``--runs 1``) appended to each ``train``."""
    commands = []
    for line in block.splitlines():
        argv = shlex.split(line.split("#")[0])
        if not argv:
            continue
        assert argv[0] == "npgnn", line
        argv = [str(shared) if a == "../shared/datasets" else a for a in argv[1:]]
        if argv[0] == "train":
            argv += ["--epochs", "2", "--runs", "1", "--quiet"]
            if "--model" in argv and argv[argv.index("--model") + 1] in ("gin", "gine", "gps"):
                argv += ["--folds", "2"]
        commands.append(argv)
    return commands


@pytest.fixture(scope="session")
def cli_commands():
    """``cli_commands(block, shared) -> [argv, ...]``: the ``npgnn`` commands of a documented bash
    block, made fast and offline (used by the README and docs tests)."""
    return _cli_commands
