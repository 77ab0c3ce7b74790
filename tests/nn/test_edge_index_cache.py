"""A raw edge_index reuses its Graph across calls, and never a stale one (nn/conv/_edge_index_cache)."""
from __future__ import annotations

import gc

import numpy as np
import pytest

import npgnn
from npgnn.nn import GCNConv, SAGEConv
from npgnn.nn.conv import _edge_index_cache as cache
from npgnn.nn.conv._structure import as_graph


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_same_array_same_graph() -> None:
    ei = np.array([[0, 1, 2, 2], [1, 2, 0, 0]])
    g = as_graph(ei, 3)
    assert as_graph(ei, 3) is g
    assert as_graph(ei, 4) is not g and as_graph(ei, 4).num_nodes == 4
    assert as_graph(ei.copy(), 3) is not g          # another array: its own entry
    assert not g.edge_index.flags.writeable        # the Graph holds a private, frozen copy
    assert np.shares_memory(g.edge_index, ei) is False


def test_in_place_edit_is_never_served_stale() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3))
    ei = np.array([[0, 1, 2, 3], [1, 2, 3, 4]])
    conv = GCNConv(3, 2).double()
    first = conv(x, ei).data
    g = as_graph(ei, 5)
    ei[1, 0] = 4                                       # in place: same id, same shape
    g2 = as_graph(ei, 5)
    assert g2 is not g and g2.edge_index[1, 0] == 4
    expected = conv(x, npgnn.Graph(ei.copy(), num_nodes=5)).data
    np.testing.assert_allclose(conv(x, ei).data, expected, rtol=1e-12)
    assert not np.allclose(expected, first)
    ei[:] = ei[:, ::-1].copy()                         # a permutation keeps any sum-style hash
    sage = SAGEConv(3, 2).double()
    np.testing.assert_allclose(sage(x, ei).data, sage(x, npgnn.Graph(ei.copy(), num_nodes=5)).data,
                               rtol=1e-12)
    assert np.array_equal(as_graph(ei, 5).edge_index, ei)


def test_freed_array_leaves_the_cache() -> None:
    ei = np.array([[0, 1], [1, 0]])
    as_graph(ei, 2)
    assert cache.size() == 1
    del ei
    gc.collect()
    assert cache.size() == 0


def test_bounded_and_invalid_input_not_cached() -> None:
    arrays = [np.array([[0], [k % 3]]) for k in range(cache.MAX_ENTRIES + 5)]
    for a in arrays:
        as_graph(a, 3)
    assert cache.size() == cache.MAX_ENTRIES
    cache.clear()
    with pytest.raises(IndexError):
        as_graph(np.array([[0], [7]]), 3)
    assert cache.size() == 0


def test_torch_tensor_and_list_inputs() -> None:
    torch = pytest.importorskip("torch")
    t = torch.tensor([[0, 1], [1, 2]])
    g = as_graph(t, 3)
    assert as_graph(t, 3) is g
    t[1, 1] = 0
    assert as_graph(t, 3).edge_index[1, 1] == 0
    lst = [[0, 1], [1, 2]]
    assert as_graph(lst, 3) is not as_graph(lst, 3)   # lists are not cached
    assert cache.size() == 1
