"""What datasets are at hand: under a local root, in the cache, and built in."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from npgnn.datasets._cache import cache_dir
from npgnn.datasets.planetoid import PLANETOID_NAMES, PLANETOID_PARTS

_TU_NEEDED = ("A", "graph_indicator", "graph_labels")


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset found by ``available_datasets``.

    Attributes:
        name: the name to pass to the loader (``"cora"``, ``"MUTAG"``, ``"karate"``).
        kind: ``"planetoid"``, ``"tu"`` or ``"builtin"``.
        location: ``"root"``, ``"cache"`` or ``"builtin"``.
        path: the folder holding the raw files (None for built-in data).
        missing: raw files that a load would still need (empty when complete).
    """

    name: str
    kind: str
    location: str
    path: Path | None
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every raw file is present (the load needs no download)."""
        return not self.missing


def _planetoid_in(dirs: list[Path], location: str) -> list[DatasetInfo]:
    found = []
    for lname, display in PLANETOID_NAMES.items():
        best: tuple[int, Path, tuple[str, ...]] | None = None
        for d in dirs + [d / display / "raw" for d in dirs]:
            files = [f"ind.{lname}.{p}" for p in PLANETOID_PARTS]
            missing = tuple(f for f in files if not (d / f).is_file())
            have = len(files) - len(missing)
            if have and (best is None or have > best[0]):
                best = (have, d, missing)
        if best is not None:
            found.append(DatasetInfo(lname, "planetoid", location, best[1], best[2]))
    return found


def _tu_in(dirs: list[Path], location: str) -> list[DatasetInfo]:
    found: dict[str, DatasetInfo] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for sub in sorted(p for p in d.iterdir() if p.is_dir()):
            name = sub.name
            for folder in (sub, sub / "raw"):
                if name not in found and (folder / f"{name}_A.txt").is_file():
                    missing = tuple(f"{name}_{p}.txt" for p in _TU_NEEDED
                                    if not (folder / f"{name}_{p}.txt").is_file())
                    found[name] = DatasetInfo(name, "tu", location, folder, missing)
    return list(found.values())


def available_datasets(root: str | os.PathLike | None = None) -> list[DatasetInfo]:
    """List the datasets that can be loaded without a download, or nearly so.

    Looks under ``root`` (if given) for Planetoid files in ``root``, ``root/planetoid`` and PyG's
    ``root/<Name>/raw``, and for TU folders in ``root`` and ``root/tu`` (as in the shared datasets
    folder), then in the cache (``$NPGNN_CACHE``, default ``~/.cache/npgnn``), then adds the
    built-in karate club. Partially present datasets are listed with their ``missing`` files.

    Args:
        root: a local datasets directory, or None for the cache only.

    Returns:
        ``DatasetInfo`` entries: root ones first, then cache, then built-in.

    Examples:
        >>> [d.name for d in available_datasets() if d.kind == "builtin"]
        ['karate']
    """
    out: list[DatasetInfo] = []
    if root is not None:
        r = Path(root).expanduser()
        out += _planetoid_in([r, r / "planetoid"], "root")
        out += _tu_in([r, r / "tu"], "root")
    cache = cache_dir()
    out += _planetoid_in([cache / "planetoid"], "cache")
    out += _tu_in([cache / "tu"], "cache")
    out.append(DatasetInfo("karate", "builtin", "builtin", None))
    return out
