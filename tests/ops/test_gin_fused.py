"""The fused GIN ops (npgnn.ops.gin): float64 gradcheck on a directed graph with duplicate edges,
self-loops, isolated nodes and an empty graph; the GIN model's fused path equals its composed
path (outputs, every gradient, running statistics, dropout draws) and PyG's model with the same
weights; compiled and NumPy kernels agree."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.graph import Batch, Graph
from npgnn.kernels import gin_block
from npgnn.models.gin import GIN
from npgnn.nn.mlp import MLP
from npgnn.ops import nn as F
from npgnn.ops.gin import GINBlock, LinearBatchNormReLU, NormSpec, SumReadout
from tests.nn._helpers import TOL, close, random_graph, torch_state

KERNELS = ["numba", "numpy"]


@pytest.fixture(params=KERNELS)
def kernel_mode(request, monkeypatch):
    if request.param == "numpy":
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    else:
        monkeypatch.setattr(gin_block, "MIN_WORK", 0)  # compiled even for the tiny test inputs
    return request.param


def _block_inputs(rng, n=12, f=3, h=4, h2=5):
    return [rng.standard_normal((n, f)), np.array([0.3]),
            rng.standard_normal((h, f)), rng.standard_normal(h),
            1 + 0.2 * rng.standard_normal(h), rng.standard_normal(h),
            rng.standard_normal((h2, h)), rng.standard_normal(h2),
            1 + 0.2 * rng.standard_normal(h2), rng.standard_normal(h2)]


@pytest.mark.parametrize("fixed_stats", [False, True])
def test_gin_block_gradcheck(kernel_mode, fixed_stats):
    ei = random_graph(4)        # directed, 4 duplicate edges, 3 self-loops, 2 isolated nodes
    rng = np.random.default_rng(5)
    inputs = _block_inputs(rng)

    def specs():
        if not fixed_stats:
            return NormSpec(1e-5), NormSpec(1e-3)
        return (NormSpec(1e-5, (rng2.standard_normal(4), 1 + rng2.random(4))),
                NormSpec(1e-3, (rng2.standard_normal(5), 1 + rng2.random(5))))

    rng2 = np.random.default_rng(6)
    fixed = specs()
    npgnn.gradcheck(lambda *t: GINBlock(ei[0], ei[1], *fixed)(*t), *inputs, atol=1e-6, rtol=1e-5)


def test_sum_readout_gradcheck(kernel_mode):
    rng = np.random.default_rng(7)
    index = np.array([0, 0, 1, 1, 1, 3, 3, 0, 1])      # graph 2 has no nodes
    g, c = 4, 3
    masks = [(rng.random((g, c)) >= 0.5) * 2.0 for _ in range(3)]
    hs = [rng.standard_normal((9, f)) for f in (2, 4, 4)]
    ws = [rng.standard_normal((c, f)) for f in (2, 4, 4)]
    bs = [rng.standard_normal(c) for _ in range(3)]
    npgnn.gradcheck(lambda *t: SumReadout(index, g, masks)(*t), *hs, *ws, *bs)
    npgnn.gradcheck(lambda *t: SumReadout(index, g, None)(*t), *hs, *ws, *bs)


def _batch(seed=0, graphs=5):
    """A block-diagonal batch of small directed graphs (duplicates, self-loops, isolated)."""
    rng = np.random.default_rng(seed)
    parts, batch, offset = [], [], 0
    for k in range(graphs):
        n = int(rng.integers(5, 10))
        ei = random_graph(seed + k, n=n, e=2 * n)
        parts.append(ei + offset)
        batch.append(np.full(n, k))
        offset += n
    return np.concatenate(parts, axis=1), np.concatenate(batch), offset


def _cast(model, dtype):
    for module in model.modules():
        for name, value in list(vars(module).items()):
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                setattr(module, name, value.astype(dtype))
    model.to(dtype)
    return model


def _run(model, forward, x, ei, batch, cot):
    xt = Tensor(x, requires_grad=True)
    out = forward(model)(xt, ei, batch)
    out.backward(cot)
    return out, xt


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("train_eps", [False, True])
def test_model_fused_equals_composed(kernel_mode, dtype, training, train_eps):
    ei, batch, n = _batch()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, 6)).astype(dtype)
    fused = _cast(GIN(6, 3, hidden_channels=8, num_layers=4, train_eps=train_eps, seed=3), dtype)
    for module in fused.modules():  # non-trivial running statistics for evaluation
        if isinstance(getattr(module, "running_var", None), np.ndarray):
            module.running_mean[...] = rng.standard_normal(module.running_mean.shape)
            module.running_var[...] = 1 + rng.random(module.running_var.shape)
    fused.train(training)
    composed = copy.deepcopy(fused)
    cot = rng.standard_normal((batch.max() + 1, 3)).astype(dtype)
    out_f, x_f = _run(fused, lambda m: m, x, ei, batch, cot)
    out_c, x_c = _run(composed, lambda m: m._composed_forward, x, ei, batch, cot)
    assert type(out_f.grad_fn).__name__ == "SumReadout"
    assert out_f.dtype == dtype
    close(out_f.data, out_c.data, dtype)
    close(x_f.grad, x_c.grad, dtype)
    # the pre-norm Linear biases have gradient 0 in exact arithmetic (batch norm removes any
    # shift): compare every gradient on the scale of the model's gradients, not its own
    scale = max(float(np.abs(p.grad).max()) for p in composed.parameters())
    for (name, p), q in zip(fused.named_parameters(), composed.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, rtol=TOL[dtype], atol=TOL[dtype] * scale,
                                   err_msg=name)
    for a, b in zip(fused.modules(), composed.modules()):
        for key in ("running_mean", "running_var", "num_batches_tracked"):
            if isinstance(getattr(a, key, None), np.ndarray):
                close(getattr(a, key), getattr(b, key), dtype)
    # the dropout masks came from the same draws: the generators are in the same state
    assert fused.rng.random() == composed.rng.random()


def test_model_takes_graph_batch_and_raw_arrays_alike():
    ei, batch, n = _batch(2)
    x = np.random.default_rng(0).standard_normal((n, 6)).astype(np.float32)
    model = GIN(6, 2, hidden_channels=8, num_layers=3, seed=0).eval()
    starts = np.flatnonzero(np.diff(batch, prepend=-1))
    g = Batch.from_data_list([Graph(ei[:, batch[ei[0]] == k] - starts[k], x=x[batch == k],
                                    num_nodes=int((batch == k).sum()))
                              for k in range(batch.max() + 1)])
    a = model(x, ei, batch).data
    b = model(g.x, g, g, g.num_graphs).data
    c = model._composed_forward(x, ei, batch).data
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-5)


def test_model_errors_as_composed():
    ei, batch, n = _batch(3)
    x = np.ones((n, 6), np.float32)
    model = GIN(6, 2, hidden_channels=8, num_layers=3, seed=0)
    with pytest.raises(ValueError, match=r"global_add_pool: batch must have shape"):
        model(x, ei, batch[:-1])
    with pytest.raises(IndexError, match=r"global_add_pool: batch: ids must lie in"):
        model(x, ei, batch, 2)
    bad = ei.copy()
    bad[1, 3] = n
    with pytest.raises(IndexError, match=r"edge_index"):
        model(x, bad, batch)
    with pytest.raises(ValueError, match=r"expected more than 1 value per channel"):
        model(x[:1], np.zeros((2, 0), np.int64), np.zeros(1, np.int64))


def test_kernels_numba_equal_numpy():
    """Also: small jobs take the NumPy versions (no compilation for a toy input)."""
    assert gin_block.kernels(10) is gin_block._NUMPY
    pytest.importorskip("numba")
    rng = np.random.default_rng(2)
    ei = random_graph(1, n=30, e=90)
    x = rng.standard_normal((30, 7))
    idx = rng.integers(0, 5, 30)
    gamma, beta = rng.standard_normal(7), rng.standard_normal(7)
    g = rng.standard_normal((30, 7))

    def everything(k):
        mean, var = k.bn_stats(x)
        invstd = 1 / np.sqrt(var + 1e-5)
        xhat, y = k.bn_relu_apply(x, mean, invstd, gamma, beta, True)
        return (k.aggregate(x, ei[0], ei[1], 1.5), k.scatter_rows(x, idx, 6), mean, var, y,
                *k.bn_relu_backward(g, y, xhat, gamma, invstd, True, True),
                *k.bn_relu_backward(g, y, xhat, gamma, invstd, False, False))

    compiled = everything(gin_block._compiled_kernels())
    for a, b in zip(compiled, everything(gin_block._NUMPY)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert len(compiled) == 13


# ------------------------------------------------------------------------------ PyG's model
def _pyg_gin(fin, classes, hidden, layers, p):
    torch = pytest.importorskip("torch")
    pyg_nn = pytest.importorskip("torch_geometric.nn")
    F = torch.nn.functional

    class PaperGIN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            sizes = [fin] + [hidden] * (layers - 1)
            self.convs = torch.nn.ModuleList(
                [pyg_nn.GINConv(pyg_nn.MLP([a, hidden, hidden], norm="batch_norm"))
                 for a in sizes[:-1]])
            self.norms = torch.nn.ModuleList([torch.nn.BatchNorm1d(hidden) for _ in sizes[:-1]])
            self.heads = torch.nn.ModuleList([torch.nn.Linear(a, classes) for a in sizes])

        def forward(self, x, edge_index, batch):
            score = F.dropout(self.heads[0](pyg_nn.global_add_pool(x, batch)), p, self.training)
            h = x
            for k, (conv, norm) in enumerate(zip(self.convs, self.norms), start=1):
                h = F.relu(norm(conv(h, edge_index)))
                score = score + F.dropout(self.heads[k](pyg_nn.global_add_pool(h, batch)), p,
                                          self.training)
            return score

    return PaperGIN()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("training", [True, False])
def test_model_equals_pyg(dtype, training):
    torch = pytest.importorskip("torch")
    ei, batch, n = _batch(4)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((n, 6)).astype(dtype)
    ours = _cast(GIN(6, 3, hidden_channels=8, num_layers=4, dropout=0.0, seed=1), dtype)
    theirs = _pyg_gin(6, 3, 8, 4, 0.0).to({np.float64: torch.float64,
                                           np.float32: torch.float32}[dtype])
    theirs.load_state_dict(torch_state(ours))
    ours.train(training)
    theirs.train(training)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(xo, ei, batch)
    ref = theirs(xt, torch.from_numpy(ei), torch.from_numpy(batch))
    assert type(out.grad_fn).__name__ == "SumReadout"
    cot = rng.standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    theirs_params = dict(theirs.named_parameters())
    scale = max(float(p.grad.abs().max()) for p in theirs.parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs_params[name].grad.numpy(), rtol=TOL[dtype],
                                   atol=TOL[dtype] * scale, err_msg=name)
    state = theirs.state_dict()
    for name, value in torch_state(ours).items():
        close(value.numpy(), state[name], dtype)


# ------------------------------------------------------------------------------ MLP hidden layer
@pytest.mark.parametrize("fixed_stats", [False, True])
def test_linear_batch_norm_relu_gradcheck(kernel_mode, fixed_stats):
    rng = np.random.default_rng(9)
    spec = NormSpec(1e-5, (rng.standard_normal(4), 1 + rng.random(4)) if fixed_stats else None)
    inputs = [rng.standard_normal((7, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4),
              1 + 0.2 * rng.standard_normal(4), rng.standard_normal(4)]
    npgnn.gradcheck(lambda *t: LinearBatchNormReLU(spec)(*t), *inputs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_mlp_fused_equals_composed(kernel_mode, dtype, training, bias):
    rng = np.random.default_rng(10)
    fused = MLP([5, 8, 6, 3], bias=bias, rng=0).to(dtype).train(training)
    for norm in fused.norms:
        norm.module.running_mean[...] = rng.standard_normal(norm.module.running_mean.shape)
        norm.module.running_var[...] = 1 + rng.random(norm.module.running_var.shape)
    composed = copy.deepcopy(fused)
    x = rng.standard_normal((11, 5)).astype(dtype)
    cot = rng.standard_normal((11, 3)).astype(dtype)
    xf, xc = Tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    out = fused(xf)
    assert type(out.grad_fn.inputs[0].grad_fn).__name__ == "LinearBatchNormReLU"
    h = xc
    for lin, norm in zip(composed.lins[:-1], composed.norms):
        h = F.relu(norm(lin(h)))
    ref = composed.lins[-1](h)
    out.backward(cot)
    ref.backward(cot)
    close(out.data, ref.data, dtype)
    close(xf.grad, xc.grad, dtype)
    scale = max(float(np.abs(p.grad).max()) for p in composed.parameters())
    for (name, p), q in zip(fused.named_parameters(), composed.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, rtol=TOL[dtype], atol=TOL[dtype] * scale,
                                   err_msg=name)
    for a, b in zip(fused.norms, composed.norms):
        close(a.module.running_mean, b.module.running_mean, dtype)
        close(a.module.running_var, b.module.running_var, dtype)
