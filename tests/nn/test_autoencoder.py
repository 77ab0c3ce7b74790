"""InnerProductDecoder, MLPDecoder, GAE and VGAE against PyG with identical weights (outputs and
every gradient), float64 gradchecks of the VGAE loss with fixed noise, and argument errors."""
import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.interop import to_pyg_state_dict
from npgnn.nn import GCNConv, Module
from npgnn.nn.models import GAE, VGAE, InnerProductDecoder, MLPDecoder
from npgnn.ops import relu
from tests.nn._helpers import ALLCLOSE, TORCH, close, random_graph, torch

pyg_nn = pytest.importorskip("torch_geometric.nn")

N, F_IN, HIDDEN, OUT = 12, 6, 8, 4


class Encoder(Module):
    """GCN 2-layer encoder; with ``variational`` it returns (mu, logstd) as in the VGAE paper."""

    def __init__(self, variational: bool, dtype, rng=0):
        self.conv1 = GCNConv(F_IN, HIDDEN, rng=rng, dtype=dtype)
        self.conv_mu = GCNConv(HIDDEN, OUT, rng=rng, dtype=dtype)
        self.variational = variational
        if variational:
            self.conv_logstd = GCNConv(HIDDEN, OUT, rng=rng, dtype=dtype)

    def forward(self, x, edge_index):
        h = relu(self.conv1(x, edge_index))
        mu = self.conv_mu(h, edge_index)
        return (mu, self.conv_logstd(h, edge_index)) if self.variational else mu


class TorchEncoder(torch.nn.Module):
    def __init__(self, variational: bool):
        super().__init__()
        self.conv1 = pyg_nn.GCNConv(F_IN, HIDDEN)
        self.conv_mu = pyg_nn.GCNConv(HIDDEN, OUT)
        self.variational = variational
        if variational:
            self.conv_logstd = pyg_nn.GCNConv(HIDDEN, OUT)

    def forward(self, x, edge_index):
        h = self.conv1(x, edge_index).relu()
        mu = self.conv_mu(h, edge_index)
        return (mu, self.conv_logstd(h, edge_index)) if self.variational else mu


def twins(cls, theirs_cls, dtype, variational):
    ours = cls(Encoder(variational, dtype), rng=0)
    for p in ours.parameters():            # random biases too (GCNConv starts them at 0)
        p.data[...] = np.random.default_rng(p.size).standard_normal(p.shape).astype(dtype) * 0.5
    theirs = theirs_cls(TorchEncoder(variational)).to(TORCH[dtype])
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in to_pyg_state_dict(ours).items()})
    return ours, theirs


def compare_grads(ours, theirs, dtype):
    theirs_params = dict(theirs.named_parameters())
    assert sorted(theirs_params) == sorted(n for n, _ in ours.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, theirs_params[name].grad, dtype)


def data(dtype):
    rng = np.random.default_rng(3)
    ei = random_graph(0, n=N)                     # duplicates, self-loops, isolated nodes
    neg = np.stack([rng.integers(0, N, 30), rng.integers(0, N, 30)])
    return rng.standard_normal((N, F_IN)).astype(dtype), ei, neg


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inner_product_decoder_matches_pyg(dtype):
    from torch_geometric.nn.models.autoencoder import InnerProductDecoder as Theirs

    rng = np.random.default_rng(0)
    z = rng.standard_normal((N, OUT)).astype(dtype)
    _, ei, _ = data(dtype)
    for sigmoid in (True, False):
        zo, zt = Tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
        out, ref = InnerProductDecoder()(zo, ei, sigmoid=sigmoid), Theirs()(zt, torch.from_numpy(ei), sigmoid=sigmoid)
        cot = rng.standard_normal(out.shape).astype(dtype)
        out.backward(cot)
        (ref * torch.from_numpy(cot)).sum().backward()
        assert out.dtype == dtype
        close(out.data, ref, dtype)
        close(zo.grad, zt.grad, dtype)
        close(InnerProductDecoder().forward_all(z, sigmoid=sigmoid).data, Theirs().forward_all(torch.from_numpy(z), sigmoid), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gae_recon_loss_and_test_match_pyg(dtype):
    ours, theirs = twins(GAE, pyg_nn.GAE, dtype, variational=False)
    x, ei, neg = data(dtype)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    zo, zt = ours.encode(xo, ei), theirs.encode(xt, torch.from_numpy(ei))
    loss = ours.recon_loss(zo, ei, neg)
    ref = theirs.recon_loss(zt, torch.from_numpy(ei), torch.from_numpy(neg))
    loss.backward()
    ref.backward()
    assert loss.dtype == dtype
    close(loss.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    compare_grads(ours, theirs, dtype)
    auc, ap = ours.test(zo, ei, neg)
    ref_auc, ref_ap = theirs.test(zt, torch.from_numpy(ei), torch.from_numpy(neg))
    assert auc == pytest.approx(ref_auc, abs=1e-12) and ap == pytest.approx(ref_ap, abs=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("training", [True, False])
def test_vgae_loss_matches_pyg_with_the_same_noise(dtype, training, monkeypatch):
    ours, theirs = twins(VGAE, pyg_nn.VGAE, dtype, variational=True)
    ours.train(training)
    theirs.train(training)
    x, ei, neg = data(dtype)
    noise = np.random.default_rng(0).standard_normal((N, OUT)).astype(dtype)   # ours draws this
    monkeypatch.setattr(torch, "randn_like", lambda t: torch.from_numpy(noise.copy()))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    zo, zt = ours.encode(xo, ei), theirs.encode(xt, torch.from_numpy(ei))
    close(zo.data, zt, dtype)
    loss = ours.recon_loss(zo, ei, neg) + (1 / N) * ours.kl_loss()
    ref = theirs.recon_loss(zt, torch.from_numpy(ei), torch.from_numpy(neg)) + (1 / N) * theirs.kl_loss()
    loss.backward()
    ref.backward()
    close(loss.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    compare_grads(ours, theirs, dtype)


def test_kl_loss_formula_and_clamp_match_pyg():
    rng = np.random.default_rng(1)
    mu, logstd = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    logstd[0, 0] = 12.0                                     # above MAX_LOGSTD = 10: clamped
    model, theirs = VGAE(Encoder(True, np.float64)), pyg_nn.VGAE(TorchEncoder(True))
    mo, lo = Tensor(mu, requires_grad=True), Tensor(logstd, requires_grad=True)
    mt, lt = torch.tensor(mu, requires_grad=True), torch.tensor(logstd, requires_grad=True)
    kl, ref = model.kl_loss(mo, lo), theirs.kl_loss(mt, lt)
    kl.backward()
    ref.backward()
    clamped = np.minimum(logstd, 10)
    expected = -0.5 * np.mean(np.sum(1 + 2 * clamped - mu ** 2 - np.exp(clamped) ** 2, axis=1))
    assert kl.data == pytest.approx(expected, rel=1e-12)
    close(kl.data, ref)
    close(mo.grad, mt.grad)
    close(lo.grad, lt.grad)
    assert lo.grad[0, 0] == 0.0


def test_gradcheck_of_the_vgae_loss_with_fixed_noise():
    model = VGAE(Encoder(True, np.float64, rng=2))
    x, ei, neg = data(np.float64)

    def loss(x):
        model.rng = np.random.default_rng(5)            # the same noise at every evaluation
        z = model.encode(x, ei)
        return model.recon_loss(z, ei, neg) + (1 / N) * model.kl_loss()

    npgnn.gradcheck(loss, x)

    def through_mu_logstd(mu, logstd):
        model.rng = np.random.default_rng(6)
        z = model.reparametrize(mu, logstd)
        return model.recon_loss(z, ei, neg) + model.kl_loss(mu, logstd)

    # moderate scores: where σ(z_i·z_j) is within 1e-10 of 1 (z_i·z_j > 23), 1 - σ is quantised
    # to steps of 1e-16 / 1e-10 relative, and the finite differences (not the backward) fail
    rng = np.random.default_rng(7)
    mu, logstd = 0.5 * rng.standard_normal((N, OUT)), -1 + 0.3 * rng.standard_normal((N, OUT))
    npgnn.gradcheck(through_mu_logstd, mu, logstd)


def test_eval_mode_decodes_the_mean_and_noise_follows_the_seed():
    x, ei, _ = data(np.float64)
    a, b = VGAE(Encoder(True, np.float64), rng=4), VGAE(Encoder(True, np.float64), rng=4)
    np.testing.assert_array_equal(a.encode(x, ei).data, b.encode(x, ei).data)
    a.eval()
    np.testing.assert_array_equal(a.encode(x, ei).data, a.__mu__.data)


def test_recon_loss_samples_seeded_negatives_when_none_are_given():
    x, ei, _ = data(np.float64)
    losses = [GAE(Encoder(False, np.float64), rng=9).recon_loss(Encoder(False, np.float64)(x, ei), ei).data
              for _ in range(2)]
    assert losses[0] == losses[1]


@pytest.mark.parametrize("combine", ["hadamard", "concat"])
def test_mlp_decoder_matches_pyg_mlp_on_combined_pairs(combine):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((N, OUT))
    _, ei, _ = data(np.float64)
    ours = MLPDecoder(OUT, 16, num_layers=3, combine=combine, rng=0, dtype=np.float64)
    theirs = pyg_nn.MLP([OUT * (2 if combine == "concat" else 1), 16, 16, 1], norm=None).double()
    theirs.load_state_dict({k.removeprefix("mlp."): torch.from_numpy(v) for k, v in to_pyg_state_dict(ours).items()})
    zo, zt = Tensor(z, requires_grad=True), torch.tensor(z, requires_grad=True)
    src, dst = torch.from_numpy(ei[0]), torch.from_numpy(ei[1])
    h = zt[src] * zt[dst] if combine == "hadamard" else torch.cat([zt[src], zt[dst]], 1)
    out, ref = ours(zo, ei), torch.sigmoid(theirs(h).view(-1))
    cot = rng.standard_normal(out.shape)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref)
    close(zo.grad, zt.grad)
    if combine == "hadamard":
        np.testing.assert_allclose(ours(z, ei).data, ours(z, ei[::-1]).data, **ALLCLOSE[np.float64])
    npgnn.gradcheck(lambda t: ours(t, ei, sigmoid=False), z)


def test_reset_parameters_redraws_every_weight_from_the_seed():
    model = GAE(Encoder(False, np.float64), MLPDecoder(OUT, 8, rng=0, dtype=np.float64))
    before = [p.data.copy() for p in model.parameters()]
    model.reset_parameters(1)
    after = [p.data.copy() for p in model.parameters()]
    assert all(not np.array_equal(a, b) for a, b in zip(before, after) if a.any())
    model.reset_parameters(1)
    for a, p in zip(after, model.parameters()):
        np.testing.assert_array_equal(a, p.data)


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m.recon_loss(np.ones(5), [[0], [1]]), ValueError, r"z: expected node embeddings of shape \(N, d\)"),
    (lambda m: m.recon_loss(np.ones((3, 2)), [[0], [7]]), IndexError, r"pos_edge_index: node ids must lie in \[0, 3\)"),
    (lambda m: m.test(np.ones((3, 2)), [[0], [1]], [[0, 1, 2]]), ValueError, "edge_index: expected shape"),
    (lambda m: VGAE(Encoder(False, np.float64)).encode(np.ones((N, F_IN)), [[0], [1]]), TypeError,
     r"VGAE: the encoder must return \(mu, logstd\)"),
    (lambda m: VGAE(Encoder(True, np.float64)).kl_loss(), RuntimeError, "call encode"),
    (lambda m: MLPDecoder(4, combine="sum"), ValueError, "combine: expected 'hadamard' or 'concat'"),
    (lambda m: MLPDecoder(4, num_layers=0), ValueError, "num_layers: expected an int >= 1"),
])
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call(GAE(Encoder(False, np.float64)))
