"""Atomic file writes and the output-path check the CLI runs before training.

A write goes to a temporary file ``.<name>.<random>.npgnn-tmp`` in the target's folder, is
flushed and fsync'ed, then renamed over the target with ``os.replace`` (atomic on one file
system): an interrupted save leaves the old file intact, never half a file.

* **SIGTERM / Ctrl-C during a write**: the temporary file is removed (``try``/``finally``; a
  SIGTERM arriving during the write is turned into ``KeyboardInterrupt``-like cleanup by a
  handler installed for the duration of the write, in the main thread only, then re-delivered
  to the previous handler).
* **SIGKILL or a power cut** cannot be handled: the temporary file stays. Its name pattern is
  fixed, so the next write to the same target removes every stale ``.<name>.*.npgnn-tmp``
  older than a minute (a concurrent writer's younger file is left alone).
* **Permissions**: an existing target keeps its mode bits; a new file gets ``0o666 & ~umask``,
  like any plainly created file.
* **Refused before writing**: an empty path, a folder, a missing parent folder, a target that
  exists and is read-only (no write bit: even root, who could write it, is told the file asks
  to be kept), a parent folder that is not writable.
"""
from __future__ import annotations

import contextlib
import glob
import os
import secrets
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

PathLike = str | os.PathLike
TMP_SUFFIX = ".npgnn-tmp"
_STALE_SECONDS = 60.0

__all__ = ["TMP_SUFFIX", "atomic_write", "check_writable"]


def check_writable(path: PathLike, *, caller: str = "save", create_dirs: bool = False) -> str:
    """Check, writing nothing, that ``path`` can be written by :func:`atomic_write`.

    Call it before expensive work (training) so that a bad output path fails at once.

    Args:
        path: the file to be written.
        caller: the prefix of error messages (e.g. ``"--save"``).
        create_dirs: missing parent folders are acceptable (the caller creates them); the
            nearest existing one must then be a writable folder.
    Returns:
        The path as a string.
    Raises:
        ValueError: an empty path. IsADirectoryError: ``path`` is a folder.
        FileNotFoundError: the folder does not exist (``create_dirs=False``).
        NotADirectoryError: a parent is a file. PermissionError: the target is read-only or
        the folder is not writable.
    """
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{caller}: path must be a str or os.PathLike, got {type(path).__name__}")
    path_s = os.fspath(path)
    if not path_s:
        raise ValueError(f"{caller}: the path is empty; give a file name")
    path_s = os.path.expanduser(path_s)
    if os.path.isdir(path_s):
        raise IsADirectoryError(f"{caller}: {path_s!r} is a directory; give a file name inside it")
    directory = os.path.dirname(os.path.abspath(path_s))
    existing = directory
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if existing != directory and not create_dirs:
        raise FileNotFoundError(f"{caller}: cannot write {path_s!r}: the directory {directory!r} "
                                "does not exist; create it first (os.makedirs)")
    if not os.path.isdir(existing):
        raise NotADirectoryError(f"{caller}: cannot write {path_s!r}: {existing!r} is a file, "
                                 "not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"{caller}: cannot write {path_s!r}: the folder {existing!r} is "
                              "not writable")
    if os.path.lexists(path_s):
        try:
            mode = os.stat(path_s).st_mode
        except OSError:  # a dangling symlink: os.replace puts a file in its place
            return path_s
        if not stat.S_ISREG(mode):
            raise PermissionError(f"{caller}: {path_s!r} exists and is not a regular file; "
                                  "choose another name")
        if not mode & 0o222 or not os.access(path_s, os.W_OK):
            raise PermissionError(f"{caller}: {path_s!r} exists and is read-only; choose another "
                                  "name or make it writable (chmod u+w)")
    return path_s


def _remove_stale(directory: str, base: str) -> None:
    """Delete temporary files of earlier writes to ``base`` killed by SIGKILL (older than 60 s)."""
    pattern = os.path.join(glob.escape(directory), f".{glob.escape(base)}.*{TMP_SUFFIX}")
    now = time.time()
    for old in glob.glob(pattern):
        with contextlib.suppress(OSError):
            if now - os.lstat(old).st_mtime > _STALE_SECONDS:
                os.unlink(old)


class _Terminated(BaseException):
    """Raised inside a write when SIGTERM arrives, so that ``finally`` removes the temp file."""


@contextlib.contextmanager
def _sigterm_cleans_up() -> Iterator[list[Any]]:
    """While active (main thread only), SIGTERM raises :class:`_Terminated`; on the way out the
    previous handler is restored and the signal re-sent to it."""
    received: list[Any] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, frame: Any) -> None:
        received.append(signum)
        raise _Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # not allowed here (e.g. an embedded interpreter)
        yield received
        return
    try:
        yield received
    except _Terminated:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if received:
            os.kill(os.getpid(), signal.SIGTERM)  # the previous handler decides what happens
    if received:  # the previous handler let the process live on
        raise InterruptedError("the write was interrupted by SIGTERM; the target is unchanged")


def atomic_write(path: PathLike, write: Callable[[IO[bytes]], Any], *, caller: str = "save") -> None:
    """Write ``path`` through ``write(file)`` atomically (see the module docstring).

    Raises:
        what :func:`check_writable` raises, and OSError from the file system; the temporary
        file is gone whatever happens (SIGKILL aside).
    """
    path_s = check_writable(path, caller=caller)
    directory = os.path.dirname(os.path.abspath(path_s))
    base = os.path.basename(path_s)
    _remove_stale(directory, base)
    try:
        mode = stat.S_IMODE(os.stat(path_s).st_mode)
    except OSError:
        mode = None
    with _sigterm_cleans_up():
        tmp = None
        try:
            while tmp is None:
                candidate = os.path.join(directory, f".{base}.{secrets.token_hex(6)}{TMP_SUFFIX}")
                try:  # 0o666 & ~umask: the same permissions as a plainly created file
                    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
                    fd = os.open(candidate, flags, 0o666)
                except FileExistsError:
                    continue
                tmp = candidate
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path_s)
            tmp = None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    with contextlib.suppress(OSError):  # persist the rename too (POSIX; not possible on Windows)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
