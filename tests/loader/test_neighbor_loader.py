"""NeighborLoader: PyG's sampled k-hop subgraphs, checked against the full graph."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npgnn.graph.graph import Graph
from npgnn.kernels.sampling import ranges
from npgnn.loader import NeighborLoader
from npgnn.utils import k_hop_subgraph


def _graph(seed=0, n=60, e=500, isolated=5):
    rng = np.random.default_rng(seed)
    ei = rng.integers(0, n - isolated, (2, e))           # duplicates and self-loops included
    return Graph(edge_index=ei, num_nodes=n, x=rng.random((n, 4)), y=rng.integers(0, 3, n),
                 train_mask=rng.random(n) < 0.5, edge_attr=rng.random((e, 2)))


def _in_degree(g):
    return np.bincount(g.edge_index[1], minlength=g.num_nodes)


def _hops(batch):
    """Node ids (local) reached at each hop, from num_sampled_nodes."""
    bounds = np.cumsum([0] + batch.num_sampled_nodes)
    return [np.arange(bounds[h], bounds[h + 1]) for h in range(len(bounds) - 1)]


@pytest.mark.parametrize("replace", [False, True])
def test_batches_are_subgraphs_of_the_graph(replace):
    g = _graph()
    loader = NeighborLoader(g, [4, 3], batch_size=7, shuffle=True, replace=replace, seed=1)
    seen = []
    for b in loader:
        n_id, e_id = b.n_id, b.e_id
        seen.append(n_id[:b.batch_size])
        assert b.batch_size == b.input_id.size and np.array_equal(b.input_id, n_id[:b.batch_size])
        assert np.unique(n_id).size == n_id.size == b.num_nodes
        # every sampled edge is an edge of the graph, with its attributes, in local ids
        assert np.array_equal(n_id[b.edge_index], g.edge_index[:, e_id])
        np.testing.assert_array_equal(b.edge_attr, g.edge_attr[e_id])
        np.testing.assert_array_equal(b.x, g.x[n_id])
        np.testing.assert_array_equal(b.y, g.y[n_id])
        np.testing.assert_array_equal(b.train_mask, g.train_mask[n_id])
        assert sum(b.num_sampled_edges) == e_id.size
        if not replace:
            assert np.unique(e_id).size == e_id.size
    # every node is a seed exactly once per epoch (shuffled)
    assert np.array_equal(np.sort(np.concatenate(seen)), np.arange(g.num_nodes))
    assert len(loader) == 9


def test_sampled_in_degree_is_min_k_deg_at_each_hop():
    g, ks = _graph(3), [5, 2, 3]
    deg = _in_degree(g)
    for b in NeighborLoader(g, ks, batch_size=6, seed=0):
        tgt = b.edge_index[1]
        got = np.bincount(tgt, minlength=b.num_nodes)
        for k, frontier in zip(ks, _hops(b)[:-1]):
            np.testing.assert_array_equal(got[frontier], np.minimum(deg[b.n_id[frontier]], k))
        # edges of hop h point into hop h-1's new nodes, sources are already known by then
        starts = np.cumsum([0] + b.num_sampled_edges)
        bounds = np.cumsum([0] + b.num_sampled_nodes)
        for h in range(len(ks)):
            sl = slice(starts[h], starts[h + 1])
            assert ((tgt[sl] >= bounds[h]) & (tgt[sl] < bounds[h + 1])).all()
            assert (b.edge_index[0][sl] < bounds[h + 2]).all()


def test_replace_draws_k_per_node_with_in_edges():
    g = _graph(4)
    deg = _in_degree(g)
    b = NeighborLoader(g, [8], batch_size=g.num_nodes, replace=True, seed=0)(
        np.arange(g.num_nodes))
    got = np.bincount(b.edge_index[1], minlength=b.num_nodes)[:b.batch_size]
    np.testing.assert_array_equal(got, np.where(deg[b.n_id[:b.batch_size]] > 0, 8, 0))


def test_deterministic_for_a_seed_and_varies_across_seeds():
    g = _graph(5)

    def run(seed):
        return [(b.n_id, b.e_id) for b in NeighborLoader(g, [3, 3], batch_size=10,
                                                          shuffle=True, seed=seed)]
    a, b, c = run(7), run(7), run(8)
    assert all(np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1]) for x, y in zip(a, b))
    assert not all(np.array_equal(x[1], y[1]) for x, y in zip(a, c))
    rng = np.random.default_rng(7)
    d = [(b.n_id, b.e_id) for b in NeighborLoader(g, [3, 3], batch_size=10, shuffle=True,
                                                  seed=rng)]
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, d))


def test_subset_sampling_is_uniform():
    # node 0 has 6 in-edges; k=2 picks each of the 15 pairs about equally often
    g = Graph(edge_index=np.array([[1, 2, 3, 4, 5, 6], [0] * 6]), num_nodes=7)
    loader = NeighborLoader(g, [2], input_nodes=np.array([0]), seed=0)
    counts = np.zeros(6)
    for _ in range(3000):
        counts[next(iter(loader)).e_id] += 1
    assert counts.sum() == 6000
    assert np.abs(counts / 1000 - 1).max() < 0.12


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_all_neighbours_is_the_k_hop_in_neighbourhood(hops):
    g = _graph(6)
    seeds = np.array([3, 10, 42])
    b = NeighborLoader(g, [-1] * hops, input_nodes=seeds, batch_size=3)(np.arange(3))
    subset, _, _, mask = k_hop_subgraph(seeds, hops, g.edge_index, num_nodes=g.num_nodes)
    assert np.array_equal(b.n_id[:3], seeds)
    assert np.array_equal(np.sort(b.n_id), np.sort(subset))
    # directed: every in-edge of the nodes within hops-1 of a seed
    inner = k_hop_subgraph(seeds, hops - 1, g.edge_index, num_nodes=g.num_nodes)[0] \
        if hops > 1 else seeds
    want = np.flatnonzero(np.isin(g.edge_index[1], inner))
    assert np.array_equal(np.sort(b.e_id), want)
    # undirected (PyG's induced subgraph): every edge among the sampled nodes
    u = NeighborLoader(g, [-1] * hops, input_nodes=seeds, batch_size=3, directed=False)(
        np.arange(3))
    assert np.array_equal(np.sort(u.e_id), np.flatnonzero(mask))
    induced = NeighborLoader(g, [-1] * hops, seeds, subgraph_type="induced", batch_size=3)
    assert induced.subgraph_type == "induced"
    assert np.array_equal(induced(np.arange(3)).e_id, u.e_id)
    assert np.array_equal(u.n_id[u.edge_index], g.edge_index[:, u.e_id])


def test_input_nodes_mask_and_ids():
    g = _graph(7)
    mask = g.train_mask
    b = next(iter(NeighborLoader(g, [2], input_nodes=mask, batch_size=4)))
    assert np.array_equal(b.n_id[:4], np.flatnonzero(mask)[:4])
    assert np.array_equal(b.input_id, np.flatnonzero(mask)[:4])        # PyG: node ids
    ids = np.array([9, 4, 0, 30, 11])
    batches = list(NeighborLoader(g, [2], input_nodes=ids, batch_size=2, drop_last=True))
    assert len(batches) == 2
    assert np.array_equal(batches[1].n_id[:2], ids[2:4])
    assert np.array_equal(batches[1].input_id, [2, 3])                  # PyG: positions


def test_isolated_seed_and_empty_hops():
    g = _graph(8)
    b = NeighborLoader(g, [3, 3], input_nodes=np.array([59]))(np.array([0]))
    assert b.num_nodes == 1 and b.edge_index.shape == (2, 0)
    assert b.num_sampled_nodes == [1, 0, 0] and b.num_sampled_edges == [0, 0]


def test_zero_neighbours_gives_seeds_only():
    g = _graph(9)
    b = next(iter(NeighborLoader(g, [0], batch_size=5)))
    assert b.num_nodes == 5 and b.e_id.size == 0


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"num_neighbors": 3}, TypeError, "num_neighbors must be a sequence"),
    ({"num_neighbors": "15,10"}, TypeError, "num_neighbors must be a sequence"),
    ({"num_neighbors": [2.5]}, TypeError, "num_neighbors must hold ints"),
    ({"num_neighbors": [-2]}, ValueError, "num_neighbors entries must be >= -1"),
    ({"num_neighbors": []}, ValueError, "num_neighbors must name at least one hop"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 1.5}, TypeError, "batch_size"),
    ({"input_nodes": np.ones(3, bool)}, ValueError, r"input_nodes mask must have shape \(60,\)"),
    ({"input_nodes": np.array([0.5])}, TypeError, "input_nodes must be None"),
    ({"input_nodes": np.array([60])}, IndexError, r"input_nodes must lie in \[0, 60\)"),
    ({"input_nodes": np.array([-1])}, IndexError, "input_nodes must lie"),
    ({"input_nodes": np.array([1, 1])}, ValueError, "input_nodes must not repeat"),
    ({"seed": "x"}, TypeError, "seed must be an int"),
    ({"shuffel": True}, TypeError, "unexpected keyword argument 'shuffel'"),
    ({"input_time": np.zeros(60)}, ValueError, "input_time is not supported"),
    ({"disjoint": True}, ValueError, "disjoint is not supported"),
    ({"weight_attr": "w"}, ValueError, "weight_attr is not supported"),
    ({"subgraph_type": "bidirectional"}, ValueError, "subgraph_type must be 'directional' or"),
])
def test_bad_arguments_are_refused(kwargs, exc, match):
    args = {"num_neighbors": [2]} | kwargs
    with pytest.raises(exc, match=match):
        NeighborLoader(_graph(), **args)


def test_data_must_be_a_graph():
    with pytest.raises(TypeError, match="data must be a npgnn Graph, got dict"):
        NeighborLoader({"edge_index": np.zeros((2, 0))}, [2])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31), st.lists(st.integers(-1, 6), min_size=1, max_size=3),
       st.integers(1, 20), st.booleans())
def test_random_graphs_keep_the_invariants(seed, ks, bs, directed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    g = Graph(edge_index=rng.integers(0, n, (2, int(rng.integers(0, 120)))), num_nodes=n)
    deg = _in_degree(g)
    for b in NeighborLoader(g, ks, batch_size=bs, shuffle=True, seed=seed, directed=directed):
        assert np.array_equal(b.n_id[b.edge_index], g.edge_index[:, b.e_id])
        assert np.unique(b.n_id).size == b.num_nodes and np.unique(b.e_id).size == b.e_id.size
        if directed:
            got = np.bincount(b.edge_index[1], minlength=b.num_nodes)
            for k, frontier in zip(ks, _hops(b)[:-1]):
                want = deg[b.n_id[frontier]] if k < 0 else np.minimum(deg[b.n_id[frontier]], k)
                np.testing.assert_array_equal(got[frontier], want)


def test_ranges():
    assert np.array_equal(ranges(np.array([5, 0, 9]), np.array([2, 0, 3])), [5, 6, 9, 10, 11])
