"""The ``npgnn`` command line: a thin argparse layer over library functions.

Each subcommand is one ``add_<name>(subparsers)`` function that adds its parser and sets
``handler=`` to a function ``(args) -> int``; list it in ``SUBCOMMANDS``. Handlers import what
they need when they run, so ``npgnn --help`` stays fast and never imports torch or matplotlib.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from npgnn import _cli_guard
from npgnn.commands._args import HelpFormatter

Handler = Callable[[argparse.Namespace], int]


# ---------------------------------------------------------------------------- demo
def add_demo(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="walk through the article on its 5-node graph",
        formatter_class=HelpFormatter,
        description="The article's layers, training and inference on its 5-node graph, each "
                    "result with a one-line explanation.",
    )
    p.add_argument("--article-replay", action="store_true",
                   help="print the article's own training trace beside the correct one, and why "
                        "they differ")
    p.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from npgnn import demo

    demo.run(article_replay=args.article_replay)
    return 0


# ---------------------------------------------------------------------------- the parser
def _command_adders() -> list[Callable[[argparse._SubParsersAction], None]]:
    from npgnn.commands import datasets, evaluate, sweep, train

    return [add_demo, train.add, sweep.add, evaluate.add, datasets.add]


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = _command_adders()


def build_parser() -> argparse.ArgumentParser:
    from npgnn import __version__

    parser = argparse.ArgumentParser(
        prog="npgnn", description="Graph neural networks on NumPy and SciPy, with their own autodiff.",
        epilog="Start with 'npgnn demo'; 'npgnn COMMAND --help' shows a command's options and "
               "their defaults. Exit status: 0 done, 1 a runtime error (a missing file, a failed "
               "download), 2 a usage error, 130 interrupted.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"npgnn {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``npgnn`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    ``npgnn`` with no command prints the whole help to stdout, as git does, and returns 2, the
    status of every other usage error (git returns 1): a person reads the help, and a script
    that forgot its command fails.
    Bad arguments exit with status 2 and a usage message naming the option (argparse's
    convention); options that do not fit the model (``--folds`` for GCN) return 2 as well. A
    failure the user can act on (a missing or corrupted file, a dataset that does not fit, a
    loss that stops being finite)
    prints one line, ``npgnn: error: ...``, and returns 1; Ctrl-C prints one line and returns 130.
    Set NPGNN_DEBUG=1 for the traceback.
    """
    parser = build_parser()
    _cli_guard.restore()  # from here on Ctrl-C is the KeyboardInterrupt caught below
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        handler: Handler = args.handler
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        if os.environ.get("NPGNN_DEBUG"):
            raise
        print(_cli_guard.MESSAGE, file=sys.stderr)
        return _cli_guard.EXIT_STATUS
    except BrokenPipeError:  # `npgnn demo | head`: the reader left; exit quietly (Python docs' recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (OSError, ValueError, ImportError, ArithmeticError) as exc:
        if os.environ.get("NPGNN_DEBUG"):
            raise
        from npgnn.experiment import ConfigError

        if isinstance(exc, ConfigError):
            print(f"npgnn {args.command}: error: {exc}", file=sys.stderr)
            return 2
        print(f"npgnn: error: {exc}", file=sys.stderr)
        return 1
