"""Fused GATv2 attention: scores, per-target softmax and aggregation in one op, edge features
projected on the fly (Brody et al. 2022, "How Attentive are Graph Attention Networks?", eq. 7,
with GATv2Conv's edge term).

For each target i, head k and incoming edge e = (j -> i)::

    u[e, k, c] = x_l[j, k, c] + x_r[i, k, c] (+ Σ_t edge_attr[e, t] W_e[k·C + c, t])
    z[e, k]    = Σ_c att[k, c] LeakyReLU(u[e, k, c])                                  (E, H)
    α[e, k]    = softmax of z over i's incoming edges                                 (E, H)
    out[i, k]  = Σ_e α'[e, k] x_l[j, k]                                               (N, H, C)

α' = α ⊙ (dropout mask). Differentiable in x_l, x_r (N, H, C), att (H, C) or (1, H, C),
edge_attr (E, D) and W_e (H·C, D). The compiled path (``npgnn.kernels.gatv2``) never holds u,
the projected edge features or their gradients, all (E, H, C): it keeps α (E, H) and one sign
bit per entry of u, and recomputes u where the backward needs its value. The NumPy fallback
(small graphs, or numba disabled) works one head at a time: (E, C) temporaries.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.kernels import use_attention_kernel
from npgnn.ops.gat import AttentionGraph
from npgnn.ops.graph import gather
from npgnn.random import default_generator

#: Target chunks whose parameter gradients (att, W_e) the compiled backward sums separately
#: (fixed, so results do not depend on the thread count; a few per core balance the work).
_CHUNKS = 64


def _rows(x: np.ndarray) -> np.ndarray:
    """(N, H, C) as contiguous (N, H·C) rows (a view when already contiguous)."""
    return np.ascontiguousarray(x).reshape(x.shape[0], -1)


def _chunk_bounds(g: AttentionGraph) -> np.ndarray:
    """(chunks + 1,) target boundaries splitting the edges into ~equal runs (cut at targets)."""
    chunks = min(_CHUNKS, max(g.num_nodes, 1))
    bounds = np.searchsorted(g.indptr, np.linspace(0, g.num_edges, chunks + 1))
    bounds = np.clip(bounds, 0, g.num_nodes)
    bounds[0], bounds[-1] = 0, g.num_nodes
    return bounds


class GATv2Attention(Function):
    """See the module docstring. Inputs x_l, x_r (N, H, C), att (as given) and optionally
    edge_attr (E, D) in the graph's sorted (position) order and W_e (H·C, D)."""

    def __init__(self, graph: AttentionGraph, negative_slope: float, mask: np.ndarray | None):
        self.graph, self.slope, self.mask = graph, negative_slope, mask

    def forward(self, x_l, x_r, att, *edge):
        g, dtype = self.graph, x_l.dtype
        heads, c = x_l.shape[1:]
        self.x_l, self.x_r, self.att_shape = x_l, x_r, att.shape
        self.att = att.reshape(heads, c)
        self.ea, w = edge if edge else (np.empty((g.num_edges, 0), dtype),
                                        np.empty((heads * c, 0), dtype))
        self.w = w.reshape(heads, c, -1)
        work = g.num_edges * heads * c * (1 + self.ea.shape[1])
        self.compiled = use_attention_kernel(work)
        mask = self._mask(dtype)
        if self.compiled:
            from npgnn.kernels.gatv2 import gatv2_forward

            n, hc = g.num_nodes, heads * c
            self.bounds = _chunk_bounds(g)
            self.wt = np.ascontiguousarray(self.w.reshape(hc, -1).T)          # (D, H·C)
            self.alpha = np.empty((g.num_edges, heads), dtype=dtype)
            self.signs = np.empty((g.num_edges, (hc + 7) // 8), dtype=np.uint8)
            out = np.empty((n, hc), dtype=dtype)
            gatv2_forward(self.bounds, g.indptr, g.src, _rows(x_l), _rows(x_r), self.att, self.ea,
                          self.wt, dtype.type(self.slope), mask, self.mask is not None,
                          self.alpha, self.signs, out)
            return out.reshape(n, heads, c)
        z = np.stack([self._head(k)[1] @ self.att[k] for k in range(heads)], axis=1)  # (E, H)
        z = np.exp(z - g.targets.max(z)[g.dst])
        self.alpha = z / g.targets.sum(z)[g.dst]
        weights = self.alpha * mask if self.mask is not None else self.alpha
        return np.stack([self.graph.matrix(weights[:, k]) @ x_l[:, k] for k in range(heads)], axis=1)

    def backward(self, grad):
        g, x_l, dtype = self.graph, self.x_l, self.x_l.dtype
        heads, c = self.att.shape
        mask = self._mask(dtype)
        use_mask = self.mask is not None
        if self.compiled:
            from npgnn.kernels.gatv2 import gatv2_backward_sources, gatv2_backward_targets

            n, hc = g.num_nodes, heads * c
            chunks = self.bounds.shape[0] - 1
            ds = np.empty_like(self.alpha)
            dxr, dea = np.empty((n, hc), dtype=dtype), np.empty_like(self.ea)
            datt = np.empty((chunks,) + self.att.shape, dtype=dtype)
            dw = np.empty((chunks, hc, self.ea.shape[1]), dtype=dtype)
            slope, grad = dtype.type(self.slope), _rows(grad)
            gatv2_backward_targets(self.bounds, g.indptr, g.src, _rows(x_l), _rows(self.x_r),
                                   self.att, self.ea, self.wt, self.w.reshape(hc, -1), slope,
                                   self.alpha, self.signs, mask, use_mask, grad, ds, dxr, dea,
                                   datt, dw)
            dxl = np.empty((n, hc), dtype=dtype)
            gatv2_backward_sources(g.src_indptr, g.src_pos, g.dst, self.att, slope, self.alpha,
                                   self.signs, mask, use_mask, grad, ds, dxl)
            dxl, dxr = dxl.reshape(x_l.shape), dxr.reshape(x_l.shape)
            datt, dw = datt.sum(axis=0), dw.sum(axis=0)
        else:
            d_alpha = np.stack([np.einsum("ec,ec->e", grad[g.dst, k], x_l[g.src, k])
                                for k in range(heads)], axis=1)
            weights = self.alpha
            if use_mask:
                d_alpha, weights = d_alpha * mask, self.alpha * mask
            ds = self.alpha * (d_alpha - g.targets.sum(self.alpha * d_alpha)[g.dst])
            dxl, dxr = np.empty_like(x_l), np.empty_like(self.x_r)
            datt, dw, dea = np.empty_like(self.att), np.empty_like(self.w), np.zeros_like(self.ea)
            for k in range(heads):
                positive, activated = self._head(k)
                datt[k] = ds[:, k] @ activated
                du = ds[:, k, None] * np.where(positive, self.att[k], self.att[k] * dtype.type(self.slope))
                dxr[:, k] = g.targets.sum(du)
                dxl[:, k] = g.sources.sum(du) + self.graph.matrix(weights[:, k]).T @ grad[:, k]
                dea += du @ self.w[k]
                dw[k] = du.T @ self.ea
        grads = (dxl, dxr, datt.reshape(self.att_shape))
        return grads + ((dea, dw.reshape(heads * c, -1)) if self.ea.shape[1] else ())

    # -- helpers of the NumPy path
    def _mask(self, dtype: np.dtype) -> np.ndarray:
        if self.mask is None:
            return np.empty((0, 0), dtype=dtype)
        return self.mask.astype(dtype, copy=False)

    def _head(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Head k's (u > 0, LeakyReLU(u)), both (E, C)."""
        g = self.graph
        u = self.x_l[g.src, k] + self.x_r[g.dst, k]
        if self.ea.shape[1]:
            u = u + self.ea @ self.w[k].T
        positive = u > 0
        return positive, np.where(positive, u, u * u.dtype.type(self.slope))


def gatv2_attention(
    x_l: Any, x_r: Any, att: Any, graph: AttentionGraph, negative_slope: float = 0.2,
    dropout: float = 0.0, training: bool = False, rng: np.random.Generator | None = None,
    edge_attr: Any = None, edge_weight: Any = None,
) -> tuple[Tensor, np.ndarray]:
    """GATv2's attention-weighted aggregation (see the module docstring).

    Args:
        x_l: (N, H, C) source-side features (``lin_l(x)``); x_r: (N, H, C) target-side ones
            (``lin_r(x)``; the same tensor with shared weights).
        att: (H, C) or (1, H, C) attention vector per head.
        graph: the :class:`~npgnn.ops.gat.AttentionGraph` of the edges (self-loops already
            added if wanted).
        negative_slope: the LeakyReLU slope.
        dropout: probability of dropping an attention coefficient (training only; the kept ones
            are scaled by 1/(1-p)). rng: draws the dropout mask.
        edge_attr: (E, D) edge features in ``graph.edge_index``'s order, with ``edge_weight``
            (H·C, D), the projection (``lin_edge.weight``); both differentiable.
    Returns:
        (out (N, H, C) Tensor, α (E, H) ndarray in ``edge_index`` order, after dropout, as
        PyG's GATv2Conv reports it). A node without incoming edges gets 0.
    Raises:
        ValueError naming the argument whose shape does not fit, or when only one of
        ``edge_attr`` / ``edge_weight`` is given.
    """
    x_l, x_r, att = as_tensor(x_l), as_tensor(x_r), as_tensor(att)
    n = graph.num_nodes
    if x_l.ndim != 3 or x_l.shape[0] != n:
        raise ValueError(f"gatv2_attention: x_l must have shape ({n}, H, C), got {x_l.shape}")
    if x_r.shape != x_l.shape:
        raise ValueError(f"gatv2_attention: x_r must have x_l's shape {x_l.shape}, got {x_r.shape}")
    heads, c = x_l.shape[1:]
    if att.shape not in ((heads, c), (1, heads, c)):
        raise ValueError(f"gatv2_attention: att must have shape ({heads}, {c}) or (1, {heads}, {c}), "
                         f"got {att.shape}")
    inputs = [x_l, x_r, att]
    if (edge_attr is None) != (edge_weight is None):
        raise ValueError("gatv2_attention: pass edge_attr and edge_weight together (or neither)")
    if edge_attr is not None:
        ea, w = as_tensor(edge_attr), as_tensor(edge_weight)
        if ea.ndim != 2 or ea.shape[0] != graph.num_edges:
            raise ValueError(f"gatv2_attention: edge_attr must have shape ({graph.num_edges}, D), "
                             f"got {ea.shape}")
        if w.shape != (heads * c, ea.shape[1]):
            raise ValueError(f"gatv2_attention: edge_weight must have shape ({heads * c}, "
                             f"{ea.shape[1]}), got {w.shape}")
        inputs += [ea if graph.sorted else gather(ea, graph.positions), w]
    mask = None
    if training and dropout > 0:
        rng = rng if rng is not None else default_generator()
        mask = (rng.random((graph.num_edges, heads)) >= dropout) / (1.0 - dropout)
    op = GATv2Attention(graph, negative_slope, mask)
    out = op(*inputs)
    alpha = op.alpha if mask is None else op.alpha * mask.astype(op.alpha.dtype)
    return out, graph.in_original_order(alpha)
