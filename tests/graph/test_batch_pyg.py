"""Batch as PyG's: every attribute packed as torch_geometric's collate packs it, and back."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npgnn.data import Batch, Data
from npgnn.graph import Graph, unbatch
from npgnn.loader import DataLoader

from ._helpers import assert_graph_equal


def graph_with_every_level(rng: np.random.Generator, n: int, e: int, k: int = 2) -> Data:
    """Node-, edge-, index- and graph-level attributes, a Python number and a string."""
    return Data(x=rng.standard_normal((n, 3)), edge_index=rng.integers(0, max(n, 1), (2, e)),
                edge_attr=rng.random((e, 2)), y=rng.integers(0, 3, (1,)),
                node_score=rng.random(n), edge_label=rng.integers(0, 2, e),
                edge_label_index=rng.integers(0, max(n, 1), (2, k)),
                target=rng.random((1, 4)), count=int(rng.integers(9)), name=f"g{n}")


def to_numpy(value):
    return value.numpy() if hasattr(value, "numpy") else value


@pytest.mark.parametrize("seed", range(3))
def test_from_data_list_equals_pyg(seed):
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric.data")
    rng = np.random.default_rng(seed)
    graphs = [graph_with_every_level(rng, n, e) for n, e in ((4, 6), (1, 1), (5, 7))]
    theirs = pyg.Batch.from_data_list([
        pyg.Data(**{k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in g})
        for g in graphs], follow_batch=["edge_label_index"])
    ours = Batch.from_data_list(graphs, follow_batch=["edge_label_index"])
    assert sorted(ours.keys()) == sorted(theirs.keys())
    assert ours.num_graphs == theirs.num_graphs == 3
    for key in ours.keys():
        mine, ref = ours[key], to_numpy(theirs[key])
        if isinstance(mine, np.ndarray):
            np.testing.assert_array_equal(mine, ref, err_msg=key)
        else:
            assert list(mine) == list(ref), key
    assert ours.y.shape == (3,) and ours.target.shape == (3, 4)


def test_subclass_inc_and_cat_dim_are_honoured_as_in_pyg():
    """PyG's "pairs of graphs" example: two edge indices, each offset by its own node set."""
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric.data")

    def rules(base):
        class PairData(base):
            def __inc__(self, key, value, *args, **kwargs):
                if key == "edge_index_s":
                    return self.x_s.shape[0]
                if key == "edge_index_t":
                    return self.x_t.shape[0]
                return super().__inc__(key, value, *args, **kwargs)

            def __cat_dim__(self, key, value, *args, **kwargs):
                if key == "foo":
                    return None
                return super().__cat_dim__(key, value, *args, **kwargs)
        return PairData

    ours_cls, theirs_cls = rules(Data), rules(pyg.Data)
    rng = np.random.default_rng(0)
    parts = [dict(x_s=rng.random((3, 2)), edge_index_s=rng.integers(0, 3, (2, 4)),
                  x_t=rng.random((n, 2)), edge_index_t=rng.integers(0, n, (2, 3)),
                  foo=rng.random(5)) for n in (2, 4)]
    ours = Batch.from_data_list([ours_cls(**p) for p in parts])
    theirs = pyg.Batch.from_data_list(
        [theirs_cls(**{k: torch.from_numpy(v) for k, v in p.items()}) for p in parts])
    for key in ("edge_index_s", "edge_index_t", "foo", "x_t"):
        np.testing.assert_array_equal(ours[key], theirs[key].numpy(), err_msg=key)
    assert ours.foo.shape == (2, 5)
    back = ours.to_data_list()
    assert all(type(g) is ours_cls for g in back)
    for p, g in zip(parts, back):
        for key, value in p.items():
            np.testing.assert_array_equal(g[key], value, err_msg=key)


def test_get_example_index_select_and_item_access():
    rng = np.random.default_rng(1)
    graphs = [graph_with_every_level(rng, n, 2 * n) for n in (3, 2, 4, 1)]
    b = Batch.from_data_list(graphs)
    assert b.ptr.tolist() == [0, 3, 5, 9, 10] and b.num_graphs == 4
    assert_graph_equal(b.get_example(-1), graphs[-1])
    assert_graph_equal(b[2], graphs[2])
    assert b["y"].shape == (4,)
    for picked, k in zip(b.index_select(np.array([True, False, True, False])), (0, 2)):
        assert_graph_equal(picked, graphs[k])
    assert [g.name for g in b[1:3]] == ["g2", "g4"]
    with pytest.raises(IndexError, match="get_example: index 4 is out of range for 4 graphs"):
        b.get_example(4)
    assert isinstance(b, Graph) and repr(b).startswith("Batch(x=[10, 3], edge_index=[2, 20]")


def test_graph_level_labels_fit_cross_entropy_and_accuracy():
    """TU-style labels y of shape (1,) batch to (B,): one label per graph, no broadcasting."""
    graphs = [Graph([[0], [1]], num_nodes=2 + k, y=np.array([k % 3])) for k in range(5)]
    b = Batch.from_data_list(graphs)
    assert b.y.shape == (5,)
    pred = np.array([0, 1, 2, 1, 1])
    assert int((pred == b.y).sum()) == 4


# ---------------------------------------------------------------------------------- hypothesis
sizes = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(0, 3)),
                 min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(sizes=sizes, seed=st.integers(0, 2**16), declare=st.booleans())
def test_round_trip_with_extras_of_every_level(sizes, seed, declare):
    rng = np.random.default_rng(seed)
    graphs = []
    for n, e, k in sizes:
        e = e if n else 0
        g = Graph(rng.integers(0, max(n, 1), (2, e)), num_nodes=n, x=rng.random((n, 2)),
                  edge_attr=rng.random((e, 3)), node_tag=rng.integers(0, 5, n),
                  edge_label=rng.random(e), edge_label_index=rng.integers(0, max(n, 1), (2, k))
                  if n else np.zeros((2, 0), int), vec=rng.random(3), scalar=float(rng.random()),
                  y=np.array([int(rng.integers(4))]))
        if declare:
            g.set_level(vec="graph")
        graphs.append(g)
    b = Batch.from_data_list(graphs)
    assert b.num_graphs == len(graphs) and b.y.shape == (len(graphs),)
    assert b.vec.shape == ((len(graphs), 3) if declare else (3 * len(graphs),))
    assert b.edge_label_index.max(initial=-1) < max(b.num_nodes, 1)
    for original, restored in zip(graphs, b.to_data_list()):
        assert_graph_equal(restored, original)
    # A Graph not built by from_data_list: levels inferred from the sizes (vec is then ambiguous).
    plain = Graph(b.edge_index, x=b.x, ptr=b.ptr, edge_attr=b.edge_attr, node_tag=b.node_tag)
    for original, restored in zip(graphs, unbatch(plain)):
        np.testing.assert_array_equal(restored.edge_index, original.edge_index)
        np.testing.assert_array_equal(restored.node_tag, original.node_tag)
        np.testing.assert_array_equal(restored.edge_attr, original.edge_attr)


# ---------------------------------------------------------------------------------- DataLoader
def test_loader_has_pygs_defaults_and_import_path():
    from npgnn.graph import DataLoader as OldPath

    assert OldPath is DataLoader
    data = [Graph([], num_nodes=1, y=np.array([k])) for k in range(5)]
    loader = DataLoader(data)
    assert loader.batch_size == 1 and len(loader) == 5
    loader = DataLoader(data, batch_size=2, num_workers=0, pin_memory=False)
    assert [b.y.tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    with pytest.raises(TypeError, match="DataLoader: unexpected keyword argument 'worker'"):
        DataLoader(data, worker=2)
