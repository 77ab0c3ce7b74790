"""The article's per-node loop layers against npgnn's, forward + backward, as a markdown table.

Reference: the article's algorithm for MessagePassing (one masked sum over all T nodes per target
node, operands matched with ``.repeat``) and for its GNN layer (that message passing, then one
Affine object per node), written here in the benchmark; its backward is fixed so that it takes the
full (N, T, H) gradient and multiplies by Aᵀ. npgnn: ``npgnn.article.MessagePassing`` and
``GNN_Layer`` driven book-style, on the same graph as a dense array and as a scipy CSR matrix.

Graph: random directed, every node receives from 10 distinct random sources (E = 10 T).
Batch N = 2 signals, H = D = 16 features, BLAS held to one thread (``--blas-threads``; the loop
reference is single-threaded NumPy). Implementations run interleaved in one process, with a
short pause between samples (OpenBLAS threads spin after each call); the table gives medians
of the times and of the per-round speed-ups.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/article_layers.py
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy
import scipy.sparse as sp

from npgnn.article import GNN_Layer, MessagePassing
from npgnn.kernels.threads import blas_threads

N, H, DEGREE = 2, 16, 10
RESULTS = Path(__file__).resolve().parent / "results" / "article_layers.md"


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


def step(layer, h: np.ndarray, g: np.ndarray) -> Callable[[], None]:
    def run() -> None:
        layer.forward(h)
        layer.backward(g)
    return run


def calibrate(fn: Callable[[], None], target: float = 0.05) -> int:
    """Calls per sample so that one sample lasts about ``target`` seconds (at least one call)."""
    start = time.perf_counter()
    fn()
    return max(1, int(target / max(time.perf_counter() - start, 1e-7)))


def measure(cases: dict[str, Callable[[], None]], repeats: int, pause: float) -> dict[str, list[float]]:
    """Seconds per call of each case, sampled round-robin ``repeats`` times (one list per case)."""
    numbers = {name: calibrate(fn) for name, fn in cases.items()}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            time.sleep(pause)
            start = time.perf_counter()
            for _ in range(numbers[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / numbers[name])
    return samples


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
    rng = np.random.default_rng(seed)
    rows = []
    for t in sizes:
        adj = random_adjacency(t, rng)
        csr = sp.csr_matrix(adj)
        W, b = rng.standard_normal((H, H)) / 4, rng.standard_normal(H)
        h, g = rng.standard_normal((N, t, H)), rng.standard_normal((N, t, H))
        check_same(t, adj, W, b, h, g)
        pairs = {
            "MessagePassing": (LoopMessagePassing(adj), MessagePassing(adj), MessagePassing(csr)),
            "GNN_Layer": (LoopGNNLayer(W, b, adj), GNN_Layer(W, b, adj), GNN_Layer(W, b, csr)),
        }
        for layer, (loop, dense, sparse) in pairs.items():
            cases = {"loop": step(loop, h, g), "dense": step(dense, h, g), "sparse": step(sparse, h, g)}
            samples = measure(cases, repeats.get(t, 3), pause)
            times = {name: statistics.median(s) for name, s in samples.items()}
            # speed-ups are medians of per-round ratios: a slow period of the VM hits both sides
            ratios = {f"x_{name}": statistics.median(a / b for a, b in zip(samples["loop"], samples[name]))
                      for name in ("dense", "sparse")}
            rows.append({"layer": layer, "T": t, "E": int(csr.nnz), **times, **ratios})
            print(f"{layer:>14} T={t:>5}: loop {times['loop'] * 1e3:9.2f} ms  dense "
                  f"{times['dense'] * 1e3:8.3f} ms  sparse {times['sparse'] * 1e3:8.3f} ms", flush=True)
    return rows


def table(rows: list[dict], repeats: dict[int, int], blas_threads: int) -> str:
    def ms(s: float) -> str:
        return f"{s * 1e3:,.3f}" if s < 0.01 else f"{s * 1e3:,.1f}"

    lines = [
        "# The article's per-node loop layers vs npgnn (forward + backward)",
        "",
        (f"Batch N = {N} signals, H = D = {H} features; random directed graph, every node receives "
         f"from {DEGREE} random sources (E = {DEGREE} T). Medians of interleaved samples "
         f"(rounds per size: {', '.join(f'T={t}: {r}' for t, r in repeats.items())}); "
         "each sample averages enough calls to last ~50 ms. Speed-ups are medians of the per-round "
         "ratios (loop time / npgnn time in the same round). On a shared 2-vCPU VM read them as ±30%."),
        (f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
         f"NumPy {np.__version__}, SciPy {scipy.__version__}; BLAS threads: "
         f"{blas_threads if blas_threads > 0 else 'default'}."),
        "",
        ("| layer | T | E | article loop (ms) | npgnn dense A (ms) | npgnn sparse A (ms) "
         "| speed-up dense | speed-up sparse |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['layer']} | {r['T']:,} | {r['E']:,} | {ms(r['loop'])} | {ms(r['dense'])} | "
            f"{ms(r['sparse'])} | {r['x_dense']:,.0f}x | {r['x_sparse']:,.0f}x |"
        )
    reproduce = "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/article_layers.py"
    lines += ["", f"Reproduce: `{reproduce}`", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000], help="node counts T")
    p.add_argument("--repeats", type=int, nargs="+", default=[21, 11, 5],
                   help="interleaved rounds per size (one value per size)")
    p.add_argument("--pause", type=float, default=0.02, help="seconds of rest before each sample")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--blas-threads", type=int, default=1,
                   help="BLAS threads (via threadpoolctl; 0 keeps the default). One thread for both "
                        "sides: the loop reference is single-threaded NumPy")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    if len(args.repeats) != len(args.sizes):
        p.error(f"--repeats needs one value per size ({len(args.sizes)}), got {len(args.repeats)}")
    repeats = dict(zip(args.sizes, args.repeats))
    with blas_threads(args.blas_threads if args.blas_threads > 0 else None):
        text = table(run(args.sizes, repeats, args.pause, args.seed), repeats, args.blas_threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"\n{text}\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
