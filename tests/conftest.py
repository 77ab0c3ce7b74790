"""Where the tests find the real datasets: ``$NPGNN_SHARED_DATASETS`` if set, else
``../shared/datasets`` beside the project's folder (a folder holding ``planetoid/`` and ``tu/``).
Tests that need them take the ``shared_datasets`` fixture and are skipped when it is absent."""
from __future__ import annotations

import os
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
