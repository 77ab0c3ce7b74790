"""TransformerConv against PyG's with identical weights (outputs, attention weights, gradients of
x, edge_attr and every parameter; float64 to 1e-10, float32 to 1e-5), the fused op's gradcheck
on both kernel paths, corner cases and errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
import npgnn.kernels as kernels
from npgnn import Graph, Tensor
from npgnn.graph import Batch
from npgnn.nn.conv.transformer_conv import TransformerConv

from ._helpers import ALLCLOSE, F_IN, TORCH, C_OUT, load_pyg_parameters, random_graph

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")


@pytest.fixture(params=["numba", "numpy"])
def kernel(request, monkeypatch):
    if request.param == "numba" and not kernels.numba_enabled():
        pytest.skip("numba kernels disabled")
    if request.param == "numpy":
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)  # tiny graphs: force the kernel
    return request.param


def twins(dtype, seed=0, **options):
    torch.manual_seed(seed)
    theirs = pyg_nn.TransformerConv(F_IN, C_OUT, **options).to(TORCH[dtype])
    ours = TransformerConv(F_IN, C_OUT, **options, rng=0, dtype=dtype)
    load_pyg_parameters(ours, theirs)
    return ours, theirs


def compare(ours, theirs, ei, dtype, edge_dim=None, seed=1):
    tol = ALLCLOSE[dtype]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((12, F_IN)).astype(dtype)
    ea = None if edge_dim is None else rng.standard_normal((ei.shape[1], edge_dim)).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    eat = None if ea is None else torch.tensor(ea, requires_grad=True)
    out_t, (ei_t, alpha_t) = theirs(xt, torch.from_numpy(ei), eat, return_attention_weights=True)
    cot = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
    out_t.backward(torch.from_numpy(cot))
    xo = Tensor(x, requires_grad=True)
    eo = None if ea is None else Tensor(ea, requires_grad=True)
    out, (ei_o, alpha) = ours(xo, ei, eo, return_attention_weights=True)
    out.backward(cot)
    assert out.dtype == dtype
    np.testing.assert_array_equal(ei_o, ei_t.numpy())
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **tol)
    np.testing.assert_allclose(alpha.data, alpha_t.detach().numpy(), **tol)
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), **tol)
    if ea is not None:
        np.testing.assert_allclose(eo.grad, eat.grad.numpy(), **tol)
    ours_p, theirs_p = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert sorted(ours_p) == sorted(theirs_p)
    for name, p in theirs_p.items():
        grad = np.zeros(tuple(p.shape)) if p.grad is None else p.grad.numpy()
        ours_grad = np.zeros(tuple(p.shape)) if ours_p[name].grad is None else ours_p[name].grad
        np.testing.assert_allclose(ours_grad, grad, **tol, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("heads,concat", [(1, True), (3, True), (3, False)])
@pytest.mark.parametrize("beta,root_weight", [(False, True), (True, True), (False, False)])
@pytest.mark.parametrize("edge_dim", [None, 3])
def test_matches_pyg(kernel, dtype, heads, concat, beta, root_weight, edge_dim):
    ours, theirs = twins(dtype, heads=heads, concat=concat, beta=beta, root_weight=root_weight,
                         edge_dim=edge_dim)
    compare(ours, theirs, random_graph(heads), dtype, edge_dim)


def test_no_bias_matches_pyg():
    ours, theirs = twins(np.float64, heads=2, bias=False, edge_dim=2)
    compare(ours, theirs, random_graph(5), np.float64, 2)


def test_gradcheck_layer_with_dropout_on_a_batch_with_empty_graphs(kernel):
    """Directed graph with duplicates, self-loops and isolated nodes, then an edgeless and an
    empty graph in the same batch; dropout with a fixed mask (the rng is reset per call)."""
    rng = np.random.default_rng(2)
    graphs = [Graph(edge_index=random_graph(3, n=7, e=10), num_nodes=7),
              Graph(edge_index=np.zeros((2, 0), np.int64), num_nodes=2),
              Graph(edge_index=np.zeros((2, 0), np.int64), num_nodes=0)]
    graphs = [g.replace(edge_attr=rng.standard_normal((g.num_edges, 2))) for g in graphs]
    b = Batch.from_graphs(graphs)
    conv = TransformerConv(3, 2, heads=2, beta=True, dropout=0.3, edge_dim=2, rng=0,
                           dtype=np.float64)

    def fn(x, ea):
        conv.rng = np.random.default_rng(7)
        return conv(x, b.edge_index, ea)

    npgnn.gradcheck(fn, rng.standard_normal((9, 3)), b.edge_attr)
    conv.eval()
    out = conv(rng.standard_normal((9, 3)), b)          # a Graph: its edge_attr is used
    assert out.shape == (9, 4)


def test_isolated_node_gets_the_skip_only():
    conv = TransformerConv(3, 2, heads=2, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((4, 3))
    out = conv(x, np.array([[0, 1], [1, 2]])).data
    np.testing.assert_allclose(out[[0, 3]], conv.lin_skip(x).data[[0, 3]], rtol=1e-12)


@pytest.mark.parametrize("kwargs, call, match", [
    ({"heads": 0}, None, r"heads must be a positive int"),
    ({"dropout": 1.0}, None, r"dropout must lie in \[0, 1\)"),
    ({"edge_dim": 0}, None, r"edge_dim must be a positive int"),
    ({}, lambda c: c(np.ones((3, 3)), np.array([[0], [1]]), np.ones((1, 2))),
     r"construct it with edge_dim"),
    ({"edge_dim": 2}, lambda c: c(np.ones((3, 3)), np.array([[0], [1]])), r"edge_attr is required"),
    ({"edge_dim": 2}, lambda c: c(np.ones((3, 3)), np.array([[0], [1]]), np.ones((2, 2))),
     r"edge_attr must have shape \(1, 2\)"),
    ({}, lambda c: c(np.ones((3, 4)), np.array([[0], [1]])), r"x must have shape \(num_nodes, 3\)"),
])
def test_errors(kwargs, call, match):
    with pytest.raises(ValueError, match=match):
        conv = TransformerConv(3, 2, **kwargs)
        call(conv)
