"""DegreeCorrectedBlockModelDataset: the generated graph, its split, features and checks."""
import numpy as np
import pytest

from npgnn.datasets import DegreeCorrectedBlockModelDataset
from npgnn.datasets.blockmodel import PRODUCTS_TRAIN_FRACTION, PRODUCTS_VAL_FRACTION


@pytest.fixture(scope="module")
def ds():
    return DegreeCorrectedBlockModelDataset(5000, avg_degree=20, num_channels=16, num_classes=5,
                                            homophily=0.85, class_sep=1.0, seed=0)


def test_graph_fields_and_split(ds):
    g = ds.graph
    n = 5000
    assert len(ds) == 1 and g.num_nodes == n and ds.num_classes == 5
    assert ds.num_node_features == ds.num_features == 16
    assert g.x.dtype == np.float32 and g.x.shape == (n, 16)
    assert g.y.dtype == np.int64 and g.y.min() >= 0 and g.y.max() < 5
    assert g.edge_index.dtype == np.int64 and 0.85 * 20 * n < g.num_edges <= 20 * n
    masks = np.stack([g.train_mask, g.val_mask, g.test_mask])
    assert masks.dtype == bool and (masks.sum(0) == 1).all()       # a partition of the nodes
    assert g.train_mask.sum() == round(n * PRODUCTS_TRAIN_FRACTION)
    assert g.val_mask.sum() == round(n * PRODUCTS_VAL_FRACTION)
    assert not g.has_self_loops() and g.is_undirected()
    assert (np.bincount(g.y, minlength=5)[:-1] >= np.bincount(g.y, minlength=5)[1:] * 0.8).all()


def test_features_carry_the_class(ds):
    g = ds.graph
    centroids = np.stack([g.x[g.y == c].mean(0) for c in range(5)])
    nearest = np.argmin(((g.x[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
    assert (nearest == g.y).mean() > 0.6                 # far above chance (largest class ~44%)
    flat = DegreeCorrectedBlockModelDataset(2000, num_channels=16, num_classes=5, class_sep=0.0,
                                            seed=0).graph
    spread = np.stack([flat.x[flat.y == c].mean(0) for c in range(5)])
    assert np.abs(spread).max() < 0.35                  # no signal: centroids all near 0


def test_neighbours_share_the_class(ds):
    g = ds.graph
    assert (g.y[g.edge_index[0]] == g.y[g.edge_index[1]]).mean() > 0.8


def test_deterministic_for_a_seed(ds):
    again = DegreeCorrectedBlockModelDataset(5000, avg_degree=20, num_channels=16, num_classes=5,
                                             homophily=0.85, class_sep=1.0, seed=0).graph
    for key in ("x", "y", "edge_index", "train_mask", "val_mask", "test_mask"):
        assert np.array_equal(getattr(ds.graph, key), getattr(again, key)), key
    other = DegreeCorrectedBlockModelDataset(5000, avg_degree=20, num_channels=16, num_classes=5,
                                             homophily=0.85, class_sep=1.0, seed=1).graph
    assert not np.array_equal(ds.graph.y, other.y)


def test_transform_and_copy(ds):
    shifted = DegreeCorrectedBlockModelDataset(300, num_channels=4, num_classes=3, seed=0,
                                               transform=lambda g: g.clone())
    assert shifted.num_node_features == 4
    g = ds[0]
    g.x[:] = 0
    assert ds.graph.x.any()                              # ds[0] is a copy
    assert "num_nodes=5000" in repr(ds)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_nodes": 0}, ValueError, "num_nodes"),
    ({"num_nodes": 10.0}, TypeError, "num_nodes"),
    ({"avg_degree": 0}, ValueError, r"avg_degree must lie in \(0.0"),
    ({"avg_degree": "5"}, TypeError, "avg_degree must be a real number"),
    ({"num_channels": 0}, ValueError, "num_channels"),
    ({"num_classes": 0}, ValueError, "num_classes"),
    ({"class_sep": -1.0}, ValueError, "class_sep must lie in"),
    ({"train_fraction": 1.5}, ValueError, "train_fraction must lie in"),
    ({"train_fraction": 0.7, "val_fraction": 0.4}, ValueError, "must be <= 1"),
    ({"class_weights": [1.0, 2.0]}, TypeError, r"class_weights must be \(3,\)"),
    ({"class_weights": [1.0, -2.0, 1.0]}, ValueError, "class_weights must be finite"),
    ({"seed": 1.5}, TypeError, "DegreeCorrectedBlockModelDataset: seed must be"),
    ({"homophily": 0.01}, ValueError, "homophily must lie in"),
    ({"transform": 3}, TypeError, "transform must be callable"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    args = {"num_nodes": 100, "num_channels": 4, "num_classes": 3, "seed": 0} | kwargs
    with pytest.raises(error, match=match):
        DegreeCorrectedBlockModelDataset(**args)
