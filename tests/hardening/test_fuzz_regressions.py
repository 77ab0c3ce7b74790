"""Focused regression tests for the bugs the malformed-input property suite found."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn import Graph
from npgnn.loader import DataLoader

EI = np.array([[0, 1], [1, 2]])


@pytest.mark.parametrize("name", ["x", "edge_index", "edge_weight", "edge_attr", "y", "train_mask",
                                  "batch", "ptr"])
def test_ragged_nested_lists_name_the_field(name):
    """NumPy's "inhomogeneous shape" ValueError used to leak out of Graph's checks."""
    with pytest.raises(TypeError, match=rf"^{name}: expected an array, got list that NumPy "
                                        r"cannot convert"):
        Graph(**{"edge_index": EI, "num_nodes": 3, name: [[0, 1], [1]]})


def test_ragged_batch_without_num_nodes():
    """num_nodes inferred from a ragged batch list used to fail inside np.size."""
    with pytest.raises(TypeError, match=r"^batch: expected an array"):
        Graph(edge_index=EI, batch=[[0, 0], [1]])


@pytest.mark.parametrize("seed, error, match", [
    ({"a": 1}, TypeError, r"DataLoader: seed must be None, an int >= 0 or a np.random.Generator, "
                          r"got dict"),
    ("7", TypeError, r"DataLoader: seed must be None, an int >= 0 .*got str"),
    (1.5, TypeError, r"DataLoader: seed must be None, an int >= 0 .*got float"),
    (-1, ValueError, r"DataLoader: seed must be an int >= 0, got -1"),
])
def test_data_loader_checks_its_seed_before_iterating(seed, error, match):
    """A bad seed used to reach NumPy's SeedSequence ("expects int or sequence of ints")."""
    with pytest.raises(error, match=match):
        DataLoader([Graph(EI, num_nodes=3)], seed=seed)


@pytest.mark.parametrize("dataset", [None, 3, "graphs", {"a": Graph(EI, num_nodes=3)}])
def test_data_loader_needs_a_sequence(dataset):
    """len() of a non-sequence used to raise Python's own TypeError at iteration."""
    with pytest.raises(TypeError, match=r"DataLoader: dataset must be a sequence of Graphs"):
        DataLoader(dataset, batch_size=2)


def test_data_loader_seeded_shuffle_is_reproducible():
    graphs = [Graph(EI, num_nodes=3 + i) for i in range(6)]
    order = [[int(n) for n in np.diff(b.ptr)] for b in DataLoader(graphs, 2, True, seed=3)]
    assert order == [[int(n) for n in np.diff(b.ptr)] for b in DataLoader(graphs, 2, True, seed=3)]
    assert sorted(sum(order, [])) == list(range(3, 9))


@pytest.mark.parametrize("fn", ["scatter", "softmax"])
def test_scalar_src_is_refused_not_divided_by_zero(fn):
    """A 0-d src used to reach ``dim % src.ndim`` (ZeroDivisionError)."""
    from npgnn import utils

    call = {"scatter": lambda: utils.scatter(np.float64(1.0), np.array([0]), 0, 1),
            "softmax": lambda: utils.softmax(np.float64(1.0), np.array([0]))}[fn]
    with pytest.raises(ValueError, match=r"src: expected an array with the groups along dim, "
                                         r"got a scalar"):
        call()


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits",
                                  "mse_loss", "l1_loss"])
def test_mean_of_no_losses_is_nan_without_a_warning(loss):
    """torch gives NaN for the mean over an empty batch; npgnn did too, with NumPy's
    "Mean of empty slice" RuntimeWarning."""
    import warnings

    import npgnn.nn.functional as F

    empty = np.empty(0, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(F, loss)(empty, empty)
    assert out.shape == () and np.isnan(out.data)


def test_pool_with_no_batch_and_size_zero_names_the_argument():
    """batch=None puts every row in graph 0; size=0 used to reach SciPy's COO constructor."""
    from npgnn.nn.pool import global_add_pool

    with pytest.raises(ValueError, match=r"global_add_pool: size=0 leaves no graph for the 2 rows"):
        global_add_pool(np.ones((2, 3)), None, 0)
    assert global_add_pool(np.ones((0, 3)), None, 0).shape == (0, 3)


def test_empty_complex_batch_is_refused_without_a_complex_warning():
    """An empty complex batch used to be cast to int64 (NumPy's ComplexWarning), then accepted."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match=r"batch: expected integer graph ids, got complex128"):
            Graph(edge_index=np.empty((2, 0), np.int64), batch=np.array([], dtype=complex))
        assert Graph(edge_index=np.empty((2, 0), np.int64), batch=[]).num_nodes == 0
