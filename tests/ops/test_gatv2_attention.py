"""Fused GATv2 attention (npgnn.ops.gatv2): dense oracle, gradcheck of all five inputs on
directed graphs with duplicate edges, self-loops and isolated nodes, both kernel paths."""
import numpy as np
import pytest

import npgnn
from npgnn import Tensor, kernels
from npgnn.kernels import numba_enabled
from npgnn.ops.gat import AttentionGraph
from npgnn.ops.gatv2 import gatv2_attention


def directed_graph(n=8, e=22, seed=0):
    """Random directed edges into nodes 0..n-3 (the last two receive nothing; node n-1 sends
    nothing either), three duplicates and two self-loops, in a shuffled order."""
    rng = np.random.default_rng(seed)
    ei = np.stack([rng.integers(0, n - 1, e), rng.integers(0, n - 2, e)])
    ei = np.concatenate([ei, ei[:, :3], [[1, 4], [1, 4]]], axis=1)
    return ei[:, rng.permutation(ei.shape[1])]


def dense_reference(ei, n, xl, xr, att, slope, ea=None, w=None):
    heads, c = xl.shape[1:]
    att = att.reshape(heads, c)
    out, alpha = np.zeros_like(xl), np.zeros((ei.shape[1], heads))
    for i in range(n):
        edges = np.flatnonzero(ei[1] == i)
        if edges.size == 0:
            continue
        u = xl[ei[0, edges]] + xr[i]
        if ea is not None:
            u = u + (ea[edges] @ w.T).reshape(-1, heads, c)
        z = (np.where(u > 0, u, slope * u) * att).sum(-1)
        a = np.exp(z - z.max(0))
        a /= a.sum(0)
        alpha[edges] = a
        out[i] = np.einsum("ek,ekc->kc", a, xl[ei[0, edges]])
    return out, alpha


def inputs(n, ei, heads=2, c=3, d=4, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, heads, c)), rng.standard_normal((n, heads, c)),
            rng.standard_normal((1, heads, c)), rng.standard_normal((ei.shape[1], d)),
            rng.standard_normal((heads * c, d)))


@pytest.fixture(params=["numba", "numpy"])
def kernel(request, monkeypatch):
    if request.param == "numba" and not numba_enabled():
        pytest.skip("numba kernels disabled")
    if request.param == "numpy":
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)  # tiny test graphs: force the kernel
    return request.param


@pytest.mark.parametrize("with_edges", [True, False])
def test_forward_matches_dense_loop(kernel, with_edges):
    n, ei = 8, directed_graph()
    xl, xr, att, ea, w = inputs(n, ei)
    edge = {"edge_attr": ea, "edge_weight": w} if with_edges else {}
    out, alpha = gatv2_attention(xl, xr, att, AttentionGraph(ei, n), 0.2, **edge)
    ref_out, ref_alpha = dense_reference(ei, n, xl, xr, att, 0.2, *((ea, w) if with_edges else ()))
    np.testing.assert_allclose(out.data, ref_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(alpha, ref_alpha, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(out.data[n - 2:], 0.0)  # no incoming edge: an empty sum


def test_gradcheck_all_inputs(kernel):
    n, ei = 8, directed_graph(seed=2)
    graph = AttentionGraph(ei, n)
    assert npgnn.gradcheck(lambda a, b, c, d, f: gatv2_attention(
        a, b, c, graph, 0.2, edge_attr=d, edge_weight=f)[0], *inputs(n, ei, seed=3))


def test_gradcheck_shared_sides_and_two_dimensional_att(kernel):
    n, ei = 8, directed_graph(seed=4)
    graph = AttentionGraph(ei, n)
    xl, _, att, _, _ = inputs(n, ei, heads=3, c=2, seed=5)
    assert npgnn.gradcheck(lambda a, b: gatv2_attention(a, a, b, graph, 0.3)[0], xl, att[0])


def test_gradcheck_with_fixed_dropout_mask(kernel):
    n, ei = 7, directed_graph(7, 15, seed=6)
    graph = AttentionGraph(ei, n)
    fn = lambda a, b, c, d, f: gatv2_attention(a, b, c, graph, 0.2, 0.5, True, np.random.default_rng(9),
                                               edge_attr=d, edge_weight=f)[0]
    assert npgnn.gradcheck(fn, *inputs(n, ei, seed=7))


def test_paths_agree_in_float32_on_many_heads(monkeypatch):
    """Nine heads of 5 channels (45 sign bits per edge, bytes not filled) over 400 edges."""
    if not numba_enabled():
        pytest.skip("numba kernels disabled")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)
    n, ei = 60, directed_graph(60, 400, seed=8)
    graph = AttentionGraph(ei, n)
    args = [a.astype(np.float32) for a in inputs(n, ei, heads=9, c=5, d=3, seed=9)]
    cot = np.random.default_rng(10).standard_normal((n, 9, 5)).astype(np.float32)

    def run():
        ts = [Tensor(a, requires_grad=True) for a in args]
        out, alpha = gatv2_attention(*ts[:3], graph, 0.2, edge_attr=ts[3], edge_weight=ts[4])
        out.backward(cot)
        assert out.dtype == np.float32 and all(t.grad.dtype == np.float32 for t in ts)
        return [out.data, alpha] + [t.grad for t in ts]

    compiled = run()
    monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    for a, b in zip(compiled, run()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_no_edges():
    xl = Tensor(np.ones((3, 2, 2)), requires_grad=True)
    out, alpha = gatv2_attention(xl, xl, np.ones((2, 2)), AttentionGraph(np.empty((2, 0), np.int64), 3))
    assert out.shape == (3, 2, 2) and alpha.shape == (0, 2)
    out.sum().backward()
    np.testing.assert_array_equal(xl.grad, 0)


def test_bad_inputs_raise():
    n, ei = 8, directed_graph()
    graph = AttentionGraph(ei, n)
    xl, xr, att, ea, w = inputs(n, ei)
    with pytest.raises(ValueError, match=r"x_l must have shape \(8, H, C\)"):
        gatv2_attention(xl[:5], xr, att, graph)
    with pytest.raises(ValueError, match="x_r must have x_l's shape"):
        gatv2_attention(xl, xr[:, :1], att, graph)
    with pytest.raises(ValueError, match=r"att must have shape \(2, 3\) or \(1, 2, 3\)"):
        gatv2_attention(xl, xr, np.ones(6), graph)
    with pytest.raises(ValueError, match="together"):
        gatv2_attention(xl, xr, att, graph, edge_attr=ea)
    with pytest.raises(ValueError, match=r"edge_attr must have shape \(27, D\)"):
        gatv2_attention(xl, xr, att, graph, edge_attr=ea[:3], edge_weight=w)
    with pytest.raises(ValueError, match=r"edge_weight must have shape \(6, 4\)"):
        gatv2_attention(xl, xr, att, graph, edge_attr=ea, edge_weight=w[:, :3])
