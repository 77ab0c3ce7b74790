"""One training step (forward, loss, backward) of PyG's models: npgnn.nn.models vs
torch_geometric.nn.models, on Cora, same constructor call on both sides.

``Model(1433, 64, num_layers=2, out_channels=7)`` for GCN, GraphSAGE, GIN and GAT (heads=8),
both libraries in one process, steps interleaved in rounds with pauses (the machine is shared
and noisy: read ratios, not absolute times). npgnn gets Planetoid's sparse feature matrix where
its first convolution takes one (GCN, GraphSAGE, GAT) and a Graph (cached structure), PyG the
dense features and edge_index, as a PyG script has them.

Run: python benchmarks/nn_models.py   (writes benchmarks/results/nn_models.md)
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent.parent / "shared" / "datasets"
MODELS = {"GCN": {}, "GraphSAGE": {}, "GIN": {}, "GAT": {"heads": 8}}


def setups(name: str, root: str):
    import torch
    import torch_geometric.nn.models as pyg_models

    from npgnn.datasets import Planetoid
    from npgnn.nn import models
    from npgnn.ops import cross_entropy

    g = Planetoid("cora", root=str(Path(root) / "planetoid"), progress=False).graph
    dense = g.x.toarray().astype(np.float32)
    x = dense if name == "GIN" else g.x
    train = np.flatnonzero(g.train_mask)
    ours = getattr(models, name)(dense.shape[1], 64, 2, out_channels=7, rng=0, **MODELS[name])
    torch.manual_seed(0)
    theirs = getattr(pyg_models, name)(dense.shape[1], 64, 2, out_channels=7, **MODELS[name])
    xt, eit = torch.from_numpy(dense), torch.from_numpy(g.edge_index)
    yt, tt = torch.from_numpy(g.y), torch.from_numpy(train)

    def step_npgnn() -> None:
        ours.zero_grad()
        cross_entropy(ours(x, g)[train], g.y[train]).backward()

    def step_pyg() -> None:
        theirs.zero_grad()
        torch.nn.functional.cross_entropy(theirs(xt, eit)[tt], yt[tt]).backward()

    return step_npgnn, step_pyg


def timed(step, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n * 1e3


def main() -> None:
    import torch

    from npgnn.kernels.threads import blas_threads

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-threads", type=int, default=2)
    parser.add_argument("--root", default=str(DEFAULT_ROOT))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps-per-round", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.torch_threads)
    rows = []
    with blas_threads(1):  # npgnn trains with one BLAS thread (npgnn.kernels.threads)
        for name in MODELS:
            ours, theirs = setups(name, args.root)
            ours(), theirs()  # warm-up (caches, kernels)
            times: dict[str, list[float]] = {"npgnn": [], "pyg": []}
            for _ in range(args.rounds):
                times["npgnn"].append(timed(ours, args.steps_per_round))
                time.sleep(0.2)
                times["pyg"].append(timed(theirs, args.steps_per_round))
                time.sleep(0.2)
            a, b = statistics.median(times["npgnn"]), statistics.median(times["pyg"])
            rows.append(f"| {name} | {a:.1f} | {b:.1f} | {a / b:.2f} |")
            print(rows[-1], flush=True)
    out = HERE / "results" / "nn_models.md"
    out.write_text(
        "# PyG's models, one training step on Cora: npgnn.nn.models vs torch_geometric\n\n"
        f"torch {torch.__version__} ({args.torch_threads} threads); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; `Model(1433, 64, 2, out_channels=7)`; medians "
        f"of {args.rounds} interleaved rounds of {args.steps_per_round} steps.\n\n"
        "| model | npgnn ms/step | PyG ms/step | ratio npgnn/PyG |\n|---|---|---|---|\n"
        + "\n".join(rows) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
