"""DataLoader over a GraphDataset packs the stored graphs without copying each one first: the
batches are the same as indexing graph by graph, a batch never shares memory with the dataset,
and a dataset with a transform (or a subclass with its own ``get``) is indexed normally."""
from __future__ import annotations

import numpy as np

from npgnn.datasets._base import GraphDataset
from npgnn.graph import DataLoader, Graph


class _Toy(GraphDataset):
    name = "toy"

    def __init__(self, transform=None):
        rng = np.random.default_rng(0)
        graphs = []
        for k in range(7):
            n = 3 + k % 3
            graphs.append(Graph(rng.integers(0, n, (2, 2 * n)), num_nodes=n,
                                x=rng.standard_normal((n, 2)).astype(np.float32),
                                y=np.array([k % 2])))
        self._setup(graphs, transform, None, None)


class _OwnGet(_Toy):
    def get(self, idx):
        g = super().get(idx)
        g.x = g.x + 1
        return g


def _same(a, b):
    assert a.keys() == b.keys()
    for key in a.keys():
        np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]))


def test_batches_equal_indexing_and_own_their_memory():
    ds = _Toy()
    fast = list(DataLoader(ds, batch_size=3, shuffle=True, seed=4))
    slow = list(DataLoader(list(ds), batch_size=3, shuffle=True, seed=4))
    for a, b in zip(fast, slow):
        _same(a, b)
        a.x[...] = 99.0
        a.edge_index[...] = 0
    assert not any((g.x == 99.0).any() for g in ds)


def test_transform_and_own_get_are_honoured():
    plus = _Toy(transform=lambda g: g.replace(x=g.x * 0 + 5))
    assert all((b.x == 5).all() for b in DataLoader(plus, batch_size=4))
    own, base = _OwnGet(), _Toy()
    for a, b in zip(DataLoader(own, batch_size=4), DataLoader(base, batch_size=4)):
        np.testing.assert_allclose(a.x, b.x + 1)
