"""Trimming sampled batches layer by layer (PyG's ``trim_to_layer``): ``BasicGNN(...,
num_sampled_nodes_per_hop=..., num_sampled_edges_per_hop=...)`` equals PyG's trimmed models
(outputs and every gradient, float64 to 1e-10) on NeighborLoader batches of a directed graph;
``npgnn.utils.trim_to_layer`` equals PyG's; the seeds' rows equal the untrimmed forward's for
layers that read only in-edges; errors before any work."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn import Graph, Tensor
from npgnn.loader import NeighborLoader
from npgnn.nn import models
from npgnn.utils import trim_to_layer

from ._helpers import close
from .test_basic_gnn import F_IN, TORCH, twins

torch = pytest.importorskip("torch")
pyg_utils = pytest.importorskip("torch_geometric.utils")


def _batch(seed: int = 0, hops=(3, 2, 2), **loader_options) -> Graph:
    """A 3-hop sampled batch of a random directed graph with duplicate edges and self-loops."""
    rng = np.random.default_rng(seed)
    n = 60
    ei = rng.integers(0, n, (2, 400))
    g = Graph(edge_index=ei, num_nodes=n, x=rng.standard_normal((n, F_IN)),
              edge_weight=rng.uniform(0.5, 2.0, 400))
    loader = NeighborLoader(g, list(hops), batch_size=4, shuffle=True, seed=seed,
                            **loader_options)
    return next(iter(loader))


def _trim_kwargs(b: Graph) -> dict:
    return {"num_sampled_nodes_per_hop": list(b.num_sampled_nodes),
            "num_sampled_edges_per_hop": list(b.num_sampled_edges)}


@pytest.mark.parametrize(("name", "options"), [
    ("GraphSAGE", {}),
    ("GraphSAGE", {"aggr": "sum", "jk": "last"}),
    ("GraphSAGE", {"norm": "batch_norm"}),
    ("GraphSAGE", {"aggr": "max"}),
    ("GCN", {}),
    ("GIN", {}),
    ("GAT", {}),
    ("EdgeCNN", {}),
])
@pytest.mark.parametrize("seed", [0, 1])
def test_trimmed_model_equals_pyg(name, options, seed):
    b = _batch(seed)
    ours, theirs = twins(name, np.float64, True, seed=seed, num_layers=3, out_channels=3,
                         **options)
    kw_o, kw_t = _trim_kwargs(b), _trim_kwargs(b)
    if name == "GCN":
        kw_o["edge_weight"], kw_t["edge_weight"] = b.edge_weight, torch.from_numpy(b.edge_weight)
    xo, xt = Tensor(b.x, requires_grad=True), torch.tensor(b.x, requires_grad=True)
    out = ours(xo, b.edge_index, **kw_o)
    ref = theirs(xt, torch.from_numpy(b.edge_index), **kw_t)
    assert out.shape == tuple(ref.shape) == (b.num_sampled_nodes[0] + b.num_sampled_nodes[1], 3)
    cot = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, np.float64)
    close(xo.grad, xt.grad, np.float64)
    params = dict(theirs.named_parameters())
    for key, p in ours.named_parameters():
        close(p.grad, params[key].grad, np.float64)


@pytest.mark.parametrize(("name", "options"), [
    ("GraphSAGE", {}), ("GraphSAGE", {"jk": "cat"}), ("GraphSAGE", {"jk": "max"}),
    ("GIN", {}), ("GAT", {}),
])
def test_the_seeds_rows_equal_the_untrimmed_forward(name, options):
    """Layers that read only a node's in-edges give the seeds the same outputs trimmed or not;
    jk 'cat'/'max' (where PyG fails on the differing row counts) combine the kept rows."""
    b = _batch(3)
    ours, _ = twins(name, np.float64, False, num_layers=3, out_channels=3, **options)
    seeds = b.batch_size
    full = ours(b.x, b.edge_index).data[:seeds]
    trimmed = ours(b.x, b.edge_index, **_trim_kwargs(b)).data[:seeds]
    np.testing.assert_allclose(trimmed, full, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layer", [0, 1, 2, 3])
def test_trim_to_layer_equals_pyg(layer):
    b = _batch(5)
    nodes, edges = list(b.num_sampled_nodes), list(b.num_sampled_edges)
    x, ei, ea = b.x, b.edge_index, b.edge_weight
    xt, eit, eat = (torch.from_numpy(v) for v in (x, ei, ea))
    for k in range(layer + 1):
        x, ei, ea = trim_to_layer(k, nodes, edges, x, ei, ea)
        xt, eit, eat = pyg_utils.trim_to_layer(k, nodes, edges, xt, eit, eat)
    np.testing.assert_array_equal(x, xt.numpy())
    np.testing.assert_array_equal(ei, eit.numpy())
    np.testing.assert_array_equal(ea, eat.numpy())


def test_trim_to_layer_keeps_gradients_and_accepts_tensors():
    b = _batch(6)
    x = Tensor(b.x, requires_grad=True)
    nodes = torch.tensor(b.num_sampled_nodes)
    out, ei, _ = trim_to_layer(1, nodes, np.array(b.num_sampled_edges), x,
                               torch.from_numpy(b.edge_index))
    assert out.shape[0] == b.num_nodes - b.num_sampled_nodes[-1]
    assert ei.shape[1] == b.num_edges - b.num_sampled_edges[-1]
    out.sum().backward()
    assert x.grad[:out.shape[0]].sum() == out.shape[0] * F_IN and not x.grad[out.shape[0]:].any()


def test_trimming_errors_come_before_any_work():
    b = _batch(7)
    model = models.GraphSAGE(F_IN, 8, 3, 2, rng=0)
    nodes, edges = list(b.num_sampled_nodes), list(b.num_sampled_edges)
    with pytest.raises(ValueError, match="num_sampled_edges_per_hop is missing"):
        model(b.x, b.edge_index, num_sampled_nodes_per_hop=nodes)
    with pytest.raises(ValueError, match="num_sampled_nodes_per_hop is missing"):
        model(b.x, b.edge_index, num_sampled_edges_per_hop=edges)
    with pytest.raises(ValueError, match="must be a list of non-negative ints"):
        model(b.x, b.edge_index, num_sampled_nodes_per_hop=[1.5, 2],
              num_sampled_edges_per_hop=edges)
    with pytest.raises(ValueError, match=r"3 layers need at least 3 node counts and 2 edge"):
        model(b.x, b.edge_index, num_sampled_nodes_per_hop=[b.num_nodes],
              num_sampled_edges_per_hop=[b.num_edges])
    with pytest.raises(ValueError, match=rf"add up to {sum(nodes) + 1} nodes"):
        model(b.x, b.edge_index, num_sampled_nodes_per_hop=nodes[:-1] + [nodes[-1] + 1],
              num_sampled_edges_per_hop=edges)
    induced = _batch(7, subgraph_type="induced")
    with pytest.raises(ValueError, match="subgraph_type='directional'"):
        model(induced.x, induced.edge_index, **_trim_kwargs(induced))
    gcn = models.GCN(F_IN, 8, 3, 2, rng=0)
    with pytest.raises(NotImplementedError, match="both edge_weight and edge_attr"), \
            pytest.warns(UserWarning, match="edge_attr is ignored"):
        gcn(b.x, b.edge_index, edge_weight=b.edge_weight, edge_attr=b.edge_weight,
            **_trim_kwargs(b))
    with pytest.raises(ValueError, match="layer 4 needs at least 4 hops"):
        trim_to_layer(4, nodes, edges, b.x, b.edge_index)


def test_the_cli_models_trim_too():
    """npgnn.models' stacked GraphSAGE/GCN take the same per-hop counts; SAGE's seeds keep
    their outputs and gradients; GCN checks the counts the same way."""
    from npgnn import models as paper

    b = _batch(8)
    sage = paper.GraphSAGE(F_IN, 3, hidden_channels=8, num_layers=3, dropout=0.0, seed=0)
    sage.to(np.float64)
    seeds = b.batch_size
    xa, xb = Tensor(b.x, requires_grad=True), Tensor(b.x, requires_grad=True)
    full = sage(xa, b.edge_index)[:seeds]
    trimmed = sage(xb, b.edge_index, **_trim_kwargs(b))
    assert trimmed.shape[0] == b.num_sampled_nodes[0] + b.num_sampled_nodes[1]
    trimmed = trimmed[:seeds]
    np.testing.assert_allclose(trimmed.data, full.data, rtol=1e-12, atol=1e-12)
    full.sum().backward()
    trimmed.sum().backward()
    np.testing.assert_allclose(xb.grad, xa.grad, rtol=1e-12, atol=1e-12)
    gcn = paper.GCN(F_IN, 3, hidden_channels=8, num_layers=3, dropout=0.0, seed=0)
    with pytest.raises(ValueError, match="num_sampled_edges_per_hop is missing"):
        gcn(b.x, b.edge_index, num_sampled_nodes_per_hop=b.num_sampled_nodes)


def test_a_graphs_own_edge_weight_is_trimmed_with_its_edges():
    """GCNConv reads a Graph's edge_weight when none is passed: trimming keeps it aligned."""
    b = _batch(9)
    model = models.GCN(F_IN, 8, 3, 2, rng=0).double()
    g = Graph(edge_index=b.edge_index, edge_weight=b.edge_weight, num_nodes=b.num_nodes)
    given = model(b.x, b.edge_index, edge_weight=b.edge_weight, **_trim_kwargs(b)).data
    own = model(b.x, g, **_trim_kwargs(b)).data
    np.testing.assert_allclose(own, given, rtol=1e-12, atol=1e-12)


def test_trim_to_layer_names_bad_arguments():
    x, ei = np.ones((5, 2)), np.array([[1, 2, 3], [0, 0, 1]])
    with pytest.raises(TypeError, match="layer must be an int"):
        trim_to_layer(1.5, [1, 2, 2], [2, 1], x, ei)
    with pytest.raises(TypeError, match="layer must be an int"):
        trim_to_layer(True, [1, 2, 2], [2, 1], x, ei)
    with pytest.raises(ValueError, match="cannot drop 2 of 5 nodes and 5 of 3 edges"):
        trim_to_layer(1, [1, 2, 2], [2, 5], x, ei)
    with pytest.raises(ValueError, match="got a scalar"):
        trim_to_layer(1, [1, 2, 2], [2, 1], 3.0, ei)
    out, kept, _ = trim_to_layer(1, [1, 2, 2], [2, 1], x.tolist(), ei)   # array-like x
    assert out.shape == (3, 2) and kept.shape == (2, 2)
