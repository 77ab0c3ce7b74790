"""Graph ops: gather, segment sum/mean/max/softmax, spmm, edge_spmm.

Each op is checked against an independent dense oracle, by float64 gradcheck (random cotangents),
on random *directed* graphs with isolated nodes, duplicate edges and self-loops; plus empty
segments and inputs, bit-for-bit determinism and the errors at the boundary.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import npgnn
from npgnn import Tensor
from npgnn.ops import Adjacency, Segments
from npgnn.ops.graph import (
    edge_spmm,
    gather,
    segment_max,
    segment_mean,
    segment_softmax,
    segment_sum,
    spmm,
)

N, E = 9, 26


def directed_edges(seed: int = 0, n: int = N, e: int = E) -> np.ndarray:
    """(2, e) edges over nodes 0..n-3 (the last two are isolated), with duplicates and loops."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n - 2, e), rng.integers(0, n - 2, e)
    src[:3], dst[:3] = src[3:6], dst[3:6]          # three duplicate edges
    src[6:8] = dst[6:8] = [1, 4]                   # two self-loops
    return np.stack([src, dst])


def one_hot(index: np.ndarray, size: int) -> np.ndarray:
    """(size, E) matrix with M[s, e] = 1 where index[e] == s."""
    return (np.arange(size)[:, None] == index[None, :]).astype(np.float64)


def padded(values: np.ndarray, index: np.ndarray, size: int, fill: float) -> np.ndarray:
    """(size, max_count, ...) with segment s's values in row s, the rest ``fill``."""
    counts = np.bincount(index, minlength=size)
    order = np.argsort(index, kind="stable")
    slot = np.arange(index.size) - np.repeat(np.cumsum(counts) - counts, counts)
    out = np.full((size, max(counts.max(initial=0), 1)) + values.shape[1:], fill)
    out[index[order], slot] = values[order]
    return out


def dense_adjacency(ei: np.ndarray, n: int, w: np.ndarray | None = None) -> np.ndarray:
    """A[i, j] = Σ of the weights of the edges j -> i (duplicates add)."""
    w = np.ones(ei.shape[1]) if w is None else w
    return one_hot(ei[1], n) @ (w[:, None] * one_hot(ei[0], n).T)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ---------------------------------------------------------------------------- gather / segments
@pytest.mark.parametrize("shape", [(N,), (N, 3), (N, 2, 3)])
def test_gather_matches_indexing_and_gradchecks(rng, shape):
    src = directed_edges()[0]
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(gather(x, src).data, x[src])
    npgnn.gradcheck(lambda t: gather(t, src), x)
    npgnn.gradcheck(lambda t: gather(t, Segments(src, N)), x)


@pytest.mark.parametrize("shape", [(E,), (E, 3), (E, 2, 3)])
def test_segment_sum_equals_one_hot_matmul(rng, shape):
    dst = directed_edges()[1]
    v = rng.standard_normal(shape)
    expected = (one_hot(dst, N) @ v.reshape(E, -1)).reshape((N,) + shape[1:])
    out = segment_sum(v, dst, N).data
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert np.all(out[-2:] == 0)                    # isolated nodes: empty segments give 0
    npgnn.gradcheck(lambda t: segment_sum(t, dst, N), v)


@pytest.mark.parametrize("shape", [(E,), (E, 3), (E, 2, 3)])
def test_segment_mean_equals_dense_formula(rng, shape):
    dst = directed_edges()[1]
    v = rng.standard_normal(shape)
    counts = np.maximum(np.bincount(dst, minlength=N), 1).reshape((-1,) + (1,) * (len(shape) - 1))
    expected = (one_hot(dst, N) @ v.reshape(E, -1)).reshape((N,) + shape[1:]) / counts
    out = segment_mean(v, dst, N).data
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert np.all(out[-2:] == 0)
    npgnn.gradcheck(lambda t: segment_mean(t, dst, N), v)


@pytest.mark.parametrize("shape", [(E,), (E, 3), (E, 2, 3)])
def test_segment_max_equals_padded_max(rng, shape):
    dst = directed_edges()[1]
    v = rng.standard_normal(shape)                   # continuous values: no ties
    pad = padded(v, dst, N, -np.inf).max(axis=1)
    expected = np.where(np.isinf(pad), 0.0, pad)     # empty segment -> 0
    out = segment_max(v, dst, N).data
    np.testing.assert_array_equal(out, expected)
    assert np.all(out[-2:] == 0)
    npgnn.gradcheck(lambda t: segment_max(t, dst, N), v)


def test_segment_max_ties_share_the_gradient():
    index = np.array([0, 0, 0, 1])
    v = Tensor(np.array([2.0, 2.0, 1.0, -3.0]), requires_grad=True)
    segment_max(v, index, 3).backward(np.array([6.0, 5.0, 7.0]))
    np.testing.assert_array_equal(v.grad, [3.0, 3.0, 0.0, 5.0])


@pytest.mark.parametrize("heads", [None, 3])
def test_segment_softmax_equals_masked_row_softmax(rng, heads):
    dst = directed_edges()[1]
    s = rng.standard_normal(E if heads is None else (E, heads)) * 3
    pad = padded(s, dst, N, -np.inf)                 # (N, max_count[, H])
    top = np.where(np.isinf(pad), -np.inf, pad).max(axis=1, keepdims=True)
    rows = np.where(np.isinf(pad), 0.0, np.exp(pad - np.where(np.isinf(top), 0.0, top)))
    soft = rows / np.where(rows.sum(axis=1, keepdims=True) == 0, 1, rows.sum(axis=1, keepdims=True))
    counts = np.bincount(dst, minlength=N)
    order = np.argsort(dst, kind="stable")
    slot = np.arange(E) - np.repeat(np.cumsum(counts) - counts, counts)
    expected = np.empty_like(s)
    expected[order] = soft[dst[order], slot]
    out = segment_softmax(s, dst, N).data
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(segment_sum(out, dst, N).data[counts > 0], 1.0, rtol=1e-12)
    npgnn.gradcheck(lambda t: segment_softmax(t, dst, N), s)


def test_segment_softmax_is_shift_invariant_and_survives_large_scores(rng):
    dst = directed_edges()[1]
    s = rng.standard_normal(E)
    a = segment_softmax(s, dst, N).data
    b = segment_softmax(s + 1000.0, dst, N).data
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert np.isfinite(b).all()


@pytest.mark.parametrize("op", [segment_sum, segment_mean, segment_max, segment_softmax])
def test_segment_ops_on_empty_input(op):
    out = op(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), 4).data
    assert out.shape == ((0, 2) if op is segment_softmax else (4, 2))
    assert not out.any()


def test_gather_of_no_edges_and_no_nodes():
    assert gather(np.ones((3, 2)), np.zeros(0, dtype=np.int64)).shape == (0, 2)
    assert segment_sum(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), 0).shape == (0, 2)


# ---------------------------------------------------------------------------- spmm
@pytest.mark.parametrize("kind", ["csr", "coo", "dense", "adjacency"])
def test_spmm_equals_dense_matmul_and_gradchecks(rng, kind):
    ei = directed_edges()
    w = rng.uniform(0.5, 2.0, E)
    dense = dense_adjacency(ei, N, w)
    csr = sp.csr_matrix((w, (ei[1], ei[0])), shape=(N, N))    # sums the duplicate edges
    adj = {"csr": csr, "coo": csr.tocoo(), "dense": dense, "adjacency": Adjacency(csr)}[kind]
    x = rng.standard_normal((N, 3))
    np.testing.assert_allclose(spmm(adj, x).data, dense @ x, rtol=1e-12, atol=1e-12)
    npgnn.gradcheck(lambda t: spmm(adj, t), x)


def test_spmm_batch_of_signals_layout(rng):
    """(B, C, F) signals: each batch entry is multiplied by the same A."""
    ei = directed_edges()
    dense = dense_adjacency(ei, N)
    a = sp.csr_matrix(dense)
    x = rng.standard_normal((4, N, 3))
    np.testing.assert_allclose(spmm(a, x).data, np.einsum("ij,bjf->bif", dense, x), rtol=1e-12)
    npgnn.gradcheck(lambda t: spmm(a, t), x)


def test_spmm_rectangular_and_gradient_uses_the_transpose(rng):
    a = sp.random(4, 7, density=0.4, random_state=3, format="csr")
    x = Tensor(rng.standard_normal((7, 2)), requires_grad=True)
    g = rng.standard_normal((4, 2))
    spmm(a, x).backward(g)
    np.testing.assert_allclose(x.grad, a.toarray().T @ g, rtol=1e-12)


def test_spmm_keeps_float32():
    a = sp.csr_matrix(np.eye(3))
    assert spmm(a, np.ones((3, 2), np.float32)).dtype == np.float32


# ---------------------------------------------------------------------------- edge_spmm
def test_edge_spmm_scalar_weights_equals_dense_and_gradchecks(rng):
    ei = directed_edges()
    w = rng.standard_normal(E)
    x = rng.standard_normal((N, 3))
    np.testing.assert_allclose(edge_spmm(w, x, ei).data, dense_adjacency(ei, N, w) @ x,
                               rtol=1e-12, atol=1e-12)
    npgnn.gradcheck(lambda a, b: edge_spmm(a, b, ei), w, x)
    seg = Segments(ei[1], N)                         # a prebuilt target grouping: same result
    np.testing.assert_array_equal(edge_spmm(w, x, ei, N, seg).data, edge_spmm(w, x, ei).data)


def test_edge_spmm_per_head_weights_equals_dense_and_gradchecks(rng):
    ei = directed_edges()
    heads = 2
    w = rng.standard_normal((E, heads))
    x = rng.standard_normal((N, heads, 3))
    expected = np.stack([dense_adjacency(ei, N, w[:, h]) @ x[:, h] for h in range(heads)], axis=1)
    np.testing.assert_allclose(edge_spmm(w, x, ei).data, expected, rtol=1e-12, atol=1e-12)
    npgnn.gradcheck(lambda a, b: edge_spmm(a, b, ei), w, x)


def test_edge_spmm_with_no_edges():
    out = edge_spmm(np.zeros(0), np.ones((3, 2)), np.zeros((2, 0), dtype=np.int64))
    np.testing.assert_array_equal(out.data, np.zeros((3, 2)))


# ---------------------------------------------------------------------------- determinism
def test_every_op_is_bit_for_bit_deterministic(rng):
    ei = directed_edges(5, n=40, e=300)
    n = 40
    x = rng.standard_normal((n, 8)).astype(np.float32)
    v = rng.standard_normal((300, 8)).astype(np.float32)
    w = rng.standard_normal(300).astype(np.float32)
    a = sp.csr_matrix((w, (ei[1], ei[0])), shape=(n, n))
    runs = [
        lambda: gather(x, ei[0]), lambda: segment_sum(v, ei[1], n),
        lambda: segment_mean(v, ei[1], n), lambda: segment_max(v, ei[1], n),
        lambda: segment_softmax(v, ei[1], n), lambda: spmm(a, x), lambda: edge_spmm(w, x, ei),
    ]
    for run in runs:
        first, second = run().data, run().data
        assert first.tobytes() == second.tobytes()
    grads = []
    for _ in range(2):
        t = Tensor(x, requires_grad=True)
        spmm(a, t).backward(np.ones((n, 8), np.float32))
        grads.append(t.grad.tobytes())
    assert grads[0] == grads[1]


# ---------------------------------------------------------------------------- errors
def test_index_errors_name_the_argument():
    x = np.ones((4, 2))
    with pytest.raises(IndexError, match=r"ids must lie in \[0, 4\), found min=0 max=4"):
        gather(x, np.array([0, 4]))
    with pytest.raises(IndexError, match=r"found min=-1"):
        segment_sum(np.ones((2, 2)), np.array([-1, 0]), 4)
    with pytest.raises(TypeError, match=r"expected a 1-D integer array of ids, got dtype=float64"):
        segment_max(np.ones((2, 2)), np.array([0.0, 1.0]), 4)
    with pytest.raises(TypeError, match=r"1-D integer array.*shape=\(1, 2\)"):
        gather(x, np.array([[0, 1]]))
    with pytest.raises(ValueError, match=r"segment_mean: x: expected 3 rows"):
        segment_mean(np.ones((2, 2)), np.array([0, 1, 1]), 4)
    with pytest.raises(ValueError, match=r"pass num_segments"):
        segment_softmax(np.ones(2), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"num_segments=5 disagrees with the Segments given \(4\)"):
        segment_sum(np.ones(2), Segments(np.array([0, 1]), 4), 5)


def test_spmm_and_edge_spmm_errors():
    a = sp.csr_matrix(np.eye(3))
    with pytest.raises(TypeError, match=r"spmm: adj must be"):
        spmm([[1, 0], [0, 1]], np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"spmm: x must have shape \(3, F\) or \(B, 3, F\).*got \(2, 2\)"):
        spmm(a, np.ones((2, 2)))
    ei = np.array([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match=r"edge_spmm: edge_index must have shape \(2, E\)"):
        edge_spmm(np.ones(2), np.ones((3, 2)), ei.T.ravel())
    with pytest.raises(ValueError, match=r"edge_spmm: edge_weight must have shape \(2,\) or \(2, H\)"):
        edge_spmm(np.ones(3), np.ones((3, 2)), ei)
    with pytest.raises(ValueError, match=r"with per-head weights \(2, 2\), x must be \(N, 2, C\)"):
        edge_spmm(np.ones((2, 2)), np.ones((3, 2)), ei)
    with pytest.raises(IndexError, match=r"edge_index\[0\] \(sources\): ids must lie in \[0, 3\)"):
        edge_spmm(np.ones(2), np.ones((3, 2)), np.array([[0, 3], [1, 2]]))
    with pytest.raises(TypeError, match=r"edge_index\[0\] \(sources\): expected a 1-D integer"):
        edge_spmm(np.ones(2), np.ones((3, 2)), np.array([[0.0, 1.0], [1.0, 2.0]]))
    with pytest.raises(IndexError, match=r"edge_index\[1\] \(targets\): ids must lie in \[0, 3\)"):
        edge_spmm(np.ones(2), np.ones((3, 2)), np.array([[0, 1], [1, -1]]))
