"""Linear against torch.nn.Linear, sparse inputs, init and errors."""
import numpy as np
import pytest
import scipy.sparse as sp

import npgnn
from npgnn import Tensor
from npgnn.nn import Linear


def test_matches_torch_with_identical_weights():
    torch = pytest.importorskip("torch")
    lin = Linear(5, 3, rng=0, dtype=np.float64)
    ref = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(lin.weight.data))
        ref.bias.copy_(torch.tensor(lin.bias.data))
    x = np.random.default_rng(1).standard_normal((2, 4, 5))
    w = np.random.default_rng(2).standard_normal((2, 4, 3))
    tx = torch.tensor(x, requires_grad=True)
    (ref(tx) * torch.tensor(w)).sum().backward()
    nx = Tensor(x, requires_grad=True)
    (lin(nx) * w).sum().backward()
    np.testing.assert_allclose(nx.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(lin.weight.grad, ref.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(lin.bias.grad, ref.bias.grad.numpy(), rtol=1e-12)


def test_sparse_input_equals_dense_input():
    rng = np.random.default_rng(3)
    dense = rng.standard_normal((6, 8)) * (rng.random((6, 8)) < 0.3)
    lin = Linear(8, 4, rng=0, dtype=np.float64)
    y_sparse = lin(sp.csr_matrix(dense))
    w = rng.standard_normal((6, 4))
    (y_sparse * w).sum().backward()
    g_sparse = lin.weight.grad.copy()
    lin.zero_grad()
    y_dense = lin(Tensor(dense))
    (y_dense * w).sum().backward()
    np.testing.assert_allclose(y_sparse.data, y_dense.data, rtol=1e-12)
    np.testing.assert_allclose(g_sparse, lin.weight.grad, rtol=1e-12)


def test_gradcheck_weight_through_sparse_input():
    x = sp.random(5, 4, density=0.5, random_state=0, format="csr")
    from npgnn.nn.linear import SparseInputMatMul
    npgnn.gradcheck(lambda w: SparseInputMatMul(x)(w), np.random.default_rng(0).standard_normal((3, 4)))


def test_init_is_reproducible_and_bounded():
    a, b = Linear(100, 50, rng=7), Linear(100, 50, rng=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert np.abs(a.weight.data).max() <= 0.1 and a.weight.dtype == np.float32
    g = Linear(100, 50, weight_init="glorot", rng=0)
    assert np.abs(g.weight.data).max() <= np.sqrt(6 / 150) and not g.bias.data.any()


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"x must have last dimension in_features=3, got shape \(2, 4\)"):
        Linear(3, 2)(np.ones((2, 4), dtype=np.float32))
    with pytest.raises(ValueError, match=r"x must have 3 columns, got sparse shape \(2, 4\)"):
        Linear(3, 2)(sp.csr_matrix(np.ones((2, 4))))
    with pytest.raises(ValueError, match="weight_init must be 'kaiming_uniform' or 'glorot'"):
        Linear(3, 2, weight_init="xavier")
