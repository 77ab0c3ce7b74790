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
