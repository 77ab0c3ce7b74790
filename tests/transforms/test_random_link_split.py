"""RandomLinkSplit: PyG's exact results given the same shuffle and negatives, no leakage of the
predicted edges into any message graph (hypothesis), determinism, labels and errors."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings
from hypothesis import strategies as st

from npgnn import Graph
from npgnn.transforms import RandomLinkSplit
from npgnn.utils import negative_sampling

FAST = settings(max_examples=60, deadline=None)


def random_graph(seed, n=20, e=60, undirected=False):
    """Coalesced edges without duplicates (both directions when undirected), a self-loop too."""
    rng = np.random.default_rng(seed)
    keys = np.unique(rng.integers(0, n * n, e))
    ei = np.stack([keys // n, keys % n])
    if undirected:
        ei = np.unique(np.concatenate([ei, ei[::-1]], axis=1), axis=1)
    return ei


def pairs(ei, undirected):
    a, b = (np.minimum(*ei), np.maximum(*ei)) if undirected else ei
    return set(zip(a.tolist(), b.tolist()))


@pytest.mark.parametrize("is_undirected", [False, True])
@pytest.mark.parametrize("split_labels", [False, True])
@pytest.mark.parametrize("add_negative_train_samples, neg_sampling_ratio, disjoint_train_ratio, num_val",
                         [(True, 1.0, 0.0, 0.1), (False, 2.0, 0.3, 5), (True, 0.5, 4, 0.25)])
def test_equals_pyg_given_the_same_shuffle_and_negatives(monkeypatch, is_undirected, split_labels,
                                                        add_negative_train_samples, neg_sampling_ratio,
                                                        disjoint_train_ratio, num_val):
    torch = pytest.importorskip("torch")
    pyg_split = pytest.importorskip("torch_geometric.transforms.random_link_split")
    from torch_geometric.data import Data

    n = 20
    ei = random_graph(0, n, 80, is_undirected)
    rng = np.random.default_rng(1)
    x, w, attr = rng.standard_normal((n, 3)), rng.random(ei.shape[1]), rng.standard_normal((ei.shape[1], 2))
    options = dict(num_val=num_val, num_test=0.2, is_undirected=is_undirected, split_labels=split_labels,
                   add_negative_train_samples=add_negative_train_samples,
                   neg_sampling_ratio=neg_sampling_ratio, disjoint_train_ratio=disjoint_train_ratio)
    kind = np.arange(ei.shape[1]) % 4                   # an extra edge-level attribute
    ours = RandomLinkSplit(**options, rng=7)(Graph(ei, x=x, edge_weight=w, edge_attr=attr, edge_type=kind))

    # npgnn draws the shuffle, then the negatives, from one Generator: hand PyG the same draws
    draws = np.random.default_rng(7)
    count = int((ei[0] <= ei[1]).sum()) if is_undirected else ei.shape[1]
    perm = draws.permutation(count)
    monkeypatch.setattr(torch, "randperm", lambda k, device=None: torch.from_numpy(perm))
    monkeypatch.setattr(pyg_split, "negative_sampling", lambda edge_index, size, num_neg_samples, method:
                        torch.from_numpy(negative_sampling(ei, size, num_neg_samples, rng=draws)))
    data = Data(x=torch.from_numpy(x), edge_index=torch.from_numpy(ei), edge_weight=torch.from_numpy(w),
                edge_attr=torch.from_numpy(attr), edge_type=torch.from_numpy(kind))
    theirs = pyg_split.RandomLinkSplit(**options)(data)

    for mine, their in zip(ours, theirs):
        keys = [k for k in their.keys() if k != "x"]
        assert sorted(keys) == sorted(k for k in mine.keys() if k != "x")
        for k in keys:
            np.testing.assert_array_equal(getattr(mine, k), their[k].numpy(), err_msg=k)
            assert getattr(mine, k).dtype == their[k].numpy().dtype, k
        np.testing.assert_array_equal(mine.x, x)


@FAST
@given(st.integers(0, 2**32 - 1), st.booleans(), st.floats(0.0, 0.3), st.floats(0.0, 0.3),
       st.sampled_from([0.0, 0.2, 3]), st.sampled_from([0.5, 1.0, 3.0]))
def test_message_edges_never_leak_the_predicted_edges(seed, undirected, num_val, num_test, disjoint, ratio):
    ei = random_graph(seed, n=15, e=50, undirected=undirected)
    transform = RandomLinkSplit(num_val, num_test, is_undirected=undirected, split_labels=True,
                                neg_sampling_ratio=ratio, disjoint_train_ratio=disjoint, rng=seed)
    try:
        train, val, test = transform(Graph(ei, num_nodes=15))
    except ValueError as err:                        # too few edges left for training
        assert "Insufficient number of edges for training" in str(err)
        return
    every_edge = pairs(ei, undirected)
    pos = {name: pairs(s.pos_edge_label_index, undirected) for name, s in zip("tvs", (train, val, test))}
    msg = {name: pairs(s.edge_index, undirected) for name, s in zip("tvs", (train, val, test))}
    assert not msg["t"] & (pos["v"] | pos["s"])
    assert not msg["v"] & (pos["v"] | pos["s"])
    assert not msg["s"] & pos["s"]
    assert msg["t"] <= msg["v"] <= msg["s"] <= every_edge
    assert not pos["v"] & pos["s"] and not pos["t"] & (pos["v"] | pos["s"])
    if disjoint:
        assert not msg["t"] & pos["t"]                  # supervision edges pass no messages
    else:
        assert msg["t"] == pos["t"]
        assert pos["t"] | pos["v"] | pos["s"] == every_edge     # every edge is predicted once
    for s in (train, val, test):
        if hasattr(s, "neg_edge_label_index"):
            negatives = set(zip(*s.neg_edge_label_index.tolist()))
            assert not negatives & set(zip(*ei.tolist()))            # never an edge
            assert all(a != b for a, b in negatives)
            np.testing.assert_array_equal(s.neg_edge_label, 0)
        np.testing.assert_array_equal(s.pos_edge_label, 1)
        if undirected:                                    # both directions of each message edge
            assert set(zip(*s.edge_index.tolist())) == set(zip(*s.edge_index[::-1].tolist()))


def test_a_seed_fixes_the_split_and_a_generator_advances():
    g = Graph(random_graph(3, undirected=True), num_nodes=20)
    first = RandomLinkSplit(is_undirected=True, rng=5)(g)
    again = RandomLinkSplit(is_undirected=True, rng=5)(g)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.edge_index, b.edge_index)
        np.testing.assert_array_equal(a.edge_label_index, b.edge_label_index)
    transform = RandomLinkSplit(rng=np.random.default_rng(5))
    assert not np.array_equal(transform(g)[0].edge_label_index, transform(g)[0].edge_label_index)


def test_existing_integer_edge_labels_are_shifted_by_one():
    ei = random_graph(4, n=20, e=60)
    classes = np.arange(ei.shape[1]) % 3
    g = Graph(ei, num_nodes=20, edge_label=classes)
    train, val, test = RandomLinkSplit(num_val=0.2, num_test=0.2, rng=0)(g)
    lookup = {(a, b): c for a, b, c in zip(*ei.tolist(), classes.tolist())}
    for s in (train, val, test):
        pos = s.edge_label > 0
        expected = [lookup[p] + 1 for p in zip(*s.edge_label_index[:, pos].tolist())]
        np.testing.assert_array_equal(s.edge_label[pos], expected)
        assert s.edge_label.dtype == np.int64 and (s.edge_label == 0).sum() == (~pos).sum()


def test_too_few_non_edges_share_what_exists_with_a_warning():
    n = 4
    a, b = np.meshgrid(np.arange(n), np.arange(n))
    ei = np.stack([a.ravel(), b.ravel()])[:, :-3]          # 13 of 16 pairs: 2 non-edges off the diagonal
    with pytest.warns(UserWarning, match="not enough negative edges"):
        train, val, test = RandomLinkSplit(num_val=2, num_test=2, rng=0)(Graph(ei, num_nodes=n))
    assert sum(int((s.edge_label == 0).sum()) for s in (train, val, test)) == 2


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(num_val=1.5), ValueError, r"num_val: expected a fraction in \[0, 1\], got 1.5"),
    (dict(num_test=-2), ValueError, "num_test: expected a count >= 0, got -2"),
    (dict(num_val="10%"), TypeError, "num_val: expected an int count or a float fraction"),
    (dict(disjoint_train_ratio=True), TypeError, "disjoint_train_ratio: expected an int count"),
    (dict(neg_sampling_ratio=-1.0), ValueError, "neg_sampling_ratio: expected a finite number >= 0"),
    (dict(key=""), TypeError, "key: expected a non-empty attribute name"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        RandomLinkSplit(**kwargs)


def test_bad_graphs_are_refused_before_sampling():
    with pytest.raises(TypeError, match="graph: expected an npgnn Graph, got ndarray"):
        RandomLinkSplit()(np.zeros((2, 3), np.int64))
    with pytest.raises(ValueError, match="Insufficient number of edges for training: 3 edges"):
        RandomLinkSplit(num_val=1, num_test=2, rng=0)(Graph([[0, 1, 2], [1, 2, 0]]))
    with pytest.raises(ValueError, match=r"disjoint_train_ratio takes (\d+) of the \1 training edges"):
        RandomLinkSplit(disjoint_train_ratio=1.0, rng=0)(Graph(random_graph(0, 5, 10)))
    g = Graph([[0, 1], [1, 2]], edge_label=np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="edge_label: an existing edge label must be one integer class"):
        RandomLinkSplit(num_val=0, num_test=0, rng=0)(g)
