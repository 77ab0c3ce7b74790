"""Property-based comparison with PyG over arbitrary small edge lists (empty, loops, repeats)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npgnn import utils

from ._helpers import same, t

torch = pytest.importorskip("torch")
pyg = pytest.importorskip("torch_geometric.utils")


@st.composite
def edge_lists(draw):
    n = draw(st.integers(1, 9))
    e = draw(st.integers(0, 25))
    ids = draw(st.lists(st.integers(0, n - 1), min_size=2 * e, max_size=2 * e))
    ei = np.array(ids, dtype=np.int64).reshape(2, e)
    w = np.array(draw(st.lists(st.integers(-3, 3), min_size=e, max_size=e)), dtype=np.float64)
    return ei, w, n


@settings(max_examples=60, deadline=None)
@given(edge_lists(), st.sampled_from(["sum", "mean", "max", "min"]))
def test_edge_functions_equal_pyg(case, reduce):
    ei, w, n = case
    T, W = t(torch, ei), t(torch, w)
    same(utils.coalesce(ei, w, n, reduce), pyg.coalesce(T, W, n, reduce))
    same(utils.to_undirected(ei, w, n, reduce), pyg.to_undirected(T, W, n, reduce))
    same(utils.add_remaining_self_loops(ei, w, 0.5, n),
         pyg.add_remaining_self_loops(T, W, 0.5, n))
    same(utils.remove_isolated_nodes(ei, w, n), pyg.remove_isolated_nodes(T, W, n))
    assert utils.contains_isolated_nodes(ei, n) == pyg.contains_isolated_nodes(T, n)
    assert utils.is_undirected(ei, w, n) == pyg.is_undirected(T, W, n)
    same(utils.scatter(w, ei[1], 0, n, reduce), pyg.scatter(W, t(torch, ei[1]), 0, n, reduce))
    same(utils.softmax(w, ei[1], num_nodes=n), pyg.softmax(W, t(torch, ei[1]), num_nodes=n))
    same(utils.k_hop_subgraph(0, 2, ei, True, n), pyg.k_hop_subgraph(0, 2, T, True, n))
    subset = sorted({0, n - 1})
    same(utils.subgraph(subset, ei, w, True, n), pyg.subgraph(subset, T, W, True, n))
