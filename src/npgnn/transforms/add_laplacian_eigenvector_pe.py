"""``AddLaplacianEigenvectorPE``: Laplacian eigenvectors as node positional encodings."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph import Graph
from npgnn.nn import init
from npgnn.transforms._node_attr import add_node_attr
from npgnn.transforms.base_transform import BaseTransform


def sym_laplacian(g: Graph) -> sp.csr_matrix:
    """L = I − D^{-1/2} A D^{-1/2} as PyG's ``get_laplacian(normalization='sym')``: self-loops
    dropped, A[j, i] = the summed weights of the edges j -> i, D the (weighted) out-degrees;
    a node with no out-edge keeps L[i, i] = 1."""
    n = g.num_nodes
    src, dst = g.edge_index
    w = np.ones(src.size) if g.edge_weight is None else np.asarray(g.edge_weight, dtype=np.float64)
    keep = src != dst
    src, dst, w = src[keep], dst[keep], w[keep]
    deg = np.bincount(src, weights=w, minlength=n)
    with np.errstate(divide="ignore"):
        inv_sqrt = np.where(deg > 0, 1.0 / np.sqrt(np.where(deg > 0, deg, 1.0)), 0.0)
    a = sp.csr_matrix((inv_sqrt[src] * w * inv_sqrt[dst], (src, dst)), shape=(n, n))
    return (sp.identity(n, format="csr") - a).tocsr()


class AddLaplacianEigenvectorPE(BaseTransform):
    r"""Laplacian eigenvector positional encoding (Dwivedi et al. 2020, "Benchmarking Graph
    Neural Networks", section 3), PyG's ``AddLaplacianEigenvectorPE``.

    The k eigenvectors of L = I − D^{-1/2} A D^{-1/2} with the smallest eigenvalues after the
    first (the trivial one), each multiplied by a random sign (eigenvectors are defined up to
    sign; training with random flips makes a model invariant to it). Graphs below 100 nodes use
    NumPy's dense ``eig``/``eigh``, larger ones SciPy's sparse ``eigs``/``eigsh`` (ARPACK) for
    k + 1 eigenpairs, as PyG.

    Args:
        k: the number of eigenvectors (columns of the encoding); must be < num_nodes.
        attr_name: store the (N, k) float encoding under this name, or None to append it to x.
        is_undirected: the graph is undirected (L symmetric): use ``eigh``/``eigsh``, which are
            faster and exact; otherwise ``eig``/``eigs`` and the real part.
        rng: Generator or seed drawing the signs (PyG draws them from torch's global RNG).
        **kwargs: passed to ``eigs``/``eigsh`` (e.g. ``tol``, ``ncv``).

    Call: ``transform(graph) -> Graph`` (a new Graph; the input is not changed).
    Raises:
        ValueError for k < 1 or k >= num_nodes (PyG returns fewer columns there silently).
    """

    SPARSE_THRESHOLD: int = 100

    def __init__(self, k: int, attr_name: str | None = "laplacian_eigenvector_pe",
                 is_undirected: bool = False, *, rng: init.RngLike = None, **kwargs: Any):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"AddLaplacianEigenvectorPE: k must be a positive int, got {k!r}")
        self.k, self.attr_name, self.is_undirected = int(k), attr_name, bool(is_undirected)
        self.rng = init.make_rng(rng)
        self.kwargs = kwargs

    def forward(self, g: Graph) -> Graph:
        n = g.num_nodes
        if self.k >= n:
            raise ValueError(f"AddLaplacianEigenvectorPE: k={self.k} must be smaller than the "
                             f"graph's {n} nodes (the first eigenvector is skipped)")
        lap = sym_laplacian(g)
        if n < self.SPARSE_THRESHOLD:
            dense = lap.toarray()
            vals, vecs = np.linalg.eigh(dense) if self.is_undirected else np.linalg.eig(dense)
        else:
            from scipy.sparse.linalg import eigs, eigsh

            if self.is_undirected:
                vals, vecs = eigsh(lap, k=self.k + 1, which="SA", **self.kwargs)
            else:
                vals, vecs = eigs(lap, k=self.k + 1, which="SR", **self.kwargs)
        vecs = np.real(vecs[:, np.argsort(np.real(vals), kind="stable")])
        pe = vecs[:, 1:self.k + 1] * (2 * self.rng.integers(0, 2, self.k) - 1)
        return add_node_attr(g, pe.astype(np.float32), self.attr_name, "AddLaplacianEigenvectorPE")

    def __repr__(self) -> str:
        return f"AddLaplacianEigenvectorPE(k={self.k})"
