"""``npgnn datasets``: what can be loaded without a download (under --root, in the cache, built in)."""
from __future__ import annotations

import argparse


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("datasets", help="list the datasets available locally and in the cache")
    p.add_argument("--root", help="also look in this directory (or its planetoid/ and tu/ folders)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from npgnn.datasets import available_datasets, cache_dir

    roots = [args.root] if args.root else [None]
    if args.root:
        roots += [str(Path(args.root) / sub) for sub in ("planetoid", "tu") if (Path(args.root) / sub).is_dir()]
    seen = set()
    print(f"{'name':<14} {'kind':<10} {'where':<8} status")
    for root in roots:
        for info in available_datasets(root):
            key = (info.name, info.location, str(info.path))
            if key in seen:
                continue
            seen.add(key)
            status = "complete" if info.complete else "missing " + ", ".join(info.missing)
            where = f"{info.location}" + (f" ({info.path})" if info.path else "")
            print(f"{info.name:<14} {info.kind:<10} {where:<8} {status}")
    print(f"cache: {cache_dir()} (set NPGNN_CACHE to move it); other datasets download on first use")
    return 0
