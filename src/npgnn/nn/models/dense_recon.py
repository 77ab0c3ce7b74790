"""The reconstruction loss of Kipf & Welling's original GAE/VGAE code: a weighted binary
cross-entropy over every entry of the dense adjacency, as one fused op with its own backward."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import _checks


class WeightedAdjacencyBCE(Function):
    """L = norm · mean_ij [pos_weight · Y_ij · softplus(-S_ij) + (1 - Y_ij) · softplus(S_ij)],
    S = Z Zᵀ; backward: dS = norm / N² · (σ(S) - Y) ⊙ (1 + (pos_weight - 1) Y), dZ = (dS + dSᵀ) Z.

    softplus(∓s) = max(∓s, 0) + log1p(e^{-|s|}) (= -log σ(±s)) neither overflows nor loses
    digits where σ(s) rounds to 1; σ(s) itself is kept for the backward.
    """

    def __init__(self, labels: np.ndarray, pos_weight: float, norm: float):
        self.labels, self.pos_weight, self.norm = labels, pos_weight, norm

    def forward(self, z: np.ndarray) -> np.ndarray:
        self.z = z
        s = z @ z.T
        e = np.exp(-np.abs(s))                                 # in (0, 1]: no overflow
        softplus = np.log1p(e)                                 # softplus(±s) = max(±s, 0) + this
        loss = np.where(self.labels, self.pos_weight * (softplus + np.maximum(-s, 0)),
                        softplus + np.maximum(s, 0))
        self.sig = np.where(s >= 0, 1 / (1 + e), e / (1 + e))  # σ(s), kept for backward
        return np.asarray(self.norm * loss.mean(dtype=np.float64), dtype=z.dtype)

    def backward(self, g: np.ndarray) -> np.ndarray:
        sig = self.sig
        ds = np.where(self.labels, self.pos_weight * (sig - 1), sig)
        ds *= g * self.norm / sig.size
        return ((ds + ds.T) @ self.z).astype(self.z.dtype, copy=False)


def dense_recon_loss(z: Any, edge_index: Any) -> Tensor:
    r"""Kipf & Welling's GAE reconstruction loss (their ``gae/optimizer.py``) for embeddings ``z``
    of the graph ``edge_index``.

    With A the (N, N) 0/1 adjacency of ``edge_index`` without self-loops and |A| its number of
    entries (both directions of an undirected edge count), the targets are Y = A + I, the
    positives are weighted by pos_weight = (N² - |A|) / |A| (as many in total as the negatives)
    and the loss is scaled by norm = N² / (2 (N² - |A|)):

        L = norm · mean_ij [pos_weight · Y_ij · (-log σ(z_i·z_j)) + (1 - Y_ij) · (-log(1 - σ(z_i·z_j)))]

    Memory and time are O(N²): every pair is scored (their "full-batch" loss; ``GAE.recon_loss``
    samples negatives instead and is O(E)).

    Args:
        z: (N, d) Tensor of embeddings. edge_index: (2, E) edges (duplicates count once).

    Returns:
        A scalar Tensor of z's dtype.

    Raises:
        ValueError: z is not 2-D, edge_index is not (2, E), or the graph has no edge off the
            diagonal. IndexError: an id is not a row of z.
    """
    z = as_tensor(z)
    if z.ndim != 2:
        raise ValueError(f"z: expected node embeddings of shape (N, d), got shape {z.shape}")
    n = z.shape[0]
    ei = _checks.as_edge_index(edge_index)
    _checks.check_edge_ids(ei, n)
    labels = np.zeros((n, n), dtype=bool)
    labels[ei[1], ei[0]] = True
    np.fill_diagonal(labels, False)
    count = int(labels.sum())
    if count == 0:
        raise ValueError("edge_index: the graph has no edge off the diagonal; the loss weights "
                         "the edges by (N² - |A|) / |A|")
    np.fill_diagonal(labels, True)
    pos_weight = (n * n - count) / count
    norm = n * n / ((n * n - count) * 2)
    return WeightedAdjacencyBCE(labels, pos_weight, norm)(z)
