"""Fused dot-product attention over edges (TransformerConv's core), with edge features.

For each target i, head k and incoming edge e = (j -> i), with ``q`` already scaled by 1/√C::

    z[e, k]   = <q[i, k], key[j, k]> (+ <qe[i, k], ea[e]>)                          (E, H)
    α[e, k]   = softmax of z over i's incoming edges                               (E, H)
    out[i, k] = [ Σ_e α'[e, k] value[j, k] ; Σ_e α'[e, k] ea[e] ]                  (N, H, C + D)

α' = α ⊙ (dropout mask). The edge features enter as D-vectors shared by the heads: a layer whose
keys and values get ``W_e ea`` (PyG's ``TransformerConv(edge_dim=D)``) passes ``qe[i, k] =
W_e[k]ᵀ q[i, k]`` (N, H, D) and multiplies the last D outputs by ``W_e[k]``: both are node-level
products, so nothing of size E·H·C (the projected edge features PyG builds, three times) exists.
Differentiable in q, key, value, qe and ea. Memory O(E·H) (plus one (E, C) or (E, D) row block
per head on the NumPy path); the compiled path (``npgnn.kernels.edge_attention``) runs one pass
over each target's edges forward, one per target and one per source backward.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.kernels import use_attention_kernel
from npgnn.ops.gat import AttentionGraph
from npgnn.ops.graph import gather


class EdgeAttention(Function):
    """See the module docstring. Inputs q, key, value (N, H, C) and optionally qe (N, H, D),
    ea (E, D) in the graph's sorted (position) order; output (N, H, C + D)."""

    def __init__(self, graph: AttentionGraph, mask: np.ndarray | None):
        self.graph, self.mask = graph, mask

    def forward(self, q, key, value, *edge):
        g, dtype = self.graph, q.dtype
        self.q, self.key, self.value = q, key, value
        self.qe, self.ea = edge if edge else (np.zeros(q.shape[:2] + (0,), dtype),
                                              np.zeros((g.num_edges, 0), dtype))
        heads, c = q.shape[1:]
        d = self.ea.shape[1]
        self.compiled = use_attention_kernel(g.num_edges * heads * (c + d))
        mask = self._mask(dtype)
        if self.compiled:
            from npgnn.kernels.edge_attention import edge_attention_forward

            self.alpha = np.empty((g.num_edges, heads), dtype=dtype)
            out = np.empty((g.num_nodes, heads, c + d), dtype=dtype)
            edge_attention_forward(g.indptr, g.src, q, key, value, self.qe, self.ea, mask,
                                   self.mask is not None, self.alpha, out)
            return out
        z = np.stack([self._dot(k) for k in range(heads)], axis=1)          # (E, H)
        z = np.exp(z - g.targets.max(z)[g.dst])
        self.alpha = z / g.targets.sum(z)[g.dst]
        w = self.alpha * mask if self.mask is not None else self.alpha
        out = np.empty((g.num_nodes, heads, c + d), dtype=dtype)
        for k in range(heads):
            out[:, k, :c] = self.graph.matrix(w[:, k]) @ value[:, k]
            if d:
                out[:, k, c:] = self._edges_to_targets(w[:, k]) @ self.ea
        return out

    def backward(self, grad):
        g, q, key, value, qe, ea = self.graph, self.q, self.key, self.value, self.qe, self.ea
        heads, c = q.shape[1:]
        d = ea.shape[1]
        mask = self._mask(q.dtype)
        if self.compiled:
            from npgnn.kernels.edge_attention import (
                edge_attention_backward_sources,
                edge_attention_backward_targets,
            )

            ds = np.empty_like(self.alpha)
            dq, dqe, dea = np.empty_like(q), np.empty_like(qe), np.empty_like(ea)
            edge_attention_backward_targets(g.indptr, g.src, q, key, value, qe, ea, self.alpha,
                                            mask, self.mask is not None, grad, ds, dq, dqe, dea)
            dk, dv = np.empty_like(key), np.empty_like(value)
            edge_attention_backward_sources(g.src_indptr, g.src_pos, g.dst, q, self.alpha, mask,
                                            self.mask is not None, grad, ds, dk, dv)
            return (dq, dk, dv) + ((dqe, dea) if d else ())
        w = self.alpha * mask if self.mask is not None else self.alpha
        d_alpha = np.empty_like(self.alpha)
        for k in range(heads):
            d_alpha[:, k] = np.einsum("ec,ec->e", grad[g.dst, k, :c], value[g.src, k])
            if d:
                d_alpha[:, k] += np.einsum("ed,ed->e", grad[g.dst, k, c:], ea)
        if self.mask is not None:
            d_alpha *= mask
        ds = self.alpha * (d_alpha - g.targets.sum(self.alpha * d_alpha)[g.dst])
        dq, dk, dv = np.empty_like(q), np.empty_like(key), np.empty_like(value)
        dqe, dea = np.empty_like(qe), np.zeros_like(ea)
        for k in range(heads):
            s_k = self.graph.matrix(ds[:, k])
            dq[:, k] = s_k @ key[:, k]
            dk[:, k] = s_k.T @ q[:, k]
            dv[:, k] = self.graph.matrix(w[:, k]).T @ grad[:, k, :c]
            if d:
                dqe[:, k] = self._edges_to_targets(ds[:, k]) @ ea
                dea += ds[:, k, None] * qe[g.dst, k] + w[:, k, None] * grad[g.dst, k, c:]
        return (dq, dk, dv) + ((dqe, dea) if d else ())

    # -- helpers of the NumPy path
    def _mask(self, dtype: np.dtype) -> np.ndarray:
        if self.mask is None:
            return np.empty((0, 0), dtype=dtype)
        return self.mask.astype(dtype, copy=False)

    def _dot(self, k: int) -> np.ndarray:
        g = self.graph
        z = np.einsum("ec,ec->e", self.q[g.dst, k], self.key[g.src, k])
        if self.ea.shape[1]:
            z += np.einsum("ed,ed->e", self.qe[g.dst, k], self.ea)
        return z

    def _edges_to_targets(self, weights: np.ndarray) -> sp.csr_matrix:
        """(N, E): row i holds the weights of i's incoming edges at their positions."""
        g = self.graph
        return sp.csr_matrix((weights, np.arange(g.num_edges), g.indptr),
                             shape=(g.num_nodes, g.num_edges))


def edge_attention(
    q: Any, key: Any, value: Any, graph: AttentionGraph, qe: Any = None, ea: Any = None,
    dropout: float = 0.0, training: bool = False, rng: np.random.Generator | None = None,
) -> tuple[Tensor, np.ndarray]:
    """Dot-product attention of each target over its incoming edges (see the module docstring).

    Args:
        q: (N, H, C) queries, already scaled (TransformerConv: 1/√C). key, value: (N, H, C).
        graph: the :class:`~npgnn.ops.gat.AttentionGraph` of the edges.
        qe: (N, H, D) per-target queries of the edge features, with ``ea``.
        ea: (E, D) edge features in ``graph.edge_index``'s order, with ``qe``.
        dropout: probability of dropping an attention coefficient (training only; the kept
            ones are scaled by 1/(1-p)). rng: draws the dropout mask.
    Returns:
        (out (N, H, C + D) Tensor, α (E, H) ndarray in ``edge_index`` order, before dropout,
        as PyG's TransformerConv reports it). A node without incoming edges gets 0.
    Raises:
        ValueError naming the argument whose shape does not fit.
    """
    q, key, value = as_tensor(q), as_tensor(key), as_tensor(value)
    n = graph.num_nodes
    if q.ndim != 3 or q.shape[0] != n:
        raise ValueError(f"edge_attention: q must have shape ({n}, H, C), got {q.shape}")
    for name, t in (("key", key), ("value", value)):
        if t.shape != q.shape:
            raise ValueError(f"edge_attention: {name} must have q's shape {q.shape}, got {t.shape}")
    inputs = [q, key, value]
    if (qe is None) != (ea is None):
        raise ValueError("edge_attention: pass qe and ea together (or neither)")
    if ea is not None:
        qe, ea = as_tensor(qe), as_tensor(ea)
        if ea.ndim != 2 or ea.shape[0] != graph.num_edges:
            raise ValueError(f"edge_attention: ea must have shape ({graph.num_edges}, D), got {ea.shape}")
        if qe.shape != q.shape[:2] + (ea.shape[1],):
            raise ValueError(f"edge_attention: qe must have shape {q.shape[:2] + (ea.shape[1],)}, "
                             f"got {qe.shape}")
        inputs += [qe, ea if graph.sorted else gather(ea, graph.positions)]
    mask = None
    if training and dropout > 0:
        rng = rng if rng is not None else np.random.default_rng()
        mask = (rng.random((graph.num_edges, q.shape[1])) >= dropout) / (1.0 - dropout)
    op = EdgeAttention(graph, mask)
    out = op(*inputs)
    return out, graph.in_original_order(op.alpha)
