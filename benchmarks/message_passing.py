"""Message passing against PyTorch Geometric: forward + backward, medians, peak memory, a table.

Workloads (float32, H = 64, a uniform random directed graph, E = 10 N by default):

* sum aggregation ``out_i = Σ_{j -> i} x_j``: npgnn ``MessagePassing('sum').propagate`` against
  PyG's ``MessagePassing(aggr='add')``;
* ``GCNConv(64, 64)``: npgnn against PyG's (``cached=False`` recomputes ``gcn_norm`` every call,
  as PyG does by default; ``cached=True`` keeps it, as npgnn does on a Graph);
* ``GATConv(64, 8, heads=8)``: npgnn (the fused attention kernel) against PyG's, same weights.

npgnn runs twice: on a ``Graph`` (its CSR matrix, transpose and normalisation are built on the
first call and reused, as in training) and on a raw ``edge_index`` array (rebuilt every call).
Every sample is one forward + backward with a fixed random cotangent; implementations run
interleaved in one process with a pause between samples (OpenBLAS threads spin after a call); the
table gives medians of the times and of the per-round ratios PyG / npgnn. Peak memory is the
largest rise of the resident set above its level before one forward + backward (sampled every
0.5 ms, glibc's mmap threshold fixed so freed blocks leave the resident set).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/message_passing.py
    (NumPy's OpenBLAS is held to one thread, as in npgnn's training loops; ``--blas-threads 0``
    leaves it at its default)
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy

import npgnn
from npgnn import Graph, Tensor
from npgnn.interop import to_pyg_state_dict
from npgnn.kernels import numba_enabled
from npgnn.kernels.threads import blas_threads
from npgnn.nn.conv.gat import GATConv
from npgnn.nn.conv.gcn import GCNConv
from npgnn.nn.conv.message_passing import MessagePassing

RESULTS = Path(__file__).resolve().parent / "results" / "message_passing.md"
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------- memory
def fix_mmap_threshold(nbytes: int = 1 << 16) -> None:
    """Serve every block above ``nbytes`` by mmap, so that freeing it shrinks the resident set."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, nbytes)  # M_MMAP_THRESHOLD
    except OSError:  # not glibc: peaks are then upper bounds
        pass


def resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def peak_memory(fn: Callable[[], None]) -> int:
    """Largest rise of the resident set during ``fn()`` above its level before, in bytes."""
    gc.collect()
    base = peak = resident_bytes()
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, resident_bytes())
            time.sleep(0.0005)

    watcher = threading.Thread(target=poll)
    watcher.start()
    try:
        fn()
    finally:
        done.set()
        watcher.join()
    return max(peak, resident_bytes()) - base


# ---------------------------------------------------------------------------- cases
def npgnn_case(layer: Callable, x: np.ndarray, graph: object, cot: np.ndarray) -> Callable[[], None]:
    def run() -> None:
        t = Tensor(x, requires_grad=True)
        layer(t, graph).backward(cot)
        for p in getattr(layer, "parameters", list)():
            p.grad = None
    return run


def torch_case(torch, layer, x, edge_index, cot) -> Callable[[], None]:
    def run() -> None:
        t = torch.tensor(x, requires_grad=True)
        (layer(t, edge_index) * cot).sum().backward()
        layer.zero_grad(set_to_none=True)
    return run


def build_cases(n: int, e: int, h: int, seed: int):
    """{workload: {implementation: callable}} and the outputs to cross-check first."""
    import torch
    import torch_geometric.nn as pyg_nn

    rng = np.random.default_rng(seed)
    ei = np.stack([rng.integers(0, n, e), rng.integers(0, n, e)]).astype(np.int64)
    x = rng.standard_normal((n, h)).astype(np.float32)
    cot = rng.standard_normal((n, h)).astype(np.float32)
    g = Graph(ei, num_nodes=n)
    ei_t, cot_t = torch.from_numpy(ei), torch.from_numpy(cot)

    class TorchSum(pyg_nn.MessagePassing):
        def forward(self, x, edge_index):
            return self.propagate(edge_index, x=x)

    mp = MessagePassing("sum")
    gcn = GCNConv(h, h, rng=seed)
    torch_gcn = pyg_nn.GCNConv(h, h)
    torch_gcn_cached = pyg_nn.GCNConv(h, h, cached=True)
    state = {k: torch.from_numpy(v) for k, v in to_pyg_state_dict(gcn).items()}
    torch_gcn.load_state_dict(state)
    torch_gcn_cached.load_state_dict(state)
    torch_sum = TorchSum(aggr="add")

    heads = 8
    gat = GATConv(h, h // heads, heads=heads, rng=seed)
    torch_gat = pyg_nn.GATConv(h, h // heads, heads=heads)
    torch_gat.load_state_dict({k: torch.from_numpy(v) for k, v in to_pyg_state_dict(gat).items()})

    def mp_call(t, graph):
        return mp.propagate(graph, x=t)

    cases = {
        "sum aggregation": {
            "npgnn Graph": npgnn_case(mp_call, x, g, cot),
            "npgnn edge_index": npgnn_case(mp_call, x, ei, cot),
            "PyG": torch_case(torch, torch_sum, x, ei_t, cot_t),
        },
        f"GCNConv {h}->{h}": {
            "npgnn Graph": npgnn_case(gcn, x, g, cot),
            "npgnn edge_index": npgnn_case(gcn, x, ei, cot),
            "PyG": torch_case(torch, torch_gcn, x, ei_t, cot_t),
            "PyG cached": torch_case(torch, torch_gcn_cached, x, ei_t, cot_t),
        },
        f"GATConv {h}->{heads}x{h // heads}": {
            "npgnn Graph": npgnn_case(gat, x, g, cot),
            "npgnn edge_index": npgnn_case(gat, x, ei, cot),
            "PyG": torch_case(torch, torch_gat, x, ei_t, cot_t),
        },
    }
    with torch.no_grad():
        checks = {
            "sum aggregation": (mp_call(x, g).data, torch_sum(torch.from_numpy(x), ei_t).numpy()),
            f"GCNConv {h}->{h}": (gcn(Tensor(x), g).data,
                                  torch_gcn(torch.from_numpy(x), ei_t).numpy()),
            f"GATConv {h}->{heads}x{h // heads}": (gat(Tensor(x), g).data,
                                                  torch_gat(torch.from_numpy(x), ei_t).numpy()),
        }
    return cases, checks


def measure(cases: dict[str, Callable[[], None]], repeats: int, pause: float) -> dict[str, list[float]]:
    """Seconds of each case, sampled round-robin ``repeats`` times after one warm-up call."""
    for fn in cases.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            time.sleep(pause)
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return samples


# ---------------------------------------------------------------------------- report
def table(n: int, e: int, h: int, results: dict, repeats: int, threads: int,
          blas_threads: int) -> str:
    lines = [
        "# Message passing vs PyTorch Geometric (forward + backward)",
        "",
        (f"Uniform random directed graph, N = {n:,} nodes, E = {e:,} edges, H = {h}, float32. "
         f"Medians of {repeats} interleaved rounds in one process; ratio = median over rounds of "
         "PyG (not cached) time / this implementation's time in the same round (> 1: faster "
         "than PyG). Peak = largest rise of the resident set during one forward + backward. "
         "On a shared 2-vCPU VM read ratios as ±30%."),
        (f"Machine: {platform.machine()}, Python {platform.python_version()}, NumPy "
         f"{np.__version__}, SciPy {scipy.__version__}, npgnn {npgnn.__version__} (numba "
         f"kernels: {'on' if numba_enabled() else 'off'}), torch {results['torch']} at {threads} "
         f"threads, torch_geometric {results['pyg']}, OpenBLAS threads: "
         f"{blas_threads if blas_threads > 0 else 'default'}."),
        "",
        "| workload | implementation | median (ms) | ratio PyG / this | peak memory (MB) |",
        "|---|---|---:|---:|---:|",
    ]
    for workload, impls in results["rows"].items():
        base = impls["PyG"]["samples"]
        for name, row in impls.items():
            ratio = statistics.median(b / s for b, s in zip(base, row["samples"]))
            lines.append(f"| {workload} | {name} | {1e3 * statistics.median(row['samples']):,.1f} "
                         f"| {ratio:.2f}x | {row['peak'] / 2**20:,.0f} |")
    reproduce = ("Reproduce: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python "
                 f"benchmarks/message_passing.py --blas-threads {blas_threads}`")
    lines += ["", reproduce, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--edges", type=int, default=1_000_000)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--pause", type=float, default=0.2, help="seconds between samples")
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    p.add_argument("--blas-threads", type=int, default=1,
                   help="hold NumPy's OpenBLAS to this many threads (0: its default). 1, the "
                        "default, is how npgnn's training loops run (npgnn.kernels.threads); "
                        "torch's own BLAS is not affected")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", type=Path, default=RESULTS)
    args = p.parse_args(argv)

    fix_mmap_threshold()
    import torch
    import torch_geometric

    torch.set_num_threads(args.threads)
    with blas_threads(args.blas_threads if args.blas_threads > 0 else None):
        rows = _run(args)
    results = {"rows": rows, "torch": torch.__version__, "pyg": torch_geometric.__version__}
    text = table(args.nodes, args.edges, args.hidden, results, args.repeats, args.threads,
                 args.blas_threads)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    return 0


def _run(args: argparse.Namespace) -> dict[str, dict[str, dict]]:
    """Cross-check the outputs, then time and measure every case."""
    cases, checks = build_cases(args.nodes, args.edges, args.hidden, args.seed)
    for workload, (ours, theirs) in checks.items():
        err = float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-30))
        if err > 1e-4:
            raise SystemExit(f"{workload}: npgnn and PyG disagree (relative error {err:.2e})")
    rows: dict[str, dict[str, dict]] = {}
    for workload, impls in cases.items():
        samples = measure(impls, args.repeats, args.pause)
        rows[workload] = {name: {"samples": samples[name], "peak": peak_memory(fn)}
                          for name, fn in impls.items()}
        print(workload, {k: f"{1e3 * statistics.median(v['samples']):.1f} ms"
                         for k, v in rows[workload].items()}, flush=True)
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
