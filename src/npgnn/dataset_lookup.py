"""Dataset names as ``npgnn train/eval`` and :func:`npgnn.experiment.run` accept them.

A name is matched without regard to case (``mutag`` finds ``tu/MUTAG``, ``CORA`` is Cora) against
every dataset npgnn knows: the built-in karate club, the three Planetoid graphs, the TU datasets
whose files npgnn pins, and every TU folder found under ``root`` or in the cache. A name that
matches nothing but is close to a known one is refused with a did-you-mean; any other name is
taken as a TU dataset to download under the spelling given.

``root`` may be a folder holding ``planetoid/`` and ``tu/`` (as ``../shared/datasets``), a folder
holding the raw files directly, PyG's ``root/<Name>/raw`` layout, or one TU dataset's own folder
(``root/MUTAG``): :func:`loader_root` turns it into the folder the dataset's loader takes.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from npgnn.datasets import available_datasets, resolve_root
from npgnn.datasets._checksums import CHECKSUMS
from npgnn.datasets.planetoid import PLANETOID_NAMES

__all__ = ["DatasetRef", "known_datasets", "loader_root", "own_tu_folder", "resolve_dataset"]

#: TU datasets whose raw files npgnn pins (their sha256 is checked before parsing).
PINNED_TU = tuple(sorted({key.split("/")[1] for key in CHECKSUMS if key.startswith("tu/")}))


@dataclass(frozen=True)
class DatasetRef:
    """A dataset name resolved against what npgnn knows.

    Attributes:
        name: the loader's spelling (``"cora"``, ``"karate"``, ``"MUTAG"``).
        kind: ``"builtin"``, ``"planetoid"`` or ``"tu"``.
        known: False for a name npgnn has never seen (taken as a TU name to download).
    """

    name: str
    kind: str
    known: bool = True

    @property
    def task(self) -> str:
        """``"graph"`` for TU datasets (graph classification), else ``"node"``."""
        return "graph" if self.kind == "tu" else "node"


def own_tu_folder(root: Path) -> str | None:
    """The TU name when ``root`` is one dataset's own folder (``<root>/<NAME>_A.txt``)."""
    for folder in (root, root / "raw"):
        if (folder / f"{root.name}_A.txt").is_file():
            return root.name
    return None


def known_datasets(root: str | os.PathLike | None = None) -> dict[str, str]:
    """Every name npgnn can resolve, as ``{spelling: kind}``: built in, Planetoid, pinned TU, and
    the TU folders under ``root`` (see the module docstring) and in the cache."""
    names = {"karate": "builtin", **{n: "planetoid" for n in PLANETOID_NAMES}}
    names.update({n: "tu" for n in PINNED_TU})
    if root is not None:
        own = own_tu_folder(Path(root).expanduser())
        if own is not None:
            names.setdefault(own, "tu")
    for info in available_datasets(_existing(root)):
        if info.kind == "tu":
            names.setdefault(info.name, "tu")
    return names


def _existing(root: str | os.PathLike | None) -> str | os.PathLike | None:
    return root if root is not None and Path(root).expanduser().is_dir() else None


def resolve_dataset(name: str, root: str | os.PathLike | None = None) -> DatasetRef:
    """Match ``name`` case-blind against :func:`known_datasets`.

    Raises:
        ValueError: ``name`` is empty, matches several TU folders that differ only in case, or
            matches nothing while being close to a known name (the message offers it).
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset: expected a dataset name such as 'cora' or 'MUTAG', got {name!r}")
    known = known_datasets(root)
    hits = [n for n in known if n.lower() == name.lower()]
    if name in known:
        hits = [name]
    if len(hits) > 1:
        raise ValueError(f"dataset: {name!r} matches {sorted(hits)}, which differ only in case; "
                         "give the exact spelling")
    if hits:
        return DatasetRef(hits[0], known[hits[0]])
    lowered = {n.lower(): n for n in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.75)
    if close:
        offers = " or ".join(repr(lowered[c]) for c in close)
        raise ValueError(f"dataset: unknown name {name!r}; did you mean {offers}? Known: "
                         f"{', '.join(sorted(known, key=str.lower))}")
    return DatasetRef(name, "tu", known=False)


def loader_root(root: str | os.PathLike | None, ref: DatasetRef) -> str | None:
    """The folder to pass as ``root=`` to the dataset's loader, from the CLI's ``--root``:
    the folder :func:`npgnn.datasets.resolve_root` finds (the one ``root`` rule the loaders
    share), else ``root`` itself (the loader then reports every place it looked)."""
    if root is None or ref.kind == "builtin":
        return None if root is None else os.fspath(root)
    folder = resolve_root(root, ref.kind, ref.name)
    return str(folder if folder is not None else Path(root).expanduser())
