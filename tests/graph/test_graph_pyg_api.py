"""Graph as PyG's Data: extra attributes, validated assignment, the mapping API, PyG parity."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.data import Data
from npgnn.graph import Graph

EI = np.array([[0, 1, 1, 2], [1, 0, 2, 1]])


def toy(**extra) -> Graph:
    return Graph(EI, x=np.ones((3, 2)), **extra)


# ---------------------------------------------------------------------------------- extras
def test_extra_attributes_by_keyword_assignment_and_item():
    g = toy(foo=1)
    g.edge_label = np.arange(4)
    g["bar"] = "text"
    assert g.foo == 1 and g["edge_label"].tolist() == [0, 1, 2, 3] and g.bar == "text"
    assert g.keys() == ["x", "edge_index", "foo", "edge_label", "bar"]
    assert "edge_label" in g and "edge_attr" not in g and "y" not in g
    assert dict(iter(g))["foo"] == 1 and len(g) == 5
    g.foo = None                                     # None removes, as in PyG
    del g["bar"]
    assert g.keys() == ["x", "edge_index", "edge_label"]
    with pytest.raises(AttributeError):
        _ = g.foo
    with pytest.raises(KeyError):
        _ = g["foo"]


def test_core_fields_are_validated_on_set():
    g = toy()
    with pytest.raises(ValueError, match="x: expected 3 rows"):
        g.x = np.ones((4, 2))
    with pytest.raises(IndexError, match=r"edge_index: node ids must lie in \[0, 3\)"):
        g.edge_index = np.array([[0], [5]])
    with pytest.raises(ValueError, match=r"edge_weight: expected shape \(E,\) = \(4,\)"):
        g.edge_weight = np.ones(3)
    with pytest.raises(TypeError, match="train_mask: expected a boolean mask"):
        g["train_mask"] = [0, 2, 1]
    assert g.edge_weight is None and g.train_mask is None and g.x.shape == (3, 2)  # unchanged
    g.y = [0, 1, 1]
    assert isinstance(g.y, np.ndarray)


def test_edge_count_changes_go_through_update():
    g = toy(edge_attr=np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"edge_attr: expected shape \(E, D\) with E = 2"):
        g.edge_index = EI[:, :2]
    g.update(edge_index=EI[:, :2], edge_attr=np.zeros((2, 1)))
    assert g.num_edges == 2 and g.edge_attr.shape == (2, 1)
    g.update({"edge_index": EI, "edge_attr": np.ones((4, 1)), "foo": 3})
    assert g.num_edges == 4 and g.foo == 3


def test_empty_graph_filled_field_by_field_as_in_pyg():
    g = Graph()
    assert (g.num_nodes, g.num_edges) == (0, 0)
    g.x = np.ones((5, 2))
    g.edge_index = np.array([[0, 4], [4, 0]])
    assert g.num_nodes == 5 and g.has_isolated_nodes()
    with pytest.raises(ValueError, match="x: expected 5 rows"):
        g.x = np.ones((6, 2))                       # x fixes the node count from now on
    g.update(x=np.ones((6, 2)), num_nodes=6)        # ... unless set together with num_nodes
    assert "num_nodes" in g and g.num_nodes == 6


def test_setting_the_node_count_or_edges_never_leaves_a_stale_view():
    g = Graph(EI)
    a = g.csr_by_target()
    order = g.target_order()
    g.edge_index = np.array([[2, 2, 0, 0], [0, 1, 1, 2]])
    assert g.csr_by_target() is not a and g.target_order() is not order
    np.testing.assert_array_equal(g.csr_by_target().toarray(),
                                  [[0, 0, 1], [1, 0, 1], [1, 0, 0]])
    g.edge_weight = np.array([1.0, 2.0, 3.0, 4.0])
    assert g.csr_by_target()[1, 2] == 2.0
    g.num_nodes = 5
    assert g.csr_by_target().shape == (5, 5)
    g.y = np.zeros(5)                                # not structural: the view is kept
    assert g.csr_by_target() is g.csr_by_target()


def test_methods_and_read_only_properties_cannot_be_overwritten():
    g = toy()
    with pytest.raises(AttributeError, match="'keys': is a method of Graph"):
        g.keys = 1
    with pytest.raises(AttributeError, match="'num_edges': is a read-only property"):
        g.num_edges = 3


def test_validate_raise_on_error_false_warns():
    g = Graph(EI.copy())
    g.edge_index[0, 0] = 7
    with pytest.warns(UserWarning, match="edge_index: node ids must lie in"):
        assert g.validate(raise_on_error=False) is False
    with pytest.raises(IndexError):
        g.validate()


def test_to_cpu_clone_apply_copy_and_pickle():
    g = toy(foo=np.arange(3))
    assert g.to("cpu") is g and g.to(None) is g and g.cpu() is g
    with pytest.raises(ValueError, match="npgnn runs on the CPU"):
        g.to("cuda:0")
    with pytest.raises(ValueError, match="npgnn runs on the CPU"):
        g.cuda()
    c = g.clone()
    c.foo[0] = 9
    c.x[0, 0] = 9
    assert g.foo[0] == 0 and g.x[0, 0] == 1
    g.apply(lambda v: v * 2, "x", "foo")
    assert g.x[0, 0] == 2 and g.foo.tolist() == [0, 2, 4]
    s = copy.copy(g)
    s.bar = 1
    assert "bar" not in g
    p = pickle.loads(pickle.dumps(g))
    assert p.keys() == g.keys() and np.array_equal(p.foo, g.foo)


def test_npgnn_and_torch_tensors_become_arrays():
    import npgnn

    g = Graph(npgnn.tensor(EI), x=npgnn.tensor(np.ones((3, 2))))
    assert isinstance(g.edge_index, np.ndarray) and isinstance(g.x, np.ndarray)


def test_levels_inferred_and_declared():
    g = toy(y=np.zeros(3), edge_label=np.zeros(4), edge_label_index=np.zeros((2, 7), int),
            tag=np.zeros(2), name="a")
    assert [g.level(k) for k in ("x", "y", "edge_label", "edge_index", "tag", "name")] == [
        "node", "node", "edge", "edge", None, None]
    assert g.is_node_attr("y") and g.is_edge_attr("edge_label")
    g.set_level(tag="graph")
    assert g.level("tag") == "graph" and g.__cat_dim__("tag", g.tag) is None
    with pytest.raises(ValueError, match="score: declared node-level, expected 3 entries"):
        g.set_level(score="node").score = np.zeros(4)
    with pytest.raises(ValueError, match="set_level: tag: expected one of"):
        g.set_level(tag="nodes")


# ---------------------------------------------------------------------------------- PyG parity
def random_pieces(seed: int):
    rng = np.random.default_rng(seed)
    n, e = 6, 9
    return dict(x=rng.standard_normal((n, 3)).astype(np.float32),
                edge_index=rng.integers(0, n - 1, (2, e)), edge_attr=rng.random((e, 2)),
                y=rng.integers(0, 3, n), edge_label=rng.random(e),
                edge_label_index=rng.integers(0, n, (2, 4)), pos=rng.random((n, 2)))


@pytest.mark.parametrize("seed", range(3))
def test_accessors_equal_pyg(seed):
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric.data")
    pieces = random_pieces(seed)
    ours = Data(**pieces)
    theirs = pyg.Data(**{k: torch.from_numpy(v) for k, v in pieces.items()})
    assert repr(ours) == repr(theirs)
    assert sorted(ours.keys()) == sorted(theirs.keys())
    for name in ("num_nodes", "num_edges", "num_node_features", "num_features",
                 "num_edge_features"):
        assert getattr(ours, name) == getattr(theirs, name), name
    for name in ("is_directed", "is_undirected", "has_isolated_nodes", "has_self_loops"):
        assert getattr(ours, name)() == getattr(theirs, name)(), name
    for key in pieces:
        assert ours.is_node_attr(key) == theirs.is_node_attr(key), key
        assert ours.is_edge_attr(key) == theirs.is_edge_attr(key), key
    assert ("edge_attr" in ours) == ("edge_attr" in theirs) and ("foo" in ours) is False


def test_data_takes_pygs_positional_order():
    d = Data(np.ones((3, 1)), EI, np.ones((4, 2)), np.array([1]))
    assert d.x.shape == (3, 1) and d.edge_attr.shape == (4, 2) and d.y.tolist() == [1]
    assert isinstance(d, Graph) and repr(d) == "Data(x=[3, 1], edge_index=[2, 4], edge_attr=[4, 2], y=[1])"
    assert repr(Graph(EI, x=sp.csr_matrix(np.eye(3)))) == "Graph(x=[3, 3, nnz=3], edge_index=[2, 4])"


@pytest.mark.parametrize("seed", range(3))
def test_subgraph_and_edge_subgraph_equal_pyg(seed):
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric.data")
    pieces = random_pieces(seed)
    ours = Data(**pieces)
    theirs = pyg.Data(**{k: torch.from_numpy(v) for k, v in pieces.items()})
    rng = np.random.default_rng(seed)
    for subset in (np.array([4, 0, 2]), rng.random(6) < 0.5):
        a, b = ours.subgraph(subset), theirs.subgraph(torch.from_numpy(subset))
        assert set(a.keys()) - {"num_nodes"} == set(b.keys()) - {"num_nodes"}
        for key in b.keys():
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)
    for subset in (np.array([3, 1]), rng.random(9) < 0.5):
        a, b = ours.edge_subgraph(subset), theirs.edge_subgraph(torch.from_numpy(subset))
        for key in b.keys():
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)
    with pytest.raises(IndexError):
        ours.subgraph(np.array([7]))
    with pytest.raises(IndexError, match=r"edge_subgraph: edge ids must lie in \[-9, 9\)"):
        ours.edge_subgraph(np.array([9]))
