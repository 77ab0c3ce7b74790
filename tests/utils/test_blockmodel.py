"""degree_corrected_blockmodel_graph: structure, statistics, determinism, argument checks."""
import numpy as np
import pytest

import npgnn
from npgnn.utils import degree_corrected_blockmodel_graph, is_undirected

N, K = 6000, 6
BLOCKS = np.random.default_rng(123).integers(0, K, N)


def _graph(**kwargs):
    args = {"blocks": BLOCKS, "num_edges": 120_000, "homophily": 0.8, "seed": 0} | kwargs
    return degree_corrected_blockmodel_graph(**args)


def test_simple_symmetric_sorted_graph():
    ei = _graph()
    assert ei.dtype == np.int64 and ei.shape[0] == 2
    assert 0.9 * 120_000 < ei.shape[1] <= 120_000
    assert not (ei[0] == ei[1]).any()
    keys = ei[1] * N + ei[0]
    assert (np.diff(keys) > 0).all()                      # sorted by (target, source), no repeats
    assert is_undirected(ei, num_nodes=N)
    assert ei.min() >= 0 and ei.max() < N


def test_degrees_are_skewed_and_follow_the_exponent():
    deg = np.bincount(_graph(degree_exponent=2.2)[1], minlength=N)
    assert deg.max() > 8 * np.median(deg)                 # a heavy tail: hubs far above typical
    assert deg.mean() > 1.3 * np.median(deg)
    flat = np.bincount(_graph(degree_exponent=6.0)[1], minlength=N)
    assert flat.max() < deg.max() / 2
    # tail exponent: the complementary CDF falls roughly as k^-(gamma-1) over the upper decades
    ks = np.sort(deg)[::-1][: N // 10]
    slope = np.polyfit(np.log(ks), np.log(np.arange(1, ks.size + 1) / N), 1)[0]
    assert -2.2 < slope < -0.7


def test_communities_are_denser_inside_than_across():
    ei = _graph(homophily=0.8)
    inside = BLOCKS[ei[0]] == BLOCKS[ei[1]]
    assert abs(inside.mean() - 0.8) < 0.03
    sizes = np.bincount(BLOCKS, minlength=K).astype(float)
    pairs_in = (sizes * (sizes - 1)).sum()
    density_in = inside.sum() / pairs_in
    density_out = (~inside).sum() / (N * (N - 1) - pairs_in)
    assert density_in > 10 * density_out
    blind = _graph(homophily=float(((sizes / N) ** 2).sum()) + 0.01)
    assert (BLOCKS[blind[0]] == BLOCKS[blind[1]]).mean() < 0.25


def test_same_seed_same_graph_other_seed_other_graph():
    assert np.array_equal(_graph(seed=7), _graph(seed=7))
    assert not np.array_equal(_graph(seed=7), _graph(seed=8))
    npgnn.manual_seed(3)
    a = _graph(seed=None)
    npgnn.manual_seed(3)
    assert np.array_equal(a, _graph(seed=None))
    assert np.array_equal(_graph(seed=np.random.default_rng(5)), _graph(seed=5))


def test_max_degree_caps_hubs():
    deg = np.bincount(_graph(degree_exponent=2.1, max_degree=60)[1], minlength=N)
    assert deg.max() <= 1.6 * 60                         # Poisson spread above the expected cap


def test_tiny_and_edge_cases():
    one = degree_corrected_blockmodel_graph(np.zeros(1, np.int64), 10, homophily=1.0, seed=0)
    assert one.shape == (2, 0)                            # one node: every draw is a self-loop
    none = degree_corrected_blockmodel_graph(np.array([0, 1, 1]), 0, homophily=0.9, seed=0)
    assert none.shape == (2, 0)
    gap = degree_corrected_blockmodel_graph(np.array([0, 3, 3, 0] * 50), 2000, homophily=0.9,
                                            seed=0)      # empty blocks 1 and 2 are fine
    assert gap.shape[1] > 0


@pytest.mark.parametrize("kwargs, error, match", [
    ({"blocks": np.zeros((2, 3), np.int64)}, TypeError, "blocks must be a 1-D integer"),
    ({"blocks": np.array([0.5, 1.0])}, TypeError, "blocks must be a 1-D integer"),
    ({"blocks": np.array([], np.int64)}, ValueError, "at least one node"),
    ({"blocks": np.array([0, -1])}, ValueError, "block ids must be >= 0"),
    ({"num_edges": 2.5}, TypeError, "num_edges"),
    ({"num_edges": -1}, ValueError, "num_edges"),
    ({"homophily": "high"}, TypeError, "homophily must be a real number"),
    ({"homophily": float("nan")}, ValueError, "homophily must be finite"),
    ({"homophily": 1.5}, ValueError, r"homophily must lie in \[0.1"),
    ({"homophily": 0.05}, ValueError, r"homophily must lie in \[0.1"),
    ({"degree_exponent": 2.0}, ValueError, "degree_exponent must be > 2"),
    ({"max_degree": 0.5}, ValueError, "max_degree must be >= 1"),
    ({"seed": "0"}, TypeError, "seed must be an int"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        _graph(**kwargs)
