"""``npgnn datasets``: what can be loaded without a download (under --root, in the cache, built in)."""
from __future__ import annotations

import argparse

from npgnn.commands._args import HelpFormatter


def add(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("datasets", help="list the datasets available locally and in the cache",
                              formatter_class=HelpFormatter,
                              description="List the datasets that load without a download: under "
                                          "--root, in the cache, and built in.")
    p.add_argument("--root", help="also look in this folder (one holding planetoid/ and tu/, the "
                                  "raw files themselves, or PyG's <root>/<Name>/raw) (default: only the "
                                  "cache and the built-in datasets)")
    p.set_defaults(handler=run)


def table(rows: list[tuple[str, ...]]) -> str:
    """Left-aligned columns as wide as their longest cell, two spaces apart."""
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def run(args: argparse.Namespace) -> int:
    from npgnn.commands._args import check_root
    from npgnn.datasets import available_datasets, cache_dir

    from pathlib import Path

    from npgnn.dataset_lookup import own_tu_folder

    check_root(args.root)
    found = available_datasets(args.root)
    own = own_tu_folder(Path(args.root).expanduser()) if args.root else None
    if own is not None:  # --root is one TU dataset's own folder: list it too
        found = [i for i in available_datasets(Path(args.root).expanduser().parent)
                 if i.location == "root" and i.name == own] + found
    rows = [("name", "kind", "where", "status", "folder")]
    seen = set()
    for info in found:
        key = (info.name, info.location, str(info.path))
        if key in seen:
            continue
        seen.add(key)
        status = "complete" if info.complete else "missing " + ", ".join(info.missing)
        rows.append((info.name, info.kind, info.location, status, str(info.path or "-")))
    print(table(rows))
    print(f"cache: {cache_dir()} (set NPGNN_CACHE to move it); other datasets download on first use")
    return 0
