"""Ctrl-C while the ``npgnn`` command is still importing: one line and exit 130, no traceback.

The console script that pip generates from ``[project.scripts]`` runs ``from npgnn.cli import
main`` before ``main`` can catch anything, and ``python -m npgnn`` imports the package first as
well; that import (NumPy, SciPy, the layers) takes about a second, and a Ctrl-C inside it used
to print a KeyboardInterrupt traceback. ``npgnn/__init__.py`` calls :func:`install` before its
first heavy import. Only when the running program *is* the npgnn command (the console script, or
``python -m npgnn``) does it replace Python's SIGINT handler with one that prints
``npgnn: interrupted`` and exits with status 130; :func:`npgnn.cli.main` calls :func:`restore`
before it starts, and its own ``except KeyboardInterrupt`` answers from then on, with the same
line and status. A library user's ``import npgnn`` is untouched (Ctrl-C raises
KeyboardInterrupt as usual), and so are a SIGINT the parent process set to be ignored and the
worker processes the command starts (they inherit its ``sys.argv``).
``NPGNN_DEBUG=1`` keeps Python's handler (and so the traceback). Standard library only: this
module must be importable in a few microseconds.
"""
from __future__ import annotations

import os
import signal
import sys
from typing import Any

MESSAGE = "npgnn: interrupted"
EXIT_STATUS = 130
_SCRIPT_SUFFIXES = ("-script.pyw", "-script.py", ".exe")
_OPTIONS_WITH_VALUE = ("-X", "-W", "-Q")


def _is_npgnn_script(argv0: str) -> bool:
    name = os.path.basename(argv0)
    for suffix in _SCRIPT_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name == "npgnn"


def _runs_npgnn_module(orig_argv: list[str]) -> bool:
    """True for ``python [interpreter options] -m npgnn ...``."""
    args = iter(orig_argv[1:])
    for arg in args:
        if arg == "-m":
            return next(args, None) == "npgnn"
        if arg.startswith("-m"):
            return arg[2:] == "npgnn"
        if arg in _OPTIONS_WITH_VALUE:
            next(args, None)
        elif arg == "-c" or not arg.startswith("-"):
            return False   # a command string or a script: not the npgnn command
    return False


def running_as_cli() -> bool:
    """Whether this process is the ``npgnn`` command (console script or ``python -m npgnn``).

    A child process that multiprocessing started (e.g. a Dask worker of ``npgnn train
    --workers``) inherits the command's ``sys.argv`` but is not the command: False there.
    """
    mp = sys.modules.get("multiprocessing")   # imported already in any multiprocessing child
    if mp is not None and getattr(mp, "parent_process", lambda: None)() is not None:
        return False
    if sys.argv and _is_npgnn_script(sys.argv[0]):
        return True
    return _runs_npgnn_module(list(getattr(sys, "orig_argv", [])))


def _interrupted(signum: int, frame: Any) -> None:
    sys.stderr.write(MESSAGE + "\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_STATUS)


def install() -> None:
    """Answer Ctrl-C with one line and status 130 until :func:`restore`, in the npgnn command only."""
    if os.environ.get("NPGNN_DEBUG") or not running_as_cli():
        return
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored by a parent
            signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # not the main thread: leave signals alone
        pass


def restore() -> None:
    """Put Python's KeyboardInterrupt handler back if :func:`install` replaced it."""
    try:
        if signal.getsignal(signal.SIGINT) is _interrupted:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:
        pass
