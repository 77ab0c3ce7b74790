"""Attention layers with edge features against PyTorch Geometric: forward + backward, each rival in
its own process, medians and spread, peak memory, a table.

Workloads (float32, a uniform random directed graph, N = 100,000 nodes, E = 1,000,000 edges,
64 input features, D = 16 edge features):

* ``TransformerConv(64, 16, heads=4, edge_dim=16)``;
* ``GATConv(64, 8, heads=8, edge_dim=16)`` (self-loops with fill_value='mean', as PyG).

Each (implementation, thread count) runs in a fresh process (``--worker``): npgnn on a ``Graph``
(structure built on the first call and reused, as in training; NumPy's OpenBLAS held to one
thread, numba's kernels on ``--threads``), PyG with ``torch.set_num_threads(1)`` and ``(2)``.
Every sample is one forward + backward with a fixed random cotangent after one warm-up call;
the table gives the median, the min-max spread and PyG / npgnn ratios of medians. Peak memory is
the largest rise of the resident set above its level before one forward + backward (sampled every
0.5 ms; glibc's mmap threshold fixed so freed blocks leave the resident set).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice python benchmarks/attention.py
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.message_passing import fix_mmap_threshold, peak_memory  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "attention.md"
LAYERS = {
    "transformer": "TransformerConv(64, 16, heads=4, edge_dim=16)",
    "gat_edge": "GATConv(64, 8, heads=8, edge_dim=16)",
}


def inputs(n: int, e: int, f: int, d: int, seed: int):
    rng = np.random.default_rng(seed)
    ei = np.stack([rng.integers(0, n, e), rng.integers(0, n, e)]).astype(np.int64)
    x = rng.standard_normal((n, f)).astype(np.float32)
    ea = rng.standard_normal((e, d)).astype(np.float32)
    cot = rng.standard_normal((n, 64)).astype(np.float32)
    return ei, x, ea, cot


def npgnn_layer(name: str, seed: int):
    from npgnn.nn import GATConv, TransformerConv
    if name == "transformer":
        return TransformerConv(64, 16, heads=4, edge_dim=16, rng=seed)
    return GATConv(64, 8, heads=8, edge_dim=16, rng=seed)


def worker(args: argparse.Namespace) -> dict:
    """One implementation in this process: times (s) and peak memory (bytes)."""
    fix_mmap_threshold()
    ei, x, ea, cot = inputs(args.nodes, args.edges, 64, 16, args.seed)
    ours = npgnn_layer(args.layer, args.seed)
    if args.worker == "npgnn":
        os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
        from npgnn import Graph, Tensor
        from npgnn.kernels.threads import blas_threads

        g = Graph(ei, num_nodes=args.nodes, edge_attr=ea)

        def run() -> None:
            t = Tensor(x, requires_grad=True)
            ours(t, g).backward(cot)
            for p in ours.parameters():
                p.grad = None

        limiter = blas_threads(1)
    else:
        import torch
        import torch_geometric.nn as pyg_nn
        from npgnn.interop import to_pyg_state_dict

        torch.set_num_threads(args.threads)
        layer = (pyg_nn.TransformerConv(64, 16, heads=4, edge_dim=16) if args.layer == "transformer"
                 else pyg_nn.GATConv(64, 8, heads=8, edge_dim=16))
        layer.load_state_dict({k: torch.from_numpy(v) for k, v in to_pyg_state_dict(ours).items()})
        ei_t, ea_t, cot_t = torch.from_numpy(ei), torch.from_numpy(ea), torch.from_numpy(cot)

        def run() -> None:
            t = torch.tensor(x, requires_grad=True)
            (layer(t, ei_t, ea_t) * cot_t).sum().backward()
            layer.zero_grad(set_to_none=True)

        import contextlib
        limiter = contextlib.nullcontext()
    with limiter:
        run()                                                  # warm-up: compile, build caches
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
            time.sleep(args.pause)
        peak = peak_memory(run)
    return {"times": times, "peak": peak}


def spawn(impl: str, layer: str, threads: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--worker", impl, "--layer", layer, "--threads", str(threads),
           "--nodes", str(args.nodes), "--edges", str(args.edges), "--repeats", str(args.repeats),
           "--seed", str(args.seed), "--pause", str(args.pause)]
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads), PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(label: str, res: dict) -> str:
    t = np.array(res["times"]) * 1e3
    return (f"| {label} | {statistics.median(t):,.1f} ms | {t.min():,.1f}–{t.max():,.1f} | "
            f"{res['peak'] / 2**20:,.0f} MB |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", choices=["npgnn", "pyg"])
    p.add_argument("--layer", choices=sorted(LAYERS), default=None)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--edges", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--pause", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(RESULTS))
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    load_before = os.getloadavg()
    lines = [f"# Attention layers with edge features vs PyG ({args.nodes:,} nodes, {args.edges:,} "
             f"edges, 64 features, 16 edge features, float32, forward + backward)", "",
             f"`python benchmarks/attention.py` on {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores; {args.repeats} samples after a warm-up, each rival in its own "
             f"process; ratio = PyG median / npgnn median (above 1: npgnn faster).", ""]
    for layer in ([args.layer] if args.layer else list(LAYERS)):
        ours = spawn("npgnn", layer, 2, args)
        pyg = {k: spawn("pyg", layer, k, args) for k in (1, 2)}
        lines += [f"## {LAYERS[layer]}", "",
                  "| implementation | median | min–max | peak memory |",
                  "|---|---|---|---|",
                  row("npgnn on a Graph (numba 2 threads, BLAS 1)", ours),
                  row("PyG, torch 1 thread", pyg[1]),
                  row("PyG, torch 2 threads", pyg[2]), "",
                  f"Speed-up of npgnn: **{statistics.median(pyg[1]['times']) / statistics.median(ours['times']):.2f}x** "
                  f"over PyG at 1 thread, **{statistics.median(pyg[2]['times']) / statistics.median(ours['times']):.2f}x** "
                  f"at 2 threads; peak memory npgnn / PyG (2 threads): {ours['peak'] / 2**20:,.0f} / "
                  f"{pyg[2]['peak'] / 2**20:,.0f} MB.", ""]
    load_after = os.getloadavg()
    lines.append(f"Load average (1, 5, 15 min) before: {', '.join(f'{v:.1f}' for v in load_before)}; "
                 f"after: {', '.join(f'{v:.1f}' for v in load_after)} (a shared machine: a load above "
                 f"the core count means the numbers are noisy).")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
