"""Downloads that never leave a half-written file, checksum errors, and safe zip extraction.

``download`` streams into a temporary file in the destination's own directory (so the final
``os.replace`` is an atomic rename on one filesystem), hashes while it writes, checks the sha256
when one is pinned, and only then moves the file into place. On any failure, including Ctrl-C,
the temporary file is removed.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from tqdm import tqdm

_CHUNK = 1 << 16
_USER_AGENT = "npgnn (https://pypi.org/project/npgnn)"


class ChecksumError(ValueError):
    """A file's size or sha256 differs from the pinned (or first-seen) value."""


class DownloadError(OSError):
    """A download failed (network, HTTP status, refused URL)."""


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def check_bytes(
    data: bytes, path: str | os.PathLike, expected: tuple[int | None, str] | None, *,
    source: str = "npgnn's checksum table",
) -> None:
    """Raise ``ChecksumError`` unless ``data`` (read from ``path``) has the expected size/sha256.

    Args:
        data: the file's full contents.
        path: where it was read from (named in the error).
        expected: ``(size or None, sha256)``, or None to accept anything.
        source: where the expected value comes from (named in the error).
    """
    if expected is None:
        return
    size, digest = expected
    actual = sha256_bytes(data)
    if actual == digest and (size is None or size == len(data)):
        return
    what = "is truncated or padded" if size is not None and size != len(data) else "was altered"
    sizes = f" size expected {size} bytes, found {len(data)} bytes;" if size is not None else ""
    raise ChecksumError(
        f"{path}: checksum mismatch, the file {what}.{sizes} sha256 expected {digest}, "
        f"found {actual} (expected value from {source}). The file is corrupted or is not the "
        f"published one: delete it and load the dataset again to re-download it into the cache "
        f"(or, if it lives under root=, replace it with a trusted copy)."
    )


def download(
    url: str,
    dest: str | os.PathLike,
    sha256: str | None = None,
    progress: bool = True,
    *,
    timeout: float = 60.0,
) -> str:
    """Download ``url`` to ``dest`` atomically and return the file's sha256 hex digest.

    The body streams into a temporary file beside ``dest`` with a tqdm progress bar (shown only
    when ``progress`` is true and stderr is a terminal). If ``sha256`` is given it is checked
    before the temporary file is renamed to ``dest`` with ``os.replace``; so ``dest`` is either
    absent, its old version, or the complete, verified new file.

    Args:
        url: an ``http://`` or ``https://`` URL.
        dest: the final path; its parent directory is created if needed.
        sha256: expected hex digest, or None to accept any content (trust on first use).
        progress: show a progress bar (also disabled when stderr is not a TTY).
        timeout: socket timeout in seconds.

    Returns:
        The sha256 hex digest of the downloaded bytes.

    Raises:
        ValueError: ``url`` is not http(s).
        DownloadError: the request failed; nothing is left behind.
        ChecksumError: the content's sha256 differs from ``sha256``; the temporary file is deleted.
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"download: url must start with http:// or https://, got {url!r}")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    hasher = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
            try:
                response = urllib.request.urlopen(request, timeout=timeout)
            except urllib.error.HTTPError as err:
                raise DownloadError(
                    f"could not download {url}: the server answered HTTP {err.code} "
                    f"({err.reason}). Check the URL or dataset name; or copy the file to "
                    f"{dest} by hand."
                ) from err
            except (urllib.error.URLError, OSError) as err:
                raise DownloadError(
                    f"could not download {url} to {dest}: {err}. Check the network connection "
                    f"(or proxy settings), or copy the file to {dest} by hand."
                ) from err
            with response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                disable = not progress or not sys.stderr.isatty()
                with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                          desc=dest.name, disable=disable, leave=False) as bar:
                    while True:
                        try:
                            chunk = response.read(_CHUNK)
                        except OSError as err:
                            raise DownloadError(
                                f"download of {url} was interrupted: {err}. Try again; the "
                                f"partial file was deleted."
                            ) from err
                        if not chunk:
                            break
                        out.write(chunk)
                        hasher.update(chunk)
                        bar.update(len(chunk))
            if total is not None and out.tell() != total:
                raise DownloadError(
                    f"download of {url} ended early: got {out.tell()} of {total} bytes. Try "
                    f"again; the partial file was deleted."
                )
        actual = hasher.hexdigest()
        if sha256 is not None and actual != sha256:
            raise ChecksumError(
                f"downloaded {url} to {dest}: sha256 expected {sha256}, found {actual}. The "
                f"partial file was deleted. Retry; if it fails again the server's copy differs "
                f"from the one npgnn pins: get the file from a trusted copy and pass root=."
            )
        os.replace(tmp, dest)
        return actual
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _safe_member_path(name: str, archive: str | os.PathLike) -> PurePosixPath:
    """Validate a zip member name: relative, no ``..``, no drive letter or backslash tricks."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if (posix.is_absolute() or name.startswith(("/", "\\")) or ".." in posix.parts
            or (posix.parts and ":" in posix.parts[0])):
        raise ValueError(
            f"{archive}: refusing to extract member {name!r}: absolute paths and '..' would "
            f"write outside the target directory. The archive is not a genuine dataset archive; "
            f"delete it."
        )
    return posix


def extract_zip(archive: str | os.PathLike, target: str | os.PathLike, *,
                max_bytes: int = 4 << 30) -> list[Path]:
    """Extract the regular files of a zip archive under ``target``, refusing unsafe members.

    Every member is checked before anything is written: absolute paths, ``..`` components,
    drive letters and symbolic links raise ``ValueError``, as does a total uncompressed size
    above ``max_bytes`` (a zip bomb guard).

    Returns:
        The paths of the extracted files.
    """
    target = Path(target)
    written: list[Path] = []
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        total = 0
        for info in members:
            _safe_member_path(info.filename, archive)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ValueError(f"{archive}: refusing to extract symbolic link {info.filename!r}")
            total += info.file_size
        if total > max_bytes:
            raise ValueError(f"{archive}: uncompressed size {total} bytes exceeds the limit "
                             f"max_bytes={max_bytes}; refusing to extract")
        for info in members:
            if info.is_dir():
                continue
            rel = _safe_member_path(info.filename, archive)
            dest = target.joinpath(*rel.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, _CHUNK)
            written.append(dest)
    return written
