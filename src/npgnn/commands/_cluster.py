"""``--workers N`` and ``--scheduler ADDRESS``: the options that run ``npgnn train`` and
``npgnn sweep`` on Dask (:mod:`npgnn.distributed`), shared by both commands."""
from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator
from typing import Any

from npgnn.commands._args import int_at_least

_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")


def scheduler_address(text: str) -> str:
    """An argparse type: a Dask scheduler address ``tcp://HOST:PORT`` (or ``tls://``)."""
    match = _ADDRESS.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(3)) <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a Dask scheduler address tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786), "
            f"got {text!r}")
    return text.strip()


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """Add the mutually exclusive ``--workers`` and ``--scheduler`` to ``parser``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=int_at_least(1), metavar="N",
                       help="run each seed/fold as a Dask task on a local cluster of this many "
                            "worker processes, one thread each (at most one per core helps; "
                            "needs pip install 'npgnn[distributed]') (default: in this process)")
    group.add_argument("--scheduler", type=scheduler_address, metavar="ADDRESS",
                       help="run the tasks on an existing Dask cluster, given its scheduler's "
                            "address tcp://HOST:PORT (start its workers with --nthreads 1; each "
                            "loads the dataset from --root or its own cache) (default: none)")


def check_cluster_options(args: argparse.Namespace) -> None:
    """Before any data is loaded: Dask must import when ``--workers``/``--scheduler`` is given.

    Raises:
        ImportError: naming the option and how to install the extra.
    """
    option = "--workers" if args.workers is not None else "--scheduler" if args.scheduler else None
    if option is None:
        return
    try:
        import npgnn.distributed  # noqa: F401
    except ImportError as err:
        raise ImportError(f"{option}: {err}") from None


@contextlib.contextmanager
def cluster_client(args: argparse.Namespace) -> Iterator[Any]:
    """The Dask client ``args`` ask for (closed, with its local cluster, on exit), or None."""
    if args.workers is None and args.scheduler is None:
        yield None
        return
    from npgnn.distributed import connect

    with connect(n_workers=args.workers, address=args.scheduler) as client:
        yield client
