"""Property-based checks (hypothesis): adjoint identities that every backward must satisfy."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from npgnn import Tensor  # noqa: E402
from npgnn.autodiff import unbroadcast  # noqa: E402
from npgnn.ops import segment_max, segment_sum, spmm  # noqa: E402

FAST = settings(max_examples=60, deadline=None)


@st.composite
def broadcastable(draw):
    """A target shape and a shape that broadcasts to it (some axes dropped or set to 1)."""
    target = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    cut = draw(st.integers(0, len(target)))
    small = tuple(1 if draw(st.booleans()) else n for n in target[cut:])
    return target, small


@FAST
@given(broadcastable(), st.integers(0, 2**32 - 1))
def test_unbroadcast_is_the_adjoint_of_broadcasting(shapes, seed):
    target, small = shapes
    rng = np.random.default_rng(seed)
    x, g = rng.standard_normal(small), rng.standard_normal(target)
    lhs = np.sum(np.broadcast_to(x, target) * g)          # <broadcast(x), g>
    rhs = np.sum(x * unbroadcast(g, small))                # <x, unbroadcast(g)>
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10, atol=1e-10)


@FAST
@given(st.integers(1, 12), st.integers(0, 40), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_segment_sum_equals_a_dense_product_and_its_backward_is_gather(n, e, f, seed):
    rng = np.random.default_rng(seed)
    index, x = rng.integers(0, n, e), rng.standard_normal((e, f))
    dense = np.zeros((n, e))
    dense[index, np.arange(e)] = 1
    t = Tensor(x, requires_grad=True)
    out = segment_sum(t, index, n)
    np.testing.assert_allclose(out.data, dense @ x, atol=1e-12)
    g = rng.standard_normal((n, f))
    out.backward(g)
    np.testing.assert_allclose(t.grad, dense.T @ g, atol=1e-12)


@FAST
@given(st.integers(1, 10), st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_segment_max_is_bounded_by_its_members(n, e, seed):
    rng = np.random.default_rng(seed)
    index, x = rng.integers(0, n, e), rng.standard_normal((e, 2))
    out = segment_max(x, index, n).data
    for s in range(n):  # a reference loop over a handful of segments, in the test only
        members = x[index == s]
        np.testing.assert_array_equal(out[s], members.max(axis=0) if len(members) else 0.0)


@FAST
@given(st.integers(1, 10), st.integers(1, 10), st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_spmm_backward_satisfies_the_adjoint_identity(r, c, density, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((r, c)) * (rng.random((r, c)) < density)  # directed, any shape
    x, y = rng.standard_normal((c, 3)), rng.standard_normal((r, 3))
    t = Tensor(x, requires_grad=True)
    out = spmm(a, t)
    out.backward(y)
    # <A x, y> == <x, Aᵀ y>: the backward is the transpose, not A itself
    np.testing.assert_allclose(np.sum(out.data * y), np.sum(x * t.grad), rtol=1e-10, atol=1e-10)
