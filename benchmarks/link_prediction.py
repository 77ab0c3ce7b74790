"""Link prediction speed, npgnn vs PyG: negative sampling and one GAE training epoch.

1. ``negative_sampling`` of 1,000,000 negatives on a random directed graph with 100,000 nodes
   and 1,000,000 edges (method 'sparse' on both sides).
2. One GAE epoch on Cora with the paper's setting (GCN encoder 32-16 over the training message
   edges of an 85/5/10 RandomLinkSplit, ``recon_loss`` against as many freshly sampled
   negatives, backward, Adam step). npgnn keeps Cora's bag-of-words features sparse (CSR),
   PyG's Planetoid loader gives them dense: each library in its own representation.

Each rival runs in a fresh process of its own through benchmarks/_harness.py (torch at 1 and at
2 threads; npgnn with one BLAS thread, as it trains, and 2 numba threads), and the processes are
interleaved over ``--rounds`` rounds; the table gives the median over every repeat of every
round and the spread (min - max). The machine is shared: the load average before and after is
written beside the table.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/link_prediction.py
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(HERE.parent))
DEFAULT_ROOT = HERE.parent.parent / "shared" / "datasets"
NODES, EDGES, NEGATIVES = 100_000, 1_000_000, 1_000_000


def random_edges() -> np.ndarray:
    return np.random.default_rng(0).integers(0, NODES, (2, EDGES))


def cora(root: str):
    from npgnn.datasets import Planetoid

    return Planetoid("cora", root=str(Path(root) / "planetoid"), progress=False).graph


# ------------------------------------------------------------------------------------- factories
def npgnn_task(task: str, root: str):
    """The timed call of npgnn (BLAS at one thread: the harness's npgnn environment)."""
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


def pyg_task(task: str, root: str):
    """The timed call of PyG (torch's threads set by the harness before this runs)."""
    import torch
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


# ------------------------------------------------------------------------------------- driver
def measure(task: str, rounds: int, repeats: int, root: str) -> dict:
    from benchmarks import _harness as H

    rivals = [H.Rival("npgnn", "benchmarks.link_prediction:npgnn_task", kind="npgnn", threads=2,
                      kwargs={"task": task, "root": root})]
    rivals += H.torch_rivals("PyG", "benchmarks.link_prediction:pyg_task", task=task, root=root)
    return H.run(rivals, repeats=repeats, rounds=rounds, warmup=1, pause=0.1,
                 profile=["PyG, torch 1T"])


def table(title: str, res: dict) -> tuple:
    """A section: wall-clock and process CPU time (all threads), medians and spreads, ms."""
    from benchmarks import _harness as H

    ours = res["npgnn"]
    rows = []
    for name, r in res.items():
        cells, ratios = [], []
        for key in ("wall", "cpu"):
            v = getattr(r, key)
            if not v:
                cells.append(r.error or "-")
                ratios.append("-")
                continue
            med = statistics.median(v)
            cells.append(f"{1e3 * med:,.1f} ({1e3 * min(v):,.1f} - {1e3 * max(v):,.1f})")
            ratios.append("-" if name == "npgnn" else
                          f"**{med / statistics.median(getattr(ours, key)):.1f}x**")
        rows.append([name, *cells, len(r.wall), *ratios, H.fmt_mb(r)])
    note = f"PyG's top ops (1 thread, one call, self CPU time): {H.fmt_profile(res['PyG, torch 1T'])}."
    return (title, [note], ["rival", "wall ms, median (min - max)", "CPU ms, median (min - max)",
                            "repeats", "PyG / npgnn, wall", "PyG / npgnn, CPU", "peak MB"], rows)


def main(argv: list[str] | None = None) -> None:
    from benchmarks import _harness as H

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--root", default=str(DEFAULT_ROOT))
    p.add_argument("--out", default=str(HERE / "results" / "link_prediction.md"))
    args = p.parse_args(argv)
    load_before = H.load_average()
    sampling = measure("negative_sampling", args.rounds, args.repeats or 3, args.root)
    epochs = measure("gae_epoch", args.rounds, args.repeats or 20, args.root)
    first = table(f"negative_sampling: {NEGATIVES:,} negatives, {NODES:,} nodes, {EDGES:,} edges",
                  sampling)
    text = H.write_markdown(
        args.out, "Link prediction: npgnn vs PyG", first[2], first[3],
        notes=[(f"Each rival in its own process, {args.rounds} interleaved rounds (ratios > 1 mean "
               "npgnn is faster). Wall-clock time is what a user waits; on a loaded machine it "
               "mostly measures the share of the cores a process got, so the CPU time of the "
               "process (all its threads) is given too."), f"### {first[0]}", *first[1]],
        load_before=load_before, results={**sampling, **{f"GAE {k}": v for k, v in epochs.items()}},
        sections=[table("One GAE epoch on Cora (GCN 32-16, recon_loss with sampled negatives, Adam)",
                        epochs)],
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/link_prediction.py")
    print(text)


if __name__ == "__main__":
    main()
