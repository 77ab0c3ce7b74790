"""negative_sampling / batched_negative_sampling: brute-force oracles on small graphs
(hypothesis), uniformity, determinism, PyG's counts, huge key spaces, and argument errors."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings
from hypothesis import strategies as st

from npgnn.utils import batched_negative_sampling, negative_sampling

FAST = settings(max_examples=80, deadline=None)


@st.composite
def small_graph(draw, max_nodes=8):
    """(edge_index, n_src, n_dst, mode): duplicates and self-loops included."""
    mode = draw(st.sampled_from(["directed", "undirected", "bipartite"]))
    n_src = draw(st.integers(0, max_nodes))
    n_dst = draw(st.integers(0, max_nodes)) if mode == "bipartite" else n_src
    e = draw(st.integers(0, 3 * max_nodes)) if n_src and n_dst else 0
    src = draw(st.lists(st.integers(0, max(n_src - 1, 0)), min_size=e, max_size=e))
    dst = draw(st.lists(st.integers(0, max(n_dst - 1, 0)), min_size=e, max_size=e))
    return np.array([src, dst], dtype=np.int64).reshape(2, e), n_src, n_dst, mode


def non_edges(ei, n_src, n_dst, mode):
    """The candidate pairs that are not edges, by enumeration (the oracle)."""
    edges = set(map(tuple, ei.T.tolist()))
    if mode == "bipartite":
        return {(a, b) for a in range(n_src) for b in range(n_dst)} - edges
    edges |= {(b, a) for a, b in edges} if mode == "undirected" else set()
    pairs = {(a, b) for a in range(n_src) for b in range(n_src) if a != b}
    if mode == "undirected":
        pairs = {(a, b) for a, b in pairs if a < b}
    return pairs - edges


def sample(ei, n_src, n_dst, mode, count, method="sparse", seed=0):
    num_nodes = (n_src, n_dst) if mode == "bipartite" else n_src
    return negative_sampling(ei, num_nodes, count, method=method,
                             force_undirected=mode == "undirected", rng=seed)


@FAST
@given(small_graph(), st.one_of(st.none(), st.integers(0, 80), st.floats(0, 4)), st.integers(0, 2**32 - 1))
def test_negatives_are_distinct_non_edges_and_as_many_as_possible(graph, count, seed):
    ei, n_src, n_dst, mode = graph
    neg = sample(ei, n_src, n_dst, mode, count, seed=seed)
    assert neg.dtype == np.int64 and neg.ndim == 2 and neg.shape[0] == 2
    requested = ei.shape[1] if count is None else int(count * ei.shape[1]) if isinstance(count, float) else count
    free = non_edges(ei, n_src, n_dst, mode)
    pairs = neg.T.tolist()
    if mode == "undirected":
        half = neg.shape[1] // 2
        np.testing.assert_array_equal(neg[:, half:], neg[::-1, :half])   # (u, v) then (v, u)
        pairs = neg[:, :half].T.tolist()
        assert all(a < b for a, b in pairs)
        requested //= 2
    assert len(pairs) == min(requested, len(free))
    assert len(set(map(tuple, pairs))) == len(pairs)                     # distinct
    assert set(map(tuple, pairs)) <= free     # in range, never an edge, never a self-loop
    np.testing.assert_array_equal(neg, sample(ei, n_src, n_dst, mode, count, "dense", seed))


@FAST
@given(st.lists(small_graph(max_nodes=6).filter(lambda g: g[3] != "bipartite"), min_size=1, max_size=5),
       st.booleans(), st.one_of(st.none(), st.integers(0, 20), st.floats(0, 3)), st.integers(0, 2**32 - 1))
def test_batched_sampling_stays_inside_each_graph(graphs, undirected, count, seed):
    offsets = np.cumsum([0] + [n for _, n, _, _ in graphs])
    ei = np.concatenate([g[0] + off for g, off in zip(graphs, offsets)], axis=1)
    batch = np.repeat(np.arange(len(graphs)), [n for _, n, _, _ in graphs])
    neg = batched_negative_sampling(ei, batch, count, force_undirected=undirected, rng=seed)
    mode = "undirected" if undirected else "directed"
    graph_of = batch[neg[0]]
    np.testing.assert_array_equal(graph_of, batch[neg[1]])              # no pair joins two graphs
    assert (np.diff(graph_of) >= 0).all()                                  # graph by graph, as PyG
    for k, (g_ei, n, _, _) in enumerate(graphs):
        mine = neg[:, graph_of == k] - offsets[k]
        e = g_ei.shape[1]
        requested = e if count is None else int(count * e) if isinstance(count, float) else count
        free = non_edges(g_ei, n, n, mode)
        if undirected:
            half = mine.shape[1] // 2
            np.testing.assert_array_equal(mine[:, half:], mine[::-1, :half])
            mine, requested = mine[:, :half], requested // 2
        assert mine.shape[1] == min(requested, len(free))
        assert set(map(tuple, mine.T.tolist())) <= free
        assert len(set(map(tuple, mine.T.tolist()))) == mine.shape[1]


def test_bipartite_batches_pair_each_graph_sources_with_its_targets():
    ei = np.array([[0, 0, 1, 1, 2, 2, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7]])
    src_batch, dst_batch = np.array([0, 0, 1, 1]), np.array([0, 0, 0, 0, 1, 1, 1, 1])
    neg = batched_negative_sampling(ei, (src_batch, dst_batch), rng=0)
    assert neg.shape == (2, 8)
    np.testing.assert_array_equal(src_batch[neg[0]], dst_batch[neg[1]])
    assert not set(map(tuple, neg.T.tolist())) & set(map(tuple, ei.T.tolist()))


def test_every_non_edge_is_equally_likely_and_the_order_is_random():
    ei = np.array([[0, 1, 2], [1, 2, 3]])                 # 4 nodes: 12 - 3 = 9 non-edges
    rng = np.random.default_rng(0)
    draws = np.concatenate([negative_sampling(ei, 4, 3, rng=rng) for _ in range(3000)], axis=1)
    _, counts = np.unique(draws[0] * 4 + draws[1], return_counts=True)
    assert counts.size == 9
    assert np.abs(counts / counts.mean() - 1).max() < 0.1          # expected 1000 each
    firsts = np.stack([negative_sampling(ei, 4, 3, rng=rng)[:, 0] for _ in range(900)])
    assert np.unique(firsts[:, 0] * 4 + firsts[:, 1]).size == 9   # any pair can come first


def test_sparse_draws_on_a_large_graph_are_uniform_over_sources():
    n = 5000
    ei = np.stack([np.zeros(n - 1, np.int64), np.arange(1, n)])  # node 0 points to everyone
    neg = negative_sampling(ei, n, 200_000, rng=0)
    assert not (neg[0] == 0).any()
    per_source = np.bincount(neg[0], minlength=n)[1:]
    assert abs(per_source.mean() - 200_000 / (n - 1)) < 1e-9
    assert per_source.std() < 3 * np.sqrt(200_000 / (n - 1))            # binomial spread


def test_a_seed_fixes_the_result_and_a_generator_advances():
    ei = np.random.default_rng(1).integers(0, 50, (2, 200))
    np.testing.assert_array_equal(negative_sampling(ei, 50, rng=7), negative_sampling(ei, 50, rng=7))
    assert not np.array_equal(negative_sampling(ei, 50, rng=7), negative_sampling(ei, 50, rng=8))
    g = np.random.default_rng(3)
    assert not np.array_equal(negative_sampling(ei, 50, rng=g), negative_sampling(ei, 50, rng=g))


def test_a_complete_graph_has_no_negatives_and_a_nearly_complete_one_gives_all_it_has():
    n = 6
    a, b = np.meshgrid(np.arange(n), np.arange(n))
    full = np.stack([a.ravel(), b.ravel()])
    assert negative_sampling(full, n, rng=0).shape == (2, 0)
    assert negative_sampling(full, n, force_undirected=True, rng=0).shape == (2, 0)
    some = full[:, (full[0] != 1) | (full[1] != 4)]     # every pair but 1 -> 4
    np.testing.assert_array_equal(negative_sampling(some, n, rng=0), [[1], [4]])
    assert negative_sampling(some, n, force_undirected=True, rng=0).shape == (2, 0)  # 4 -> 1 exists


def test_huge_key_spaces_need_no_quadratic_memory():
    n = 2_000_000_000                                      # 4e18 candidate pairs
    ei = np.array([[0, 5, n - 1], [n - 1, 5, 0]])
    for undirected in (False, True):
        neg = negative_sampling(ei, n, 1000, force_undirected=undirected, rng=0)
        assert neg.shape == (2, 1000)
        assert (neg >= 0).all() and (neg < n).all() and (neg[0] != neg[1]).all()
        assert not ({tuple(p) for p in neg.T.tolist()} & {(0, n - 1), (n - 1, 0)})


def test_counts_follow_pyg():
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric.utils")
    rng = np.random.default_rng(0)
    ei = rng.integers(0, 300, (2, 500))
    torch.manual_seed(0)
    for kwargs in ({}, {"num_neg_samples": 123}, {"num_neg_samples": 0.5},
                   {"force_undirected": True}, {"num_neg_samples": 77, "force_undirected": True},
                   {"num_nodes": (300, 400)}):
        num_nodes = kwargs.pop("num_nodes", 300)
        theirs = pyg.negative_sampling(torch.from_numpy(ei), num_nodes, **kwargs)
        mine = negative_sampling(torch.from_numpy(ei), num_nodes, rng=0, **kwargs)
        assert mine.shape == tuple(theirs.shape), kwargs
    batch = np.repeat([0, 1], 150)
    two = np.concatenate([ei[:, :250] % 150, ei[:, 250:] % 150 + 150], axis=1)
    theirs = pyg.batched_negative_sampling(torch.from_numpy(two), torch.from_numpy(batch), 1.5)
    assert batched_negative_sampling(two, batch, 1.5, rng=0).shape == tuple(theirs.shape)


@pytest.mark.parametrize("call, error, match", [
    (lambda: negative_sampling(np.zeros((2, 3))), TypeError, "edge_index: expected integer"),
    (lambda: negative_sampling(np.zeros((3, 2), np.int64)), ValueError, r"edge_index: expected shape \(2, E\)"),
    (lambda: negative_sampling([[0, 5], [1, 2]], 4), IndexError, r"source ids must lie in \[0, 4\)"),
    (lambda: negative_sampling([[0, 2], [1, 2]], (2, 5)), IndexError, r"source ids must lie in \[0, 2\)"),
    (lambda: negative_sampling([[0], [1]], -3), ValueError, "num_nodes: expected an int >= 0"),
    (lambda: negative_sampling([[0], [1]], 2.0), TypeError, "num_nodes: expected an int"),
    (lambda: negative_sampling([[0], [1]], (2, 3, 4)), ValueError, "num_nodes: expected an int or a pair"),
    (lambda: negative_sampling([[0], [1]], 4, True), TypeError, "num_neg_samples: expected an int"),
    (lambda: negative_sampling([[0], [1]], 4, "5"), TypeError, "num_neg_samples: expected an int"),
    (lambda: negative_sampling([[0], [1]], 4, -1), ValueError, "num_neg_samples: expected a count >= 0"),
    (lambda: negative_sampling([[0], [1]], 4, float("nan")), ValueError, "num_neg_samples: expected a ratio"),
    (lambda: negative_sampling([[0], [1]], 4, method="fast"), ValueError, "method: expected 'sparse' or 'dense'"),
    (lambda: negative_sampling([[0], [1]], 4_000_000_000), ValueError, "num_nodes: at most"),
    (lambda: batched_negative_sampling([[0], [2]], [0, 0, 1]), ValueError, "joins graphs 0 and 1"),
    (lambda: batched_negative_sampling([[0], [1]], [1, 0]), ValueError, "batch: graph ids must be >= 0 and sorted"),
    (lambda: batched_negative_sampling([[0], [1]], [0.0, 0.0]), TypeError, "batch: expected a 1-D integer"),
    (lambda: batched_negative_sampling([[0], [1]], ([0, 0],)), ValueError, r"batch: expected \(src_batch"),
    (lambda: batched_negative_sampling([[0], [3]], [0, 0]), IndexError, r"target ids must lie in \[0, 2\)"),
])
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
