"""Argument types and checks shared by the subcommands: ranges enforced while argparse parses, and
output paths checked before any data is loaded or any epoch is trained.

A range type raises ``argparse.ArgumentTypeError``; argparse prefixes its message with the option
(``argument --epochs: expected an integer >= 1, got 0``) and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any


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
    """Check, without writing anything, that a finished run can be written to ``path``: the
    CLI's name for :func:`npgnn.io.check_writable` with missing folders allowed (created by
    :func:`prepare_outputs`), its messages prefixed by ``option``.

    Raises:
        ValueError (an empty path) or an OSError subclass (a folder, a parent that is a file, a
        read-only target or folder), the message naming ``option`` and the path.
    """
    from npgnn.io import check_writable  # here: `npgnn --help` must not import the models

    return Path(check_writable(path, caller=option, create_dirs=True))


def write_json(path: Path, value: Any, option: str) -> None:
    """Write ``value`` as indented JSON to ``path`` atomically (:func:`npgnn.io.atomic_write`):
    an interrupted run leaves the previous file intact, never half a file."""
    from npgnn.io import atomic_write

    text = json.dumps(value, indent=2).encode("utf-8")
    atomic_write(path, lambda f: f.write(text), caller=option)


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
