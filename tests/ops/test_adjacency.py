"""Adjacency: the cached transpose, dtype views, and the compiled kernel against SciPy."""
import numpy as np
import pytest
import scipy.sparse as sp

import npgnn
from npgnn.kernels import numba_enabled
from npgnn.ops import Adjacency, spmm
import npgnn.kernels as kernels


def random_directed(n, e, seed):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, e), rng.integers(0, n - 1, e)  # node n-1 receives nothing
    w = rng.standard_normal(e)
    return sp.csr_matrix((w, (dst, src)), shape=(n, n))


def test_transpose_is_cached_and_involutive():
    a = Adjacency(random_directed(30, 100, 0))
    assert a.T is a.T and a.T.T is a
    np.testing.assert_array_equal(a.T.toarray(), a.toarray().T)
    assert a.astype(np.float32) is a.astype(np.float32) and a.astype(np.float32).dtype == np.float32


def test_duplicates_are_summed():
    a = Adjacency(sp.coo_matrix((np.ones(3), ([0, 0, 1], [1, 1, 0])), shape=(2, 2)))
    np.testing.assert_array_equal(a.toarray(), [[0, 2], [1, 0]])


@pytest.mark.skipif(not numba_enabled(), reason="numba kernels disabled")
@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_equals_scipy(monkeypatch, dtype, parallel):
    monkeypatch.setattr(kernels, "KERNEL_MIN_WORK", 0)
    monkeypatch.setattr(kernels, "PARALLEL_MIN_WORK", 0 if parallel else 1 << 62)
    m = random_directed(500, 4000, 1).astype(dtype)
    x = np.random.default_rng(2).standard_normal((500, 7)).astype(dtype)
    a = Adjacency(m)
    out = a @ x
    assert out.dtype == dtype
    np.testing.assert_allclose(out, m @ x, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)
    np.testing.assert_array_equal(a @ x, out)  # deterministic: bit-identical on a second run


@pytest.mark.parametrize("use_kernel", [True, False])
def test_spmm_gradcheck_directed_both_paths(monkeypatch, use_kernel):
    monkeypatch.setattr(kernels, "KERNEL_MIN_WORK", 0 if use_kernel else 1 << 62)
    a = Adjacency(random_directed(12, 40, 3))
    x = np.random.default_rng(4).standard_normal((12, 3))
    npgnn.gradcheck(lambda t: spmm(a, t), x)
    npgnn.gradcheck(lambda t: spmm(a, t), np.random.default_rng(5).standard_normal((2, 12, 3)))
