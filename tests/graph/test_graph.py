"""Tests of the Graph record: coercion, errors, properties and cached sparse views."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
import scipy.sparse as sp

import npgnn.graph.graph as graph_module
from npgnn.graph import Graph

from ._helpers import dense_adjacency, random_graph

EI = np.array([[0, 1, 1, 2], [1, 0, 2, 2]])  # 0->1, 1->0, 1->2, 2->2


def test_docstring_examples_run():
    assert doctest.testmod(graph_module).failed == 0


# ---------------------------------------------------------------------------------- coercion
def test_lists_and_any_int_dtype_become_int64():
    g = Graph([[0, 1], [1, 2]], edge_weight=[1, 2], train_mask=[1, 0, 1])
    assert g.edge_index.dtype == np.int64 and g.num_nodes == 3
    assert g.edge_weight.dtype == np.float64
    assert g.train_mask.dtype == np.bool_ and g.train_mask.tolist() == [True, False, True]
    assert Graph(EI.astype(np.uint16)).edge_index.dtype == np.int64


@pytest.mark.parametrize("kwargs, n", [
    (dict(x=np.ones((7, 2))), 7),
    (dict(batch=[0, 0, 1, 1, 1]), 5),
    (dict(ptr=[0, 2, 2, 6]), 6),
    ({}, 3),                                         # max id + 1
])
def test_num_nodes_inference(kwargs, n):
    assert Graph(EI, **kwargs).num_nodes == n


@pytest.mark.parametrize("edge_index", [[], [[], []], np.empty((2, 0), np.int64)])
def test_empty_graph_is_valid(edge_index):
    g = Graph(edge_index)
    assert (g.num_nodes, g.num_edges, g.num_graphs) == (0, 0, 1)
    assert g.edge_index.shape == (2, 0) and g.edge_index.dtype == np.int64
    assert g.csr_by_target().shape == (0, 0)
    assert not g.has_self_loops() and not g.has_isolated_nodes() and g.is_undirected()
    perm, indptr = g.target_order()
    assert perm.shape == (0,) and indptr.tolist() == [0]


def test_ptr_derives_batch_and_counts_empty_graphs():
    g = Graph(np.array([[0, 3], [1, 2]]), ptr=[0, 2, 2, 4, 4])
    assert g.batch.tolist() == [0, 0, 2, 2] and g.num_graphs == 4


# ---------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(edge_index=np.zeros((3, 2), int)), ValueError, r"edge_index: expected shape \(2, E\)"),
    (dict(edge_index=EI.T[:3]), ValueError, r"got \(3, 2\); pass edge_index.T"),
    (dict(edge_index=EI.astype(float)), TypeError,
     "edge_index: expected integer node ids, got float64"),
    (dict(edge_index=EI.astype(bool)), TypeError, "expected integer node ids, got bool"),
    (dict(edge_index=EI - 1), IndexError, r"must lie in \[0, 2\), found min=-1"),
    (dict(edge_index=EI, num_nodes=2), IndexError,
     "max=2; is num_nodes right, or the edge list 1-based"),
    (dict(edge_index=EI, num_nodes=-1), ValueError, "num_nodes: expected an int >= 0, got -1"),
    (dict(edge_index=EI, num_nodes=3.0), TypeError,
     "num_nodes: expected an int >= 0, got float 3.0"),
    (dict(edge_index=EI, num_nodes=3, x=np.ones((4, 2))), ValueError, "x: expected 3 rows"),
    (dict(edge_index=EI, x=np.ones(3)), ValueError, r"x: expected shape \(num_nodes, F\)"),
    (dict(edge_index=EI, x=np.array([["a"], ["b"], ["c"]])), TypeError, "x: dtype <U1 is not supported"),
    (dict(edge_index=EI, edge_weight=np.ones(3)), ValueError,
     r"edge_weight: expected shape \(E,\) = \(4,\).* got \(3,\)"),
    (dict(edge_index=EI, edge_weight=[1, np.nan, 1, np.nan]), ValueError,
     "edge_weight: contains 2 NaN value.*first at edge 1"),
    (dict(edge_index=EI, edge_weight=np.ones(4, complex)), TypeError,
     "edge_weight: dtype complex128 is not supported"),
    (dict(edge_index=EI, edge_attr=np.ones((5, 2))), ValueError,
     r"edge_attr: expected shape \(E, D\) with E = 4.* got \(5, 2\)"),
    (dict(edge_index=EI, train_mask=[0, 2]), ValueError,
     r"train_mask: expected a boolean mask of shape \(3,\).* got shape \(2,\); if you have node"),
    (dict(edge_index=EI, val_mask=[0, 2, 1]), TypeError,
     "val_mask: expected a boolean mask .* got dtype int64"),
    (dict(edge_index=EI, test_mask=np.ones((3, 1), bool)), ValueError, "test_mask: expected"),
    (dict(edge_index=EI, num_nodes=3, batch=[0, 0]), ValueError, r"batch: expected shape \(3,\)"),
    (dict(edge_index=EI, batch=[-1, 0, 0]), ValueError, "batch: graph ids must be >= 0"),
    (dict(edge_index=EI, batch=[0, 1, 0]), ValueError, "batch: graph ids must be sorted"),
    (dict(edge_index=EI, batch=[0.0, 0.0, 1.0]), TypeError, "batch: expected integer graph ids"),
    (dict(edge_index=EI, num_nodes=3, ptr=[0, 2]), ValueError,
     "ptr: last offset must equal num_nodes=3"),
    (dict(edge_index=EI, ptr=[1, 3]), ValueError, "ptr: expected non-decreasing node offsets"),
    (dict(edge_index=EI, ptr=[0, 1, 3], batch=[0, 0, 1]), ValueError,
     "batch: does not match ptr"),
])
def test_bad_input_names_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        Graph(**kwargs)


def test_validate_rechecks_in_place_edits_and_drops_cache():
    g = Graph(EI.copy())
    assert g.validate() is True
    g.csr_by_target()
    g.edge_index[0, 0] = 9
    with pytest.raises(IndexError, match="found min=0 max=9"):
        g.validate()
    assert "csr_by_target" not in g._cache


# ---------------------------------------------------------------------------------- properties
def test_counts_and_degrees_match_dense_oracle():
    g = random_graph(seed=1)
    a = dense_adjacency(g)
    aw = dense_adjacency(g, g.edge_weight)
    assert g.num_edges == g.edge_index.shape[1] and g.num_features == 0 and g.num_graphs == 1
    np.testing.assert_array_equal(g.in_degree(), a.sum(1))
    np.testing.assert_array_equal(g.out_degree(), a.sum(0))
    assert g.in_degree().dtype == np.int64
    np.testing.assert_allclose(g.in_degree(weighted=True), aw.sum(1), rtol=1e-12)
    np.testing.assert_allclose(g.out_degree(weighted=True), aw.sum(0), rtol=1e-12)
    assert Graph(EI).in_degree(weighted=True).dtype == np.float32


def test_num_graphs():
    assert Graph(EI).num_graphs == 1
    assert Graph(EI, batch=[0, 1, 1]).num_graphs == 2
    assert Graph(EI, ptr=[0, 1, 3, 3]).num_graphs == 3


def test_self_loops_and_isolated_nodes():
    assert Graph(EI).has_self_loops()
    assert not Graph(EI[:, :3]).has_self_loops()
    assert not Graph(EI).has_isolated_nodes()
    assert Graph(EI, num_nodes=4).has_isolated_nodes()
    assert Graph([[0, 2], [1, 2]]).has_isolated_nodes()  # node 2 only has its own self-loop


def test_is_undirected():
    sym = np.array([[0, 1, 2, 2], [1, 0, 2, 2]])
    assert Graph(sym).is_undirected()
    assert not Graph(EI).is_undirected()
    assert Graph(sym, edge_weight=[2.0, 2.0, 1.0, 3.0]).is_undirected()
    assert not Graph(sym, edge_weight=[2.0, 1.0, 1.0, 1.0]).is_undirected()
    assert not Graph([[0], [1]], edge_weight=[0.0]).is_undirected()  # a 0 weight still is an edge
    assert not Graph([[0, 0, 1], [1, 1, 0]]).is_undirected()             # multiplicity counts
    assert Graph([[0, 0, 1, 1], [1, 1, 0, 0]]).is_undirected()
    assert not Graph(sym, edge_attr=np.array([[1], [2], [3], [3]])).is_undirected()
    assert Graph(sym, edge_attr=np.array([[1], [1], [3], [3]])).is_directed() is False


def test_repr():
    g = Graph(EI, x=np.ones((3, 2)), edge_weight=np.ones(4), y=np.zeros(3), batch=[0, 0, 0])
    assert repr(g) == "Graph(x=[3, 2], edge_index=[2, 4], edge_weight=[4], y=[3], batch=[3])"
    g = Graph(EI, x=sp.csr_matrix(np.eye(3)), y=5, num_nodes=3, name="toy", ids=[1, 2])
    assert repr(g) == ("Graph(x=[3, 3, nnz=3], edge_index=[2, 4], y=5, num_nodes=3, name='toy', "
                       "ids=[2])")


def test_replace_revalidates_and_drops_the_cache_when_the_structure_changes():
    g = Graph(EI, x=np.ones((3, 1)))
    a = g.csr_by_target()
    assert g.replace(x=np.zeros((3, 2))).csr_by_target() is a      # same structure: kept
    h = g.replace(edge_weight=np.full(4, 2.0))
    assert h._cache == {} and h.num_nodes == 3 and g.csr_by_target() is a
    np.testing.assert_array_equal(h.csr_by_target().toarray(), 2 * a.toarray())
    with pytest.raises(ValueError, match="x: expected 3 rows"):
        g.replace(x=np.ones((2, 1)))


# ---------------------------------------------------------------------------------- sparse views
@pytest.mark.parametrize("weighted", [False, True])
def test_csr_by_target_equals_dense_oracle(weighted):
    g = random_graph(seed=2, weighted=weighted)
    a = g.csr_by_target()
    assert isinstance(a, sp.csr_matrix) and a.shape == (g.num_nodes, g.num_nodes)
    assert a.has_canonical_format
    np.testing.assert_allclose(a.toarray(), dense_adjacency(g, g.edge_weight), rtol=1e-12)
    np.testing.assert_allclose(g.csr_by_source().toarray(), a.toarray().T)
    assert g.csr_by_target() is a                                 # cached


def test_csr_by_target_dtype_and_explicit_weight():
    g = Graph(EI, edge_weight=np.arange(4, dtype=np.float32))
    assert g.csr_by_target().dtype == np.float32
    assert Graph(EI).csr_by_target().dtype == np.float32       # unweighted: float32 ones
    w = np.array([1.0, 2.0, 3.0, 4.0])
    a = g.csr_by_target(w)
    assert a.dtype == np.float64 and a is not g.csr_by_target(w)  # explicit weights: not cached
    np.testing.assert_array_equal(a.toarray(), dense_adjacency(g, w))
    with pytest.raises(ValueError, match=r"edge_weight: expected shape \(E,\) = \(4,\)"):
        g.csr_by_target(np.ones(3))


def test_csr_by_target_is_the_article_convention():
    """m_i = sum_j A[i, j] h_j equals the sum of h[source] over the edges into i."""
    g = random_graph(seed=3)
    h = np.random.default_rng(0).standard_normal((g.num_nodes, 4))
    src, dst = g.edge_index
    expected = np.zeros_like(h)
    np.add.at(expected, dst, g.edge_weight[:, None] * h[src])
    np.testing.assert_allclose(g.csr_by_target() @ h, expected, rtol=1e-12)


@pytest.mark.parametrize("order, row", [("target_order", 1), ("source_order", 0)])
def test_orders_group_edges_stably(order, row):
    g = random_graph(seed=4)
    ids = g.edge_index[row]
    perm, indptr = getattr(g, order)()
    assert perm.dtype == indptr.dtype == np.int64 and indptr.shape == (g.num_nodes + 1,)
    np.testing.assert_array_equal(perm, np.lexsort((np.arange(g.num_edges), ids)))
    np.testing.assert_array_equal(np.diff(indptr), np.bincount(ids, minlength=g.num_nodes))
    for i in (0, g.num_nodes - 1):                               # a busy node, an isolated one
        np.testing.assert_array_equal(perm[indptr[i]:indptr[i + 1]], np.flatnonzero(ids == i))
    assert getattr(g, order)()[0] is perm and not perm.flags.writeable
    segment_sums = np.add.reduceat(np.append(g.edge_weight[perm], 0), indptr[:-1])
    has_edges = np.diff(indptr) > 0
    np.testing.assert_allclose(segment_sums[has_edges],
                               g.in_degree(True)[has_edges] if row else
                               g.out_degree(True)[has_edges], rtol=1e-12)
