"""Property suite: every conv layer of npgnn.nn.conv and the basic models, called with malformed
x, edge_index, edge weights / attributes and batch vectors. Each call either refuses with a
clear npgnn error, or returns one row per node of the right width (never a silently wrong shape),
with no NumPy warning."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from npgnn import Tensor
from npgnn.nn import (
    EdgeConv, GATConv, GATv2Conv, GCN2Conv, GCNConv, GINConv, GINEConv, GPSConv, Linear,
    SAGEConv, TransformerConv,
)
from npgnn.nn.models import GAT, GCN, GIN, MLP, GraphSAGE

from ._fuzz import FUZZ, Refused, arrays, edge_indices, junk, outcome

F = 3  # input width of every layer below


def _layers():
    """name -> (module, extra argument kind, output width)."""
    return {
        "GCNConv": (GCNConv(F, 4, rng=0), "edge_weight", 4),
        "SAGEConv": (SAGEConv(F, 4, rng=0), None, 4),
        "GINConv": (GINConv(Linear(F, 4, rng=0)), None, 4),
        "GINEConv": (GINEConv(Linear(F, 4, rng=0), edge_dim=2, rng=0), "edge_attr", 4),
        "GATConv": (GATConv(F, 4, heads=2, rng=0), None, 8),
        "GATConv_edge": (GATConv(F, 4, heads=2, edge_dim=2, rng=0), "edge_attr", 8),
        "GATv2Conv": (GATv2Conv(F, 4, heads=2, edge_dim=2, rng=0), "edge_attr", 8),
        "TransformerConv": (TransformerConv(F, 4, heads=2, edge_dim=2, rng=0), "edge_attr", 8),
        "EdgeConv": (EdgeConv(Linear(2 * F, 4, rng=0)), None, 4),
        "GCN2Conv": (GCN2Conv(F, alpha=0.1, rng=0), "x_0", F),
        "GPSConv": (GPSConv(F, GCNConv(F, F, rng=0), heads=1, rng=0), "batch", F),
        "GCN": (GCN(F, 8, 2, out_channels=4, rng=0), None, 4),
        "GraphSAGE": (GraphSAGE(F, 8, 2, out_channels=4, rng=0), None, 4),
        "GIN": (GIN(F, 8, 2, out_channels=4, rng=0), None, 4),
        "GAT": (GAT(F, 8, 2, out_channels=4, heads=2, rng=0), None, 4),
    }


LAYERS = _layers()


@st.composite
def node_features(draw, n: int):
    kind = draw(st.sampled_from(["valid", "valid", "valid64", "array", "array", "junk", "sparse",
                                 "tensor", "pair"]))
    if kind == "pair":   # PyG's bipartite (x_src, x_dst): the output has x_dst's rows
        x = np.random.default_rng(n).standard_normal((n, F)).astype(np.float32)
        return (x, x[:draw(st.integers(0, n))]) if draw(st.booleans()) else (x, draw(junk()))
    if kind == "valid":
        return np.random.default_rng(n).standard_normal((n, F)).astype(np.float32)
    if kind == "valid64":
        return np.random.default_rng(n).standard_normal((n, F))
    if kind == "junk":
        return draw(junk())
    if kind == "sparse":
        return sp.random(n, draw(st.sampled_from([F, F + 1])), density=0.5, format="csr",
                         random_state=0, dtype=draw(st.sampled_from([np.float32, np.int64,
                                                                     np.complex64])))
    if kind == "tensor":
        return Tensor(np.ones((n, F), np.float32), requires_grad=True)
    return draw(arrays((n, F)))


@st.composite
def extra_argument(draw, kind: str, n: int, e: int):
    shape = {"edge_weight": (e,), "edge_attr": (e, 2), "x_0": (n, F), "batch": (n,)}[kind]
    choice = draw(st.sampled_from(["none", "valid", "valid", "array", "junk"]))
    if choice == "none":
        return None
    if choice == "junk":
        return draw(junk())
    if choice == "valid":
        if kind == "batch":
            return np.sort(np.random.default_rng(n).integers(0, 2, n))
        return np.abs(np.random.default_rng(e).standard_normal(shape)).astype(np.float32) + 0.1
    return draw(arrays(shape, ints=(-1, 3)))


def _rows(x) -> int | None:
    if isinstance(x, tuple):
        x = x[1]
    data = x.data if isinstance(x, Tensor) else x
    shape = getattr(data, "shape", None)
    return shape[0] if shape else None


@pytest.mark.parametrize("name", sorted(LAYERS))
@settings(FUZZ, max_examples=max(FUZZ.max_examples // 3, 5))
@given(data=st.data())
def test_layer_inputs(name, data):
    layer, extra_kind, width = LAYERS[name]
    n = data.draw(st.integers(0, 5), label="n")
    x = data.draw(node_features(n), label="x")
    ei = data.draw(edge_indices(n), label="edge_index")
    e = ei.shape[1] if isinstance(ei, np.ndarray) and ei.ndim == 2 else 4
    args = [x, ei]
    if extra_kind == "x_0":
        args = [x, data.draw(st.one_of(st.just(x), extra_argument("x_0", n, e)), label="x_0"), ei]
    elif extra_kind is not None:
        extra = data.draw(extra_argument(extra_kind, n, e), label=extra_kind)
        if extra is not None:
            args.append(extra)
    out = outcome(lambda: layer(*args), *args)
    if isinstance(out, Refused):
        return
    result = getattr(out, "data", out)
    assert isinstance(result, np.ndarray), type(out)
    assert result.shape == (_rows(x), width), (name, result.shape, _rows(x))
    assert result.dtype in (np.float32, np.float64)


@FUZZ
@given(st.data())
def test_mlp_inputs(data):
    mlp = MLP([F, 8, 4], rng=0)
    n = data.draw(st.integers(0, 5))
    x = data.draw(node_features(n))
    out = outcome(lambda: mlp(x), x)
    if not isinstance(out, Refused):
        assert getattr(out, "data", out).shape == (_rows(x), 4)
