"""ms/epoch of a user's own training loop against npgnn's trainer, idle and with a competing process.

GCN (2 layers, hidden 16) and GAT (2 layers, 8 heads × 8) from ``npgnn.nn.models`` on Cora (the
shared datasets) and on a random graph of 100,000 nodes / 1,000,000 edges (64 features, 8
classes). One epoch = a training step on the train mask plus an eval-mode forward, in:

- ``trainer``: ``npgnn.training.node.fit_nodes`` (what ``npgnn train`` runs);
- ``loop, raw``: a hand-written PyG-style loop, ``model(x, edge_index)`` with a raw ndarray;
- ``loop, Graph``: the same loop with a ``Graph``;
- ``loop, raw, BLAS 2`` (reference; not for GAT at 100k/1M, to keep the run short): the raw loop
  with OpenBLAS at 2 threads (``OPENBLAS_NUM_THREADS=2``, which npgnn respects), what a user loop
  got before ``import npgnn`` capped BLAS.

Each variant runs in its own process (benchmarks/_harness.py), alone and next to a
single-threaded busy process (``python -c "while True: pass"``, started and killed here).
Medians and (min-max) over the timed epochs, after one warm-up epoch.

Run (about 5 minutes on 2 cores):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/user_loop.py
Writes benchmarks/results/user_loop.md.
"""
from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(HERE.parent))
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


def epoch_factory(variant: str, model_name: str, size: str, root: str):
    """Factory for the harness: one call = one epoch of ``variant`` ("trainer", "loop, raw",
    "loop, Graph"; "loop, raw, BLAS 2" is "loop, raw" in a process whose BLAS has 2 threads)."""
    graph, classes = cora(root) if size == "Cora" else random_graph(100_000, 1_000_000)
    model, opt = build(model_name, graph, classes)
    if variant == "trainer":
        from npgnn.training.node import fit_nodes

        def trainer() -> dict:  # .seconds: the epoch, without the final scoring of all splits
            return {"seconds": fit_nodes(model, graph, opt, epochs=1, progress=False).seconds}
        return trainer

    from npgnn import no_grad
    from npgnn.ops import nn as F

    x, y = graph.x, graph.y
    raw = variant.startswith("loop, raw")
    edge_index = np.array(graph.edge_index) if raw else graph   # a fresh array, as a PyG script has
    train = np.flatnonzero(graph.train_mask)

    def loop() -> None:
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(x, edge_index)[train], y[train])
        loss.backward()
        opt.step()
        model.eval()
        with no_grad():
            model(x, edge_index)
    return loop


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


def measure(sizes: list[str], epochs: dict[str, int], root: str) -> list[dict]:
    from benchmarks import _harness as H

    rows = []
    for size in sizes:
        for model_name in ("GCN", "GAT"):
            k = epochs[size] if model_name == "GCN" else max(2, epochs[size] // 2)
            variants = ["trainer", "loop, raw", "loop, Graph", "loop, raw, BLAS 2"]
            if size != "Cora" and model_name == "GAT":  # ~10 s an epoch here: keep the run short
                variants.remove("loop, raw, BLAS 2")
            rivals = [H.Rival(v, "benchmarks.user_loop:epoch_factory",
                              kind="numpy" if v.endswith("BLAS 2") else "npgnn", threads=2,
                              kwargs={"variant": v, "model_name": model_name, "size": size,
                                      "root": root}) for v in variants]
            for competing in (False, True):
                with busy(competing):
                    res = H.run(rivals, repeats=k, warmup=1, pause=0.2, memory=False)
                for name, r in res.items():
                    rows.append({"size": size, "model": model_name, "variant": name,
                                 "busy": competing, "result": r, "n": k})
    return rows


def table(rows: list[dict], out: Path, load_before: str, seconds: float) -> str:
    from benchmarks import _harness as H

    keyed = {(r["size"], r["model"], r["variant"], r["busy"]): r for r in rows}
    body = [[size, model, variant, r["n"], H.fmt_ms(r["result"]),
             H.fmt_ms(keyed[(size, model, variant, True)]["result"])]
            for (size, model, variant, competing), r in keyed.items() if not competing]
    return H.write_markdown(
        out, "A user's own loop vs the trainer (ms/epoch)",
        ["graph", "model", "variant", "n", "no competing process", "with a busy process"], body,
        notes=[("One epoch = training step + eval forward (the trainer's own epoch time, without "
               "its final scoring). Each variant in its own process (benchmarks/_harness.py): "
               "npgnn's default policy (BLAS capped to 1 by `import npgnn`, 2 numba threads), "
               "except `loop, raw, BLAS 2`: OpenBLAS at 2 threads through "
               "OPENBLAS_NUM_THREADS=2, which npgnn respects (what a user loop got before npgnn "
               "capped BLAS). The busy process is `python -c \"while True: pass\"`, started and "
               f"killed here. Medians (min-max) after a warm-up epoch. Whole run {seconds:.0f} s.")],
        load_before=load_before,
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/user_loop.py")


def main(argv: list[str] | None = None) -> None:
    from benchmarks import _harness as H

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="shared datasets directory")
    parser.add_argument("--epochs-small", type=int, default=20, help="timed epochs on Cora")
    parser.add_argument("--epochs-large", type=int, default=3, help="timed epochs at 100k/1M")
    parser.add_argument("--sizes", nargs="+", choices=["Cora", "100k/1M"], default=["Cora", "100k/1M"])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "user_loop.md")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    load_before = H.load_average()
    rows = measure(args.sizes, {"Cora": args.epochs_small, "100k/1M": args.epochs_large}, args.root)
    print(table(rows, args.out, load_before, time.perf_counter() - start))


if __name__ == "__main__":
    main()
