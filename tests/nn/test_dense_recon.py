"""dense_recon_loss: Kipf & Welling's weighted BCE over the dense adjacency, against their
formula in NumPy, gradchecked, and its errors."""
import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.nn.models.dense_recon import dense_recon_loss
from tests.nn._helpers import random_graph


def reference(z, ei):
    """tf.nn.weighted_cross_entropy_with_logits on Z Zᵀ, targets A + I, as in gae/optimizer.py."""
    n = z.shape[0]
    a = np.zeros((n, n))
    a[ei[1], ei[0]] = 1
    np.fill_diagonal(a, 0)
    y = a + np.eye(n)
    pos_weight = (n * n - a.sum()) / a.sum()
    norm = n * n / ((n * n - a.sum()) * 2)
    s = z @ z.T
    sig = 1 / (1 + np.exp(-s))
    return norm * np.mean(pos_weight * y * -np.log(sig) + (1 - y) * -np.log(1 - sig))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_equals_the_original_formula_and_keeps_the_dtype(dtype):
    ei = random_graph(0, n=12)                 # duplicates, self-loops, two isolated nodes
    z = np.random.default_rng(0).standard_normal((12, 4)).astype(dtype)
    loss = dense_recon_loss(Tensor(z), ei)
    assert loss.dtype == dtype and loss.shape == ()
    np.testing.assert_allclose(loss.data, reference(z.astype(np.float64), ei), rtol=1e-10 if dtype == np.float64 else 1e-5)


def test_gradcheck():
    ei = random_graph(1, n=12)
    npgnn.gradcheck(lambda t: dense_recon_loss(t, ei), np.random.default_rng(1).standard_normal((12, 3)))


def test_saturated_scores_stay_finite_with_exact_gradients():
    z = np.array([[30.0, 0.0], [30.0, 0.0], [0.0, -30.0]])   # σ(900) rounds to 1
    t = Tensor(z, requires_grad=True)
    loss = dense_recon_loss(t, np.array([[0, 2], [2, 0]]))
    loss.backward()
    assert np.isfinite(loss.data) and loss.data > 100 and np.isfinite(t.grad).all()


@pytest.mark.parametrize("z, ei, error, match", [
    (np.ones(3), [[0], [1]], ValueError, r"z: expected node embeddings of shape \(N, d\)"),
    (np.ones((3, 2)), [[0], [5]], IndexError, r"node ids must lie in \[0, 3\)"),
    (np.ones((3, 2)), [[1], [1]], ValueError, "no edge off the diagonal"),
])
def test_bad_inputs_are_named(z, ei, error, match):
    with pytest.raises(error, match=match):
        dense_recon_loss(z, ei)
