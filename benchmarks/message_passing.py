"""Message passing against PyTorch Geometric: forward + backward, medians, peak memory, a table.

Workloads (float32, H = 64, a uniform random directed graph, E = 10 N by default), each rival
in its own process through benchmarks/_harness.py (torch at 1 and 2 threads; npgnn with 2
numba threads and BLAS at 1), the workload code shared with benchmarks/scaling.py:

* sum aggregation ``out_i = Σ_{j -> i} x_j``: npgnn ``MessagePassing('sum').propagate``
  against PyG's ``MessagePassing(aggr='add')`` and torch's CSR matmul with a cached transpose;
* ``GCNConv(64, 64)``: npgnn against PyG's (``cached=False`` recomputes ``gcn_norm`` every call,
  as PyG does by default; ``cached=True`` keeps it, as npgnn does on a Graph);
* ``GATConv(64, 8, heads=8)``: npgnn (the fused attention kernel) against PyG's, same weights.

npgnn runs twice: on a ``Graph`` (its CSR matrix, transpose and normalisation are built on the
first call and reused, as in training) and on a raw ``edge_index`` array (as a PyG script
calls it). Every timed call is one forward + backward with a fixed random cotangent. PyG's best
row is profiled once (torch.profiler) to say what dominates its time.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/message_passing.py
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(HERE.parent))

RESULTS = HERE / "results" / "message_passing.md"
ME = "benchmarks.scaling"


def rivals(op: str, path: str):
    from benchmarks._harness import Rival, torch_rivals

    out = [Rival("npgnn Graph", f"{ME}:npgnn_case", kind="npgnn", threads=2,
                 kwargs={"op": op, "path": path}),
           Rival("npgnn edge_index", f"{ME}:npgnn_case", kind="npgnn", threads=2,
                 kwargs={"op": op, "path": path, "raw": True})]
    out += torch_rivals("PyG", f"{ME}:pyg_case", op=op, path=path)
    if op == "gcn":
        out += torch_rivals("PyG cached", f"{ME}:pyg_case", op=op, path=path, cached=True)
    if op == "sum":
        out += torch_rivals("torch CSR + cached transpose", f"{ME}:torch_csr_case", op=op, path=path)
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks import _harness as H
    from benchmarks.scaling import TITLES, data_dir

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--edges", type=int, default=1_000_000, help="E; N = E / 10")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--pause", type=float, default=0.2, help="seconds between samples")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "npgnn-bench-data")
    p.add_argument("--output", type=Path, default=RESULTS)
    args = p.parse_args(argv)

    load_before = H.load_average()
    path = str(data_dir(args.edges, args.hidden, args.seed, args.data))
    rows, every = [], {}
    for op in ("sum", "gcn", "gat"):
        rs = rivals(op, path)
        print(TITLES[op], flush=True)
        res = H.run(rs, repeats=args.repeats, warmup=0, pause=args.pause,
                    profile=["PyG, torch 1T"])
        pyg = H.best(res, ["PyG, torch 1T", "PyG, torch 2T"])
        base = res[pyg] if pyg else None
        fams: dict[str, list[str]] = {}
        for name in res:
            fams.setdefault(name.split(", torch")[0], []).append(name)
        for fam, names in fams.items():
            best = H.best(res, names) or names[0]
            r = res[best]
            ratio = f"{base.median / r.median:.2f}x" if base and r.ok else "-"
            same = ("yes" if r.ok and base and abs(r.info["out"] - base.info["out"])
                    <= 1e-3 * abs(base.info["out"]) else "NO" if r.ok else "-")
            rows.append([TITLES[op], best, H.fmt_ms(r), ratio, H.fmt_mb(r), same,
                         H.fmt_profile(res["PyG, torch 1T"]) if fam == "PyG" else ""])
        every.update({f"{op} {k}": v for k, v in res.items()})
    n = args.edges // 10
    text = H.write_markdown(
        args.output, "Message passing vs PyTorch Geometric (forward + backward)",
        ["workload", "implementation (best threads)", "ms, median (min-max)",
         "PyG (best) / this", "peak MB", "same", "PyG's top ops (1 thread, self CPU)"], rows,
        notes=[(f"Uniform random directed graph, N = {n:,} nodes, E = {args.edges:,} edges, "
               f"H = {args.hidden}, float32, seed {args.seed}; {args.repeats} timed calls per "
               "rival after a warm-up. ratio > 1: faster than PyG at its best thread count. "
               "same: output fingerprint equals PyG's to 1e-3. Peak MB: resident-set high-water "
               "mark of one call above the level before it. The implementation column names the "
               "thread count that was best for torch rivals (each ran at 1 and at 2).")],
        load_before=load_before, results=every,
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/message_passing.py")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
