"""Neighbour-sampled GraphSAGE on a generated graph up to ogbn-products' size: npgnn vs PyG.

The graph is ``DegreeCorrectedBlockModelDataset(N, seed=0)`` (power-law degrees, 47
communities, 100 float32 features, ogbn-products' split sizes), generated once per size and
written to ``.npy`` files that every rival process reads (the same data for both libraries).
Measured per size, each rival in its own process (``benchmarks/_harness.py``):

- generation: building the graph and writing it (npgnn, one call);
- training: GraphSAGE as in PyG's ogbn-products example (2 layers, hidden 256, mean
  aggregation, Adam 0.003, ``num_neighbors=[15, 10]``, ``batch_size=1024``, seeds = the training
  nodes, shuffled): a timed call is ``--batches`` consecutive batches (sampling, forward,
  cross-entropy, backward, step); the epoch time is the median per-batch time times the
  number of batches in an epoch (extrapolated: a full epoch is 192 batches at 2.4M nodes);
- trimmed training: the same, with the batch's per-hop counts passed to the model
  (``num_sampled_nodes_per_hop`` / ``num_sampled_edges_per_hop``, PyG's ``trim_to_layer``);
- sampling alone: the training loader's batches without the model;
- inference: the model's layer-wise ``inference`` over a ``NeighborLoader(num_neighbors=[-1],
  batch_size=4096)`` covering every node (both libraries' ``BasicGNN.inference``), loader
  construction (the CSR) included;
- full-graph forward: the same model over the whole graph in one call, no sampling (what PyG
  can run without pyg-lib / torch-sparse, over a ``torch.sparse_csr`` adjacency).

Memory is the process's resident-set high-water mark (``VmHWM``: data, CSR, model, the
batches) and the load step's time is reported separately. PyG's ``NeighborLoader`` needs
``pyg-lib`` or ``torch-sparse``; without either its rivals report the ImportError.

Run (unset the OpenBLAS overrides for this command only; the full run takes most of an hour on
a shared 2-core machine):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice python benchmarks/large_graph.py
    ... --sizes 100000 --batches 3        # a quick check
Writes benchmarks/results/large_graph.md and large_graph.png.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import _harness as H

SIZES = (100_000, 300_000, 1_000_000, 2_449_029)
HIDDEN, LAYERS, LR = 256, 2, 0.003
FANOUT, BATCH, INFER_BATCH = [15, 10], 1024, 4096
FILES = ("x", "y", "edge_index", "train_mask")


# ============================================================================ worker side
def _rss_mb(key: str = "VmHWM") -> float:
    return H._status_kb(key) / 2**20


def _load(data_dir: str) -> tuple[dict, float]:
    start = time.perf_counter()
    arrays = {k: np.load(Path(data_dir) / f"{k}.npy") for k in FILES}
    return arrays, time.perf_counter() - start


def generate(num_nodes: int, data_dir: str, seed: int = 0):
    """Generate the graph and write it as .npy files (timed: generation + writing)."""
    from npgnn.datasets import DegreeCorrectedBlockModelDataset

    info: dict = {}

    def call() -> None:
        start = time.perf_counter()
        g = DegreeCorrectedBlockModelDataset(num_nodes, seed=seed).graph
        info["generate_s"] = time.perf_counter() - start
        out = Path(data_dir)
        out.mkdir(parents=True, exist_ok=True)
        for key in FILES:
            np.save(out / f"{key}.npy", getattr(g, key))
        info.update(num_nodes=g.num_nodes, num_edges=g.num_edges,
                    num_train=int(g.train_mask.sum()), peak_mb=_rss_mb())
        deg = np.bincount(g.edge_index[1], minlength=g.num_nodes)
        info.update(max_degree=int(deg.max()), median_degree=float(np.median(deg)),
                    homophily=float((g.y[g.edge_index[0]] == g.y[g.edge_index[1]]).mean()))

    return call, info


def _seed_rows(model, batch, trim: bool):
    """The model's outputs for a batch's seeds; with ``trim`` the per-hop counts go along (the
    same call in npgnn and PyG)."""
    if trim:
        out = model(batch.x, batch.edge_index,
                    num_sampled_nodes_per_hop=batch.num_sampled_nodes,
                    num_sampled_edges_per_hop=batch.num_sampled_edges)
    else:
        out = model(batch.x, batch.edge_index)
    return out[:batch.batch_size]


def npgnn_train(data_dir: str, batches: int, trim: bool = False):
    import npgnn
    import npgnn.nn.functional as F
    from npgnn import Graph
    from npgnn.loader import NeighborLoader
    from npgnn.nn.models import GraphSAGE
    from npgnn.optim import Adam

    arrays, load_s = _load(data_dir)
    start = time.perf_counter()
    g = Graph(edge_index=arrays["edge_index"], x=arrays["x"], y=arrays["y"],
              train_mask=arrays["train_mask"], num_nodes=arrays["x"].shape[0])
    loader = NeighborLoader(g, FANOUT, input_nodes=g.train_mask, batch_size=BATCH,
                            shuffle=True, seed=0)
    setup_s = time.perf_counter() - start
    npgnn.manual_seed(0)
    model = GraphSAGE(g.num_features, HIDDEN, LAYERS, int(g.y.max()) + 1)
    opt = Adam(model.parameters(), lr=LR)
    state = {"it": iter(loader)}

    def step() -> None:
        try:
            batch = next(state["it"])
        except StopIteration:
            state["it"] = iter(loader)
            batch = next(state["it"])
        opt.zero_grad()
        out = _seed_rows(model, batch, trim)
        F.cross_entropy(out, batch.y[:batch.batch_size]).backward()
        opt.step()

    step()                                            # compiles / loads the numba kernels
    info = {"load_s": load_s, "setup_s": setup_s, "epoch_batches": len(loader),
            "batches_per_call": batches}

    def call() -> None:
        for _ in range(batches):
            step()
        info["peak_mb"] = _rss_mb()

    return call, info


def npgnn_sample(data_dir: str, batches: int):
    """Sampling alone: ``batches`` consecutive batches of the training loader (subgraph and
    its x / y rows), no model."""
    from npgnn import Graph
    from npgnn.loader import NeighborLoader

    arrays, load_s = _load(data_dir)
    g = Graph(edge_index=arrays["edge_index"], x=arrays["x"], y=arrays["y"],
              train_mask=arrays["train_mask"], num_nodes=arrays["x"].shape[0])
    loader = NeighborLoader(g, FANOUT, input_nodes=g.train_mask, batch_size=BATCH,
                            shuffle=True, seed=0)
    return _sampling_call(loader, batches, load_s)


def _sampling_call(loader, batches: int, load_s: float):
    state = {"it": iter(loader)}
    next(state["it"])                                 # loads the compiled kernels
    info = {"load_s": load_s, "epoch_batches": len(loader), "batches_per_call": batches}

    def call() -> None:
        for _ in range(batches):
            try:
                next(state["it"])
            except StopIteration:
                state["it"] = iter(loader)
                next(state["it"])

    return call, info


def pyg_sample(data_dir: str, batches: int):
    from torch_geometric.loader import NeighborLoader

    arrays, load_s = _load(data_dir)
    data = _pyg_data(arrays)
    loader = NeighborLoader(data, num_neighbors=FANOUT, input_nodes=data.train_mask,
                            batch_size=BATCH, shuffle=True)
    return _sampling_call(loader, batches, load_s)


def _npgnn_eval_model(data_dir: str):
    """(graph, GraphSAGE in eval mode, number of classes, info) for the two evaluation rivals."""
    import npgnn
    from npgnn import Graph
    from npgnn.nn.models import GraphSAGE

    arrays, load_s = _load(data_dir)
    g = Graph(edge_index=arrays["edge_index"], x=arrays["x"], num_nodes=arrays["x"].shape[0])
    npgnn.manual_seed(0)
    classes = int(arrays["y"].max()) + 1
    model = GraphSAGE(g.num_features, HIDDEN, LAYERS, classes)
    model.eval()
    return g, model, classes, {"load_s": load_s}


def npgnn_infer(data_dir: str):
    from npgnn.loader import NeighborLoader

    g, model, classes, info = _npgnn_eval_model(data_dir)

    def call() -> None:
        start = time.perf_counter()
        loader = NeighborLoader(g, [-1], batch_size=INFER_BATCH)
        info["setup_s"] = time.perf_counter() - start
        out = model.inference(loader)
        assert out.shape == (g.num_nodes, classes)
        info["peak_mb"] = _rss_mb()

    return call, info


def _pyg_data(arrays: dict):
    import torch
    from torch_geometric.data import Data

    return Data(x=torch.from_numpy(arrays["x"]), y=torch.from_numpy(arrays["y"]),
                edge_index=torch.from_numpy(arrays["edge_index"]),
                train_mask=torch.from_numpy(arrays["train_mask"]))


def pyg_train(data_dir: str, batches: int, trim: bool = False):
    import torch
    import torch.nn.functional as F
    from torch_geometric.loader import NeighborLoader
    from torch_geometric.nn.models import GraphSAGE

    arrays, load_s = _load(data_dir)
    start = time.perf_counter()
    data = _pyg_data(arrays)
    loader = NeighborLoader(data, num_neighbors=FANOUT, input_nodes=data.train_mask,
                            batch_size=BATCH, shuffle=True)
    setup_s = time.perf_counter() - start
    torch.manual_seed(0)
    model = GraphSAGE(data.num_features, HIDDEN, LAYERS, int(data.y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    state = {"it": iter(loader)}

    def step() -> None:
        try:
            batch = next(state["it"])
        except StopIteration:
            state["it"] = iter(loader)
            batch = next(state["it"])
        opt.zero_grad()
        out = _seed_rows(model, batch, trim)
        F.cross_entropy(out, batch.y[:batch.batch_size]).backward()
        opt.step()

    model.train()
    step()
    info = {"load_s": load_s, "setup_s": setup_s, "epoch_batches": len(loader),
            "batches_per_call": batches}

    def call() -> None:
        for _ in range(batches):
            step()
        info["peak_mb"] = _rss_mb()

    return call, info


def pyg_infer(data_dir: str):
    import torch
    from torch_geometric.loader import NeighborLoader
    from torch_geometric.nn.models import GraphSAGE

    arrays, load_s = _load(data_dir)
    data = _pyg_data(arrays)
    torch.manual_seed(0)
    model = GraphSAGE(data.num_features, HIDDEN, LAYERS, int(data.y.max()) + 1)
    model.eval()
    info = {"load_s": load_s}

    def call() -> None:
        start = time.perf_counter()
        loader = NeighborLoader(data, num_neighbors=[-1], batch_size=INFER_BATCH)
        info["setup_s"] = time.perf_counter() - start
        with torch.no_grad():
            out = model.inference(loader)
        assert out.shape == (data.num_nodes, int(data.y.max()) + 1)
        info["peak_mb"] = _rss_mb()

    return call, info


def npgnn_full(data_dir: str):
    """Full-graph forward (no sampling, no batches) in evaluation mode."""
    import npgnn

    g, model, _, info = _npgnn_eval_model(data_dir)

    def call() -> None:
        with npgnn.no_grad():
            model(g.x, g)
        info["peak_mb"] = _rss_mb()

    return call, info


def pyg_full(data_dir: str):
    """Full-graph forward over a ``torch.sparse_csr`` adjacency (what PyG runs without
    pyg-lib / torch-sparse: ``SAGEConv`` aggregates with ``torch.sparse.mm(reduce="mean")``)."""
    import warnings

    import torch
    from torch_geometric.nn.models import GraphSAGE

    warnings.filterwarnings("ignore", message="Sparse")
    arrays, load_s = _load(data_dir)
    ei = torch.from_numpy(arrays["edge_index"])      # sorted by (target, source)
    n = arrays["x"].shape[0]
    crow = torch.ops.aten._convert_indices_from_coo_to_csr(ei[1], n)
    adj_t = torch.sparse_csr_tensor(crow, ei[0], torch.ones(ei.size(1)), (n, n))
    x = torch.from_numpy(arrays["x"])
    torch.manual_seed(0)
    model = GraphSAGE(x.size(1), HIDDEN, LAYERS, int(arrays["y"].max()) + 1)
    model.eval()
    info = {"load_s": load_s}

    def call() -> None:
        with torch.no_grad():
            model(x, adj_t)
        info["peak_mb"] = _rss_mb()

    return call, info


# ============================================================================ parent side
def _rivals(n: int, data_dir: str, batches: int) -> tuple[list[H.Rival], list[H.Rival]]:
    me = "benchmarks.large_graph"
    train = [H.Rival(f"npgnn train {n}", f"{me}:npgnn_train", kind="npgnn", threads=2,
                     kwargs={"data_dir": data_dir, "batches": batches}),
             H.Rival(f"npgnn BLAS2 train {n}", f"{me}:npgnn_train", kind="numpy", threads=2,
                     kwargs={"data_dir": data_dir, "batches": batches})]
    train += H.torch_rivals(f"PyG train {n}", f"{me}:pyg_train", data_dir=data_dir,
                            batches=batches)
    train += [H.Rival(f"npgnn trimmed train {n}", f"{me}:npgnn_train", kind="npgnn",
                      threads=2, kwargs={"data_dir": data_dir, "batches": batches,
                                         "trim": True})]
    train += H.torch_rivals(f"PyG trimmed train {n}", f"{me}:pyg_train", data_dir=data_dir,
                            batches=batches, trim=True)
    train += [H.Rival(f"npgnn sample {n}", f"{me}:npgnn_sample", kind="npgnn", threads=2,
                      kwargs={"data_dir": data_dir, "batches": batches})]
    train += H.torch_rivals(f"PyG sample {n}", f"{me}:pyg_sample", (1,), data_dir=data_dir,
                            batches=batches)
    infer = [H.Rival(f"npgnn infer {n}", f"{me}:npgnn_infer", kind="npgnn", threads=2,
                     kwargs={"data_dir": data_dir})]
    infer += H.torch_rivals(f"PyG infer {n}", f"{me}:pyg_infer", data_dir=data_dir)
    full = [H.Rival(f"npgnn full {n}", f"{me}:npgnn_full", kind="npgnn", threads=2,
                    kwargs={"data_dir": data_dir})]
    full += H.torch_rivals(f"PyG full {n}", f"{me}:pyg_full", data_dir=data_dir)
    return train, infer, full


def _epoch_s(res: H.Result) -> float:
    if not res.ok:
        return float("nan")
    return res.median / res.info["batches_per_call"] * res.info["epoch_batches"]


def _best(results: dict[str, H.Result], names: list[str], key) -> str | None:
    ok = [n for n in names if results[n].ok]
    return min(ok, key=lambda n: key(results[n])) if ok else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default=",".join(map(str, SIZES)),
                   help="comma-separated node counts (default %(default)s)")
    p.add_argument("--batches", type=int, default=5, help="training batches per timed call")
    p.add_argument("--repeats", type=int, default=2, help="timed training calls per rival")
    p.add_argument("--data", default=os.environ.get("NPGNN_LARGE_GRAPH_DIR",
                                                    "/tmp/npgnn_large_graph"),
                   help="where the generated .npy files go")
    p.add_argument("--out", default=str(HERE / "results" / "large_graph"))
    p.add_argument("--timeout", type=float, default=3600.0)
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    load_before = H.load_average()
    results: dict[str, H.Result] = {}
    rows, table = [], []
    for n in sizes:
        data_dir = str(Path(args.data) / str(n))
        print(f"== {n} nodes (load {H.load_average()})", file=sys.stderr, flush=True)
        gen = H.Rival(f"generate {n}", "benchmarks.large_graph:generate", kind="npgnn",
                      threads=2, kwargs={"num_nodes": n, "data_dir": data_dir})
        results.update(H.run([gen], repeats=1, warmup=0, memory=False, timeout=args.timeout))
        train, infer, full = _rivals(n, data_dir, args.batches)
        results.update(H.run(train, repeats=args.repeats, warmup=0, memory=False,
                             timeout=args.timeout))
        results.update(H.run(infer, repeats=1, warmup=0, memory=False, timeout=args.timeout))
        results.update(H.run(full, repeats=1, warmup=1, memory=False, timeout=args.timeout))
        g = results[gen.name]
        nt = [r.name for r in train if r.name.startswith(("npgnn train", "npgnn BLAS2"))]
        pt = [r.name for r in train if r.name.startswith("PyG train")]
        ntt = [r.name for r in train if r.name.startswith("npgnn trimmed")]
        ptt = [r.name for r in train if r.name.startswith("PyG trimmed")]
        ns = [r.name for r in train if r.name.startswith("npgnn sample")]
        ps = [r.name for r in train if r.name.startswith("PyG sample")]
        best_ntt, best_ptt = _best(results, ntt, _epoch_s), _best(results, ptt, _epoch_s)
        best_ns, best_ps = _best(results, ns, _epoch_s), _best(results, ps, _epoch_s)
        pi = [r.name for r in infer if r.name.startswith("PyG infer")]
        pf = [r.name for r in full if r.name.startswith("PyG full")]
        best_pf = _best(results, pf, lambda r: r.median)
        nf = results[f"npgnn full {n}"]
        best_nt = _best(results, nt, _epoch_s)
        best_pt = _best(results, pt, _epoch_s)
        best_pi = _best(results, pi, lambda r: r.median)
        ni = results[infer[0].name]
        row = {"n": n, "edges": g.info.get("num_edges"), "gen_s": g.median,
               "gen_mb": g.info.get("peak_mb"),
               "npgnn_epoch_s": _epoch_s(results[best_nt]) if best_nt else math.nan,
               "npgnn_train_mb": results[best_nt].info.get("peak_mb") if best_nt else None,
               "npgnn_load_s": results[best_nt].info.get("load_s") if best_nt else None,
               "npgnn_setup_s": results[best_nt].info.get("setup_s") if best_nt else None,
               "npgnn_infer_s": ni.median if ni.ok else math.nan,
               "npgnn_infer_mb": ni.info.get("peak_mb"),
               "pyg_epoch_s": _epoch_s(results[best_pt]) if best_pt else math.nan,
               "pyg_train_mb": results[best_pt].info.get("peak_mb") if best_pt else None,
               "pyg_setup_s": results[best_pt].info.get("setup_s") if best_pt else None,
               "pyg_infer_s": results[best_pi].median if best_pi else math.nan,
               "pyg_infer_mb": results[best_pi].info.get("peak_mb") if best_pi else None,
               "npgnn_full_s": nf.median if nf.ok else math.nan,
               "npgnn_full_mb": nf.info.get("peak_mb"),
               "pyg_full_s": results[best_pf].median if best_pf else math.nan,
               "pyg_full_mb": results[best_pf].info.get("peak_mb") if best_pf else None,
               "npgnn_trim_epoch_s": _epoch_s(results[best_ntt]) if best_ntt else math.nan,
               "pyg_trim_epoch_s": _epoch_s(results[best_ptt]) if best_ptt else math.nan,
               "npgnn_sample_epoch_s": _epoch_s(results[best_ns]) if best_ns else math.nan,
               "pyg_sample_epoch_s": _epoch_s(results[best_ps]) if best_ps else math.nan,
               "best": [best_nt, best_pt, best_ntt, best_ptt, best_pi, best_pf],
               "errors": {k: v.error for k, v in results.items() if v.error and str(n) in k}}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        table.append(_table_row(row))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out + ".json").write_text(json.dumps(rows, indent=1))
    _plot(rows, args.out + ".png")
    notes = _notes(rows, results, args)
    H.write_markdown(args.out + ".md", "Large generated graph: sampled GraphSAGE, npgnn vs PyG",
                     ["nodes", "edges", "generate s (peak MB)", "npgnn epoch s", "PyG epoch s",
                      "PyG / npgnn", "trimmed epoch s npgnn / PyG (PyG / npgnn)",
                      "sampling alone s npgnn / PyG", "npgnn inference s", "PyG inference s", "PyG / npgnn",
                      "npgnn peak MB train / infer", "PyG peak MB train / infer",
                      "full-graph forward s npgnn / PyG (peak MB)"],
                     table, notes=notes, load_before=load_before, results=results,
                     reproduce="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice python "
                               f"benchmarks/large_graph.py --sizes {args.sizes} --batches "
                               f"{args.batches} --repeats {args.repeats}")
    print(Path(args.out + ".md").read_text())
    return 0


def _fmt(v, spec=",.1f") -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


def _ratio(a, b) -> str:
    return "-" if not (a and b) or math.isnan(a) or math.isnan(b) else f"{a / b:.2f}x"


def _table_row(r: dict) -> list[str]:
    return [f"{r['n']:,}", _fmt(r["edges"], ","), f"{_fmt(r['gen_s'])} ({_fmt(r['gen_mb'], ',.0f')})",
            _fmt(r["npgnn_epoch_s"]), _fmt(r["pyg_epoch_s"]),
            _ratio(r["pyg_epoch_s"], r["npgnn_epoch_s"]),
            f"{_fmt(r['npgnn_trim_epoch_s'])} / {_fmt(r['pyg_trim_epoch_s'])} "
            f"({_ratio(r['pyg_trim_epoch_s'], r['npgnn_trim_epoch_s'])})",
            f"{_fmt(r['npgnn_sample_epoch_s'])} / {_fmt(r['pyg_sample_epoch_s'])}",
            _fmt(r["npgnn_infer_s"]),
            _fmt(r["pyg_infer_s"]), _ratio(r["pyg_infer_s"], r["npgnn_infer_s"]),
            f"{_fmt(r['npgnn_train_mb'], ',.0f')} / {_fmt(r['npgnn_infer_mb'], ',.0f')}",
            f"{_fmt(r['pyg_train_mb'], ',.0f')} / {_fmt(r['pyg_infer_mb'], ',.0f')}",
            f"{_fmt(r['npgnn_full_s'])} / {_fmt(r['pyg_full_s'])} "
            f"({_fmt(r['npgnn_full_mb'], ',.0f')} / {_fmt(r['pyg_full_mb'], ',.0f')})"]


def _notes(rows: list[dict], results: dict[str, H.Result], args) -> list[str]:
    notes = [f"Graph: `DegreeCorrectedBlockModelDataset(N, seed=0)` (avg. degree 25, degree "
             f"exponent 2.5, 47 classes, edge homophily 0.81, 100 float32 features). Model: "
             f"GraphSAGE {LAYERS} layers, hidden {HIDDEN}, Adam {LR}; sampling {FANOUT}, batch "
             f"{BATCH} over the training nodes (8% of N). Epoch = median time of {args.batches} "
             f"consecutive batches (x {args.repeats} calls) / {args.batches} x batches per "
             f"epoch (extrapolated). Inference: layer-wise over all nodes, batch "
             f"{INFER_BATCH}, one call. Peak MB: the whole process's resident-set high-water "
             f"mark (data and CSR included). Best of npgnn with BLAS at 1 thread (its "
             f"default, numba at 2) and at 2 threads; best of torch at 1 and 2 threads. "
             f"Full-graph forward: the same model on the whole graph in one call without "
             f"sampling (eval mode, no gradient; PyG over a torch.sparse CSR adjacency, which "
             f"needs neither pyg-lib nor torch-sparse), timed on the second call (the first "
             f"builds npgnn's cached CSR and loads its kernels; PyG's CSR is built before)."]
    for r in rows:
        notes.append(f"N={r['n']:,}: best rivals {', '.join(b or '-' for b in r['best'])}; "
                     f"npgnn load {_fmt(r['npgnn_load_s'], '.1f')} s (reading the .npy files), "
                     f"graph + loader setup {_fmt(r['npgnn_setup_s'], '.1f')} s, PyG loader "
                     f"setup {_fmt(r['pyg_setup_s'], '.1f')} s.")
        for name, err in r["errors"].items():
            notes.append(f"{name} failed: {err.split(' | ')[-1]}")
    per_rival = "; ".join(f"{k} {H.fmt_ms(v)} ms" for k, v in results.items() if v.ok)
    notes.append(f"Every timed call (median (min-max) ms): {per_rival}.")
    return notes


def _plot(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r["n"] for r in rows]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label, style in (("npgnn_epoch_s", "npgnn sampled epoch", "o-"),
                              ("pyg_epoch_s", "PyG sampled epoch", "o--"),
                              ("npgnn_trim_epoch_s", "npgnn sampled epoch, trimmed", "v-"),
                              ("pyg_trim_epoch_s", "PyG sampled epoch, trimmed", "v--"),
                              ("npgnn_infer_s", "npgnn layer-wise inference", "s-"),
                              ("pyg_infer_s", "PyG layer-wise inference", "s--"),
                              ("npgnn_full_s", "npgnn full-graph forward", "d-"),
                              ("pyg_full_s", "PyG full-graph forward", "d--"),
                              ("gen_s", "generation (npgnn)", "^:")):
        ys = [r[key] for r in rows]
        if any(y is not None and not math.isnan(y) for y in ys):
            ax.plot(n, ys, style, label=label)
    ax.set(xscale="log", yscale="log", xlabel="nodes", ylabel="seconds",
           title="time (log-log)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    for key, label, style in (("npgnn_train_mb", "npgnn training", "o-"),
                              ("pyg_train_mb", "PyG training", "o--"),
                              ("npgnn_infer_mb", "npgnn inference", "s-"),
                              ("pyg_infer_mb", "PyG inference", "s--"),
                              ("gen_mb", "generation", "^:")):
        ys = [r[key] if r[key] is not None else math.nan for r in rows]
        if any(not math.isnan(y) for y in ys):
            bx.plot(n, ys, style, label=label)
    bx.set(xscale="log", yscale="log", xlabel="nodes", ylabel="peak resident MB",
           title="peak memory (log-log)")
    bx.grid(True, which="both", alpha=0.3)
    bx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    raise SystemExit(main())
