"""Issue 9 item 6: a few edges among 10**9 nodes cost O(E), not O(N) (bounded time and memory)."""
from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from npgnn import Graph, utils
from npgnn.graph import coalesce, remove_self_loops, to_undirected
from npgnn.ops.segments import group_by, sort_pairs

N = 10**9
EI = np.array([[5, 999_999_999, 5, 7], [999_999_999, 5, 5, 123_456_789]])
MB = 2**20


def _peak(fn):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak, time.perf_counter() - start


@pytest.mark.parametrize("name, call", [
    ("coalesce", lambda: utils.coalesce(EI, np.ones(4), N)),
    ("to_undirected", lambda: utils.to_undirected(EI, np.ones(4), N)),
    ("sort_edge_index", lambda: utils.sort_edge_index(EI, num_nodes=N, sort_by_row=False)),
    ("is_undirected", lambda: utils.is_undirected(EI, num_nodes=N)),
    ("contains_isolated_nodes", lambda: utils.contains_isolated_nodes(EI, N)),
    ("remove_self_loops", lambda: utils.remove_self_loops(EI, np.ones(4))),
    ("subgraph", lambda: utils.subgraph([5, 7, 999_999_999], EI, None, True, N)),
    ("k_hop_subgraph", lambda: utils.k_hop_subgraph(5, 3, EI, True, N)),
    ("softmax", lambda: utils.softmax(np.ones(4), EI[1] % 1000, num_nodes=1000)),
    ("graph.coalesce", lambda: coalesce(Graph(EI, num_nodes=N, edge_weight=np.ones(4)))),
    ("graph.to_undirected", lambda: to_undirected(Graph(EI, num_nodes=N))),
    ("graph.remove_self_loops", lambda: remove_self_loops(Graph(EI, num_nodes=N))),
    ("Graph.has_isolated_nodes", lambda: Graph(EI, num_nodes=N).has_isolated_nodes()),
])
def test_edge_jobs_allocate_nothing_of_size_n(name, call):
    _out, peak, seconds = _peak(call)
    assert peak < 1 * MB and seconds < 10, (name, peak, seconds)  # time: a hang guard; memory: the claim


def test_results_on_huge_ids_are_right():
    assert Graph(EI, num_nodes=N).has_isolated_nodes()
    ring = np.array([[0, 1, 2, 3], [1, 2, 3, 0]])
    assert not Graph(ring, num_nodes=4).has_isolated_nodes()
    assert Graph(ring, num_nodes=5).has_isolated_nodes()
    assert Graph(np.array([[0, 1, 1], [1, 0, 1]]), num_nodes=2).has_isolated_nodes() is False
    assert Graph(np.array([[0, 1], [0, 1]]), num_nodes=2).has_isolated_nodes()   # loops only
    ei, w = utils.to_undirected(EI, np.arange(4.0), N)
    assert ei.tolist() == [[5, 5, 7, 123_456_789, 999_999_999],
                           [5, 999_999_999, 123_456_789, 7, 5]]
    assert w.tolist() == [4.0, 1.0, 3.0, 3.0, 1.0]
    assert sort_pairs(EI[0], EI[1], N).tolist() == np.lexsort((EI[1], EI[0])).tolist()
    subset, sub_ei, _mapping, _ = utils.k_hop_subgraph(5, 1, EI, True, N)
    assert subset.tolist() == [5, 999_999_999] and sub_ei.tolist() == [[0, 1, 0], [1, 0, 0]]


def test_grouping_allocates_one_indptr_only():
    """CSR offsets over N groups are O(N) by nature: one (N+1) int64 array, nothing more."""
    n = 2 * 10**6
    ids = np.array([3, n - 1, 3, 0])
    (perm, indptr), peak, _ = _peak(lambda: group_by(ids, n))
    assert perm.tolist() == [3, 0, 2, 1] and indptr[[0, 1, 4, n - 1, n]].tolist() == [0, 1, 3, 3, 4]
    assert peak < 8 * (n + 1) + 1 * MB
    g = Graph(np.stack([ids, ids[::-1]]), num_nodes=n)
    (perm, indptr), peak, _ = _peak(g.target_order)
    assert peak < 8 * (n + 1) + 1 * MB and perm.tolist() == [0, 1, 3, 2]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("presorted", [False, True])
def test_every_grouping_path_agrees(seed, presorted):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 50, 200)
    if presorted:      # a batch vector, target-sorted edges: counted, not sorted
        ids.sort()
    for n in (50, 10**6):  # counting sort, then comparison sort
        perm, indptr = group_by(ids, n)
        np.testing.assert_array_equal(perm, np.argsort(ids, kind="stable"))
        np.testing.assert_array_equal(indptr, np.concatenate([[0], np.cumsum(
            np.bincount(ids, minlength=n))]))
        other = rng.integers(0, 50, 200)
        np.testing.assert_array_equal(sort_pairs(ids, other, n), np.lexsort((other, ids)))


def test_batching_huge_graphs_allocates_only_the_batch_vector():
    """Batch.from_graphs / from_data_list over graphs of many isolated nodes: the only O(N)
    array is the output's ``batch`` vector (one int64 graph id per node, as PyG's Batch has by
    definition); edges, ptr and offsets cost O(E + number of graphs). Splitting the batch back
    into graphs costs O(E)."""
    from npgnn.data import Batch as DataBatch
    from npgnn.graph import Batch

    n = 10**6
    ei = np.array([[5, n - 1, 5], [n - 1, 5, 7]])
    graphs = [Graph(ei, num_nodes=n), Graph(ei[:, :2], num_nodes=n)]
    for build in (lambda: Batch.from_graphs(graphs), lambda: DataBatch.from_data_list(graphs)):
        batch, peak, seconds = _peak(build)
        assert peak < 8 * 2 * n + 1 * MB and seconds < 10, (peak, seconds)
        assert batch.edge_index.tolist() == [[5, n - 1, 5, n + 5, 2 * n - 1],
                                             [n - 1, 5, 7, 2 * n - 1, n + 5]]
        assert batch.ptr.tolist() == [0, n, 2 * n] and batch.batch[[0, n - 1, n, -1]].tolist() == [
            0, 0, 1, 1]
        parts, peak, _ = _peak(batch.to_data_list)
        assert peak < 1 * MB
        assert [p.num_nodes for p in parts] == [n, n]
        assert [p.edge_index.tolist() for p in parts] == [ei.tolist(), ei[:, :2].tolist()]
