"""karate_club(): the two clubs of Zachary's study, from networkx."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from npgnn.datasets import karate_club
from npgnn.graph import Graph


def test_structure() -> None:
    g = karate_club()
    assert isinstance(g, Graph) and g.num_nodes == 34
    assert g.edge_index.shape == (2, 156) and g.edge_index.dtype == np.int64
    src, dst = g.edge_index
    und = {tuple(sorted(e)) for e in nx.karate_club_graph().edges()}
    assert len(und) == 78 and set(zip(src.tolist(), dst.tolist(), strict=True)) == (
        und | {(j, i) for i, j in und})
    assert (np.diff(src * 34 + dst) > 0).all()                 # sorted, no duplicates
    np.testing.assert_array_equal(g.x, np.eye(34, dtype=np.float32))
    assert g.x.dtype == np.float32


def test_labels_are_the_two_clubs() -> None:
    g = karate_club()
    clubs = nx.get_node_attributes(nx.karate_club_graph(), "club")
    assert g.y.dtype == np.int64 and np.bincount(g.y).tolist() == [17, 17]
    assert all((g.y[i] == 0) == (clubs[i] == "Mr. Hi") for i in range(34))
    assert g.y[0] == 0 and g.y[33] == 1


def test_splits() -> None:
    g = karate_club()
    assert np.flatnonzero(g.train_mask).tolist() == [0, 33]
    assert g.val_mask.sum() == 0 and g.test_mask.sum() == 32
    assert not (g.train_mask & g.test_mask).any()
    a = karate_club("all")
    assert a.train_mask.all() and a.val_mask.all() and a.test_mask.all()
    a.train_mask[0] = False                                   # masks are separate arrays
    assert a.test_mask[0]
    with pytest.raises(ValueError, match="split must be one of .*'leaders', 'all'.*'some'"):
        karate_club("some")
