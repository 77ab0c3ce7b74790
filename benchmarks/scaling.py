"""How the cost grows: sum aggregation, GCNConv and GATConv forward + backward, 10k to 10M edges.

npgnn against PyTorch Geometric (torch at 1 and 2 threads), torch's own sparse CSR matmul with a
cached transpose and a hand-written backward (the best torch does for a sum aggregation), and
JAX (``jit`` of ``jax.vjp`` over ``jax.ops.segment_sum``; sum aggregation and GCN) at 1 and 2
XLA threads. Uniform random directed graphs, E = 10 N, H = 64, float32, a fixed seed; the arrays
(``edge_index``, ``x``, the cotangent) are written once as ``.npy`` files and every rival loads
the same ones. One timed call = forward + backward with that fixed cotangent (gradients of the
input and of every weight). Each rival runs in its own process (benchmarks/_harness.py).

- npgnn works on a ``Graph`` (the CSR matrix, its transpose and GCN's normalisation are built on
  the first call and reused, as in training); ``--reorder rcm|degree`` adds npgnn rows on the
  graph renumbered by ``Graph.reorder`` (the renumbering itself is not timed).
- PyG runs its layers as a PyG script does: ``edge_index`` on every call, ``GCNConv`` with
  ``cached=False`` (the default: ``gcn_norm`` every call).
- torch CSR: ``A`` and ``Aᵀ`` as ``torch.sparse_csr_tensor`` built once; backward = ``Aᵀ @ g``.
- JAX: edges sorted by target once (``indices_are_sorted=True``), GCN's normalisation computed
  once outside ``jit`` (the graph is static, as in npgnn), ``x @ W`` then a normalised
  ``segment_sum``. XLA threads via ``XLA_FLAGS`` (see _harness.py).

At the top size the rivals that would not fit next to other jobs in memory are capped (the
table says which and why), and every rival has a time limit per process (``--timeout``).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/scaling.py
writes benchmarks/results/scaling.md and scaling.png; ``--sizes 100000`` (edges) for one size.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(HERE.parent))
RESULTS = HERE / "results"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
OPS = ("sum", "gcn", "gat")
TITLES = {"sum": "sum aggregation", "gcn": "GCNConv 64->64", "gat": "GATConv 64->8x8"}
HEADS = 8


# ============================================================================ data
def community_edges(n: int, e: int, rng: np.random.Generator, size: int = 1000,
                    p_in: float = 0.9) -> np.ndarray:
    """(2, e) edges of a graph with communities of ``size`` nodes (a fraction ``p_in`` of the
    edges inside one), node ids then shuffled at random: structure exists but the given
    numbering hides it, as in a graph whose ids were assigned in crawl or insertion order."""
    src = rng.integers(0, n, e)
    inside = rng.random(e) < p_in
    block = src // size * size
    dst = np.where(inside, np.minimum(block + rng.integers(0, size, e), n - 1),
                   rng.integers(0, n, e))
    return rng.permutation(n)[np.stack([src, dst])]


def knn_edges(n: int, e: int, rng: np.random.Generator) -> np.ndarray:
    """(2, e) edges of a spatial k-nearest-neighbour graph (k = e // n) over ``n`` random points
    in the unit square, each point receiving from its k nearest others (a point cloud or mesh);
    the ids are in random spatial order, so neighbours' ids are far apart until reordered."""
    from scipy.spatial import cKDTree

    k = e // n
    pts = rng.random((n, 2))
    _, nearest = cKDTree(pts).query(pts, k + 1)
    return np.stack([nearest[:, 1:].ravel(), np.repeat(np.arange(n), k)]).astype(np.int64)


def data_dir(edges: int, hidden: int, seed: int, root: Path, kind: str = "uniform") -> Path:
    """Directory of ``edge_index.npy``, ``x.npy``, ``cot.npy`` for E = edges, N = E // 10 (made
    once); ``kind``: ``"uniform"`` random directed edges, ``"community"`` (``community_edges``) or
    ``"knn"`` (``knn_edges``)."""
    n = edges // 10
    path = root / f"scaling_{kind}_n{n}_e{edges}_h{hidden}_s{seed}"
    if not (path / "cot.npy").exists():
        path.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        make = {"uniform": lambda: rng.integers(0, n, (2, edges), dtype=np.int64),
                "community": lambda: community_edges(n, edges, rng),
                "knn": lambda: knn_edges(n, edges, rng)}
        ei = make[kind]()
        np.save(path / "edge_index.npy", ei)
        np.save(path / "x.npy", rng.standard_normal((n, hidden), dtype=np.float32))
        np.save(path / "cot.npy", rng.standard_normal((n, hidden), dtype=np.float32))
    return path


def load(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = Path(path)
    return np.load(p / "edge_index.npy"), np.load(p / "x.npy"), np.load(p / "cot.npy")


def check(out: np.ndarray, grad: np.ndarray) -> dict:
    """Fingerprint of one forward + backward, to confirm that every rival did the same work."""
    return {"out": float(np.abs(out.astype(np.float64)).sum()),
            "grad": float(np.abs(grad.astype(np.float64)).sum())}


def _npgnn_layer(op: str, h: int, seed: int):
    from npgnn.nn.conv.gat import GATConv
    from npgnn.nn.conv.gcn import GCNConv
    from npgnn.nn.conv.message_passing import MessagePassing

    if op == "sum":
        mp = MessagePassing("sum")
        return lambda t, g: mp.propagate(g, x=t)
    if op == "gcn":
        return GCNConv(h, h, rng=seed)
    return GATConv(h, h // HEADS, heads=HEADS, rng=seed)


# ============================================================================ factories (workers)
def npgnn_case(op: str, path: str, seed: int = 0, reorder: str | None = None, raw: bool = False):
    """npgnn on a Graph (structure cached after the first call, as in training); ``raw``: on the
    ``edge_index`` array instead, as a PyG script calls it."""
    from npgnn import Graph, Tensor

    ei, x, cot = load(path)
    n, h = x.shape
    g = ei if raw else Graph(ei, num_nodes=n, x=x)
    info = {}
    if reorder:
        import time

        start = time.perf_counter()
        g = g.reorder(reorder)
        info["reorder_seconds"] = time.perf_counter() - start
        x, cot = g.x, cot[g.perm]
    layer = _npgnn_layer(op, h, seed)
    params = list(getattr(layer, "parameters", list)())

    def run():
        t = Tensor(x, requires_grad=True)
        out = layer(t, g)
        out.backward(cot)
        for p in params:
            p.grad = None
        return out.data, t.grad

    out, grad = run()
    if reorder:  # back to the original numbering: the fingerprint must match the other rows
        out, grad = out[g.perm_inverse], grad[g.perm_inverse]
    return run, {**check(out, grad), **info}


def pyg_case(op: str, path: str, seed: int = 0, cached: bool = False):
    """PyTorch Geometric as a PyG script runs it: edge_index on every call (``cached``: GCNConv
    with ``cached=True``, its normalisation kept after the first call)."""
    import torch
    import torch_geometric.nn as pyg_nn

    from npgnn.interop import to_pyg_state_dict

    ei, x, cot = load(path)
    h = x.shape[1]
    if op == "sum":
        class Sum(pyg_nn.MessagePassing):
            def forward(self, x, edge_index):
                return self.propagate(edge_index, x=x)
        layer = Sum(aggr="add")
    else:
        layer = (pyg_nn.GCNConv(h, h, cached=cached) if op == "gcn"
                 else pyg_nn.GATConv(h, h // HEADS, heads=HEADS))
        state = to_pyg_state_dict(_npgnn_layer(op, h, seed))
        layer.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    ei_t, x_t, cot_t = torch.from_numpy(ei), torch.from_numpy(x), torch.from_numpy(cot)

    def run():
        t = x_t.detach().requires_grad_(True)
        out = layer(t, ei_t)
        out.backward(cot_t)
        layer.zero_grad(set_to_none=True)
        return out, t

    out, t = run()
    return run, check(out.detach().numpy(), t.grad.numpy())


def torch_csr_case(op: str, path: str):
    """Sum aggregation with torch's CSR matmul: A and Aᵀ built once, backward = Aᵀ @ g."""
    import scipy.sparse as sp
    import torch

    if op != "sum":
        raise ValueError(f"torch_csr_case: only op='sum', got {op!r}")
    ei, x, cot = load(path)
    n = x.shape[0]
    a = sp.csr_matrix((np.ones(ei.shape[1], np.float32), (ei[1], ei[0])), shape=(n, n))
    a.sum_duplicates()

    def to_torch(m: sp.csr_matrix):
        return torch.sparse_csr_tensor(torch.from_numpy(m.indptr.astype(np.int64)),
                                       torch.from_numpy(m.indices.astype(np.int64)),
                                       torch.from_numpy(m.data), size=m.shape)

    A, AT = to_torch(a), to_torch(a.T.tocsr())

    class SpMM(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return A @ t

        @staticmethod
        def backward(ctx, g):
            return AT @ g

    x_t, cot_t = torch.from_numpy(x), torch.from_numpy(cot)

    def run():
        t = x_t.detach().requires_grad_(True)
        out = SpMM.apply(t)
        out.backward(cot_t)
        return out, t

    out, t = run()
    return run, check(out.detach().numpy(), t.grad.numpy())


def jax_case(op: str, path: str, seed: int = 0):
    """JAX: jit of (forward, vjp) over segment_sum, edges sorted by target once."""
    import jax
    import jax.numpy as jnp

    ei, x, cot = load(path)
    n, h = x.shape
    src, dst = ei
    if op == "gcn":  # PyG's gcn_norm: drop self-loops, add one per node, D^-1/2 (A + I) D^-1/2
        keep = src != dst
        loops = np.arange(n, dtype=src.dtype)
        src, dst = np.concatenate([src[keep], loops]), np.concatenate([dst[keep], loops])
    order = np.argsort(dst, kind="stable")
    src_j, dst_j = jnp.asarray(src[order]), jnp.asarray(dst[order])
    x_j, cot_j = jnp.asarray(x), jnp.asarray(cot)

    def seg(v):
        return jax.ops.segment_sum(v, dst_j, num_segments=n, indices_are_sorted=True)

    if op == "sum":
        def f(v):
            return seg(v[src_j])
        args = (x_j,)
    elif op == "gcn":
        deg = np.bincount(dst, minlength=n).astype(np.float32)
        dinv = deg ** -0.5
        norm = jnp.asarray((dinv[src] * dinv[dst])[order])[:, None]
        state = {k: jnp.asarray(v) for k, v in
                 __import__("npgnn.interop", fromlist=["x"]).to_pyg_state_dict(
                     _npgnn_layer(op, h, seed)).items()}

        def f(v, w, b):
            return seg((v @ w.T)[src_j] * norm) + b
        args = (x_j, state["lin.weight"], state["bias"])
    else:
        raise ValueError(f"jax_case: op must be 'sum' or 'gcn', got {op!r}")

    @jax.jit
    def step(*a):
        out, vjp = jax.vjp(f, *a)
        return out, vjp(cot_j)

    def run():
        return jax.block_until_ready(step(*args))

    out, grads = run()
    return run, check(np.asarray(out), np.asarray(grads[0]))


# ============================================================================ parent
def rivals_for(op: str, path: str, edges: int, args: argparse.Namespace):
    """(rivals, {name: reason}) for one op and size; capped rivals come back as reasons."""
    from benchmarks._harness import Rival, torch_rivals

    me = "benchmarks.scaling"
    counts = (1,) if edges >= args.one_thread_from else (1, 2)
    rivals = [Rival(f"npgnn, {t}T", f"{me}:npgnn_case", kind="npgnn", threads=t,
                    kwargs={"op": op, "path": path}) for t in counts]
    for method in args.reorder:
        rivals += [Rival(f"npgnn {method}-reordered, {t}T", f"{me}:npgnn_case", kind="npgnn",
                         threads=t, kwargs={"op": op, "path": path, "reorder": method})
                   for t in counts]
    skipped = {}
    pyg_cap = args.max_edges_pyg_gat if op == "gat" else None
    if pyg_cap is not None and edges > pyg_cap:
        skipped["PyG"] = (f"not run above {pyg_cap:,} edges: its (E, heads, C) messages and their "
                          "gradients need several GB (2.6 GB per tensor at 10M edges) on a "
                          "machine shared with other jobs")
    else:
        rivals += torch_rivals("PyG", f"{me}:pyg_case", counts, op=op, path=path)
    if op == "sum":
        rivals += torch_rivals("torch CSR", f"{me}:torch_csr_case", counts, op=op, path=path)
    if op in ("sum", "gcn") and not args.no_jax:
        rivals += [Rival(f"JAX, {t}T", f"{me}:jax_case", kind="jax", threads=t,
                         kwargs={"op": op, "path": path}) for t in counts]
    return rivals, skipped


def repeats_for(edges: int) -> int:
    return 9 if edges <= 100_000 else 5 if edges <= 1_000_000 else 2


def plot(records: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ops = [op for op in OPS if any(r["op"] == op for r in records)]
    fig, axes = plt.subplots(2, len(ops), figsize=(5 * len(ops), 8), squeeze=False)
    families = ["npgnn", "npgnn rcm-reordered", "npgnn degree-reordered", "PyG", "torch CSR", "JAX"]
    for col, op in enumerate(ops):
        for fam in families:
            pts = sorted((r["edges"], r["median"], r["peak"]) for r in records
                         if r["op"] == op and r["family"] == fam and r["median"] is not None)
            if not pts:
                continue
            e, t, m = zip(*pts)
            axes[0][col].loglog(e, [1e3 * v for v in t], "o-", label=fam)
            if all(v is not None for v in m):
                axes[1][col].loglog(e, [max(v, 1) / 2**20 for v in m], "o-", label=fam)
        axes[0][col].set_title(f"{TITLES[op]}, forward + backward")
        axes[0][col].set_ylabel("time (ms, median; torch/JAX at best threads)")
        axes[1][col].set_ylabel("peak memory of one call (MB)")
        for row in axes:
            row[col].set_xlabel("edges (N = E / 10, H = 64, float32)")
            row[col].grid(True, which="both", alpha=0.3)
            row[col].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def locality(args: argparse.Namespace, H, saved: dict, store: Path) -> tuple:
    """The section on Graph.reorder: npgnn on a uniform and a community graph, each as given,
    RCM- and degree-reordered (the renumbering itself timed once, separately)."""
    edges = args.locality_edges
    rows = []
    for kind in ("uniform", "community", "knn"):
        path = str(data_dir(edges, args.hidden, args.seed, args.data, kind))
        for op in ("sum", "gcn"):
            rivals = [H.Rival("as given", "benchmarks.scaling:npgnn_case", kind="npgnn", threads=1,
                              kwargs={"op": op, "path": path})]
            rivals += [H.Rival(m, "benchmarks.scaling:npgnn_case", kind="npgnn", threads=1,
                               kwargs={"op": op, "path": path, "reorder": m})
                       for m in ("rcm", "degree")]
            key = f"locality {kind} {op} {edges}"
            if key in saved:
                res = {k: H.Result(**v) for k, v in saved[key].items()}
            elif args.table_only:
                rows.append([kind, TITLES[op], "-", "not run: out of the session's time", "-", "-",
                             "-", "-", ""])
                continue
            else:
                print(f"locality: {kind}, {TITLES[op]}, E = {edges:,}", flush=True)
                res = H.run(rivals, repeats=repeats_for(edges), warmup=0, pause=args.pause,
                            timeout=args.timeout)
                saved[key] = {k: dataclasses.asdict(v) for k, v in res.items()}
                store.write_text(json.dumps(saved))
            base = res["as given"]
            for name, r in res.items():
                speed = f"{base.median / r.median:.2f}x" if r.ok and base.ok else "-"
                cpu = (f"{1e3 * statistics.median(r.cpu):,.1f}" if r.ok and r.cpu else "-")
                cpu_speed = (f"{statistics.median(base.cpu) / statistics.median(r.cpu):.2f}x"
                             if r.ok and base.ok and r.cpu and base.cpu else "-")
                cost = (f"{1e3 * r.info['reorder_seconds']:,.0f}" if "reorder_seconds" in r.info
                        else "-")
                same = ("yes" if r.ok and base.ok and abs(r.info["out"] - base.info["out"])
                        <= 1e-4 * abs(base.info["out"]) else "-" if name == "as given" else "NO")
                rows.append([kind, TITLES[op], name, H.fmt_ms(r), speed, cpu, cpu_speed, cost, same])
    notes = [(f"npgnn only, at 1 thread (the locality effect without thread scheduling noise), N = {edges // 10:,}, E = {edges:,}, H = {args.hidden}, float32, "
             "forward + backward on a Graph. uniform: the random graph above (no locality to "
             "find); community: blocks of 1,000 nodes holding 90% of the edges, node ids shuffled "
             "(benchmarks/scaling.py:community_edges); knn: each of N random points in the unit square "
             "receives from its 10 nearest (a point cloud or mesh; ids in random order). "
             "speed-up = as given / reordered (wall time, and CPU time of the process, the steadier "
             "of the two on a busy machine); "
             "reorder ms = one `Graph.reorder` call (once per graph, not in the timed calls); "
             "same = outputs equal after the inverse permutation (fingerprint to 1e-4).")]
    return ("Locality: Graph.reorder", notes,
            ["graph", "workload", "node order", "wall ms, median (min-max)", "wall speed-up",
             "CPU ms", "CPU speed-up", "reorder ms", "same"], rows)


def family(name: str) -> str:
    """``"PyG, torch 2T"`` -> ``"PyG"``: the rival without its thread count."""
    return name.split(", ")[0]


def main(argv: list[str] | None = None) -> int:
    from benchmarks import _harness as H

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="edge counts")
    p.add_argument("--ops", nargs="*", choices=OPS, default=list(OPS),
                   help="workloads of the main table (none: only the locality section)")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--reorder", nargs="*", choices=["rcm", "degree"], default=[],
                   help="also time npgnn on the graph renumbered by Graph.reorder(method)")
    p.add_argument("--no-jax", action="store_true")
    p.add_argument("--locality-edges", type=int, default=1_000_000,
                   help="size of the locality section (npgnn with and without Graph.reorder on a "
                        "uniform and a community graph); 0 skips it")
    p.add_argument("--max-edges-pyg-gat", type=int, default=1_000_000)
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per rival process")
    p.add_argument("--memory-limit-gb", type=float, default=8.0,
                   help="address space per rival process (RLIMIT_AS): the machine is shared")
    p.add_argument("--pause", type=float, default=0.2)
    p.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "npgnn-bench-data")
    p.add_argument("--out", type=Path, default=RESULTS / "scaling.md")
    p.add_argument("--one-thread-from", type=int, default=10_000_000,
                   help="from this many edges on, every rival runs at 1 thread only (time)")
    p.add_argument("--table-only", action="store_true",
                   help="with --reuse: write the table from the saved cells, marking the others "
                        "as not run instead of measuring them")
    p.add_argument("--load-during", default=None,
                   help="with --table-only: the load average seen while the cells were measured, "
                        "stated on the page instead of the current one")
    p.add_argument("--reuse", action="store_true",
                   help="take (workload, size) cells already measured from --data's "
                        "scaling-results.json instead of measuring them again")
    args = p.parse_args(argv)

    load_before = H.load_average()
    store = args.data / "scaling-results.json"
    saved = json.loads(store.read_text()) if args.reuse and store.exists() else {}
    records, rows, all_results, groups, notes = [], [], {}, [], []
    for edges in sorted(args.sizes):
        path = str(data_dir(edges, args.hidden, args.seed, args.data))
        for op in args.ops:
            key = f"{op} {edges}"
            rivals, skipped = rivals_for(op, path, edges, args)
            if key in saved:
                res = {k: H.Result(**v) for k, v in saved[key].items()}
            elif args.table_only:
                rows.append([TITLES[op], f"{edges // 10:,}", f"{edges:,}", "all rivals",
                             "not run: the shared machine ran out of the session's time", "-",
                             "-", "-", "-", ""])
                continue
            else:
                print(f"{TITLES[op]}, E = {edges:,}", flush=True)
                res = H.run(rivals, repeats=repeats_for(edges), warmup=0, pause=args.pause,
                            timeout=args.timeout, memory_limit=int(args.memory_limit_gb * 2**30),
                            profile=[f"PyG, torch {t}T" for t in (1, 2)]
                            if edges == 1_000_000 else ())
                saved[key] = {k: dataclasses.asdict(v) for k, v in res.items()}
                args.data.mkdir(parents=True, exist_ok=True)
                store.write_text(json.dumps(saved))
            fams: dict[str, list[str]] = {}
            for name in res:
                fams.setdefault(family(name), []).append(name)
            base = res[H.best(res, fams["npgnn"]) or fams["npgnn"][0]]
            for fam, names in fams.items():
                b = H.best(res, names) or names[0]
                r = res[b]
                groups.append(names) if len(names) > 1 else None
                ref = r.info.get("out") if r.ok else None
                agree = ("" if ref is None or not base.ok else
                         "yes" if abs(ref - base.info["out"]) <= 1e-3 * abs(base.info["out"])
                         and abs(r.info["grad"] - base.info["grad"]) <= 1e-3 * abs(base.info["grad"])
                         else "NO")
                ratio = (f"{r.median / base.median:.2f}x" if r.ok and base.ok and fam != "npgnn"
                         else "-")
                cpu = (f"{1e3 * statistics.median(r.cpu):,.1f}" if r.ok and r.cpu else "-")
                cpu_ratio = (f"{statistics.median(r.cpu) / statistics.median(base.cpu):.2f}x"
                             if r.ok and base.ok and r.cpu and base.cpu and fam != "npgnn" else "-")
                rows.append([TITLES[op], f"{edges // 10:,}", f"{edges:,}", b,
                             H.fmt_ms(r), ratio, cpu, cpu_ratio, H.fmt_mb(r), agree])
                records.append({"op": op, "edges": edges, "family": fam,
                                "median": r.median if r.ok else None, "peak": r.peak})
            for fam, reason in skipped.items():
                rows.append([TITLES[op], f"{edges // 10:,}", f"{edges:,}", fam, reason, "-", "-",
                             "-", "-", ""])
            all_results.update({f"{op} {edges} {k}": v for k, v in res.items()})
            prof = [res[n] for n in fams.get("PyG", []) if res[n].profile]
            if prof:
                notes.append(f"What PyG spends its time on, {TITLES[op]} at {edges:,} edges "
                             f"(torch.profiler, one call, self CPU time): "
                             + "; ".join(f"{r.name}: {H.fmt_profile(r)}" for r in prof) + ".")
            if op == "sum" and edges == 1_000_000:
                pyg = [res[n] for n in fams.get("PyG", []) if res[n].ok]
                csr = [res[n] for n in fams.get("torch CSR", []) if res[n].ok]
                if base.ok and pyg and csr:
                    def cpu(rs):
                        return min(statistics.median(r.cpu) for r in rs)
                    line = (f"Done-when check, sum aggregation 100k nodes / 1M edges / 64 features, "
                            f"forward + backward, this run: PyG (best threads) / npgnn = "
                            f"**{min(r.median for r in pyg) / base.median:.2f}x** wall, "
                            f"{cpu(pyg) / cpu([base]):.2f}x CPU (target >= 4); torch CSR with "
                            f"cached transpose (best threads) / npgnn = "
                            f"**{min(r.median for r in csr) / base.median:.2f}x** wall, "
                            f"{cpu(csr) / cpu([base]):.2f}x CPU (target >= 1.3).")
                    notes.append(line)
                    print(line, flush=True)
    sections = []
    if args.locality_edges:
        sections.append(locality(args, H, saved, store))
    notes = [
        ("Forward + backward of one layer (gradients of x and of every weight) with a fixed "
         "cotangent; uniform random directed graphs, E = 10 N, H = 64, float32, seed "
         f"{args.seed}, the same .npy arrays for every rival. Rows: each rival at its best "
         "thread count (npgnn, torch and JAX each at 1 and 2 threads; npgnn's BLAS at 1). "
         "ratio = rival / npgnn (> 1: npgnn faster), in wall time and in the CPU time of the "
         "process (all its threads; steadier when other jobs take the cores, but blind to "
         "what a second thread gains). same = output and input-gradient "
         "fingerprints (sums of |.|) agree with npgnn's to 1e-3."),
        ("npgnn and torch CSR/JAX reuse the graph's structure (CSR, transpose, GCN "
         "normalisation) across calls; PyG rebuilds from edge_index every call (its default, "
         "cached=False for GCNConv). No JAX GAT (not in the brief's scope)."),
        (f"Every rival process may map at most {args.memory_limit_gb:g} GB (RLIMIT_AS) and run "
         f"{args.timeout:.0f} s: a rival over either limit shows 'out of memory' or 'timeout'. "
         f"From {args.one_thread_from:,} edges on every rival runs at 1 thread only (each "
         "extra process costs minutes there; the rows one size down show which thread count "
         "won on this busy machine); repeats per size: "
         + ", ".join(f"{e:,}: {repeats_for(e)}" for e in sorted(args.sizes)) + "."),
        *notes,
    ]
    text = H.write_markdown(
        args.out, "Scaling: forward + backward from 10k to 10M edges",
        ["workload", "nodes", "edges", "rival (best threads)", "wall ms, median (min-max)",
         "wall ratio rival / npgnn", "CPU ms (all threads)", "CPU ratio", "peak MB", "same"], rows, notes=notes, load_before=load_before,
        sections=sections, load_text=args.load_during,
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/scaling.py "
                  + " ".join(f"--reorder {m}" for m in args.reorder)).rstrip()
    if records:
        plot(records, args.out.with_suffix(".png"))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
