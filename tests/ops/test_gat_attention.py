"""Fused GAT attention: dense oracle, gradcheck on directed graphs, both kernel paths agree."""
import numpy as np
import pytest

import npgnn
import npgnn.kernels as kernels
from npgnn.kernels import numba_enabled
from npgnn.ops.gat import AttentionGraph, gat_attention


def directed_graph(n=7, e=20, seed=0):
    rng = np.random.default_rng(seed)
    ei = np.stack([rng.integers(0, n, e), rng.integers(0, n - 2, e)])  # last two nodes receive nothing
    return np.concatenate([ei, ei[:, :3]], axis=1)  # duplicate edges


def dense_reference(ei, n, h, s, d, slope, edge=None):
    heads = h.shape[1]
    out = np.zeros_like(h)
    for i in range(n):
        edges = np.flatnonzero(ei[1] == i)
        if edges.size == 0:
            continue
        z = s[ei[0, edges]] + d[i] + (0 if edge is None else edge[edges])
        z = np.where(z > 0, z, slope * z)
        a = np.exp(z - z.max(0))
        a /= a.sum(0)
        for k in range(heads):
            out[i, k] = a[:, k] @ h[ei[0, edges], k]
    return out


@pytest.fixture(params=["numba serial", "numba parallel", "numpy"])
def kernel(request, monkeypatch):
    if request.param.startswith("numba") and not numba_enabled():
        pytest.skip("numba kernels disabled")
    if request.param == "numpy":
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)  # tiny graphs: force the kernel
    monkeypatch.setattr(kernels, "PARALLEL_MIN_WORK",
                        0 if request.param == "numba parallel" else 1 << 62)
    return request.param


def test_forward_matches_dense_loop(kernel):
    n, ei = 7, directed_graph()
    rng = np.random.default_rng(1)
    h, s, d = rng.standard_normal((n, 3, 4)), rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
    out, alpha = gat_attention(h, s, d, AttentionGraph(ei, n), 0.2)
    np.testing.assert_allclose(out.data, dense_reference(ei, n, h, s, d, 0.2), rtol=1e-12, atol=1e-12)
    assert alpha.shape == (ei.shape[1], 3)
    sums = np.zeros((n, 3))
    np.add.at(sums, ei[1], alpha)
    np.testing.assert_allclose(sums[:5], 1.0)
    np.testing.assert_array_equal(out.data[5:], 0.0)  # no incoming edge: an empty sum


def test_gradcheck_all_inputs(kernel):
    n, ei = 7, directed_graph(seed=2)
    graph = AttentionGraph(ei, n)
    rng = np.random.default_rng(3)
    args = rng.standard_normal((n, 2, 3)), rng.standard_normal((n, 2)), rng.standard_normal((n, 2))
    npgnn.gradcheck(lambda h, s, d: gat_attention(h, s, d, graph, 0.2)[0], *args)


def test_gradcheck_with_fixed_dropout_mask(kernel):
    n, ei = 6, directed_graph(6, 15, seed=4)
    graph = AttentionGraph(ei, n)
    rng = np.random.default_rng(5)
    args = rng.standard_normal((n, 2, 3)), rng.standard_normal((n, 2)), rng.standard_normal((n, 2))
    fn = lambda h, s, d: gat_attention(h, s, d, graph, 0.2, 0.5, True, np.random.default_rng(9))[0]
    npgnn.gradcheck(fn, *args)


def test_paths_agree_in_float32(monkeypatch):
    if not numba_enabled():
        pytest.skip("numba kernels disabled")
    monkeypatch.setattr(kernels, "ATTENTION_KERNEL_MIN_WORK", 0)
    n, ei = 50, directed_graph(50, 300, seed=6)
    graph = AttentionGraph(ei, n)
    rng = np.random.default_rng(7)
    args = [rng.standard_normal(s).astype(np.float32) for s in ((n, 4, 5), (n, 4), (n, 4))]
    g = rng.standard_normal((n, 4, 5)).astype(np.float32)

    def run():
        ts = [npgnn.Tensor(a, requires_grad=True) for a in args]
        out, alpha = gat_attention(*ts, graph, 0.2)
        out.backward(g)
        return [out.data, alpha] + [t.grad for t in ts]

    fast = run()
    monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    slow = run()
    for a, b in zip(fast, slow):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_edge_term_dense_oracle_and_gradcheck(kernel):
    """a_edge (E, H) in edge_index order, on an unsorted graph (the op reorders it)."""
    n, ei = 7, directed_graph(seed=8)
    graph = AttentionGraph(ei, n)
    assert not graph.sorted
    rng = np.random.default_rng(9)
    args = (rng.standard_normal((n, 2, 3)), rng.standard_normal((n, 2)), rng.standard_normal((n, 2)),
            rng.standard_normal((ei.shape[1], 2)))
    out, _ = gat_attention(*args[:3], graph, 0.2, a_edge=args[3])
    np.testing.assert_allclose(out.data, dense_reference(ei, n, *args[:3], 0.2, args[3]), rtol=1e-12,
                               atol=1e-12)
    npgnn.gradcheck(lambda h, s, d, a: gat_attention(h, s, d, graph, 0.2, a_edge=a)[0], *args)
    fn = lambda h, s, d, a: gat_attention(h, s, d, graph, 0.2, 0.3, True, np.random.default_rng(2),
                                          a_edge=a)[0]
    npgnn.gradcheck(fn, *args)


def test_bad_shapes():
    graph = AttentionGraph(directed_graph(), 7)
    with pytest.raises(ValueError, match=r"h must have shape \(7, H, C\), got \(6, 2, 3\)"):
        gat_attention(np.ones((6, 2, 3)), np.ones((6, 2)), np.ones((6, 2)), graph)
    with pytest.raises(ValueError, match=r"a_dst must have shape \(7, 2\), got \(7, 3\)"):
        gat_attention(np.ones((7, 2, 3)), np.ones((7, 2)), np.ones((7, 3)), graph)
    with pytest.raises(ValueError, match=r"a_edge must have shape \(23, 2\), got \(22, 2\)"):
        gat_attention(np.ones((7, 2, 3)), np.ones((7, 2)), np.ones((7, 2)), graph, a_edge=np.ones((22, 2)))
    with pytest.raises(IndexError, match=r"edge_index\[1\] \(targets\): ids must lie in \[0, 3\)"):
        AttentionGraph(np.array([[0, 1], [1, 5]]), 3)
