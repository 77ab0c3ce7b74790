"""Link prediction speed, npgnn vs PyG: negative sampling and one GAE training epoch.

1. ``negative_sampling`` of 1,000,000 negatives on a random directed graph with 100,000 nodes
   and 1,000,000 edges (method 'sparse' on both sides).
2. One GAE epoch on Cora with the paper's setting (GCN encoder 32-16 over the training message
   edges of an 85/5/10 RandomLinkSplit, ``recon_loss`` against as many freshly sampled
   negatives, backward, Adam step). npgnn keeps Cora's bag-of-words features sparse (CSR),
   PyG's Planetoid loader gives them dense: each library in its own representation.

Each rival runs in a fresh process of its own (torch at 1 and at 2 threads; npgnn with one BLAS
thread, as it trains), and the processes are interleaved over ``--rounds`` rounds; the table
gives the median over every repeat of every round and the spread (min - max). The machine is
shared: the 1-minute load average before and after is written beside the table.

    python benchmarks/link_prediction.py            # writes benchmarks/results/link_prediction.md
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent.parent / "shared" / "datasets"
NODES, EDGES, NEGATIVES = 100_000, 1_000_000, 1_000_000


def random_edges() -> np.ndarray:
    return np.random.default_rng(0).integers(0, NODES, (2, EDGES))


def cora(root: str):
    from npgnn.datasets import Planetoid

    return Planetoid("cora", root=str(Path(root) / "planetoid"), progress=False).graph


# ------------------------------------------------------------------------------------- workers
_LIMIT = []  # the entered BLAS limit stays alive (and in force) for the worker's lifetime


def npgnn_task(task: str, root: str):
    from npgnn.kernels.threads import blas_threads

    _LIMIT.append(blas_threads(1))
    _LIMIT[-1].__enter__()
    if task == "negative_sampling":
        from npgnn.utils import negative_sampling

        ei, rng = random_edges(), np.random.default_rng(1)
        return lambda: negative_sampling(ei, NODES, NEGATIVES, rng=rng)
    from npgnn.models.gae import GCNEncoder
    from npgnn.nn.models import GAE
    from npgnn.optim import Adam
    from npgnn.transforms import RandomLinkSplit

    graph = cora(root).replace(y=None, train_mask=None, val_mask=None, test_mask=None)
    train, _, _ = RandomLinkSplit(0.05, 0.1, is_undirected=True, split_labels=True,
                                  add_negative_train_samples=False, rng=0)(graph)
    model = GAE(GCNEncoder(graph.num_features, 32, 16, seed=0), rng=0)
    opt = Adam(model.parameters(), lr=0.01)
    pos = train.pos_edge_label_index

    def epoch() -> None:
        model.train()
        opt.zero_grad()
        loss = model.recon_loss(model.encode(train.x, train), pos)
        loss.backward()
        opt.step()

    return epoch


def pyg_task(task: str, root: str, threads: int):
    import torch

    torch.set_num_threads(threads)
    from torch_geometric.utils import negative_sampling

    if task == "negative_sampling":
        ei = torch.from_numpy(random_edges())
        return lambda: negative_sampling(ei, NODES, NEGATIVES, method="sparse")
    import torch_geometric.transforms as T
    from torch_geometric.data import Data
    from torch_geometric.nn import GAE, GCNConv

    g = cora(root)
    data = Data(x=torch.from_numpy(g.x.toarray().astype(np.float32)), edge_index=torch.from_numpy(g.edge_index))
    torch.manual_seed(0)
    train, _, _ = T.RandomLinkSplit(0.05, 0.1, is_undirected=True, split_labels=True,
                                    add_negative_train_samples=False)(data)

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = GCNConv(data.num_features, 32), GCNConv(32, 16)

        def forward(self, x, edge_index):
            return self.conv2(self.conv1(x, edge_index).relu(), edge_index)

    model = GAE(Encoder())
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    def epoch() -> None:
        model.train()
        opt.zero_grad()
        loss = model.recon_loss(model.encode(train.x, train.edge_index), train.pos_edge_label_index)
        loss.backward()
        opt.step()

    return epoch


def worker(args: argparse.Namespace) -> None:
    run = npgnn_task(args.task, args.root) if args.rival == "npgnn" else pyg_task(args.task, args.root, args.threads)
    run()                                                       # warm-up (caches, first allocation)
    wall, cpu = [], []
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(json.dumps({"wall": wall, "cpu": cpu}))


# ------------------------------------------------------------------------------------- driver
RIVALS = [("npgnn", 1), ("pyg", 1), ("pyg", 2)]


Times = dict[tuple[str, int], dict[str, list[float]]]


def measure(task: str, rounds: int, repeats: int, root: str) -> Times:
    times: Times = {r: {"wall": [], "cpu": []} for r in RIVALS}
    for _ in range(rounds):
        for rival, threads in RIVALS:
            cmd = [sys.executable, __file__, "--worker", "--rival", rival, "--task", task,
                   "--threads", str(threads), "--repeats", str(repeats), "--root", root]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            for key, values in json.loads(out.strip().splitlines()[-1]).items():
                times[(rival, threads)][key] += values
    return times


def table(title: str, times: Times) -> list[str]:
    """Milliseconds: wall-clock and process CPU time (all threads), medians and spreads."""
    ours = {k: statistics.median(times[("npgnn", 1)][k]) for k in ("wall", "cpu")}
    rows = [f"### {title}", "",
            "| rival | wall ms, median (min - max) | CPU ms, median (min - max) | repeats | "
            "PyG / npgnn, wall | PyG / npgnn, CPU |", "|---|---|---|---|---|---|"]
    for (rival, threads), values in times.items():
        name = "npgnn (1 BLAS thread)" if rival == "npgnn" else f"PyG 2.8.1, torch {threads} thread{'s' * (threads > 1)}"
        cells, ratios = [], []
        for key in ("wall", "cpu"):
            v = values[key]
            med = statistics.median(v)
            cells.append(f"{1e3 * med:,.1f} ({1e3 * min(v):,.1f} - {1e3 * max(v):,.1f})")
            ratios.append("-" if rival == "npgnn" else f"**{med / ours[key]:.1f}x**")
        rows.append(f"| {name} | {cells[0]} | {cells[1]} | {len(values['wall'])} | {ratios[0]} | {ratios[1]} |")
    return rows + [""]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--rival", choices=["npgnn", "pyg"])
    p.add_argument("--task", choices=["negative_sampling", "gae_epoch"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--root", default=str(DEFAULT_ROOT))
    p.add_argument("--out", default=str(HERE / "results" / "link_prediction.md"))
    args = p.parse_args(argv)
    if args.worker:
        worker(args)
        return
    load_before = os.getloadavg()[0]
    sampling = measure("negative_sampling", args.rounds, args.repeats or 3, args.root)
    epochs = measure("gae_epoch", args.rounds, args.repeats or 20, args.root)
    load_after = os.getloadavg()[0]
    lines = ["# Link prediction: npgnn vs PyG", "",
             f"`python benchmarks/link_prediction.py` on a {os.cpu_count()}-core machine shared with other "
             f"jobs (1-minute load average {load_before:.1f} before, {load_after:.1f} after): each rival "
             f"in its own process, {args.rounds} interleaved rounds; ratios > 1 mean npgnn is faster.", "",
             "Wall-clock time is what a user waits; on a loaded machine it mostly measures the share of "
             "the cores a process got, so the CPU time of the process (all its threads) is given too.", "",
             *table(f"negative_sampling: {NEGATIVES:,} negatives, {NODES:,} nodes, {EDGES:,} edges", sampling),
             *table("One GAE epoch on Cora (GCN 32-16, recon_loss with sampled negatives, Adam)", epochs)]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
