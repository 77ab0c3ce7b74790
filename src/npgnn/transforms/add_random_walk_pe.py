"""``AddRandomWalkPE``: random-walk return probabilities as node positional encodings."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from npgnn.graph import Graph
from npgnn.transforms._node_attr import add_node_attr
from npgnn.transforms.base_transform import BaseTransform


class AddRandomWalkPE(BaseTransform):
    r"""Random-walk positional encoding (Dwivedi et al. 2022, "Graph Neural Networks with
    Learnable Structural and Positional Representations", eq. 9), PyG's ``AddRandomWalkPE``.

    With P = D⁻¹ A the random-walk matrix (A[j, i] = the weight of j -> i, D the out-degrees,
    a node without out-edges keeps a zero row), node i's encoding is
    [P[i, i], (P²)[i, i], ..., (P^L)[i, i]]: the probability of being back at i after 1..L steps.

    Graphs up to 2,000 nodes use dense powers, larger ones sparse products (as PyG). Duplicate
    edges add up in A (PyG's dense path keeps one copy of a duplicate while counting both in
    the degree: its rows then do not sum to 1; the two agree on graphs without duplicates).

    Args:
        walk_length: L, the number of steps (columns of the encoding).
        attr_name: store the (N, L) float encoding under this name, or None to append it to x.

    Call: ``transform(graph) -> Graph`` (a new Graph).
    Raises:
        ValueError for walk_length < 1.
    """

    DENSE_THRESHOLD: int = 2000

    def __init__(self, walk_length: int, attr_name: str | None = "random_walk_pe"):
        if isinstance(walk_length, bool) or not isinstance(walk_length, (int, np.integer)) \
                or walk_length < 1:
            raise ValueError(f"AddRandomWalkPE: walk_length must be a positive int, got "
                             f"{walk_length!r}")
        self.walk_length, self.attr_name = int(walk_length), attr_name

    def forward(self, g: Graph) -> Graph:
        pe = random_walk_pe(g.edge_index, g.num_nodes, self.walk_length, g.edge_weight,
                            dense=g.num_nodes <= self.DENSE_THRESHOLD)
        return add_node_attr(g, pe.astype(np.float32), self.attr_name, "AddRandomWalkPE")

    def __repr__(self) -> str:
        return f"AddRandomWalkPE(walk_length={self.walk_length})"


def random_walk_pe(edge_index: np.ndarray, num_nodes: int, walk_length: int,
                   edge_weight: np.ndarray | None = None, dense: bool | None = None) -> np.ndarray:
    """(N, walk_length) float64: diag(P^t) for t = 1..walk_length (see :class:`AddRandomWalkPE`).

    On a batch packed block-diagonally a walk never leaves its graph, so this equals the
    per-graph encodings stacked. ``dense``: dense powers (default when N <= 2000)."""
    n = num_nodes
    src, dst = edge_index
    w = np.ones(src.size) if edge_weight is None else np.asarray(edge_weight, np.float64)
    out_deg = np.maximum(np.bincount(src, weights=w, minlength=n), 1.0)
    p = sp.csr_matrix((w / out_deg[src], (src, dst)), shape=(n, n))
    pe = np.empty((n, walk_length))
    step = p.toarray() if (n <= AddRandomWalkPE.DENSE_THRESHOLD if dense is None else dense) else p
    power = step
    for t in range(walk_length):  # steps, each building on the last
        pe[:, t] = power.diagonal()
        if t + 1 < walk_length:
            power = power @ step
    return pe
