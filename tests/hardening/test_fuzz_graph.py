"""Property suite: every field of Graph (and Data) given malformed values, at construction and
by assignment. A Graph either refuses with a clear npgnn error or holds fields that satisfy its
invariants; a refused assignment leaves the graph as it was."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from npgnn import Graph
from npgnn.data import Data

from ._fuzz import FUZZ, Refused, arrays, edge_indices, junk, outcome

FIELDS = ("x", "edge_weight", "edge_attr", "y", "train_mask", "val_mask", "test_mask", "batch")


@st.composite
def field_value(draw, name: str, n: int, e: int):
    valid = {
        "x": lambda: np.ones((n, 3), np.float32),
        "edge_weight": lambda: np.ones(e),
        "edge_attr": lambda: np.ones((e, 2), np.float32),
        "y": lambda: np.zeros(n, np.int64),
        "train_mask": lambda: np.ones(n, bool),
        "val_mask": lambda: np.zeros(n, bool),
        "test_mask": lambda: np.ones(n, bool),
        "batch": lambda: np.zeros(n, np.int64),
    }[name]
    shape = {"x": (n, 3), "edge_attr": (e, 2), "edge_weight": (e,)}.get(name, (n,))
    ints = (0, 2) if name.endswith("mask") else (-1, 3)
    kind = draw(st.sampled_from(["valid", "valid", "array", "array", "junk", "sparse"]))
    if kind == "valid":
        return valid()
    if kind == "junk":
        return draw(junk())
    if kind == "sparse":
        return sp.csr_matrix(np.ones(shape if len(shape) == 2 else (1, shape[0]), np.float32))
    return draw(arrays(shape, ints=ints))


def check_invariants(g: Graph) -> None:
    """What every accepted Graph guarantees (the documented contract of each field)."""
    n = g.num_nodes
    assert isinstance(n, int) and n >= 0
    ei = g.edge_index
    assert ei.dtype == np.int64 and ei.ndim == 2 and ei.shape[0] == 2
    e = ei.shape[1]
    assert not e or (ei.min() >= 0 and ei.max() < n)
    if g.x is not None:
        assert g.x.ndim == 2 and g.x.shape[0] == n
        assert g.x.dtype in (np.float32, np.float64) or g.x.dtype.kind in "biu"
    if g.edge_weight is not None:
        w = g.edge_weight
        assert w.shape == (e,) and w.dtype.kind == "f" and not np.isnan(w).any()
    if g.edge_attr is not None:
        assert g.edge_attr.ndim >= 1 and g.edge_attr.shape[0] == e
        assert g.edge_attr.dtype.kind in "biuf" and g.edge_attr.dtype != np.float16
    if g.y is not None:
        assert g.y.dtype.kind in "iu" or g.y.dtype in (np.float32, np.float64)
    for m in ("train_mask", "val_mask", "test_mask"):
        mask = getattr(g, m)
        assert mask is None or (mask.dtype == np.bool_ and mask.shape == (n,))
    if g.batch is not None:
        b = g.batch
        assert b.dtype == np.int64 and b.shape == (n,)
        assert not b.size or (b[0] >= 0 and (np.diff(b) >= 0).all())


@st.composite
def graph_kwargs(draw):
    n = draw(st.integers(0, 5))
    ei = draw(edge_indices(n))
    e = ei.shape[1] if isinstance(ei, np.ndarray) and ei.ndim == 2 else 4
    kwargs = {"edge_index": ei}
    for name in FIELDS:
        if draw(st.booleans()):
            kwargs[name] = draw(field_value(name, n, e))
    if draw(st.booleans()):
        kwargs["num_nodes"] = draw(st.sampled_from(
            [n, n + 2, 0, -1, 2.0, 2.5, True, "3", np.int64(n), None, float("nan")]))
    return kwargs


@FUZZ
@given(graph_kwargs(), st.sampled_from([Graph, Data]))
def test_construction(kwargs, cls):
    g = outcome(lambda: cls(**kwargs))
    if not isinstance(g, Refused):
        check_invariants(g)
        if isinstance(kwargs.get("num_nodes"), int) and not isinstance(kwargs["num_nodes"], bool):
            assert g.num_nodes == kwargs["num_nodes"]


@FUZZ
@given(st.data(), st.sampled_from(FIELDS + ("edge_index", "num_nodes")))
def test_assignment_is_checked_and_atomic(data, name):
    n, e = 4, 3
    g = Graph(edge_index=np.array([[0, 1, 2], [1, 2, 3]]), x=np.ones((n, 3), np.float32),
              edge_weight=np.ones(e), y=np.arange(n), train_mask=np.ones(n, bool))
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in g.items()}
    if name == "edge_index":
        value = data.draw(edge_indices(n, e))
    elif name == "num_nodes":
        value = data.draw(st.sampled_from([n, 2, 7, -1, 2.0, True, "4", None]))
    else:
        value = data.draw(field_value(name, n, e))
    result = outcome(lambda: setattr(g, name, value))
    if isinstance(result, Refused):
        after = dict(g.items())
        assert after.keys() == before.keys(), name
        for k, v in before.items():
            np.testing.assert_array_equal(after[k], v, err_msg=k)
    else:
        check_invariants(g)
