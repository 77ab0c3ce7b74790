"""Readouts of ``npgnn.nn.aggr`` and ``npgnn.nn.LSTM`` against PyG / torch with identical weights
(outputs and every gradient, float64 to 1e-10, float32 to 1e-5), on batches with an empty graph
and unsorted graph ids; float64 gradchecks with random cotangents; errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.graph import Batch, Graph
from npgnn.nn import Linear
from npgnn.nn.aggr import (
    AttentionalAggregation,
    MaxAggregation,
    MeanAggregation,
    Set2Set,
    SumAggregation,
)
from npgnn.nn.mlp import MLP
from npgnn.nn.rnn import LSTM

from ._helpers import TORCH, close, load_pyg_parameters

torch = pytest.importorskip("torch")
pyg_aggr = pytest.importorskip("torch_geometric.nn.aggr")
pyg_nn = pytest.importorskip("torch_geometric.nn")

# 9 nodes in graphs 0, 1, 3 (graph 2 and graph 4 are empty), ids not sorted
INDEX = np.array([1, 0, 0, 3, 1, 3, 0, 3, 1])
DIM_SIZE = 5


def run_both(ours, theirs, dtype, x, **call):
    theirs.to(TORCH[dtype])
    ours.to(dtype)
    xo, xt = Tensor(x.astype(dtype), requires_grad=True), torch.tensor(x.astype(dtype), requires_grad=True)
    out = ours(xo, **call)
    call_t = {k: (torch.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in call.items()}
    ref = theirs(xt, **call_t)
    cot = np.random.default_rng(9).standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    theirs_p = dict(theirs.named_parameters())
    assert sorted(theirs_p) == sorted(n for n, _ in ours.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, theirs_p[name].grad, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("ours_cls, theirs_name", [
    (SumAggregation, "SumAggregation"), (MeanAggregation, "MeanAggregation"),
    (MaxAggregation, "MaxAggregation")])
def test_basic_aggregations_match_pyg(dtype, ours_cls, theirs_name):
    x = np.random.default_rng(0).standard_normal((9, 4))
    run_both(ours_cls(), getattr(pyg_aggr, theirs_name)(), dtype, x, index=INDEX, dim_size=DIM_SIZE)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["linear_gate", "linear_gate_and_nn", "mlp_gate_and_mlp", "channel_gate"])
def test_attentional_aggregation_matches_pyg(dtype, kind):
    torch.manual_seed(0)
    if kind == "mlp_gate_and_mlp":
        theirs = pyg_aggr.AttentionalAggregation(pyg_nn.MLP([4, 8, 1], norm=None),
                                                 pyg_nn.MLP([4, 8, 6], norm=None))
        ours = AttentionalAggregation(MLP([4, 8, 1], norm=None, rng=0), MLP([4, 8, 6], norm=None, rng=1))
    else:
        gate_out = 6 if kind == "channel_gate" else 1
        nn_t = torch.nn.Linear(4, 6) if kind != "linear_gate" else None
        theirs = pyg_aggr.AttentionalAggregation(torch.nn.Linear(4, gate_out if nn_t is not None else 1), nn_t)
        ours = AttentionalAggregation(Linear(4, gate_out if nn_t is not None else 1, rng=0),
                                      Linear(4, 6, rng=1) if nn_t is not None else None)
    load_pyg_parameters(ours, theirs)
    x = np.random.default_rng(1).standard_normal((9, 4))
    run_both(ours, theirs, dtype, x, index=INDEX, dim_size=DIM_SIZE)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("steps", [1, 3])
def test_set2set_matches_pyg(dtype, steps):
    torch.manual_seed(steps)
    theirs = pyg_aggr.Set2Set(4, steps)
    ours = Set2Set(4, steps, rng=0)
    load_pyg_parameters(ours, theirs)
    x = np.random.default_rng(2).standard_normal((9, 4))
    run_both(ours, theirs, dtype, x, index=INDEX, dim_size=DIM_SIZE)


@pytest.mark.parametrize("num_layers, batch_first, bias", [(1, False, True), (2, True, False)])
def test_lstm_matches_torch(num_layers, batch_first, bias):
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 5, num_layers=num_layers, batch_first=batch_first, bias=bias).double()
    ours = LSTM(3, 5, num_layers=num_layers, batch_first=batch_first, bias=bias, rng=0, dtype=np.float64)
    load_pyg_parameters(ours, theirs)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3) if batch_first else (4, 2, 3))     # batch 2, 4 steps
    h0, c0 = rng.standard_normal((2, num_layers, 2, 5))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ho, hto = Tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)
    out, (h_n, c_n) = ours(xo, (ho, Tensor(c0)))
    ref, (h_t, c_t) = theirs(xt, (hto, torch.tensor(c0)))
    cots = [rng.standard_normal(t.shape) for t in (out, h_n, c_n)]
    ((out * cots[0]).sum() + (h_n * cots[1]).sum() + (c_n * cots[2]).sum()).backward()
    ((ref * torch.from_numpy(cots[0])).sum() + (h_t * torch.from_numpy(cots[1])).sum()
     + (c_t * torch.from_numpy(cots[2])).sum()).backward()
    for a, b in ((out, ref), (h_n, h_t), (c_n, c_t)):
        close(a.data, b)
    close(xo.grad, xt.grad)
    close(ho.grad, hto.grad)
    theirs_p = dict(theirs.named_parameters())
    assert sorted(theirs_p) == sorted(n for n, _ in ours.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, theirs_p[name].grad)


def test_gradchecks_with_an_empty_graph_in_a_batch():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((9, 3))
    att = AttentionalAggregation(Linear(3, 1, rng=0), Linear(3, 2, rng=1)).to(np.float64)
    npgnn.gradcheck(lambda t: att(t, INDEX, dim_size=DIM_SIZE), x)
    s2s = Set2Set(3, 2, rng=0, dtype=np.float64)
    npgnn.gradcheck(lambda t: s2s(t, INDEX, dim_size=DIM_SIZE), x)
    w = s2s.lstm.weight_hh_l0
    npgnn.gradcheck(lambda t: _with(s2s.lstm, "weight_hh_l0", t, lambda: s2s(x, INDEX, dim_size=DIM_SIZE)),
                    w.data.copy())
    assert s2s.lstm.weight_hh_l0 is w


def _with(module, name, value, fn):
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        return fn()
    finally:
        setattr(module, name, saved)


def test_index_forms_agree():
    """index array, ptr, a batched Graph and the global pool give the same rows."""
    rng = np.random.default_rng(5)
    graphs = [Graph(edge_index=np.zeros((2, 0), np.int64), num_nodes=k) for k in (3, 0, 2)]
    b = Batch.from_graphs(graphs)
    x = rng.standard_normal((5, 2))
    aggr = AttentionalAggregation(Linear(2, 1, rng=0)).to(np.float64)
    by_index = aggr(x, b.batch, dim_size=3).data
    np.testing.assert_array_equal(aggr(x, ptr=np.array([0, 3, 3, 5])).data, by_index)
    np.testing.assert_array_equal(aggr(x, b).data, by_index)
    np.testing.assert_array_equal(by_index[1], 0.0)
    np.testing.assert_allclose(SumAggregation()(x, b.batch).data, npgnn.nn.global_add_pool(x, b.batch).data)
    one = aggr(x).data                                  # no index: one group
    assert one.shape == (1, 2)


@pytest.mark.parametrize("call, err, match", [
    (lambda: SumAggregation()(np.ones((3, 2)), np.array([0, 1])), ValueError, r"batch must have shape \(3,\)"),
    (lambda: SumAggregation()(np.ones((3, 2)), np.array([0, 1, 1]), dim=1), ValueError, r"dim must be the node axis"),
    (lambda: SumAggregation()(np.ones((3, 2)), ptr=np.array([0, 2])), ValueError, r"ptr must be non-decreasing"),
    (lambda: SumAggregation()(np.ones((3, 2)), ptr=np.array([0, 3]), dim_size=2), ValueError, r"dim_size=2 disagrees"),
    (lambda: SumAggregation()(np.ones((3, 2)), np.array([0, 1, 5]), dim_size=2), IndexError, r"ids must lie in \[0, 2\)"),
    (lambda: Set2Set(2, 1)(np.ones((3, 2))), ValueError, r"pass index"),
    (lambda: Set2Set(2, 0), ValueError, r"processing_steps must be a positive int"),
    (lambda: Set2Set(2, 1)(np.ones((3, 3)), np.array([0, 0, 1])), ValueError, r"x must have 2 columns"),
    (lambda: AttentionalAggregation(Linear(2, 3))(np.ones((3, 2)), np.array([0, 0, 1])), ValueError,
     r"gate_nn must return \(3, 1\) or \(3, 2\), got \(3, 3\)"),
    (lambda: AttentionalAggregation(5), TypeError, r"gate_nn must be a Module"),
    (lambda: LSTM(2, 3, bidirectional=True), ValueError, r"not supported"),
    (lambda: LSTM(2, 3)(np.ones((4, 1, 3))), ValueError, r"input must have shape \(L, B, 2\)"),
])
def test_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()
