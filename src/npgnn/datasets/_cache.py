"""The dataset cache directory, verified reads, and trust-on-first-use checksum records.

Layout of the cache (the same as a local ``root``, so files can be copied either way)::

    $NPGNN_CACHE (default ~/.cache/npgnn)/
        planetoid/ind.cora.x ...
        tu/MUTAG/MUTAG_A.txt ...
        tu/<NAME>/SHA256SUMS.tsv     sizes and hashes recorded at first download of a TU dataset
                                     that npgnn does not pin (trust on first use)
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from npgnn.datasets._checksums import pinned
from npgnn.datasets._download import check_bytes, sha256_bytes

CACHE_ENV = "NPGNN_CACHE"
RECORD_NAME = "SHA256SUMS.tsv"


def cache_dir() -> Path:
    """The dataset cache: ``$NPGNN_CACHE`` if set and non-empty, else ``~/.cache/npgnn``.

    The directory is not created here; loaders create the parts they write to.
    """
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "npgnn"


def read_record(folder: Path) -> dict[str, tuple[int, str]]:
    """Read a ``SHA256SUMS.tsv`` (``size<TAB>sha256<TAB>filename`` lines) from ``folder``."""
    path = folder / RECORD_NAME
    if not path.is_file():
        return {}
    out: dict[str, tuple[int, str]] = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].isdigit() or len(parts[1]) != 64:
            raise ValueError(f"{path}:{lineno}: expected 'size<TAB>sha256<TAB>filename', got "
                             f"{line!r}; delete the folder {folder} to download it again")
        out[parts[2]] = (int(parts[0]), parts[1])
    return out


def write_record(folder: Path, files: list[Path]) -> None:
    """Record size and sha256 of ``files`` in ``folder/SHA256SUMS.tsv`` (atomically)."""
    lines = []
    for f in sorted(files):
        data = f.read_bytes()
        lines.append(f"{len(data)}\t{sha256_bytes(data)}\t{f.name}\n")
    fd, tmp = tempfile.mkstemp(prefix=f".{RECORD_NAME}.", dir=folder)
    try:
        with os.fdopen(fd, "w") as out:
            out.writelines(lines)
        os.replace(tmp, folder / RECORD_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_verified(path: Path, key: str, record: dict[str, tuple[int, str]] | None = None,
                  record_path: Path | None = None) -> bytes:
    """Read ``path`` whole and check it against the pinned checksum for ``key``.

    Args:
        path: the file to read.
        key: its key in the checksum table, e.g. ``"planetoid/ind.cora.x"``.
        record: a trust-on-first-use record (filename -> (size, sha256)) used when ``key`` is not
            pinned; files in neither are returned unverified.
        record_path: where ``record`` was read from (named in errors).

    Returns:
        The file's bytes, parsed by the caller from memory, so what was verified is what is
        parsed.

    Raises:
        ChecksumError: size or sha256 differs.
    """
    data = path.read_bytes()
    expected = pinned(key)
    if expected is not None:
        check_bytes(data, path, expected)
    elif record and path.name in record:
        check_bytes(data, path, record[path.name],
                    source=f"the record made at first download, {record_path}")
    return data
