"""The article's per-node loop layers against npgnn's, forward + backward, as a markdown table.

Reference: the article's algorithm for MessagePassing (one masked sum over all T nodes per target
node, operands matched with ``.repeat``) and for its GNN layer (that message passing, then one
Affine object per node), written here in the benchmark; its backward is fixed so that it takes the
full (N, T, H) gradient and multiplies by Aᵀ. npgnn: ``npgnn.article.MessagePassing`` and
``GNN_Layer`` driven book-style, on the same graph as a dense array and as a scipy CSR matrix.

Graph: random directed, every node receives from 10 distinct random sources (E = 10 T).
Batch N = 2 signals, H = D = 16 features, every implementation in its own process at one
thread, BLAS included (benchmarks/_harness.py; the loop reference is single-threaded NumPy),
with a short pause between samples; the table gives medians and spreads of the times.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/article_layers.py
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from npgnn.article import GNN_Layer, MessagePassing

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(HERE.parent))
N, H, DEGREE = 2, 16, 10
RESULTS = HERE / "results" / "article_layers.md"


# ---------------------------------------------------------------------------- the reference
class LoopMessagePassing:
    """The article's loop: for each node i, weight all T states by row i of A and sum, O(N T² H)."""

    def __init__(self, adj: np.ndarray):
        self.adj = adj

    def forward(self, h: np.ndarray) -> np.ndarray:
        n, t, f = h.shape
        self.shape = h.shape
        m = np.zeros_like(h)
        for i in range(t):
            weights = self.adj[i, :].reshape(1, t, 1).repeat(n, axis=0).repeat(f, axis=2)
            m[:, i, :] = np.sum(h * weights, axis=1)
        return m

    def backward(self, dm: np.ndarray) -> np.ndarray:
        # fixed: dm is (N, T, H), and node j collects along column j of A (Aᵀ, not A)
        n, t, f = self.shape
        dh = np.zeros(self.shape)
        for j in range(t):
            weights = self.adj[:, j].reshape(1, t, 1).repeat(n, axis=0).repeat(f, axis=2)
            dh[:, j, :] = np.sum(dm * weights, axis=1)
        return dh


class LoopAffine:
    def __init__(self, W: np.ndarray, b: np.ndarray):
        self.W, self.b = W, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW, self.db = self.x.T @ dout, dout.sum(axis=0)
        return dout @ self.W.T


class LoopGNNLayer:
    """The article's GNN layer: loop message passing, then a separate Affine object per node."""

    def __init__(self, W: np.ndarray, b: np.ndarray, adj: np.ndarray):
        self.W, self.b, self.adj = W, b, adj

    def forward(self, h: np.ndarray) -> np.ndarray:
        n, t, _ = h.shape
        self.mp = LoopMessagePassing(self.adj)
        m = self.mp.forward(h)
        out = np.zeros((n, t, self.W.shape[1]))
        self.affines = []
        for i in range(t):
            affine = LoopAffine(self.W, self.b)
            out[:, i, :] = affine.forward(m[:, i, :])
            self.affines.append(affine)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dm = np.zeros((dout.shape[0], dout.shape[1], self.W.shape[0]))
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)  # this step's only
        for i, affine in enumerate(self.affines):
            dm[:, i, :] = affine.backward(dout[:, i, :])
            self.dW += affine.dW
            self.db += affine.db
        return self.mp.backward(dm)


# ---------------------------------------------------------------------------- timing
def random_adjacency(t: int, rng: np.random.Generator) -> np.ndarray:
    """Dense (T, T) 0/1 matrix, A[i, j] = 1 for an edge j -> i; each row has min(10, T) ones."""
    k = min(DEGREE, t)
    rows = np.repeat(np.arange(t), k)
    cols = np.concatenate([rng.choice(t, size=k, replace=False) for _ in range(t)])
    adj = np.zeros((t, t))
    adj[rows, cols] = 1.0
    return adj


def inputs(t: int, seed: int):
    """The same arrays in every process: adjacency (dense), W, b, h and the output gradient g."""
    rng = np.random.default_rng([seed, t])
    adj = random_adjacency(t, rng)
    W, b = rng.standard_normal((H, H)) / 4, rng.standard_normal(H)
    h, g = rng.standard_normal((N, t, H)), rng.standard_normal((N, t, H))
    return adj, W, b, h, g


def case(layer: str, impl: str, t: int, seed: int, target: float = 0.05):
    """Factory for the harness: one call = enough forward + backward calls to last ``target``
    seconds (calibrated once), reporting the seconds per forward + backward."""
    adj, W, b, h, g = inputs(t, seed)
    a = sp.csr_matrix(adj) if impl == "sparse" else adj
    if layer == "MessagePassing":
        obj = LoopMessagePassing(a) if impl == "loop" else MessagePassing(a)
    else:
        obj = LoopGNNLayer(W, b, a) if impl == "loop" else GNN_Layer(W, b, a)

    def once() -> None:
        obj.forward(h)
        obj.backward(g)

    start = time.perf_counter()
    once()
    number = max(1, int(target / max(time.perf_counter() - start, 1e-7)))

    def run() -> dict:
        start = time.perf_counter()
        for _ in range(number):
            once()
        return {"seconds": (time.perf_counter() - start) / number, "calls_per_sample": number}
    return run


def check_same(t: int, adj: np.ndarray, W: np.ndarray, b: np.ndarray, h: np.ndarray, g: np.ndarray) -> None:
    """The three implementations agree before any of them is timed."""
    for make_ref, make_ours in ((lambda a: LoopMessagePassing(a), MessagePassing),
                                (lambda a: LoopGNNLayer(W, b, a), lambda a: GNN_Layer(W, b, a))):
        ref = make_ref(adj)
        expected = (ref.forward(h), ref.backward(g))
        for a in (adj, sp.csr_matrix(adj)):
            ours = make_ours(a)
            got = (ours.forward(h), ours.backward(g))
            for e, o in zip(expected, got):
                np.testing.assert_allclose(o, e, rtol=1e-10, atol=1e-10, err_msg=f"T={t}")


def run(sizes: list[int], repeats: dict[int, int], pause: float, seed: int) -> list[dict]:
    from benchmarks import _harness as bench

    rows = []
    for t in sizes:
        adj, W, b, h, g = inputs(t, seed)
        check_same(t, adj, W, b, h, g)
        for layer in ("MessagePassing", "GNN_Layer"):
            rivals = [bench.Rival(impl, "benchmarks.article_layers:case", kind="npgnn" if impl != "loop"
                              else "numpy", threads=1,
                              kwargs={"layer": layer, "impl": impl, "t": t, "seed": seed})
                      for impl in ("loop", "dense", "sparse")]
            res = bench.run(rivals, repeats=repeats.get(t, 3), warmup=1, pause=pause, memory=False)
            times = {name: r.median for name, r in res.items()}
            spread = {f"{name}_spread": r.spread for name, r in res.items()}
            ratios = {f"x_{name}": times["loop"] / times[name] for name in ("dense", "sparse")}
            rows.append({"layer": layer, "T": t, "E": int(np.count_nonzero(adj)), **times,
                         **spread, **ratios})
            print(f"{layer:>14} T={t:>5}: loop {times['loop'] * 1e3:9.2f} ms  dense "
                  f"{times['dense'] * 1e3:8.3f} ms  sparse {times['sparse'] * 1e3:8.3f} ms", flush=True)
    return rows


def table(rows: list[dict], repeats: dict[int, int], out: Path, load_before: str) -> str:
    from benchmarks import _harness as bench

    def ms(r: dict, name: str) -> str:
        lo, hi = r[f"{name}_spread"]
        f = (lambda s: f"{s * 1e3:,.3f}") if r[name] < 0.01 else (lambda s: f"{s * 1e3:,.1f}")
        return f"{f(r[name])} ({f(lo)}-{f(hi)})"

    body = [[r["layer"], f"{r['T']:,}", f"{r['E']:,}", ms(r, "loop"), ms(r, "dense"),
             ms(r, "sparse"), f"{r['x_dense']:,.0f}x", f"{r['x_sparse']:,.0f}x"] for r in rows]
    return bench.write_markdown(
        out, "The article's per-node loop layers vs npgnn (forward + backward)",
        ["layer", "T", "E", "article loop ms", "npgnn dense A ms", "npgnn sparse A ms",
         "speed-up dense", "speed-up sparse"], body,
        notes=[(f"Batch N = {N} signals, H = D = {H} features; random directed graph, every node "
               f"receives from {DEGREE} random sources (E = {DEGREE} T). Each implementation in "
               "its own process (benchmarks/_harness.py) at one thread, BLAS included (the loop "
               "reference is single-threaded NumPy); medians (min-max) over samples "
               f"(per size: {', '.join(f'T={t}: {r}' for t, r in repeats.items())}), each "
               "sample averaging enough calls to last ~50 ms. Speed-up = loop median / npgnn "
               "median.")],
        load_before=load_before,
        reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/article_layers.py")


def main(argv: list[str] | None = None) -> int:
    from benchmarks import _harness as bench

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000], help="node counts T")
    p.add_argument("--repeats", type=int, nargs="+", default=[21, 11, 5],
                   help="samples per size (one value per size)")
    p.add_argument("--pause", type=float, default=0.02, help="seconds of rest before each sample")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    if len(args.repeats) != len(args.sizes):
        p.error(f"--repeats needs one value per size ({len(args.sizes)}), got {len(args.repeats)}")
    repeats = dict(zip(args.sizes, args.repeats))
    load_before = bench.load_average()
    text = table(run(args.sizes, repeats, args.pause, args.seed), repeats, args.out, load_before)
    print(f"\n{text}\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
