"""Seconds per training epoch, seconds to the reported accuracy, and cold start: npgnn vs PyG.

GCN (Kipf & Welling) and GAT (Veličković et al.) on Cora with the papers' hyperparameters, each
rival in its own process through benchmarks/_harness.py (torch at 1 and 2 threads, best
reported; npgnn with BLAS at 1 and 2 numba threads); the machine is shared and noisy: read
ratios, not absolute times. Cold start = a fresh Python process from launch to the end of its
first training epoch, imports and data loading included (the epoch rivals' ``cold_seconds``).
PyG's epoch is profiled once (torch.profiler) to say what dominates it: with Cora's dense
2708 x 1433 input, dropout's random numbers (``aten::bernoulli_``), not the GNN.

Run (unset the OpenBLAS overrides for this command only):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/train_epoch.py
Writes benchmarks/results/train_epoch.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(HERE.parent))
DEFAULT_ROOT = HERE.parent.parent / "shared" / "datasets"


# ------------------------------------------------------------------------------------------ npgnn
def npgnn_setup(model_name: str, root: str):
    from npgnn.experiment import PAPER_DEFAULTS, build_model, load_node_data
    from npgnn.ops import nn as F
    from npgnn.optim import Adam

    graph, classes = load_node_data("cora", root, progress=False)
    settings = PAPER_DEFAULTS[model_name]
    model = build_model(model_name, graph.x.shape[1], classes, settings, seed=0)
    opt = Adam(model.param_groups(settings["weight_decay"]), lr=settings["lr"])
    train = np.flatnonzero(graph.train_mask)
    y = graph.y[train]

    def epoch() -> None:
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(graph.x, graph)[train], y)
        loss.backward()
        opt.step()

    return epoch


def npgnn_full_run(model_name: str, root: str):
    """A call = ``npgnn train``'s run to the reported accuracy (data loading included)."""
    from npgnn.experiment import TrainConfig, run

    def full() -> dict:
        metrics, _ = run(TrainConfig(dataset="cora", model=model_name, root=root, progress=False))
        return {"accuracy": metrics["test_accuracy_mean"]}
    return full


# ------------------------------------------------------------------------------------------ PyG
def pyg_data(root: str):
    import shutil
    import tempfile

    import torch_geometric.transforms as T
    from torch_geometric.datasets import Planetoid

    tmp = Path(tempfile.mkdtemp())
    (tmp / "Cora" / "raw").mkdir(parents=True)
    for f in (Path(root) / "planetoid").glob("ind.cora.*"):
        shutil.copy(f, tmp / "Cora" / "raw" / f.name)
    return Planetoid(str(tmp), "Cora", transform=T.NormalizeFeatures())[0]


def pyg_model(model_name: str, data):
    import torch
    import torch.nn.functional as F
    from torch_geometric.nn import GATConv, GCNConv

    torch.manual_seed(0)
    if model_name == "gcn":
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1, self.conv2 = GCNConv(data.num_features, 16), GCNConv(16, 7)

            def forward(self, x, ei):
                x = F.dropout(x, 0.5, self.training)
                x = F.relu(self.conv1(x, ei))
                return self.conv2(F.dropout(x, 0.5, self.training), ei)

        net = Net()
        opt = torch.optim.Adam([{"params": net.conv1.parameters(), "weight_decay": 5e-4},
                                {"params": net.conv2.parameters(), "weight_decay": 0}], lr=0.01)
    else:
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = GATConv(data.num_features, 8, heads=8, dropout=0.6)
                self.conv2 = GATConv(64, 7, heads=1, concat=False, dropout=0.6)

            def forward(self, x, ei):
                x = F.dropout(x, 0.6, self.training)
                x = F.elu(self.conv1(x, ei))
                return self.conv2(F.dropout(x, 0.6, self.training), ei)

        net = Net()
        opt = torch.optim.Adam(net.parameters(), lr=0.005, weight_decay=5e-4)
    return net, opt


def pyg_setup(model_name: str, root: str):
    import torch.nn.functional as F

    data = pyg_data(root)
    net, opt = pyg_model(model_name, data)

    def epoch() -> None:
        net.train()
        opt.zero_grad()
        F.cross_entropy(net(data.x, data.edge_index)[data.train_mask], data.y[data.train_mask]).backward()
        opt.step()

    return epoch


def pyg_full_run(model_name: str, root: str):
    """A call = the same protocol as npgnn's defaults (window rule with the best-loss checkpoint
    for GCN, patience 100 with the best checkpoint for GAT), written in PyTorch; the data is
    loaded once, outside the timed calls."""
    data = pyg_data(root)
    return lambda: _pyg_full(model_name, data)


def _pyg_full(model_name: str, data) -> dict:
    import copy

    import torch
    import torch.nn.functional as F

    net, opt = pyg_model(model_name, data)
    best, best_loss, best_acc, losses, waited = None, np.inf, -1.0, [], 0
    for _ in range(200 if model_name == "gcn" else 1000):
        net.train()
        opt.zero_grad()
        F.cross_entropy(net(data.x, data.edge_index)[data.train_mask], data.y[data.train_mask]).backward()
        opt.step()
        net.eval()
        with torch.no_grad():
            out = net(data.x, data.edge_index)
            vloss = F.cross_entropy(out[data.val_mask], data.y[data.val_mask]).item()
            vacc = (out[data.val_mask].argmax(1) == data.y[data.val_mask]).float().mean().item()
        if model_name == "gcn":
            vloss += 5e-4 / 2 * sum(float((p.detach() ** 2).sum()) for p in net.conv1.parameters())
            if vloss < best_loss:
                best_loss, best = vloss, copy.deepcopy(net.state_dict())
            if len(losses) >= 10 and vloss > np.mean(losses[-10:]):
                break
            losses.append(vloss)
        else:
            if vacc >= best_acc or vloss <= best_loss:
                if vacc >= best_acc and vloss <= best_loss:
                    best = copy.deepcopy(net.state_dict())
                best_acc, best_loss, waited = max(vacc, best_acc), min(vloss, best_loss), 0
            else:
                waited += 1
                if waited >= 100:
                    break
    net.load_state_dict(best)
    net.eval()
    with torch.no_grad():
        pred = net(data.x, data.edge_index).argmax(1)
    return {"accuracy": (pred[data.test_mask] == data.y[data.test_mask]).float().mean().item()}


# ------------------------------------------------------------------------------------------ runs
def main(argv: list[str] | None = None) -> None:
    from benchmarks import _harness as H

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(DEFAULT_ROOT))
    parser.add_argument("--epochs", type=int, default=40, help="timed epochs per rival")
    parser.add_argument("--full-runs", type=int, default=3, help="timed full runs per rival")
    parser.add_argument("--out", default=str(HERE / "results" / "train_epoch.md"))
    args = parser.parse_args(argv)
    load_before = H.load_average()
    me = "benchmarks.train_epoch"
    rows, every, groups, notes = [], {}, [], []
    for m in ("gcn", "gat"):
        kw = {"model_name": m, "root": args.root}
        epochs = H.run([H.Rival("npgnn", f"{me}:npgnn_setup", kind="npgnn", threads=2, kwargs=kw),
                        *H.torch_rivals("PyG", f"{me}:pyg_setup", **kw)],
                       repeats=args.epochs, warmup=3, pause=0.02, profile=["PyG, torch 1T"])
        full = H.run([H.Rival("npgnn", f"{me}:npgnn_full_run", kind="npgnn", threads=2, kwargs=kw),
                      *H.torch_rivals("PyG", f"{me}:pyg_full_run", **kw)],
                     repeats=args.full_runs, warmup=0, pause=0.2, memory=False)
        pyg_epoch = H.best(epochs, ["PyG, torch 1T", "PyG, torch 2T"])
        pyg_full = H.best(full, ["PyG, torch 1T", "PyG, torch 2T"])
        ours, theirs = epochs["npgnn"], epochs[pyg_epoch]

        def run_cell(r) -> str:
            acc = r.info.get("accuracy")
            return f"{r.median:.2f} ({100 * acc:.1f}%)" if r.ok and acc is not None else H.fmt_ms(r)

        rows.append([m.upper(), f"{1e3 * ours.median:.2f}", (f"{1e3 * theirs.median:.2f} "
                     f"({pyg_epoch.split(', ')[1]})"), f"{theirs.median / ours.median:.1f}x",
                     run_cell(full["npgnn"]), f"{run_cell(full[pyg_full])} ({pyg_full.split(', ')[1]})",
                     f"{ours.info['cold_seconds']:.2f}", f"{theirs.info['cold_seconds']:.2f}",
                     f"{theirs.info['cold_seconds'] / ours.info['cold_seconds']:.1f}x"])
        notes.append(f"{m.upper()}: PyG's epoch at 1 thread, top ops by self CPU time: "
                     f"{H.fmt_profile(epochs['PyG, torch 1T'])}.")
        print(rows[-1], flush=True)
        every.update({f"{m} epoch {k}": v for k, v in epochs.items()})
        groups.append([f"{m} epoch PyG, torch 1T", f"{m} epoch PyG, torch 2T"])
    H.write_markdown(
        args.out, "Training on Cora: npgnn vs PyTorch Geometric",
        ["model", "npgnn ms/epoch", "PyG ms/epoch (best threads)", "PyG / npgnn",
         "npgnn s to result (acc)", "PyG s to result (acc)", "npgnn cold start s",
         "PyG cold start s", "cold-start speed-up"], rows,
        notes=[(f"Per epoch: medians of {args.epochs} epochs after 3 warm-up epochs, each rival in "
               f"its own process; full runs: medians of {args.full_runs} (npgnn's includes loading "
               "Cora, PyG's does not); cold start: process launch to the end of the first epoch, "
               "imports and data loading included. PyG gets Cora's dense normalised features and "
               "input dropout, as its example; npgnn keeps them sparse (no dropout RNG on a dense "
               "2708 x 1433 matrix)."), *notes],
        load_before=load_before, results=every, torch_groups=groups,
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/train_epoch.py")
    print(Path(args.out).read_text())


if __name__ == "__main__":
    main()
