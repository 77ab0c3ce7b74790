"""RandomNodeSplit follows PyG's rules (sizes, per-class counts, disjoint cover), seeded; bad
arguments to the transforms are refused with a message naming them."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import npgnn.transforms as T
from npgnn import Graph

from ._helpers import random_edges


def labelled(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return Graph(random_edges(seed, n, 100), num_nodes=n, x=rng.random((n, 2)),
                 y=rng.integers(0, 3, n))


def _check_partition(out):
    total = out.train_mask.astype(int) + out.val_mask + out.test_mask
    assert total.max() <= 1
    return total


def test_train_rest():
    g = labelled()
    out = T.RandomNodeSplit(num_val=10, num_test=0.25, rng=0)(g)
    assert (out.val_mask.sum(), out.test_mask.sum(), out.train_mask.sum()) == (10, 15, 35)
    assert (_check_partition(out) == 1).all()
    again = T.RandomNodeSplit(num_val=10, num_test=0.25, rng=0)(g)
    assert np.array_equal(out.val_mask, again.val_mask)
    other = T.RandomNodeSplit(num_val=10, num_test=0.25, rng=1)(g)
    assert not np.array_equal(out.val_mask, other.val_mask)


@pytest.mark.parametrize("split", ["test_rest", "random"])
def test_per_class_splits(split):
    g = labelled()
    counts = np.bincount(g.y)
    out = T.RandomNodeSplit(split, num_train_per_class=5, num_val=8, num_test=12, rng=3)(g)
    assert np.array_equal(np.bincount(g.y[out.train_mask], minlength=3), np.minimum(counts, 5))
    assert out.val_mask.sum() == 8
    total = _check_partition(out)
    if split == "test_rest":
        assert (total == 1).all()
    else:
        assert out.test_mask.sum() == 12
    few = T.RandomNodeSplit(split, num_train_per_class=100, num_val=0, num_test=0, rng=0)(g)
    assert few.train_mask.all()


def test_unlabelled_graph_is_returned_unchanged():
    g = labelled().replace(y=None)
    assert T.RandomNodeSplit("random")(g).train_mask is None


@pytest.mark.parametrize("make, error, match", [
    (lambda: T.RandomNodeSplit("stratified"), ValueError, "split: expected one of"),
    (lambda: T.RandomNodeSplit(num_val=1.5), ValueError, r"num_val: a fraction must lie in"),
    (lambda: T.RandomNodeSplit(num_test=-1), ValueError, "num_test: expected an int >= 0"),
    (lambda: T.RandomNodeSplit(num_splits=0), ValueError, "num_splits: expected an int >= 1"),
    (lambda: T.RandomNodeSplit("random", key=None), ValueError, "key: split='random' needs"),
    (lambda: T.OneHotDegree(-1), ValueError, "max_degree: expected an int >= 0"),
    (lambda: T.OneHotDegree(2.5), TypeError, "max_degree: expected an int"),
    (lambda: T.LargestConnectedComponents(0), ValueError, "num_components: expected an int"),
    (lambda: T.LargestConnectedComponents(connection="both"), ValueError, "connection:"),
    (lambda: T.ToUndirected("median"), ValueError, "reduce: expected one of"),
    (lambda: T.Compose([T.GCNNorm(), "x"]), TypeError, r"transforms\[1\]: expected a callable"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("transform, match", [
    (T.RandomNodeSplit(num_val=50, num_test=20), "num_val \\+ num_test = 70 exceeds the 60"),
    (T.RandomNodeSplit("random", num_val=50, num_test=20), "num_val \\+ num_test = 70 exceeds"),
    (T.OneHotDegree(1), "OneHotDegree: a node has degree"),
    (T.NormalizeFeatures(["pos"]), "NormalizeFeatures: the graph has no attribute 'pos'"),
    (T.RandomNodeSplit(num_splits=2, num_val=5, num_test=5), "num_splits=2"),
])
def test_bad_graph_for_the_transform(transform, match):
    with pytest.raises(ValueError, match=match):
        transform(labelled())


def test_inputs_are_never_modified():
    g = labelled().replace(edge_weight=np.ones(103), x=sp.csr_matrix(np.eye(60)))
    before = {k: np.copy(getattr(g, k)) for k in ("edge_index", "edge_weight", "y")}
    x_before = g.x.copy()
    for transform in (T.NormalizeFeatures(), T.ToUndirected(), T.AddSelfLoops(), T.GCNNorm(),
                      T.RemoveSelfLoops(), T.RemoveIsolatedNodes(), T.Constant(),
                      T.OneHotDegree(60), T.RandomNodeSplit(num_val=5, num_test=5),
                      T.LargestConnectedComponents(), T.TargetIndegree()):
        transform(g)
    for k, v in before.items():
        assert np.array_equal(getattr(g, k), v)
    assert (g.x != x_before).nnz == 0


def test_global_seed_makes_splits_reproducible():
    import npgnn
    from npgnn.utils import dropout_edge

    g = labelled()
    runs = []
    for _ in range(2):
        npgnn.manual_seed(7)
        split = T.RandomNodeSplit(num_val=10, num_test=10)
        runs.append((split(g).val_mask, dropout_edge(g.edge_index, 0.5)[1]))
    assert all(np.array_equal(a, b) for a, b in zip(*runs))
