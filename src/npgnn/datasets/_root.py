"""The one ``root`` rule: where a dataset's raw files are, for the library and the CLI alike."""
from __future__ import annotations

import os
from pathlib import Path

#: The files whose presence marks a dataset's folder.
_MARKERS = {"planetoid": ("ind.{lname}.graph",), "tu": ("{name}_A.txt", "{name}_graph_indicator.txt")}
_PYG_FOLDER = {"planetoid": {"cora": "Cora", "citeseer": "CiteSeer", "pubmed": "PubMed"}}


def _child(folder: Path, name: str) -> Path:
    """``folder/name``, matching an existing sub-folder case-blind (``tu/mutag`` finds MUTAG)."""
    exact = folder / name
    if exact.is_dir() or not folder.is_dir():
        return exact
    lowered = name.lower()
    for sub in sorted(folder.iterdir()):
        if sub.name.lower() == lowered and sub.is_dir():
            return sub
    return exact


def candidate_folders(root: str | os.PathLike | None, kind: str, name: str) -> list[Path]:
    """Every folder ``resolve_root`` tries for dataset ``name`` of ``kind``, in order."""
    if root is None:
        return []
    r = Path(root).expanduser()
    places: list[Path] = []
    for base in (r, _child(r, kind)):
        if kind == "planetoid":
            pyg = _PYG_FOLDER["planetoid"].get(name.lower(), name)
            places += [base, _child(base, pyg) / "raw", _child(base, pyg)]
        else:
            own = _child(base, name)
            places += [own, own / "raw", base]
    out: list[Path] = []
    for p in places:
        if p not in out:
            out.append(p)
    return out


def resolve_root(root: str | os.PathLike | None, kind: str, name: str) -> Path | None:
    """The folder under ``root`` holding dataset ``name``'s raw files, or None if none does.

    The one ``--root`` rule, used by every loader and by the CLI. ``root`` may be:

    1. a folder holding ``planetoid/`` and ``tu/`` (as the shared datasets folder):
       ``root/planetoid/ind.cora.*``, ``root/tu/MUTAG/MUTAG_*.txt``;
    2. the dataset's own folder, or the folder of its kind: ``root/ind.cora.*`` (a Planetoid
       folder), ``root/MUTAG_*.txt`` (``root`` is ``tu/MUTAG``), ``root/MUTAG/MUTAG_*.txt``
       (``root`` is ``tu/``);
    3. PyTorch Geometric's layout: ``root/Cora/raw/ind.cora.*``, ``root/MUTAG/raw/MUTAG_*.txt``
       (also under ``root/planetoid``/``root/tu``).

    Folder names match case-blind (``tu/mutag`` finds ``MUTAG``); file names use the dataset's
    own spelling (``ind.cora.x``, ``MUTAG_A.txt``). Candidates are tried in the order
    ``candidate_folders`` lists; the first that holds the marker files wins.

    Args:
        root: the folder given by the user (``root=`` / ``--root``), or None.
        kind: ``"planetoid"`` or ``"tu"``.
        name: the dataset's name in its loader's spelling (``"cora"``, ``"MUTAG"``).

    Raises:
        ValueError: an unknown ``kind``.
    """
    if kind not in _MARKERS:
        raise ValueError(f"resolve_root: kind must be one of {sorted(_MARKERS)}, got {kind!r}")
    markers = [m.format(name=name, lname=name.lower()) for m in _MARKERS[kind]]
    for folder in candidate_folders(root, kind, name):
        if all((folder / m).is_file() for m in markers):
            return folder
    return None
