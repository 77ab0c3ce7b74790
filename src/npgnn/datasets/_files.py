"""Finding raw files: local roots first, then the cache; the error that lists every place looked."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def first_existing(candidates: Sequence[Path]) -> Path | None:
    """The first of ``candidates`` that is a file, or None."""
    for c in candidates:
        if c.is_file():
            return c
    return None


def not_found(filename: str, dataset: str, looked: Sequence[Path], hint: str) -> FileNotFoundError:
    """A FileNotFoundError naming the file, the dataset and every path that was tried."""
    places = "\n".join(f"  - {p}" for p in looked)
    return FileNotFoundError(
        f"{dataset}: raw file {filename!r} not found. Looked in:\n{places}\n{hint}"
    )
