"""Fused graph attention: GAT's edge scores, per-target softmax and weighted aggregation in one op.

out[i, k] = Σ_{e: j -> i} α'[e, k] h[j, k],
α[e, k] = softmax_{e ∈ in(i)} LeakyReLU(s[j, k] + d[i, k] (+ a[e, k]))

with s = a_src (N, H) and d = a_dst (N, H) the two per-node attention scalars (DESIGN §4: GAT
scores are two per-node scalars gathered per edge, never a concatenation), optionally a = a_edge
(E, H) a per-edge scalar (GAT's edge term <W_e e_ji, att_edge>), and α' = α ⊙ dropout mask.
Differentiable in h (N, H, C), a_src, a_dst and a_edge. Memory is O(E·H): the compiled path
never builds (E, H, C) messages; the NumPy fallback builds (E, C) per head in its backward.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.kernels import use_attention_kernel
from npgnn.ops.graph import gather
from npgnn.ops.segments import Segments, check_index
from npgnn.random import default_generator


class AttentionGraph:
    """Edges sorted by target (position p), with the by-source grouping the backward needs.

    Attributes:
        edge_index: (2, E) the edges as given (their order is the caller's edge order);
        perm: (E,) original edge id at each position; indptr: (N+1,) target offsets;
        src, dst: (E,) source and target of each position; src_indptr, src_pos: positions grouped
        by source node.
    """

    def __init__(self, edge_index: np.ndarray, num_nodes: int):
        edge_index = np.asarray(edge_index)
        if edge_index.ndim != 2 or edge_index.shape[0] != 2:
            raise ValueError(f"edge_index: expected shape (2, E), got {edge_index.shape}")
        src = check_index("edge_index[0] (sources)", edge_index[0], num_nodes)
        dst = check_index("edge_index[1] (targets)", edge_index[1], num_nodes)
        by_dst = Segments(dst, num_nodes, validate=False)
        self.edge_index, self.num_nodes = edge_index, num_nodes
        self.perm, self.indptr = by_dst.perm, by_dst.indptr
        self.src, self.dst = src[self.perm], dst[self.perm]
        by_src = Segments(self.src, num_nodes, validate=False)
        self.src_indptr, self.src_pos = by_src.indptr, by_src.perm
        self.targets = Segments(self.dst, num_nodes, validate=False)
        self.sources = by_src
        self.sorted = bool(np.all(self.perm == np.arange(self.perm.size)))
        self._positions: Segments | None = None

    @property
    def positions(self) -> Segments:
        """``gather(values, positions)`` takes per-edge values from edge_index's order to the
        sorted positions (built on first use)."""
        if self._positions is None:
            self._positions = Segments(self.perm, self.perm.size, validate=False)
        return self._positions

    @property
    def num_edges(self) -> int:
        return self.src.shape[0]

    def matrix(self, weights: np.ndarray) -> sp.csr_matrix:
        """(N, N) CSR whose row i holds the weights (E,) of i's incoming edges (in position
        order) at their sources: ``matrix(w) @ h`` is the weighted sum over in-neighbours."""
        return sp.csr_matrix((weights, self.src, self.indptr), shape=(self.num_nodes, self.num_nodes))

    def in_original_order(self, values: np.ndarray) -> np.ndarray:
        """Per-position values (E, ...) reordered to the caller's edge order, as a new array (a
        plain copy when the edges came sorted by target)."""
        if self.sorted:
            return values.copy()
        out = np.empty_like(values)
        out[self.perm] = values
        return out


class GATAttention(Function):
    """See the module docstring. Inputs: h (N, H, C), a_src (N, H), a_dst (N, H) and optionally
    a_edge (E, H) in the graph's sorted (position) order."""

    def __init__(self, graph: AttentionGraph, negative_slope: float, mask: np.ndarray | None):
        self.graph, self.slope, self.mask = graph, negative_slope, mask

    def forward(self, h, a_src, a_dst, *a_edge):
        self.h, self.a_src, self.a_dst = h, a_src, a_dst
        g, dtype = self.graph, h.dtype
        self.a_edge = a_edge[0] if a_edge else None
        edge = self.a_edge if a_edge else np.empty((0, 0), dtype=dtype)
        mask = self._mask(dtype)
        self.compiled = use_attention_kernel(h.size // g.num_nodes * g.num_edges
                                             if g.num_nodes else 0)
        if self.compiled:
            from npgnn.kernels.gat import gat_forward

            self.alpha = np.empty((g.num_edges, h.shape[1]), dtype=dtype)
            out = np.empty_like(h)
            gat_forward(g.indptr, g.src, h, a_src, a_dst, edge, self.a_edge is not None,
                        dtype.type(self.slope), mask, self.mask is not None, self.alpha, out)
            return out
        z = self._scores()
        z = np.exp(z - g.targets.max(z)[g.dst])
        self.alpha = z / g.targets.sum(z)[g.dst]
        weights = self.alpha * mask if self.mask is not None else self.alpha
        return np.stack([self.graph.matrix(weights[:, k]) @ h[:, k] for k in range(h.shape[1])], axis=1)

    def backward(self, grad):
        g, h, dtype = self.graph, self.h, self.h.dtype
        mask = self._mask(dtype)
        if self.compiled:
            from npgnn.kernels.gat import gat_backward_sources, gat_backward_targets

            dz = np.empty_like(self.alpha)
            d_adst = np.empty_like(self.a_dst)
            edge = self.a_edge if self.a_edge is not None else np.empty((0, 0), dtype=dtype)
            gat_backward_targets(g.indptr, g.src, h, self.a_src, self.a_dst, edge,
                                 self.a_edge is not None, dtype.type(self.slope), self.alpha, mask,
                                 self.mask is not None, grad, dz, d_adst)
            dh, d_asrc = np.empty_like(h), np.empty_like(self.a_src)
            gat_backward_sources(g.src_indptr, g.src_pos, g.dst, self.alpha, mask,
                                 self.mask is not None, grad, dz, dh, d_asrc)
            return (dh, d_asrc, d_adst) + (() if self.a_edge is None else (dz,))
        heads = range(h.shape[1])
        d_alpha = np.stack([np.einsum("ec,ec->e", grad[g.dst, k], h[g.src, k]) for k in heads], axis=1)
        weights = self.alpha
        if self.mask is not None:
            d_alpha, weights = d_alpha * mask, self.alpha * mask
        ds = self.alpha * (d_alpha - g.targets.sum(self.alpha * d_alpha)[g.dst])
        ds = np.where(self._scores_positive(), ds, ds * dtype.type(self.slope))
        dh = np.stack([self.graph.matrix(weights[:, k]).T @ grad[:, k] for k in heads], axis=1)
        return (dh, g.sources.sum(ds), g.targets.sum(ds)) + (() if self.a_edge is None else (ds,))

    # -- helpers of the NumPy path
    def _mask(self, dtype: np.dtype) -> np.ndarray:
        if self.mask is None:
            return np.empty((0, 0), dtype=dtype)
        return self.mask.astype(dtype, copy=False)

    def _raw_scores(self) -> np.ndarray:
        z = self.a_src[self.graph.src] + self.a_dst[self.graph.dst]
        return z if self.a_edge is None else z + self.a_edge

    def _scores_positive(self) -> np.ndarray:
        return self._raw_scores() > 0

    def _scores(self) -> np.ndarray:
        z = self._raw_scores()
        return np.where(z > 0, z, z * z.dtype.type(self.slope))


def gat_attention(
    h: Any, a_src: Any, a_dst: Any, graph: AttentionGraph, negative_slope: float = 0.2,
    dropout: float = 0.0, training: bool = False, rng: np.random.Generator | None = None,
    a_edge: Any = None,
) -> tuple[Tensor, np.ndarray]:
    """Attention-weighted aggregation of GAT (see the module docstring).

    Args:
        h: (N, H, C) transformed node features. a_src, a_dst: (N, H) per-node attention scalars.
        graph: the :class:`AttentionGraph` of the edges (self-loops already added if wanted).
        dropout: probability of dropping an attention coefficient (training only).
        rng: draws the dropout mask.
        a_edge: optional (E, H) per-edge addend of the scores, in ``graph.edge_index``'s order
            (differentiable; build the graph from target-sorted edges to skip a reordering).
    Returns:
        (out (N, H, C) Tensor, α (E, H) ndarray in ``edge_index`` order, after dropout).
    """
    h, a_src, a_dst = as_tensor(h), as_tensor(a_src), as_tensor(a_dst)
    n = graph.num_nodes
    if h.ndim != 3 or h.shape[0] != n:
        raise ValueError(f"gat_attention: h must have shape ({n}, H, C), got {h.shape}")
    for name, t in (("a_src", a_src), ("a_dst", a_dst)):
        if t.shape != h.shape[:2]:
            raise ValueError(f"gat_attention: {name} must have shape {h.shape[:2]}, got {t.shape}")
    inputs = [h, a_src, a_dst]
    if a_edge is not None:
        a_edge = as_tensor(a_edge)
        if a_edge.shape != (graph.num_edges, h.shape[1]):
            raise ValueError(f"gat_attention: a_edge must have shape ({graph.num_edges}, "
                             f"{h.shape[1]}), got {a_edge.shape}")
        if not graph.sorted:
            a_edge = gather(a_edge, graph.positions)
        inputs.append(a_edge)
    mask = None
    if training and dropout > 0:
        rng = rng if rng is not None else default_generator()
        keep = rng.random((graph.num_edges, h.shape[1])) >= dropout
        mask = keep / (1.0 - dropout)
    op = GATAttention(graph, negative_slope, mask)
    out = op(*inputs)
    alpha = op.alpha if mask is None else op.alpha * mask.astype(op.alpha.dtype)
    return out, graph.in_original_order(alpha)
