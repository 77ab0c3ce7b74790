"""ms/epoch of a user's own training loop against npgnn's trainer, idle and with a competing process.

GCN (2 layers, hidden 16) and GAT (2 layers, 8 heads × 8) from ``npgnn.nn.models`` on Cora (the
shared datasets) and on a random graph of 100,000 nodes / 1,000,000 edges (64 features, 8
classes). One epoch = a training step on the train mask plus an eval-mode forward, in:

- ``trainer``: ``npgnn.training.node.fit_nodes`` (what ``npgnn train`` runs);
- ``loop, raw``: a hand-written PyG-style loop, ``model(x, edge_index)`` with a raw ndarray;
- ``loop, Graph``: the same loop with a ``Graph``;
- ``loop, raw, BLAS 2`` (reference; not for GAT at 100k/1M, to keep the run short): the raw loop
  with OpenBLAS at 2 threads, what a user loop got before ``import npgnn`` capped BLAS
  (``npgnn.set_num_threads(n, blas=2)``).

Each runs alone and next to a single-threaded busy process (``python -c "while True: pass"``,
started and killed here). Medians and [min, max] over the timed epochs, after one warm-up epoch.

Run (about 5 minutes on 2 cores):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/user_loop.py
Writes benchmarks/results/user_loop.md.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent.parent / "shared" / "datasets"


def cora(root: str):
    from npgnn.experiment import load_node_data

    graph, classes = load_node_data("cora", root, progress=False)
    return graph, classes


def random_graph(n: int, e: int, features: int = 64, classes: int = 8, seed: int = 0):
    import npgnn

    rng = np.random.default_rng(seed)
    split = rng.random(n)
    graph = npgnn.Graph(rng.integers(0, n, (2, e)), num_nodes=n,
                        x=rng.standard_normal((n, features)).astype(np.float32),
                        y=rng.integers(0, classes, n), train_mask=split < 0.1,
                        val_mask=(split >= 0.1) & (split < 0.2), test_mask=split >= 0.8)
    return graph, classes


def build(model_name: str, graph, classes: int):
    from npgnn.nn.models import GAT, GCN
    from npgnn.optim import Adam

    f = graph.x.shape[1]
    if model_name == "GCN":
        model = GCN(f, 16, 2, classes, dropout=0.5, rng=0)
    else:
        model = GAT(f, 8, 2, classes, dropout=0.6, heads=8, rng=0)
    return model, Adam(model.parameters(), lr=0.01, weight_decay=5e-4)


def trainer_epochs(model_name: str, graph, classes: int) -> Callable[[int], list[float]]:
    from npgnn.training.node import fit_nodes

    model, opt = build(model_name, graph, classes)

    def run(k: int) -> list[float]:
        times = []
        for _ in range(k):  # .seconds: the epoch, without the final scoring of all splits
            times.append(fit_nodes(model, graph, opt, epochs=1, progress=False).seconds)
        return times
    return run


def loop_epochs(model_name: str, graph, classes: int, raw: bool) -> Callable[[int], list[float]]:
    from npgnn import no_grad
    from npgnn.ops import nn as F

    model, opt = build(model_name, graph, classes)
    x, y = graph.x, graph.y
    edge_index = np.array(graph.edge_index) if raw else graph   # a fresh array, as a PyG script has
    train = np.flatnonzero(graph.train_mask)

    def run(k: int) -> list[float]:
        times = []
        for _ in range(k):
            start = time.perf_counter()
            model.train()
            opt.zero_grad()
            loss = F.cross_entropy(model(x, edge_index)[train], y[train])
            loss.backward()
            opt.step()
            model.eval()
            with no_grad():
                model(x, edge_index)
            times.append(time.perf_counter() - start)
        return times
    return run


@contextlib.contextmanager
def busy(on: bool) -> Iterator[None]:
    """A competing single-threaded process for the block (started and killed here)."""
    if not on:
        yield
        return
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        yield
    finally:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def blas(count: int) -> Iterator[None]:
    import npgnn

    npgnn.set_num_threads(npgnn.get_num_threads(), blas=count)
    try:
        yield
    finally:
        npgnn.set_num_threads(npgnn.get_num_threads(), blas=1)


def measure(graphs: dict, epochs: dict[str, int]) -> list[dict]:
    rows = []
    for (size, model_name), (graph, classes) in graphs.items():
        k = epochs[size] if model_name == "GCN" else max(2, epochs[size] // 2)
        variants = {
            "trainer": (trainer_epochs(model_name, graph, classes), 1),
            "loop, raw": (loop_epochs(model_name, graph, classes, raw=True), 1),
            "loop, Graph": (loop_epochs(model_name, graph, classes, raw=False), 1),
            "loop, raw, BLAS 2": (loop_epochs(model_name, graph, classes, raw=True), 2),
        }
        if size != "Cora" and model_name == "GAT":  # ~10 s an epoch here: keep the run short
            del variants["loop, raw, BLAS 2"]
        for competing in (False, True):
            with busy(competing):
                for name, (run, threads) in variants.items():
                    with blas(threads):
                        run(1)                                  # warm-up (compile, caches)
                        times = run(k)
                    rows.append(dict(size=size, model=model_name, variant=name, busy=competing,
                                     median=statistics.median(times), lo=min(times), hi=max(times),
                                     n=k))
                    print(rows[-1], flush=True)
                    time.sleep(0.2)
    return rows


def table(rows: list[dict], load: tuple[str, str], seconds: float) -> str:
    import npgnn

    lines = [
        "# A user's own loop vs the trainer (ms/epoch)",
        "",
        "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/user_loop.py`; "
        f"npgnn {npgnn.__version__}, {os.cpu_count()} cores, numba threads "
        f"{npgnn.get_num_threads()}, BLAS capped to 1 by `import npgnn` except the reference rows. "
        f"Load (uptime) before: {load[0]}; after: {load[1]}. The machine was shared with other "
        f"jobs: read ±30% or worse. Whole run {seconds:.0f} s.",
        "",
        "One epoch = training step + eval forward. Median [min, max] over n epochs after a warm-up.",
        "",
        "| graph | model | variant | n | no competing process | with a busy process |",
        "|---|---|---|---|---|---|",
    ]
    def cell(r: dict) -> str:
        return f"{r['median'] * 1e3:,.1f} [{r['lo'] * 1e3:,.1f}, {r['hi'] * 1e3:,.1f}]"
    keyed = {(r["size"], r["model"], r["variant"], r["busy"]): r for r in rows}
    for (size, model, variant, competing), r in keyed.items():
        if competing:
            continue
        other = keyed[(size, model, variant, True)]
        lines.append(f"| {size} | {model} | {variant} | {r['n']} | {cell(r)} | {cell(other)} |")
    return "\n".join(lines) + "\n"


def uptime() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="shared datasets directory")
    parser.add_argument("--epochs-small", type=int, default=20, help="timed epochs on Cora")
    parser.add_argument("--epochs-large", type=int, default=3, help="timed epochs at 100k/1M")
    parser.add_argument("--out", default=str(HERE / "results" / "user_loop.md"))
    args = parser.parse_args()
    start = time.perf_counter()
    load_before = uptime()
    small = cora(args.root)
    large = random_graph(100_000, 1_000_000)
    graphs = {("Cora", "GCN"): small, ("Cora", "GAT"): small,
              ("100k/1M", "GCN"): large, ("100k/1M", "GAT"): large}
    rows = measure(graphs, {"Cora": args.epochs_small, "100k/1M": args.epochs_large})
    text = table(rows, (load_before, uptime()), time.perf_counter() - start)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
