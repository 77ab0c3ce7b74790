"""Seconds per training epoch of the GIN paper's model on PROTEINS and NCI1: npgnn vs PyG.

The model of Xu et al. (2019) as ``npgnn train --model gin`` builds it (``npgnn.models.GIN``):
5 layers counting the input (4 GIN layers, each a 2-layer MLP with batch norm, then batch norm
and ReLU), hidden 32, sum readout of every layer (the input included) through its own Linear
and dropout 0.5, batch size 32, Adam lr 0.01. PyG gets the same model written with
``torch_geometric.nn`` (GINConv(MLP([F, 32, 32], norm='batch_norm')), BatchNorm1d,
global_add_pool, Linear, F.dropout) and PyG's own TUDataset/DataLoader on the same files.

One timed call = one epoch over the whole dataset (shuffled batches of 32; forward, loss,
backward, Adam step per batch), in:

- ``npgnn, user loop``: a PyG-style loop written by a user: ``npgnn.loader.DataLoader`` over the
  ``TUDataset``, ``model(batch.x, batch.edge_index, batch.batch)``,
  ``npgnn.nn.functional.cross_entropy``, ``npgnn.optim.Adam``;
- ``npgnn, PyG's model ported``: the PyG rival's model class and loop, the same code with the
  names imported from ``npgnn`` (``_paper_gin``), so none of npgnn's fused GIN layers apply
  beyond what ``GINConv(MLP)`` itself gets;
- ``npgnn, trainer``: ``npgnn.training.graph_level.fit_graphs(model, dataset, {}, epochs=1)``
  per call (what ``npgnn train`` runs per epoch, without scoring the held-out fold; its Adam and
  loader are made afresh per call, the model carries over);
- ``PyG, torch 1T / 2T``: the same loop in PyG, torch at 1 and at 2 threads.

Every rival runs in its own process (benchmarks/_harness.py), one warm-up epoch, then timed
epochs with pauses, over interleaved rounds; medians (min-max). The speed-up is PyG's best
thread count's median over npgnn's. The top torch operators of one profiled PyG epoch say what
dominates PyG's time.

Run (about 10 minutes on 2 busy cores):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/gin_epoch.py
Writes benchmarks/results/gin_epoch.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(HERE.parent))

from benchmarks import _harness as H  # noqa: E402

DEFAULT_ROOT = HERE.parent.parent / "shared" / "datasets"
DATASETS = ("PROTEINS", "NCI1")
#: The GIN paper's setup (npgnn.paper_defaults "gin"): hidden 32 for the bio datasets.
HIDDEN, LAYERS, DROPOUT, BATCH, LR = 32, 5, 0.5, 32, 0.01


def _usual_malloc() -> None:
    """Give glibc back its usual mmap threshold for this worker (every rival alike).

    The harness fixes the threshold at 64 KiB so that a call's peak memory is exact; then
    every array above 64 KiB is a fresh ``mmap`` whose pages fault in on first touch. glibc's
    default raises the threshold dynamically (up to 32 MiB) once blocks are freed, so a
    user's process serves such arrays from its heap. This benchmark measures no memory;
    measured with the fixed threshold, the CPU time per PROTEINS epoch doubled for npgnn and for
    PyG alike (page faults on ~160 KB temporaries). 32 MiB is the dynamic threshold's ceiling.
    """
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, 32 * 2**20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc: nothing was changed
        pass


def _paper_gin(nn, MLP, GINConv, global_add_pool, F):  # noqa: N803 - the libraries' names
    """The model class a PyG user writes, from the names given: ``torch.nn`` and
    ``torch_geometric.nn``'s, or the same names imported from ``npgnn`` (the port is the
    imports)."""
    class PaperGIN(nn.Module):
        def __init__(self, fin: int, classes: int):
            super().__init__()
            sizes = [fin] + [HIDDEN] * (LAYERS - 1)
            self.convs = nn.ModuleList(
                [GINConv(MLP([a, HIDDEN, HIDDEN], norm="batch_norm")) for a in sizes[:-1]])
            self.norms = nn.ModuleList([nn.BatchNorm1d(HIDDEN) for _ in sizes[:-1]])
            self.heads = nn.ModuleList([nn.Linear(a, classes) for a in sizes])

        def forward(self, x, edge_index, batch):
            score = F.dropout(self.heads[0](global_add_pool(x, batch)), DROPOUT, self.training)
            h = x
            for k, (conv, norm) in enumerate(zip(self.convs, self.norms), start=1):
                h = F.relu(norm(conv(h, edge_index)))
                score = score + F.dropout(self.heads[k](global_add_pool(h, batch)), DROPOUT,
                                          self.training)
            return score

    return PaperGIN


def _epoch(model, loader, optimizer, F):  # noqa: N803 - the libraries' name
    """One training epoch of a PyG-style loop, in whichever library the arguments come from."""
    def epoch() -> None:
        model.train()
        for batch in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(batch.x, batch.edge_index, batch.batch), batch.y)
            loss.backward()
            optimizer.step()

    return epoch


# ------------------------------------------------------------------------------ npgnn
def _npgnn_setup(dataset: str, root: str):
    from npgnn.datasets import TUDataset
    from npgnn.models.gin import GIN

    ds = TUDataset(str(Path(root) / "tu"), dataset)
    model = GIN(ds.num_features, ds.num_classes, hidden_channels=HIDDEN, num_layers=LAYERS,
                dropout=DROPOUT, seed=0)
    return ds, model


def npgnn_loop(dataset: str, root: str):
    """A user's own PyG-style loop over npgnn (module docstring)."""
    _usual_malloc()
    from npgnn.loader import DataLoader
    from npgnn.nn import functional as F
    from npgnn.optim import Adam

    ds, model = _npgnn_setup(dataset, root)
    optimizer = Adam(model.parameters(), lr=LR)
    loader = DataLoader(ds, batch_size=BATCH, shuffle=True, seed=0)

    return _epoch(model, loader, optimizer, F), {"batches": len(loader), "graphs": len(ds)}


def npgnn_ported(dataset: str, root: str):
    """PyG's model class of ``pyg_loop``, ported by changing its imports: GINConv(MLP),
    BatchNorm1d, global_add_pool, Linear and dropout from ``npgnn.nn``; the user loop."""
    _usual_malloc()
    import npgnn
    from npgnn import nn
    from npgnn.loader import DataLoader
    from npgnn.nn import MLP, GINConv, global_add_pool
    from npgnn.nn import functional as F
    from npgnn.optim import Adam

    ds, _ = _npgnn_setup(dataset, root)

    PaperGIN = _paper_gin(nn, MLP, GINConv, global_add_pool, F)

    npgnn.manual_seed(0)
    model = PaperGIN(ds.num_features, ds.num_classes)
    optimizer = Adam(model.parameters(), lr=LR)
    loader = DataLoader(ds, batch_size=BATCH, shuffle=True, seed=0)

    return _epoch(model, loader, optimizer, F), {"batches": len(loader), "graphs": len(ds)}


def npgnn_trainer(dataset: str, root: str):
    """One epoch of npgnn's graph-classification trainer (fit_graphs)."""
    _usual_malloc()
    from npgnn.training.graph_level import fit_graphs

    ds, model = _npgnn_setup(dataset, root)

    def epoch() -> None:
        fit_graphs(model, ds, {}, epochs=1, batch_size=BATCH, lr=LR, progress=False)

    return epoch


# ------------------------------------------------------------------------------ PyG
def pyg_loop(dataset: str, root: str):
    """The same model and loop in PyG (TUDataset processed from a copy of the same raw files)."""
    _usual_malloc()
    import shutil
    import tempfile

    import torch
    import torch.nn.functional as F
    from torch_geometric.datasets import TUDataset
    from torch_geometric.loader import DataLoader
    from torch_geometric.nn import MLP, GINConv, global_add_pool

    tmp = Path(tempfile.mkdtemp())
    (tmp / dataset / "raw").mkdir(parents=True)
    for f in (Path(root) / "tu" / dataset).glob(f"{dataset}_*.txt"):
        shutil.copy(f, tmp / dataset / "raw" / f.name)
    ds = TUDataset(str(tmp), dataset)

    PaperGIN = _paper_gin(torch.nn, MLP, GINConv, global_add_pool, F)
    torch.manual_seed(0)
    model = PaperGIN(ds.num_features, ds.num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(ds, batch_size=BATCH, shuffle=True)

    return _epoch(model, loader, optimizer, F), {"batches": len(loader), "graphs": len(ds)}


# ------------------------------------------------------------------------------ driver
def _cpu(res: H.Result) -> float:
    """Median CPU seconds per call (all of the process's threads)."""
    return statistics.median(res.cpu) if res.cpu else float("nan")


def rivals(dataset: str, root: str) -> list[H.Rival]:
    kw = {"dataset": dataset, "root": root}
    return [
        H.Rival(f"{dataset}: npgnn, user loop", "benchmarks.gin_epoch:npgnn_loop", kind="npgnn",
                kwargs=kw),
        H.Rival(f"{dataset}: npgnn, trainer", "benchmarks.gin_epoch:npgnn_trainer",
                kind="npgnn", kwargs=kw),
        H.Rival(f"{dataset}: npgnn, PyG's model ported", "benchmarks.gin_epoch:npgnn_ported",
                kind="npgnn", kwargs=kw),
        *H.torch_rivals(f"{dataset}: PyG", "benchmarks.gin_epoch:pyg_loop", **kw),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(DEFAULT_ROOT))
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per process")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--timeout", type=float, default=150.0,
                        help="seconds per rival process (torch at 2 threads can crawl on a busy "
                             "machine; a timed-out rival is reported as such)")
    parser.add_argument("--out", default=str(HERE / "results" / "gin_epoch.md"))
    args = parser.parse_args()
    load_before = H.load_average()
    results: dict[str, H.Result] = {}
    groups, rows = [], []
    for name in args.datasets:
        rs = rivals(name, args.root)
        torch_names = [r.name for r in rs if r.kind == "torch"]
        groups.append(torch_names)
        res = H.run(rs, repeats=args.repeats, rounds=args.rounds, memory=False,
                    profile=torch_names[:1], timeout=args.timeout)
        results.update(res)
        pyg = H.best(res, torch_names)
        pyg_cpu = min((_cpu(res[n]) for n in torch_names if res[n].ok), default=float("nan"))
        for r in rs:
            row = res[r.name]
            ratio = ratio_cpu = "-"
            if r.kind == "npgnn" and pyg is not None and row.ok:
                ratio = f"**{res[pyg].median / row.median:.2f}x**"
                ratio_cpu = f"{pyg_cpu / _cpu(row):.2f}x"
            elif r.kind == "torch":
                ratio = "best PyG" if r.name == pyg else ""
                ratio_cpu = ""
            cpu = f"{1e3 * _cpu(row):,.1f}" if row.ok else "-"
            rows.append([r.name, H.fmt_ms(row), cpu, ratio, ratio_cpu,
                         H.fmt_profile(row) if r.kind == "torch" else ""])
            print(" | ".join(rows[-1]), flush=True)
    notes = [
        f"GIN (Xu et al. 2019) as `npgnn train --model gin` builds it: {LAYERS} layers counting the "
        f"input, hidden {HIDDEN}, batch norm, sum readout over every layer, dropout {DROPOUT}, "
        f"batch {BATCH}, Adam lr {LR}. One timed call = one training epoch over the whole dataset "
        "(shuffled). `user loop`: DataLoader + `model(x, edge_index, batch)` + cross_entropy + "
        "Adam written by hand; `trainer`: `fit_graphs(..., epochs=1)` (no held-out scoring). "
        "Speed-up = the best PyG thread count's median wall time / npgnn's; CPU speed-up = the "
        "lowest PyG CPU-time median / npgnn's (the steadier figure on a loaded machine: it does "
        "not count the time a process waits for a core).",
        "npgnn runs each GIN layer (aggregation, Linear, BatchNorm, ReLU, Linear, BatchNorm, "
        "ReLU) and the whole readout as one fused op each (npgnn.ops.gin; gradient-checked, "
        "equal to the composed ops and to PyG), and Adam as a few flat operations per group. "
        "Every worker sets glibc's mmap threshold back to its usual ceiling (32 MiB) after the "
        "harness fixed it at 64 KiB for memory measurements (none here): with 64 KiB every "
        "array above it is a fresh mmap, which doubled the CPU time per epoch of npgnn and of PyG alike. "
        "PyG's time: its top torch operators in one profiled epoch are listed; beyond them it is "
        "Python dispatch and autograd bookkeeping over ~70 small ops per batch, and collation.",
    ]
    text = H.write_markdown(
        args.out, "GIN epoch on PROTEINS and NCI1: npgnn vs PyG", 
        ["rival", "wall ms per epoch, median (min-max)", "CPU ms, median", "speed-up vs best PyG",
         "CPU speed-up", "PyG's top ops"], rows,
        notes=notes, load_before=load_before, results=results, torch_groups=groups,
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/gin_epoch.py")
    print(text)


if __name__ == "__main__":
    main()
