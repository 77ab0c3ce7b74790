"""Tests of block-diagonal batching, unbatching and the DataLoader."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.graph import Batch, DataLoader, Graph, add_self_loops, to_dense_adjacency, unbatch

from ._helpers import assert_graph_equal, random_graph


def node_graph(seed: int, num_nodes: int, sparse_x: bool = False) -> Graph:
    """A graph with every per-node and per-edge field, node-level y."""
    rng = np.random.default_rng(seed)
    e = 2 * num_nodes
    ei = rng.integers(0, max(num_nodes, 1), (2, e)) if num_nodes else np.empty((2, 0), int)
    x = rng.standard_normal((num_nodes, 3)).astype(np.float32)
    return Graph(ei, num_nodes=num_nodes, x=sp.csr_matrix(x) if sparse_x else x,
                 edge_weight=rng.random(e), edge_attr=rng.standard_normal((e, 2)),
                 y=rng.integers(0, 4, num_nodes), train_mask=rng.random(num_nodes) < 0.5,
                 val_mask=rng.random(num_nodes) < 0.5, test_mask=rng.random(num_nodes) < 0.5)


@pytest.mark.parametrize("sparse_x", [False, True])
def test_round_trip_with_an_empty_graph_in_the_middle(sparse_x):
    graphs = [node_graph(0, 4, sparse_x), node_graph(1, 0, sparse_x), node_graph(2, 5, sparse_x)]
    b = Batch.from_graphs(graphs)
    assert (b.num_nodes, b.num_edges, b.num_graphs) == (9, 18, 3)
    assert b.ptr.tolist() == [0, 4, 4, 9] and b.batch.tolist() == [0] * 4 + [2] * 5
    assert sp.issparse(b.x) == sparse_x
    expected = sp.block_diag([to_dense_adjacency(g) for g in graphs]).toarray()
    np.testing.assert_allclose(to_dense_adjacency(b), expected)
    out = unbatch(b)
    assert len(out) == 3
    for original, restored in zip(graphs, out):
        assert_graph_equal(restored, original)


def test_trailing_empty_graphs_are_counted():
    b = Batch.from_graphs([node_graph(0, 3), node_graph(1, 0), node_graph(2, 0)])
    assert b.num_graphs == 3 and b.batch.max() + 1 == 1       # batch alone would undercount
    assert [g.num_nodes for g in unbatch(b)] == [3, 0, 0]
    assert [g.num_nodes for g in unbatch(b.replace(x=b.x * 2))] == [3, 0, 0]  # ptr survives


@pytest.mark.parametrize("labels, shape", [
    ([1, 0, 2], (3,)),                                   # scalars are stacked
    ([np.array([1])] * 3, (3,)),                         # (1,): concatenated, as in PyG
    ([np.array([[1.0, 2.0]])] * 3, (3, 2)),              # (1, k): concatenated, as in PyG
])
def test_graph_level_y_batches_as_pyg(labels, shape):
    graphs = [Graph([[0], [1]], num_nodes=n, y=y) for n, y in zip((2, 3, 2), labels)]
    b = Batch.from_graphs(graphs)
    assert b.y.shape == shape
    for original, restored in zip(graphs, unbatch(b)):
        assert_graph_equal(restored, original)


@pytest.mark.parametrize("num_nodes", [(2, 3, 2), (2, 2, 2)])
def test_declared_graph_level_y_is_stacked_whatever_the_node_counts(num_nodes):
    """A (k,) target declared graph-level is (B, k) even when every graph has k nodes."""
    graphs = [Graph([[0], [1]], num_nodes=n, y=np.array([1.0, 2.0])).set_level(y="graph")
              for n in num_nodes]
    b = Batch.from_graphs(graphs)
    assert b.y.shape == (3, 2)
    for original, restored in zip(graphs, unbatch(b)):
        assert_graph_equal(restored, original)
        assert restored.level("y") == "graph"


def test_undeclared_k_vectors_are_concatenated_as_in_pyg():
    graphs = [Graph([[0], [1]], num_nodes=n, y=np.array([1.0, 2.0])) for n in (2, 3)]
    assert Batch.from_graphs(graphs).y.shape == (4,)


def test_graph_level_y_on_single_node_graphs_is_remembered():
    graphs = [Graph([], num_nodes=1, y=3), Graph([], num_nodes=1, y=4)]
    b = Batch.from_graphs(graphs)
    assert b.y.tolist() == [3, 4] and [g.y.shape for g in unbatch(b)] == [(), ()]
    assert b.validate() and [g.y.shape for g in unbatch(b)] == [(), ()]  # validate keeps it


def test_unbatch_after_a_transform_that_reorders_edges():
    graphs = [random_graph(seed=s) for s in range(3)]
    b = add_self_loops(Batch.from_graphs(graphs))             # loops appended after all edges
    for original, restored in zip(graphs, unbatch(b)):
        assert_graph_equal(restored, add_self_loops(original))


def test_unbatch_infers_y_level_after_replace():
    graphs = [node_graph(0, 3), node_graph(1, 2)]
    b = Batch.from_graphs(graphs)
    out = unbatch(b.replace(y=np.arange(5)))                 # node-level: 5 rows
    assert [g.y.tolist() for g in out] == [[0, 1, 2], [3, 4]]
    out = unbatch(b.replace(y=np.array([7, 8])))             # graph-level: 2 rows
    assert [g.y.tolist() for g in out] == [[7], [8]]
    with pytest.raises(ValueError, match=r"y: expected 5 \(nodes\), 10 \(edges\) or 2 \(graphs\) "
                                         r"entries along dimension 0, got shape \(3,\)"):
        unbatch(b.replace(y=np.arange(3)))


def test_unbatch_of_a_single_graph():
    g = random_graph()
    assert unbatch(g) == [g]


@pytest.mark.parametrize("graphs, error, match", [
    ([], ValueError, "data_list: expected at least one Graph"),
    ([Graph([[0], [1]]), "g"], TypeError, r"data_list\[1\]: expected a Graph, got str"),
    ([Graph([[0], [1]], batch=[0, 1])], ValueError, r"data_list\[0\]: is already a batch of 2"),
    ([Graph([[0], [1]], x=np.ones((2, 1))), Graph([[0], [1]])], ValueError,
     "x: set on graph 0 but not on graph 1"),
    ([Graph([[0], [1]]), Graph([[0], [1]], edge_weight=[1.0])], ValueError,
     "edge_weight: set on graph 1 but not on graph 0"),
    ([Graph([[0], [1]], x=np.ones((2, 1))), Graph([[0], [1]], x=np.ones((2, 2)))], ValueError,
     r"x: graph 1 has shape \(2, 2\), graph 0 has \(2, 1\); they may differ only along "
     r"dimension 0"),
    ([Graph([[0], [1]], x=np.ones((2, 1))), Graph([[0], [1]], x=sp.csr_matrix(np.ones((2, 1))))],
     ValueError, "x: graph 1 has scipy sparse values but graph 0 dense ones"),
    ([Graph([[0], [1]], y=[0, 1]), Graph([[0], [1]])], ValueError, "y: set on graph 0 but not"),
    ([Graph([[0], [1]], y=[0, 1]), Graph([[0], [1]], y=5)], ValueError,
     r"y: graph 1 has shape \(\), graph 0 has \(2,\)"),
    ([Graph([[0], [1]], foo=np.ones(2)), Graph([[0], [1]], foo=[1, 2])], ValueError,
     "foo: graph 0 holds an array, graph 1 a list"),
])
def test_from_graphs_errors(graphs, error, match):
    with pytest.raises(error, match=match):
        Batch.from_graphs(graphs)


def test_unbatch_rejects_edges_between_graphs():
    g = Graph([[0, 1], [1, 2]], batch=[0, 0, 1])
    with pytest.raises(ValueError, match=r"edge_index: edge 1 \(1 -> 2\) joins graph 0 and 1"):
        unbatch(g)


def test_no_python_loop_per_edge_on_a_large_batch():
    graphs = [Graph(np.zeros((2, 50_000), np.int64), num_nodes=1)] * 20
    b = Batch.from_graphs(graphs)
    assert b.num_edges == 1_000_000 and b.edge_index[0, -1] == 19
    assert [g.num_edges for g in unbatch(b)] == [50_000] * 20


# ---------------------------------------------------------------------------------- DataLoader
DATASET = [Graph([], num_nodes=n, y=n) for n in range(10)]


def epoch(loader: DataLoader) -> list[list[int]]:
    return [b.y.tolist() for b in loader]


def test_loader_without_shuffle_keeps_order():
    loader = DataLoader(DATASET, batch_size=4)
    assert len(loader) == 3 and epoch(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    dropped = DataLoader(DATASET, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and epoch(dropped) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader([], batch_size=4)) == 0 and epoch(DataLoader([])) == []


def test_loader_shuffle_is_deterministic_per_seed_and_new_each_epoch():
    a = DataLoader(DATASET, batch_size=3, shuffle=True, seed=7)
    b = DataLoader(DATASET, batch_size=3, shuffle=True, seed=7)
    first, second = epoch(a), epoch(a)
    assert first == epoch(b) and second == epoch(b)
    assert first != second
    for e in (first, second):
        assert sorted(sum(e, [])) == list(range(10)) and [len(c) for c in e] == [3, 3, 3, 1]
    assert epoch(DataLoader(DATASET, batch_size=3, shuffle=True, seed=8)) != first


@pytest.mark.parametrize("batch_size, error, match", [
    (0, ValueError, "batch_size: expected an int >= 1, got 0"),
    (2.5, TypeError, "batch_size: expected an int >= 1, got float 2.5"),
])
def test_loader_rejects_bad_batch_size(batch_size, error, match):
    with pytest.raises(error, match=match):
        DataLoader(DATASET, batch_size=batch_size)
