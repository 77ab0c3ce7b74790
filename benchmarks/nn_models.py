"""One training step (forward, loss, backward) of PyG's models: npgnn.nn.models vs
torch_geometric.nn.models, on Cora, same constructor call on both sides.

``Model(1433, 64, num_layers=2, out_channels=7)`` for GCN, GraphSAGE, GIN, GAT (heads=8) and
GATv2 (``GAT(..., v2=True, heads=8)``),
each rival in its own process (benchmarks/_harness.py; torch at 1 and 2 threads, npgnn with 2
numba threads and BLAS at 1). npgnn gets Planetoid's sparse feature matrix where its first
convolution takes one (GCN, GraphSAGE, GAT) and a Graph (cached structure), PyG the dense
features and edge_index, as a PyG script has them. PyG at 1 thread is profiled once per model
to say what dominates its step.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/nn_models.py
writes benchmarks/results/nn_models.md.
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
MODELS = {"GCN": {}, "GraphSAGE": {}, "GIN": {}, "GAT": {"heads": 8}, "GATv2": {"heads": 8, "v2": True}}


def _cora(root: str):
    from npgnn.datasets import Planetoid

    return Planetoid("cora", root=str(Path(root) / "planetoid"), progress=False).graph


def npgnn_step(name: str, root: str):
    from npgnn.nn import models
    from npgnn.ops import cross_entropy

    g = _cora(root)
    x = g.x.toarray().astype(np.float32) if name == "GIN" else g.x
    train = np.flatnonzero(g.train_mask)
    model = getattr(models, name.removesuffix("v2"))(g.x.shape[1], 64, 2, out_channels=7, rng=0, **MODELS[name])

    def step() -> None:
        model.zero_grad()
        cross_entropy(model(x, g)[train], g.y[train]).backward()
    return step


def pyg_step(name: str, root: str):
    import torch
    import torch_geometric.nn.models as pyg_models

    g = _cora(root)
    dense = g.x.toarray().astype(np.float32)
    torch.manual_seed(0)
    model = getattr(pyg_models, name.removesuffix("v2"))(dense.shape[1], 64, 2, out_channels=7, **MODELS[name])
    xt, eit = torch.from_numpy(dense), torch.from_numpy(g.edge_index)
    yt, tt = torch.from_numpy(g.y), torch.from_numpy(np.flatnonzero(g.train_mask))

    def step() -> None:
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(xt, eit)[tt], yt[tt]).backward()
    return step


def main(argv: list[str] | None = None) -> int:
    from benchmarks import _harness as H

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=str(DEFAULT_ROOT))
    p.add_argument("--repeats", type=int, default=20, help="timed steps per rival")
    p.add_argument("--out", type=Path, default=HERE / "results" / "nn_models.md")
    args = p.parse_args(argv)
    load_before = H.load_average()
    rows, every, groups = [], {}, []
    for name in MODELS:
        rivals = [H.Rival("npgnn", "benchmarks.nn_models:npgnn_step", kind="npgnn", threads=2,
                          kwargs={"name": name, "root": args.root})]
        rivals += H.torch_rivals("PyG", "benchmarks.nn_models:pyg_step", name=name, root=args.root)
        print(name, flush=True)
        res = H.run(rivals, repeats=args.repeats, warmup=2, pause=0.05, profile=["PyG, torch 1T"])
        ours, pyg = res["npgnn"], H.best(res, ["PyG, torch 1T", "PyG, torch 2T"])
        theirs = res[pyg] if pyg else None
        ratio = f"{theirs.median / ours.median:.2f}x" if theirs and ours.ok else "-"
        rows.append([name, H.fmt_ms(ours), H.fmt_ms(res["PyG, torch 1T"]),
                     H.fmt_ms(res["PyG, torch 2T"]), ratio, H.fmt_profile(res["PyG, torch 1T"])])
        every.update({f"{name} {k}": v for k, v in res.items()})
        groups.append([f"{name} PyG, torch 1T", f"{name} PyG, torch 2T"])
    text = H.write_markdown(
        args.out, "PyG's models, one training step on Cora: npgnn.nn.models vs torch_geometric",
        ["model", "npgnn ms", "PyG 1 thread ms", "PyG 2 threads ms", "PyG (best) / npgnn",
         "PyG's top ops (1 thread, self CPU)"], rows,
        notes=[("`Model(1433, 64, 2, out_channels=7)`; one step = forward, cross-entropy on the "
               f"140 training nodes, backward; {args.repeats} timed steps after 2 warm-up steps, "
               "medians (min-max). npgnn keeps Cora's bag-of-words features sparse where the "
               "first layer takes them (all but GIN); PyG gets them dense, as its Planetoid "
               "loader gives them.")],
        load_before=load_before, results=every, torch_groups=groups,
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/nn_models.py")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
