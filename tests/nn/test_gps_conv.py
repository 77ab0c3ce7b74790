"""GPSConv against PyG's with identical weights (outputs, x / edge_attr / parameter gradients and
batch-norm statistics; float64 to 1e-10, float32 to 1e-5); to_dense_batch against PyG's;
gradchecks on a batch with an empty graph; attention stays inside each graph; errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.graph import Batch, Graph
from npgnn.nn import Linear, ReLU, Sequential
from npgnn.nn.conv.gine import GINEConv
from npgnn.nn.conv.gps_conv import GPSConv
from npgnn.utils import to_dense_batch

from ._helpers import TORCH, close, load_pyg_parameters, random_graph

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")
pyg_utils = pytest.importorskip("torch_geometric.utils")

C = 8


def batch_of_graphs(seed=0, sizes=(12, 5, 7), empty_at=None):
    rng = np.random.default_rng(seed)
    graphs = []
    for k, n in enumerate(sizes):
        ei = random_graph(seed + k, n=n, e=max(n, 8)) if n >= 8 else rng.integers(0, n, (2, 2 * n))
        graphs.append(Graph(edge_index=ei, num_nodes=n, x=rng.standard_normal((n, C)),
                            edge_attr=rng.standard_normal((ei.shape[1], 3))))
    if empty_at is not None:
        graphs.insert(empty_at, Graph(edge_index=np.zeros((2, 0), np.int64), num_nodes=0,
                                      x=np.zeros((0, C)), edge_attr=np.zeros((0, 3))))
    return Batch.from_graphs(graphs)


def twins(dtype, heads, with_conv=True, norm="batch_norm"):
    torch.manual_seed(heads)
    conv_t = (pyg_nn.GINEConv(torch.nn.Sequential(torch.nn.Linear(C, C), torch.nn.ReLU(),
                                                   torch.nn.Linear(C, C)), edge_dim=3)
              if with_conv else None)
    theirs = pyg_nn.GPSConv(C, conv_t, heads=heads, norm=norm).to(TORCH[dtype])
    conv_o = (GINEConv(Sequential(Linear(C, C), ReLU(), Linear(C, C)), edge_dim=3)
              if with_conv else None)
    ours = GPSConv(C, conv_o, heads=heads, norm=norm, rng=0).to(dtype)
    load_pyg_parameters(ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("heads", [1, 4])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("with_conv, norm", [(True, "batch_norm"), (False, "batch_norm"), (True, None),
                                             (True, "layer_norm")])
def test_matches_pyg(dtype, heads, training, with_conv, norm):
    b = batch_of_graphs(heads)
    ours, theirs = twins(dtype, heads, with_conv, norm)
    ours.train(training)
    theirs.train(training)
    x = b.x.astype(dtype)
    ea = b.edge_attr.astype(dtype)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, et = Tensor(ea, requires_grad=True), torch.tensor(ea, requires_grad=True)
    kw_o = {"edge_attr": eo} if with_conv else {}
    kw_t = {"edge_attr": et} if with_conv else {}
    out = ours(xo, b.edge_index, b.batch, **kw_o)
    ref = theirs(xt, torch.from_numpy(b.edge_index), torch.from_numpy(b.batch), **kw_t)
    cot = np.random.default_rng(3).standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    if with_conv:
        close(eo.grad, et.grad, dtype)
    theirs_p = dict(theirs.named_parameters())
    assert sorted(theirs_p) == sorted(n for n, _ in ours.named_parameters())
    for name, p in ours.named_parameters():
        if p.grad is None or theirs_p[name].grad is None:     # unused on both sides
            assert p.grad is None and theirs_p[name].grad is None, name
            continue
        close(p.grad, theirs_p[name].grad, dtype)
    from npgnn.interop import to_pyg_state_dict
    for name, value in to_pyg_state_dict(ours).items():        # running statistics too
        close(value, theirs.state_dict()[name], dtype)


def test_to_dense_batch_matches_pyg_and_gradchecks():
    rng = np.random.default_rng(0)
    x, batch = rng.standard_normal((7, 3)), np.array([0, 0, 1, 1, 1, 3, 3])
    dense, mask = to_dense_batch(x, batch, fill_value=-2.0)
    ref, ref_mask = pyg_utils.to_dense_batch(torch.tensor(x), torch.tensor(batch), fill_value=-2.0)
    np.testing.assert_array_equal(dense.data, ref.numpy())
    np.testing.assert_array_equal(mask, ref_mask.numpy())
    np.testing.assert_array_equal(dense.data[mask], x)
    npgnn.gradcheck(lambda t: to_dense_batch(t, batch, max_num_nodes=4)[0], x)
    unsorted = np.array([1, 0, 1, 3, 0, 1, 3])               # any order: graphs keep node order
    dense, mask = to_dense_batch(x, unsorted)
    np.testing.assert_array_equal(dense.data[0, :2], x[[1, 4]])


def test_gradcheck_with_an_empty_graph_and_attention_stays_in_each_graph():
    b = batch_of_graphs(5, sizes=(4, 3), empty_at=1)
    gps = GPSConv(C, GINEConv(Linear(C, C, rng=0), edge_dim=3, rng=1), heads=2, rng=0,
                  dropout=0.2).to(np.float64)

    def fn(x, ea):
        gps.rng = gps.mlp[2].rng = gps.mlp[4].rng = np.random.default_rng(4)   # same masks each call
        return gps(x, b, edge_attr=ea)

    npgnn.gradcheck(fn, b.x, b.edge_attr)
    gps.eval()
    x = b.x.copy()
    before = gps(x, b).data
    x[4:] += 10.0                                    # change the second (non-empty) graph only
    np.testing.assert_allclose(gps(x, b).data[:4], before[:4], rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"heads": 3}, r"heads must be a positive divisor of channels=8"),
    ({"attn_type": "performer"}, r"attn_type must be 'multihead'"),
    ({"norm": "group_norm"}, r"norm must be 'batch_norm', 'layer_norm'"),
    ({"dropout": 1.5}, r"dropout must lie in \[0, 1\)"),
])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GPSConv(C, None, **kwargs)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 8\)"):
        GPSConv(C, None)(np.ones((3, 4)), np.zeros((2, 0), np.int64))
