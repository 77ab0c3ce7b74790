"""Tests of the transforms against PyTorch Geometric's utils and dense formulas."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.graph import (
    Graph,
    add_self_loops,
    coalesce,
    gcn_norm,
    normalize_features,
    remove_self_loops,
    to_undirected,
)

from ._helpers import assert_graph_equal, dense_adjacency, random_graph


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def pyg_utils():
    return pytest.importorskip("torch_geometric.utils")


def tensors(torch, g: Graph, attr: str = "edge_weight"):
    value = getattr(g, attr)
    return torch.from_numpy(g.edge_index), None if value is None else torch.from_numpy(value)


def assert_edges_equal(g: Graph, edge_index, values, attr: str = "edge_weight") -> None:
    np.testing.assert_array_equal(g.edge_index, edge_index.numpy())
    if values is None:
        assert getattr(g, attr) is None
    else:
        np.testing.assert_allclose(getattr(g, attr), values.numpy(), rtol=1e-12, atol=1e-15)


EMPTY = [Graph([], num_nodes=0), Graph([], num_nodes=3)]


# ---------------------------------------------------------------------------------- self-loops
@pytest.mark.parametrize("attr, weighted, edge_dim",
                         [("edge_weight", True, None), ("edge_attr", False, 3)])
@pytest.mark.parametrize("fill_value", [1.0, 2.5])
def test_add_self_loops_equals_pyg(torch, pyg_utils, attr, weighted, edge_dim, fill_value):
    g = random_graph(seed=5, weighted=weighted, edge_dim=edge_dim)
    out = add_self_loops(g, fill_value)
    ei, values = pyg_utils.add_remaining_self_loops(*tensors(torch, g, attr),
                                                    fill_value=fill_value,
                                                    num_nodes=g.num_nodes)
    assert_edges_equal(out, ei, values, attr)
    assert out.edge_index.shape[1] == g.num_edges - 3 + g.num_nodes  # 3 old loops replaced


def test_add_self_loops_keeps_existing_weight_and_unweighted_stays_unweighted():
    g = Graph([[0, 1, 1], [1, 1, 0]], num_nodes=3, edge_weight=[1.0, 5.0, 2.0])
    out = add_self_loops(g, fill_value=0.5)
    assert out.edge_index.tolist() == [[0, 1, 0, 1, 2], [1, 0, 0, 1, 2]]
    assert out.edge_weight.tolist() == [1.0, 2.0, 0.5, 5.0, 0.5]
    assert add_self_loops(Graph(g.edge_index, num_nodes=3)).edge_weight is None
    filled = add_self_loops(Graph(g.edge_index, num_nodes=3), fill_value=2.0)
    assert filled.edge_weight.tolist() == [1.0, 1.0, 2.0, 1.0, 2.0]   # old loop keeps its 1


def test_remove_self_loops_equals_pyg(torch, pyg_utils):
    g = random_graph(seed=6)
    ei, w = pyg_utils.remove_self_loops(*tensors(torch, g))
    assert_edges_equal(remove_self_loops(g), ei, w)


@pytest.mark.parametrize("g", EMPTY)
def test_self_loops_on_empty_graphs(g):
    assert remove_self_loops(g).num_edges == 0
    out = add_self_loops(g)
    assert out.edge_index.tolist() == [list(range(g.num_nodes))] * 2


# ---------------------------------------------------------------------------------- coalesce
@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("attr, edge_dim", [("edge_weight", None), ("edge_attr", 2)])
def test_coalesce_equals_pyg(torch, pyg_utils, reduce, attr, edge_dim):
    g = random_graph(seed=7, weighted=attr == "edge_weight", edge_dim=edge_dim)
    ei, values = pyg_utils.coalesce(*tensors(torch, g, attr), num_nodes=g.num_nodes,
                                    reduce=reduce)
    out = coalesce(g, reduce)
    assert_edges_equal(out, ei, values, attr)
    assert out.num_edges < g.num_edges                               # duplicates were merged


def test_coalesce_keeps_the_dense_matrix_and_node_fields():
    g = random_graph(seed=8).replace(x=np.ones((12, 2)), y=np.arange(12))
    out = coalesce(g)
    np.testing.assert_allclose(out.csr_by_target().toarray(), g.csr_by_target().toarray())
    assert out.x is g.x and out.y is g.y
    assert coalesce(Graph(g.edge_index, num_nodes=12)).edge_weight is None


def test_coalesce_mean_of_integer_attributes_is_float():
    g = Graph([[0, 0], [1, 1]], edge_attr=np.array([[1], [2]]))
    assert coalesce(g, "mean").edge_attr.tolist() == [[1.5]]
    f32 = Graph([[0, 0], [1, 1]], edge_weight=np.array([1, 2], np.float32))
    assert coalesce(f32, "mean").edge_weight.dtype == np.float32


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_to_undirected_equals_pyg(torch, pyg_utils, reduce):
    g = random_graph(seed=9)
    ei, w = pyg_utils.to_undirected(*tensors(torch, g), num_nodes=g.num_nodes, reduce=reduce)
    out = to_undirected(g, reduce)
    assert_edges_equal(out, ei, w)
    assert out.is_undirected()


@pytest.mark.parametrize("g", EMPTY)
@pytest.mark.parametrize("fn", [coalesce, to_undirected])
def test_coalesce_and_to_undirected_on_empty_graphs(g, fn):
    assert_graph_equal(fn(g), g)


@pytest.mark.parametrize("fn", [coalesce, to_undirected])
def test_unknown_reduce(fn):
    with pytest.raises(ValueError, match="reduce: expected one of .* got 'prod'"):
        fn(random_graph(), "prod")


def test_transforms_do_not_touch_their_input():
    g = random_graph(seed=10, edge_dim=2)
    before = [g.edge_index.copy(), g.edge_weight.copy(), g.edge_attr.copy()]
    for fn in (add_self_loops, remove_self_loops, coalesce, to_undirected, gcn_norm):
        fn(g)
    for old, new in zip(before, [g.edge_index, g.edge_weight, g.edge_attr]):
        np.testing.assert_array_equal(old, new)


# ---------------------------------------------------------------------------------- gcn_norm
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loops, fill_value", [(True, 1.0), (True, 2.0), (False, 1.0)])
def test_gcn_norm_sym_equals_pyg(torch, weighted, loops, fill_value):
    pyg_gcn_norm = pytest.importorskip("torch_geometric.nn.conv.gcn_conv").gcn_norm
    g = random_graph(seed=11, weighted=weighted)
    out = gcn_norm(g, add_self_loops=loops, fill_value=fill_value, dtype=np.float64)
    ei, w = tensors(torch, g)
    if w is None and fill_value != 1:  # PyG 2.8 ignores improved=True without edge weights
        w = torch.ones(g.num_edges, dtype=torch.float64)
    ei, w = pyg_gcn_norm(ei, w, g.num_nodes, improved=fill_value == 2.0, add_self_loops=loops,
                         dtype=torch.float64)
    assert_edges_equal(out, ei, w)


def test_gcn_norm_float32_default_matches_pyg(torch):
    pyg_gcn_norm = pytest.importorskip("torch_geometric.nn.conv.gcn_conv").gcn_norm
    g = random_graph(seed=12, weighted=False)
    out = gcn_norm(g)
    _, w = pyg_gcn_norm(torch.from_numpy(g.edge_index), None, g.num_nodes)
    assert out.edge_weight.dtype == np.float32
    np.testing.assert_allclose(out.edge_weight, w.numpy(), rtol=1e-6)


@pytest.mark.parametrize("norm", ["sym", "row", "col"])
@pytest.mark.parametrize("loops", [True, False])
def test_gcn_norm_equals_dense_formula(norm, loops):
    g = random_graph(seed=13)
    a = dense_adjacency(g, g.edge_weight)
    if loops:  # add_remaining_self_loops: keep existing loop weights, fill the others with 1
        np.fill_diagonal(a, np.where(np.diag(a) != 0, np.diag(a), 1.0))
    d_in, d_out = a.sum(1), a.sum(0)
    with np.errstate(divide="ignore"):
        inv = {"sym": np.where(d_in > 0, d_in ** -0.5, 0.0),
               "row": np.where(d_in > 0, 1 / d_in, 0.0),
               "col": np.where(d_out > 0, 1 / d_out, 0.0)}[norm]
    expected = {"sym": inv[:, None] * a * inv[None, :], "row": inv[:, None] * a,
                "col": a * inv[None, :]}[norm]
    out = gcn_norm(g, norm=norm, add_self_loops=loops)
    np.testing.assert_allclose(out.csr_by_target().toarray(), expected, rtol=1e-12, atol=1e-15)
    if norm == "row":
        rows = out.csr_by_target().sum(1).A1
        np.testing.assert_allclose(rows[d_in > 0], 1.0)


def test_gcn_norm_row_is_pyg_mean_aggregation(torch, pyg_utils):
    g = random_graph(seed=14, weighted=False)
    h = np.random.default_rng(0).standard_normal((g.num_nodes, 3))
    src, dst = (torch.from_numpy(r) for r in g.edge_index)
    mean = pyg_utils.scatter(torch.from_numpy(h)[src], dst, 0, g.num_nodes, reduce="mean")
    a = gcn_norm(g, norm="row", add_self_loops=False, dtype=np.float64).csr_by_target()
    np.testing.assert_allclose(a @ h, mean.numpy(), rtol=1e-12)


def test_gcn_norm_isolated_and_empty():
    g = Graph([[0], [1]], num_nodes=3)                # node 2 isolated, node 0 has no in-edges
    assert gcn_norm(g, add_self_loops=False).edge_weight.tolist() == [0.0]   # d_in[0] = 0
    out = gcn_norm(g)
    assert out.edge_index.tolist() == [[0, 0, 1, 2], [1, 0, 1, 2]]
    np.testing.assert_allclose(out.edge_weight, [0.5 ** 0.5, 1.0, 0.5, 1.0], rtol=1e-6)
    assert gcn_norm(Graph([], num_nodes=0)).num_edges == 0
    assert gcn_norm(Graph([], num_nodes=2)).edge_weight.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="gcn_norm: norm must be 'sym', 'row' or 'col'"):
        gcn_norm(g, norm="both")


# ---------------------------------------------------------------------------------- features
@pytest.mark.parametrize("sparse", [False, True])
def test_normalize_features(sparse):
    x = np.random.default_rng(0).integers(0, 3, (6, 5)).astype(np.float32)
    x[2] = 0
    g = Graph([], num_nodes=6, x=sp.csr_matrix(x) if sparse else x)
    out = normalize_features(g).x
    assert sp.issparse(out) == sparse and out.dtype == np.float32
    dense = out.toarray() if sparse else out
    rowsum = x.sum(1, keepdims=True)
    expected = np.divide(x, rowsum, out=np.zeros_like(x), where=rowsum != 0)
    np.testing.assert_allclose(dense, expected, rtol=1e-6)
    assert not dense[2].any()
    assert g.x is not out and (g.x.toarray() if sparse else g.x)[0].sum() == x[0].sum()


def test_normalize_features_integer_and_missing():
    out = normalize_features(Graph([], x=np.array([[1, 3], [0, 0]])))
    assert out.x.dtype == np.float64 and out.x.tolist() == [[0.25, 0.75], [0.0, 0.0]]
    with pytest.raises(ValueError, match="normalize_features: the graph has no node features"):
        normalize_features(Graph([], num_nodes=2))


@pytest.mark.parametrize("fn", [remove_self_loops, coalesce, to_undirected,
                                lambda g: add_self_loops(g, 0.0)])
def test_edge_level_extras_follow_their_edges(fn):
    g = random_graph(seed=31)
    g.edge_label = np.arange(g.num_edges, dtype=np.float64)
    g.tag = "kept"
    out = fn(g)
    assert out.tag == "kept" and out.edge_label.shape == (out.num_edges,)
    reference = fn(g.replace(edge_label=None, edge_attr=g.edge_label[:, None]))
    np.testing.assert_array_equal(out.edge_label, reference.edge_attr[:, 0])
