"""Attention layers against PyTorch Geometric: forward + backward at 100,000 nodes / 1,000,000
edges, each rival in its own process (``benchmarks/_harness.py``), medians, spread, peak memory.

Workloads (float32, a uniform random directed graph with duplicates and self-loops as drawn,
64 input features, D = 16 edge features, 64 output features):

* ``GATConv(64, 8, heads=8, edge_dim=16)`` and ``GATv2Conv(64, 8, heads=8, edge_dim=16)``
  (self-loops with fill_value='mean', as PyG);
* ``TransformerConv(64, 16, heads=4, edge_dim=16)`` and ``TransformerConv(64, 16, heads=4)``.

Rivals: npgnn on a ``Graph`` (the attention structure built by the warm-up call and reused, as
in training; numba kernels on 2 threads, BLAS on 1), PyG with torch at 1 and 2 threads, both with
the same weights (``npgnn.interop``). One timed call = forward, backward of a fixed random
cotangent, gradients cleared. The page gives medians (min-max), the PyG / npgnn ratio of medians
against PyG's best thread count, peak memory (resident-set high-water mark of one call) and
PyG's top operators by self CPU time (``torch.profiler``, one call).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice python -m benchmarks.attention
    python -m benchmarks.attention --nodes 2000 --edges 20000 --repeats 2 --out /tmp/a.md  # smoke
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks import _harness as H

RESULTS = ROOT / "benchmarks" / "results" / "attention.md"
FEATURES, EDGE_DIM = 64, 16
#: name -> (class name, positional args, keyword args), the same for npgnn and PyG
LAYERS = {
    "gat_edge": ("GATConv", (FEATURES, 8), {"heads": 8, "edge_dim": EDGE_DIM}),
    "gatv2_edge": ("GATv2Conv", (FEATURES, 8), {"heads": 8, "edge_dim": EDGE_DIM}),
    "transformer_edge": ("TransformerConv", (FEATURES, 16), {"heads": 4, "edge_dim": EDGE_DIM}),
    "transformer": ("TransformerConv", (FEATURES, 16), {"heads": 4}),
}


def describe(layer: str) -> str:
    cls, args, kwargs = LAYERS[layer]
    return f"{cls}({', '.join(map(str, args))}, {', '.join(f'{k}={v}' for k, v in kwargs.items())})"


def inputs(nodes: int, edges: int, seed: int):
    """edge_index (2, E) int64, x (N, 64), edge_attr (E, 16), cotangent (N, 64), float32."""
    rng = np.random.default_rng(seed)
    ei = np.stack([rng.integers(0, nodes, edges), rng.integers(0, nodes, edges)]).astype(np.int64)
    x = rng.standard_normal((nodes, FEATURES)).astype(np.float32)
    ea = rng.standard_normal((edges, EDGE_DIM)).astype(np.float32)
    cot = rng.standard_normal((nodes, 64)).astype(np.float32)
    return ei, x, ea, cot


def _ours(layer: str, seed: int):
    from npgnn import nn

    cls, args, kwargs = LAYERS[layer]
    return getattr(nn, cls)(*args, **kwargs, rng=seed)


def npgnn_workload(layer: str, nodes: int, edges: int, seed: int = 0):
    """One npgnn forward + backward on a Graph (harness factory)."""
    from npgnn import Graph, Tensor

    ei, x, ea, cot = inputs(nodes, edges, seed)
    conv = _ours(layer, seed)
    uses_edges = "edge_dim" in LAYERS[layer][2]
    g = Graph(ei, num_nodes=nodes, edge_attr=ea if uses_edges else None)

    def run() -> None:
        t = Tensor(x, requires_grad=True)
        conv(t, g).backward(cot)
        for p in conv.parameters():
            p.grad = None

    return run


def pyg_workload(layer: str, nodes: int, edges: int, seed: int = 0):
    """One PyG forward + backward with npgnn's initial weights (harness factory)."""
    import torch
    import torch_geometric.nn as pyg_nn

    from npgnn.interop import to_pyg_state_dict

    ei, x, ea, cot = inputs(nodes, edges, seed)
    cls, args, kwargs = LAYERS[layer]
    conv = getattr(pyg_nn, cls)(*args, **kwargs)
    conv.load_state_dict({k: torch.from_numpy(v) for k, v in to_pyg_state_dict(_ours(layer, seed)).items()})
    ei_t, cot_t = torch.from_numpy(ei), torch.from_numpy(cot)
    ea_t = torch.from_numpy(ea) if "edge_dim" in kwargs else None

    def run() -> None:
        t = torch.tensor(x, requires_grad=True)
        (conv(t, ei_t, ea_t) * cot_t).sum().backward()
        conv.zero_grad(set_to_none=True)

    return run


def rivals(layer: str, args: argparse.Namespace) -> list[H.Rival]:
    kw = {"layer": layer, "nodes": args.nodes, "edges": args.edges, "seed": args.seed}
    return [H.Rival(f"{layer}: npgnn, numba 2T", "benchmarks.attention:npgnn_workload", kind="npgnn",
                    threads=2, kwargs=kw),
            *H.torch_rivals(f"{layer}: PyG", "benchmarks.attention:pyg_workload", (1, 2), **kw)]


def rows(layer: str, results: dict[str, H.Result]) -> list[list[str]]:
    ours = results[f"{layer}: npgnn, numba 2T"]
    pyg_names = [f"{layer}: PyG, torch {t}T" for t in (1, 2)]
    best = H.best(results, pyg_names)
    out = []
    for name in [ours.name, *pyg_names]:
        res = results[name]
        ratio = mem = profile = "-"
        if name == ours.name and best and ours.ok:
            ratio = f"**{results[best].median / ours.median:.2f}x**"
            if ours.peak and results[best].peak:
                mem = f"{ours.peak / results[best].peak:.2f}"
        elif name != ours.name:
            profile = H.fmt_profile(res)
        out.append([describe(layer), name.split(": ", 1)[1], H.fmt_ms(res), H.fmt_mb(res), ratio, mem,
                     profile])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--layers", default=",".join(LAYERS), help=f"comma-separated subset of {list(LAYERS)}")
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--edges", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=1800.0)
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)
    layers = args.layers.split(",")
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        p.error(f"--layers: unknown {unknown}; choose from {list(LAYERS)}")
    load = H.load_average()
    results: dict[str, H.Result] = {}
    table: list[list[str]] = []
    for layer in layers:
        rs = rivals(layer, args)
        results.update(H.run(rs, repeats=args.repeats, timeout=args.timeout,
                             profile=[r.name for r in rs if r.kind == "torch"]))
        table += rows(layer, results)
    groups = [[f"{layer}: PyG, torch {t}T" for t in (1, 2)] for layer in layers]
    notes = [
        (f"{args.nodes:,} nodes, {args.edges:,} random directed edges, {FEATURES} input features, "
         f"{EDGE_DIM} edge features, float32; one call = forward + backward of a random cotangent."),
        ("ratio = PyG's median at its best thread count / npgnn's median (above 1: npgnn faster); "
         "memory = npgnn's peak / that PyG rival's peak (below 1: npgnn smaller)."),
    ]
    text = H.write_markdown(args.out, "Attention layers vs PyG (forward + backward)",
                            ["layer", "rival", "median ms (min-max)", "peak MB", "ratio", "memory",
                             "PyG's top ops (self CPU)"],
                            table, notes=notes, load_before=load, results=results, torch_groups=groups,
                            reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice python -m "
                                      "benchmarks.attention")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
