"""PackedGraphs / DataLoader over a GraphDataset: every batch gathered from the dataset packed once
equals ``Batch.from_data_list`` of the same graphs (arrays, dtypes, packing metadata, unbatching),
for offset keys, numbers, lists, custom ``__inc__`` and repeated ids; batches own their memory;
transforms, subclasses with their own ``get``, sparse attributes and follow_batch pack per batch."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.datasets._base import GraphDataset
from npgnn.graph import Batch, DataLoader, Graph
from npgnn.graph.packed import PackedGraphs, ranges


class _Toy(GraphDataset):
    name = "toy"

    def __init__(self, graphs=None, transform=None):
        if graphs is None:
            rng = np.random.default_rng(0)
            graphs = []
            for k in range(9):
                n = k % 4                                     # graph 0 and 4 have no nodes
                ei = rng.integers(0, n, (2, 2 * n)) if n else np.zeros((2, 0), np.int64)
                graphs.append(Graph(ei, num_nodes=n,
                                    x=rng.standard_normal((n, 2)).astype(np.float32),
                                    y=np.array([k % 2]), node_index=np.arange(n),
                                    count=k, name=f"g{k}",
                                    edge_feat=rng.standard_normal((2 * n, 3))))
        self._setup(graphs, transform, None, None)


class _Shifted(Graph):
    def __inc__(self, key, value, *args, **kwargs):
        return 10 if key == "count" else super().__inc__(key, value, *args, **kwargs)


class _OwnGet(_Toy):
    def get(self, idx):
        g = super().get(idx)
        g.x = g.x + 1
        return g


def _same(a: Batch, b: Batch) -> None:
    assert type(a) is type(b) and a.keys() == b.keys() and a.num_graphs == b.num_graphs
    assert list(a.__dict__) == list(b.__dict__)
    for key in list(a.keys()) + ["batch", "ptr"]:
        va, vb = a[key], b[key]
        if isinstance(vb, np.ndarray):
            assert va.dtype == vb.dtype, key
            np.testing.assert_array_equal(va, vb, err_msg=key)
        else:
            assert va == vb, key
    for key, s in b.__dict__["_slices"].items():
        t = a.__dict__["_slices"][key]
        assert (t.kind, t.dim, t.edge_level) == (s.kind, s.dim, s.edge_level), key
        np.testing.assert_array_equal(t.offsets, s.offsets)
        assert (t.incs is None) == (s.incs is None), key
        if s.incs is not None:
            np.testing.assert_array_equal(t.incs, s.incs)
    for ga, gb in zip(a.to_data_list(), b.to_data_list()):
        for key in gb.keys():
            np.testing.assert_array_equal(np.asarray(ga[key]), np.asarray(gb[key]))


def test_ranges():
    starts, lengths = np.array([5, 0, 9, 2]), np.array([2, 0, 3, 1])
    np.testing.assert_array_equal(ranges(starts, lengths), [5, 6, 9, 10, 11, 2])
    assert ranges(starts, np.zeros(4, np.int64)).size == 0


@pytest.mark.parametrize("ids", [[3, 1, 2], [0], [4, 0], [8, 8, 2, 0, 5], list(range(9))])
def test_equals_from_data_list(ids):
    graphs = _Toy()._stored
    packed = PackedGraphs(graphs)
    _same(packed.batch(np.array(ids)), Batch.from_data_list([graphs[i] for i in ids]))


def test_custom_inc_and_exclude_keys():
    graphs = [_Shifted(g.edge_index, num_nodes=g.num_nodes, x=g.x, count=g.count)
              for g in _Toy()._stored]
    packed = PackedGraphs(graphs, exclude_keys=["x"])
    for ids in ([2, 7, 1], [0, 0]):
        _same(packed.batch(np.array(ids)),
              Batch.from_data_list([graphs[i] for i in ids], exclude_keys=["x"]))


def test_loader_batches_equal_and_own_their_memory():
    ds = _Toy()
    fast = list(DataLoader(ds, batch_size=4, shuffle=True, seed=4))
    slow = list(DataLoader(list(ds), batch_size=4, shuffle=True, seed=4))
    assert ds.__dict__.get("_packed_cache") and len(fast) == len(slow) == 3
    for a, b in zip(fast, slow):
        _same(a, b)
        a.x[...] = 99.0
        a.edge_index[...] = 0
    assert not any((g.x == 99.0).any() for g in ds)
    view = ds[[5, 6, 7]]                 # a view packs its own graphs
    _same(next(iter(DataLoader(view, batch_size=3))),
          Batch.from_data_list([ds[5], ds[6], ds[7]]))


def test_per_batch_packing_when_needed():
    plus = _Toy(transform=lambda g: g.replace(x=g.x * 0 + 5))
    assert all((b.x == 5).all() for b in DataLoader(plus, batch_size=4))
    own, base = _OwnGet(), _Toy()
    for a, b in zip(DataLoader(own, batch_size=4), DataLoader(base, batch_size=4)):
        np.testing.assert_allclose(a.x, b.x + 1)
    sparse = _Toy([Graph(np.zeros((2, 0), np.int64), num_nodes=2,
                         x=sp.csr_matrix(np.eye(2, dtype=np.float32))) for _ in range(3)])
    assert sparse._packed_for_collate() is None
    assert next(iter(DataLoader(sparse, batch_size=3))).x.shape == (6, 2)
    follow = next(iter(DataLoader(_Toy(), batch_size=3, follow_batch=["x"])))
    assert "x_batch" in follow.keys()
