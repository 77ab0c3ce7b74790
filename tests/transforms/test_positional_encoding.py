"""AddLaplacianEigenvectorPE and AddRandomWalkPE against PyG's (eigenvectors compared up to
sign; random-walk encodings exactly, on graphs without duplicate edges), both the dense and the
sparse eigensolver paths, x concatenation, and errors."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn.graph import Graph
from npgnn.transforms import AddLaplacianEigenvectorPE, AddRandomWalkPE

torch = pytest.importorskip("torch")
pyg_t = pytest.importorskip("torch_geometric.transforms")
pyg_data = pytest.importorskip("torch_geometric.data")


def undirected_graph(n: int, e: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, e), rng.integers(0, n, e)
    keep = src != dst
    pairs = np.unique(np.stack([np.minimum(src, dst), np.maximum(src, dst)])[:, keep], axis=1)
    ring = np.stack([np.arange(n), (np.arange(n) + 1) % n])      # connected
    pairs = np.unique(np.concatenate([pairs, np.sort(ring, axis=0)], axis=1), axis=1)
    return np.concatenate([pairs, pairs[::-1]], axis=1)


def pyg(transform, ei, n):
    return transform(pyg_data.Data(edge_index=torch.from_numpy(ei), num_nodes=n))


@pytest.mark.parametrize("n, is_undirected", [(30, True), (30, False), (150, True), (150, False)])
def test_laplacian_pe_matches_pyg_up_to_sign(n, is_undirected):
    ei, k = undirected_graph(n, 3 * n, seed=n), 4
    # ARPACK (the sparse path, n >= 100) starts from a random vector drawn from a state shared by
    # the whole process, so both sides get the same fixed start and a tight tolerance: otherwise
    # eigs' 'SR' iterations stop at different approximations depending on what ran before.
    arpack = dict(v0=np.random.default_rng(n).random(n), tol=1e-12) if n >= 100 else {}
    pe = AddLaplacianEigenvectorPE(k, attr_name=None, is_undirected=is_undirected,
                                   rng=0, **arpack)(Graph(ei, num_nodes=n)).x
    torch.manual_seed(0)
    theirs = pyg(pyg_t.AddLaplacianEigenvectorPE(k, is_undirected=is_undirected, **arpack), ei, n)
    ref = theirs.laplacian_eigenvector_pe.numpy()
    assert pe.shape == (n, k)
    # eigenvectors up to sign: the spectrum of these graphs has distinct eigenvalues here
    for c in range(k):
        sign = np.sign(pe[:, c] @ ref[:, c])
        np.testing.assert_allclose(pe[:, c] * sign, ref[:, c], atol=1e-4)


def test_laplacian_pe_appends_to_x_and_is_orthonormal():
    n, ei = 20, undirected_graph(20, 40, seed=1)
    g = Graph(ei, x=np.ones((n, 2), np.float32))
    out = AddLaplacianEigenvectorPE(3, attr_name=None, is_undirected=True, rng=0)(g)
    assert out.x.shape == (n, 5) and g.x.shape == (n, 2)
    pe = out.x[:, 2:].astype(np.float64)
    np.testing.assert_allclose(pe.T @ pe, np.eye(3), atol=1e-5)


def test_named_attribute_or_a_clear_error():
    """The default attr_name needs a Graph that holds extra attributes (PyG's Data does)."""
    g = Graph(undirected_graph(10, 20, seed=2))
    try:
        g.replace(random_walk_pe=np.zeros((10, 2)))
    except TypeError:
        with pytest.raises(TypeError, match=r"cannot hold an attribute named 'random_walk_pe'.*attr_name=None"):
            AddRandomWalkPE(2)(g)
        return
    out = AddRandomWalkPE(2)(g)
    np.testing.assert_array_equal(out.random_walk_pe, AddRandomWalkPE(2, attr_name=None)(g).x)


def test_random_walk_pe_sparse_path_equals_dense_path(monkeypatch):
    ei = undirected_graph(300, 600, seed=4)[:, ::2]
    dense = AddRandomWalkPE(4, attr_name=None)(Graph(ei, num_nodes=300)).x
    monkeypatch.setattr(AddRandomWalkPE, "DENSE_THRESHOLD", 10)
    np.testing.assert_allclose(AddRandomWalkPE(4, attr_name=None)(Graph(ei, num_nodes=300)).x, dense,
                               rtol=1e-6)


@pytest.mark.parametrize("n", [15, 200])
def test_random_walk_pe_matches_pyg(n):
    ei = undirected_graph(n, 2 * n, seed=3)
    keep = np.random.default_rng(0).random(ei.shape[1]) < 0.8           # directed: drop some
    ei = ei[:, keep]
    ours = AddRandomWalkPE(5, attr_name=None)(Graph(ei, num_nodes=n)).x
    ref = pyg(pyg_t.AddRandomWalkPE(5), ei, n).random_walk_pe.numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_random_walk_pe_formula_with_an_isolated_node():
    ei = np.array([[0, 1, 1, 2], [1, 0, 2, 1]])              # a path 0-1-2, node 3 alone
    pe = AddRandomWalkPE(3, attr_name=None)(Graph(ei, num_nodes=4)).x
    np.testing.assert_allclose(pe[:, 1], [0.5, 1.0, 0.5, 0.0])  # back after two steps
    np.testing.assert_array_equal(pe[3], 0.0)


@pytest.mark.parametrize("make, call, match", [
    (lambda: AddLaplacianEigenvectorPE(0), None, r"k must be a positive int"),
    (lambda: AddLaplacianEigenvectorPE(3), lambda t: t(Graph(np.array([[0, 1], [1, 2]]))),
     r"k=3 must be smaller than the graph's 3 nodes"),
    (lambda: AddRandomWalkPE(0), None, r"walk_length must be a positive int"),
])
def test_errors(make, call, match):
    with pytest.raises(ValueError, match=match):
        call(make())
