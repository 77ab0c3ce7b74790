"""Argument types and checks shared by the subcommands: ranges enforced while argparse parses, and
output paths checked before any data is loaded or any epoch is trained.

A range type raises ``argparse.ArgumentTypeError``; argparse prefixes its message with the option
(``argument --epochs: expected an integer >= 1, got 0``) and exits with status 2.
"""
from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from pathlib import Path


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` with every optional option's default: ``(default: X)`` from the option's
    default, unless its help already says ``(default: ...)`` in words (for an unset option that
    means "the paper's value" or "not written"). Required options have no default to show."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("(default:" in text or not action.option_strings or action.required
                or action.default is argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer ``>= low`` (``"1e3"``, ``"2.5"`` and ``"true"`` are refused)."""
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
        return value

    parse.__name__ = f"integer >= {low}"  # argparse names the type in some messages
    return parse


def neighbour_counts(text: str) -> tuple[int, ...]:
    """An argparse type: comma-separated integers >= -1, one per hop (``"15,10"``; -1: all)."""
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        counts = ()
    if not counts or any(c < -1 for c in counts):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers >= -1 (one per hop, e.g. 15,10), got {text!r}")
    return counts


def float_in(low: float, high: float = math.inf, *, low_open: bool = False,
             high_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite float in ``[low, high]`` (either end open on request)."""
    lo, hi = ("(" if low_open else "["), (")" if high_open or high == math.inf else "]")
    span = f"a finite number in {lo}{low:g}, {'inf' if high == math.inf else f'{high:g}'}{hi}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {span}, got {text!r}") from None
        inside = (math.isfinite(value) and (value > low if low_open else value >= low)
                  and (value < high if high_open else value <= high))
        if not inside:
            raise argparse.ArgumentTypeError(f"expected {span}, got {text}")
        return value

    parse.__name__ = span
    return parse


def check_output(path: str, option: str) -> Path:
    """Check, without writing anything, that a finished run can be written to ``path``.

    The nearest existing folder on the way to ``path`` must be a writable folder (missing folders
    below it are created by :func:`prepare_outputs`); ``path`` must not be a folder nor an
    existing read-only file.

    Raises:
        OSError (a subclass) whose message names ``option`` and the path.
    """
    if not path:
        raise FileNotFoundError(f"{option}: expected a file name, got an empty string")
    target = Path(path).expanduser()
    if target.is_dir():
        raise IsADirectoryError(f"{option}: {path!r} is a folder; give a file name inside it, "
                                f"for example {str(target / 'out')!r}")
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"{option}: cannot write {path!r}: {str(existing)!r} is a file, "
                                 "not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"{option}: cannot write {path!r}: the folder {str(existing)!r} is "
                              "not writable")
    if target.exists() and (not os.access(target, os.W_OK) or not target.stat().st_mode & 0o222):
        # (the mode bits too: root may write anything, but a read-only file says "keep me")
        raise PermissionError(f"{option}: {path!r} exists and is read-only; choose another name "
                              "or make it writable")
    return target


def prepare_outputs(paths: dict[str, str | None]) -> dict[str, Path]:
    """:func:`check_output` every ``{option: path}`` given (None: not asked for), then create the
    missing parent folders; returns ``{option: Path}``. Nothing is created if any check fails."""
    checked = {opt: check_output(path, opt) for opt, path in paths.items() if path is not None}
    created: list[Path] = []
    for opt, target in checked.items():
        missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
        try:
            for folder in reversed(missing):
                folder.mkdir()
                created.append(folder)
        except OSError as err:
            for folder in reversed(created):  # leave the file system as it was
                folder.rmdir()
            raise OSError(f"{opt}: cannot create the folder {str(target.parent)!r}: "
                          f"{err.strerror or err}") from None
    return checked


def check_root(root: str | None, option: str = "--root") -> None:
    """Refuse a ``--root`` that is not an existing folder (a typo would otherwise download into
    the cache, or report every dataset as missing)."""
    if root is None:
        return
    path = Path(root).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{option}: no such folder: {root!r}")
    if not path.is_dir():
        raise NotADirectoryError(f"{option}: {root!r} is a file, not a folder")
