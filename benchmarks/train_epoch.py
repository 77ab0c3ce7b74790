"""Seconds per training epoch, seconds to the reported accuracy, and cold start: npgnn vs PyG.

GCN (Kipf & Welling) and GAT (Veličković et al.) on Cora with the papers' hyperparameters, both
libraries in one process, epochs interleaved in rounds with pauses (the machine is shared and
noisy: read ratios, not absolute times). Cold start = a fresh Python process from launch to the
end of its first training epoch, data loading included.

Run (unset the OpenBLAS overrides for this command only):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/train_epoch.py
Writes benchmarks/results/train_epoch.md.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent.parent / "shared" / "datasets"


# ------------------------------------------------------------------------------------------ npgnn
def npgnn_setup(model_name: str, root: str):
    from npgnn.experiment import PAPER_DEFAULTS, build_model, load_node_data
    from npgnn.kernels.threads import blas_threads
    from npgnn.ops import nn as F
    from npgnn.optim import Adam

    graph, classes = load_node_data("cora", root, progress=False)
    settings = PAPER_DEFAULTS[model_name]
    model = build_model(model_name, graph.x.shape[1], classes, settings, seed=0)
    opt = Adam(model.param_groups(settings["weight_decay"]), lr=settings["lr"])
    train = np.flatnonzero(graph.train_mask)
    y = graph.y[train]
    limit = blas_threads(1)
    limit.__enter__()  # npgnn trains with one BLAS thread (npgnn.kernels.threads)

    def epoch() -> None:
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(graph.x, graph)[train], y)
        loss.backward()
        opt.step()

    return epoch


def npgnn_full_run(model_name: str, root: str) -> tuple[float, float]:
    from npgnn.experiment import TrainConfig, run

    start = time.perf_counter()
    metrics, _ = run(TrainConfig(dataset="cora", model=model_name, root=root, progress=False))
    return time.perf_counter() - start, metrics["test_accuracy_mean"]


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
        opt = torch.optim.Adam([dict(params=net.conv1.parameters(), weight_decay=5e-4),
                                dict(params=net.conv2.parameters(), weight_decay=0)], lr=0.01)
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


def pyg_full_run(model_name: str, root: str) -> tuple[float, float]:
    """The same protocol as npgnn's defaults (window rule with the best-loss checkpoint for GCN,
    patience 100 with the best checkpoint for GAT), written in PyTorch."""
    import copy

    import torch
    import torch.nn.functional as F

    data = pyg_data(root)
    start = time.perf_counter()
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
    acc = (pred[data.test_mask] == data.y[data.test_mask]).float().mean().item()
    return time.perf_counter() - start, acc


# ------------------------------------------------------------------------------------------ runs
COLD = {
    "npgnn": "from benchmarks.train_epoch import npgnn_setup; npgnn_setup('{m}', '{root}')()",
    "pyg": "import torch; torch.set_num_threads(2); from benchmarks.train_epoch import pyg_setup; "
           "pyg_setup('{m}', '{root}')()",
}


def cold_start(lib: str, model_name: str, root: str) -> float:
    code = COLD[lib].format(m=model_name, root=root)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=HERE.parent)
    return time.perf_counter() - start


def per_epoch(epoch, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        epoch()
    return (time.perf_counter() - start) / count


def main() -> None:
    import torch

    torch.set_num_threads(2)
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=str(DEFAULT_ROOT))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs-per-round", type=int, default=20)
    parser.add_argument("--out", default=str(HERE / "results" / "train_epoch.md"))
    args = parser.parse_args()
    lines = ["# Training on Cora: npgnn vs PyTorch Geometric", "",
             f"torch {torch.__version__} ({torch.get_num_threads()} threads); medians of "
             f"{args.rounds} interleaved rounds of {args.epochs_per_round} epochs; full runs and "
             "cold starts: medians of 3.", "",
             "| model | npgnn ms/epoch | PyG ms/epoch | ratio npgnn/PyG | npgnn s to result (acc) "
             "| PyG s to result (acc) | npgnn cold start s | PyG cold start s | cold-start speed-up |",
             "|---|---|---|---|---|---|---|---|---|"]
    for m in ("gcn", "gat"):
        ours, theirs = npgnn_setup(m, args.root), pyg_setup(m, args.root)
        per_epoch(ours, 3), per_epoch(theirs, 3)
        a, b = [], []
        for _ in range(args.rounds):
            a.append(per_epoch(ours, args.epochs_per_round))
            time.sleep(0.2)
            b.append(per_epoch(theirs, args.epochs_per_round))
            time.sleep(0.2)
        ta, tb = statistics.median(a) * 1e3, statistics.median(b) * 1e3
        full_a = sorted(npgnn_full_run(m, args.root) for _ in range(3))[1]
        full_b = sorted(pyg_full_run(m, args.root) for _ in range(3))[1]
        cold_a = statistics.median(cold_start("npgnn", m, args.root) for _ in range(3))
        cold_b = statistics.median(cold_start("pyg", m, args.root) for _ in range(3))
        lines.append(f"| {m.upper()} | {ta:.2f} | {tb:.2f} | {ta / tb:.2f} | {full_a[0]:.2f} "
                     f"({100 * full_a[1]:.1f}%) | {full_b[0]:.2f} ({100 * full_b[1]:.1f}%) | "
                     f"{cold_a:.2f} | {cold_b:.2f} | {cold_b / cold_a:.1f}x |")
        print(lines[-1], flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
