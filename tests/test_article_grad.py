"""Gradients of the article's layers: float64 gradcheck with random cotangents on DIRECTED graphs
(edge cases N=1, T=1, H=1 and a node with no neighbours), parameters by central differences,
and TwoLayerGNN against PyTorch with identical weights."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

import npgnn
from npgnn import Tensor, gradcheck
from npgnn.article import (
    Affine,
    Aggregate,
    GNN_Layer,
    MessagePassing,
    Softmax,
    SoftmaxWithLoss,
    TwoLayerGNN,
    WeightSum,
    cross_entropy_error,
    softmax,
    softmax_3D,
)


def directed_adjacency(t: int, seed: int = 0) -> np.ndarray:
    """Weighted, not symmetric; the last node has no neighbours (no in- or out-edges) when T > 2."""
    rng = np.random.default_rng(seed)
    a = (rng.random((t, t)) < 0.5) * rng.uniform(0.5, 2.0, (t, t))
    if t > 2:
        a[-1, :] = a[:, -1] = 0
        a[0, 1], a[1, 0] = 1.5, 0.0  # certainly directed: an edge 1 -> 0 without 0 -> 1
    return a


# (N, T, D, H): the article's sizes, then N = 1, T = 1, H = 1, D != H
SHAPES = [(2, 5, 3, 3), (1, 4, 2, 3), (3, 1, 2, 2), (2, 4, 3, 1), (2, 6, 4, 2)]
IDS = ["article", "N=1", "T=1", "H=1", "D!=H"]


def check_params(module: npgnn.nn.Module, *inputs: np.ndarray, seed: int = 0, eps: float = 1e-6) -> None:
    """Each parameter's gradient from book-style backward equals float64 central differences."""
    w = np.random.default_rng(seed).standard_normal(np.shape(module.forward(*inputs)))
    module.backward(w)

    def objective() -> float:
        with npgnn.no_grad():
            return float(np.sum(module(*(Tensor(x) for x in inputs)).data * w))

    for name, p in module.named_parameters():
        numeric = np.zeros_like(p.data)
        for i in np.ndindex(p.shape):
            orig = p.data[i]
            p.data[i] = orig + eps
            plus = objective()
            p.data[i] = orig - eps
            minus = objective()
            p.data[i] = orig
            numeric[i] = (plus - minus) / (2 * eps)
        assert_allclose(p.grad, numeric, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_weight_sum(shape: tuple) -> None:
    n, t, d, _ = shape
    rng = np.random.default_rng(1)
    assert gradcheck(lambda hs, a: WeightSum()(hs, a), rng.standard_normal((n, t, d)),
                     rng.standard_normal((n, t)))


@pytest.mark.parametrize("kind", ["dense", "csr", "graph"])
@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_message_passing_on_a_directed_graph(shape: tuple, kind: str) -> None:
    n, t, d, _ = shape
    a = directed_adjacency(t)
    adj = {"dense": a, "csr": sp.csr_matrix(a),
           "graph": npgnn.graph.from_dense_adjacency(a.astype(np.float64))}[kind]
    mp = MessagePassing(adj)
    h = np.random.default_rng(2).standard_normal((n, t, d))
    assert gradcheck(lambda x: mp(x), h)
    g = np.random.default_rng(3).standard_normal((n, t, d))
    mp.forward(h)
    assert_allclose(mp.backward(g), np.einsum("ij,nid->njd", a, g), rtol=1e-12, atol=1e-14)


def test_message_passing_backward_uses_the_transpose() -> None:
    a = directed_adjacency(5)
    assert not np.allclose(a, a.T)
    mp = MessagePassing(a)
    g = np.random.default_rng(4).standard_normal((2, 5, 3))
    mp.forward(np.ones((2, 5, 3)))
    dh = mp.backward(g)
    assert_allclose(dh, np.einsum("ij,nid->njd", a, g), rtol=1e-14)  # Aᵀ g
    assert not np.allclose(dh, np.einsum("ij,njd->nid", a, g))  # the article's A g is wrong here
    assert_allclose(dh[:, -1], 0.0)  # the node with no neighbours gets no gradient


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_affine(shape: tuple) -> None:
    n, t, d, h = shape
    rng = np.random.default_rng(5)
    layer = Affine(rng.standard_normal((d, h)), rng.standard_normal(h))
    x = rng.standard_normal((n, t, d))
    assert gradcheck(lambda v: layer(v), x)
    assert gradcheck(lambda v: layer(v), x[0])  # the article's (M, D) form
    check_params(layer, x)
    check_params(layer, x[0])


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_gnn_layer_on_a_directed_graph(shape: tuple) -> None:
    n, t, d, h = shape
    rng = np.random.default_rng(6)
    layer = GNN_Layer(rng.standard_normal((d, h)), rng.standard_normal(h), directed_adjacency(t))
    x = rng.standard_normal((n, t, d))
    assert gradcheck(lambda v: layer(v), x)
    check_params(layer, x)


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_softmax_aggregate_and_functions(shape: tuple) -> None:
    n, t, d, _ = shape
    x = np.random.default_rng(7).standard_normal((n, t, d))
    assert gradcheck(lambda v: Softmax()(v), x)
    assert gradcheck(lambda v: Aggregate()(v), x)
    assert gradcheck(softmax_3D, x)
    assert gradcheck(softmax, x[:, 0])


def test_softmax_layer_has_the_full_jacobian() -> None:
    x = np.random.default_rng(8).standard_normal((2, 3, 4))
    dy = np.random.default_rng(9).standard_normal((2, 3, 4))
    layer = Softmax()
    y = layer.forward(x)
    dx = layer.backward(dy)
    assert_allclose(dx, y * (dy - np.sum(dy * y, axis=-1, keepdims=True)), rtol=1e-13)
    assert not np.allclose(dx, dy * y * (1 - y))  # the article's diagonal


@pytest.mark.parametrize("n,c", [(2, 2), (1, 3), (4, 1)])
def test_softmax_with_loss(n: int, c: int) -> None:
    rng = np.random.default_rng(10)
    x = rng.standard_normal((n, c))
    labels = rng.integers(0, c, n)
    onehot = np.eye(c)[labels]
    for t in (onehot, labels):
        assert gradcheck(lambda v, t=t: SoftmaxWithLoss()(v, t), x)
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, onehot)
    y = softmax(x)
    assert_allclose(loss, -np.mean(np.sum(onehot * np.log(y), axis=1)), rtol=1e-13)
    assert_allclose(layer.backward(), (y - onehot) / n, rtol=1e-13)
    layer.forward(x, labels)
    assert_allclose(layer.backward(2.0), 2 * (y - onehot) / n, rtol=1e-13)


def test_cross_entropy_error_gradient() -> None:
    rng = np.random.default_rng(11)
    y = softmax(rng.standard_normal((3, 4)))
    t = np.eye(4)[[0, 3, 1]]
    assert gradcheck(lambda v: cross_entropy_error(v, t), y)


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_two_layer_gnn(shape: tuple) -> None:
    n, t, d, h = shape
    net = TwoLayerGNN(d, h, 3, directed_adjacency(t), weight_init_std=0.5,
                      rng=np.random.RandomState(12))
    x = np.random.default_rng(13).standard_normal((n, t, d))
    assert gradcheck(lambda v: net(v), x)
    check_params(net, x)
    labels = np.random.default_rng(14).integers(0, 3, n)
    grads = net.calc_gradient(x, labels)

    def loss(**params: np.ndarray) -> float:
        return net.loss(x, labels)

    for key, p in net.params.items():  # the loss itself, by central differences
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            orig = p[i]
            p[i] = orig + 1e-6
            plus = net.loss(x, labels)
            p[i] = orig - 1e-6
            minus = net.loss(x, labels)
            p[i] = orig
            numeric[i] = (plus - minus) / 2e-6
        assert_allclose(grads[key], numeric, rtol=1e-6, atol=1e-9, err_msg=key)


@pytest.mark.parametrize("targets", ["one-hot", "labels"])
def test_two_layer_gnn_matches_pytorch(targets: str) -> None:
    torch = pytest.importorskip("torch")
    n, t, d, h, c = 3, 6, 4, 5, 3
    a = directed_adjacency(t, seed=15)
    net = TwoLayerGNN(d, h, c, a, weight_init_std=0.3, rng=np.random.RandomState(16))
    rng = np.random.default_rng(17)
    net.params["b1"] = rng.standard_normal(h)
    net.params["b2"] = rng.standard_normal(c)
    x = rng.standard_normal((n, t, d))
    labels = rng.integers(0, c, n)
    target = np.eye(c)[labels] if targets == "one-hot" else labels
    ours = net.calc_gradient(x, target)

    A = torch.tensor(a, dtype=torch.float64)
    p = {k: torch.tensor(v.copy(), dtype=torch.float64, requires_grad=True) for k, v in net.params.items()}
    xt = torch.tensor(x, dtype=torch.float64)
    h1 = torch.softmax(torch.matmul(A, xt) @ p["W1"] + p["b1"], dim=-1)
    logits = (torch.matmul(A, h1) @ p["W2"] + p["b2"]).sum(dim=1)
    tt = torch.tensor(target, dtype=torch.float64 if targets == "one-hot" else torch.int64)
    loss = torch.nn.functional.cross_entropy(logits, tt)  # mean over the batch
    loss.backward()
    assert_allclose(net.loss(x, target), loss.item(), rtol=1e-12)
    assert_allclose(net.predict(x), logits.detach().numpy(), rtol=1e-12)
    for key in ours:
        assert_allclose(ours[key], p[key].grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=key)
