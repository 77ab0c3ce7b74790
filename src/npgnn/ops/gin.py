"""Fused GIN ops: a whole GIN layer, and the layer-wise sum readout, as one graph node each.

On small-graph mini-batches (TU datasets: ~1,000 nodes × 32 channels per batch) the composed
path spends most of its time in per-op overhead and NumPy temporaries, not arithmetic. These
two ops compute the same functions with hand-written backwards:

- :class:`GINBlock` (Xu et al., 2019, eq. 4.1, with the paper's 2-layer MLP and batch norm)::

      z   = (1 + ε) x_i + Σ_{j -> i} x_j
      a   = ReLU(BN_1(z W_1ᵀ + b_1))
      out = ReLU(BN_2(a W_2ᵀ + b_2))

  (the biases b_1, b_2 are folded into the batch norms' centring instead of being added to
  the (N, H) activations; the same function and running statistics);

  replacing GINConv's aggregation, MLP([F, H, H], norm='batch_norm') and the model's
  BatchNorm1d + ReLU after it (11 ops forward and backward).
- :class:`SumReadout` (the paper's readout over all layers, eq. 4.2)::

      score = Σ_k dropout(pool(h_k) W_kᵀ + b_k),    pool(h)[g] = Σ_{i in graph g} h_i

  replacing 5 × (global_add_pool, Linear, dropout) and the sums.

Both are checked against finite differences (float64) and against the composed ops (equal to
1e-10 in float64); see tests/ops/test_gin_fused.py.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from npgnn.autodiff.function import Function
from npgnn.kernels.gin_block import Kernels, kernels


class NormSpec:
    """How one batch norm of a :class:`GINBlock` normalises.

    Args:
        eps: added to the variance.
        running: None for batch statistics (training, or ``track_running_stats=False``), else
            (running_mean, running_var) (C,) arrays: fixed statistics (evaluation), as
            ``torch.nn.BatchNorm1d``.
    After the forward, ``mean`` and ``var`` (float64 (C,), biased) hold the batch statistics
    used (for the running-statistics update), or None with fixed statistics.
    """

    __slots__ = ("eps", "running", "mean", "var")

    def __init__(self, eps: float, running: tuple[np.ndarray, np.ndarray] | None = None):
        self.eps = float(eps)
        self.running = running
        self.mean: np.ndarray | None = None
        self.var: np.ndarray | None = None

    def stats(self, h: np.ndarray, bias: np.ndarray,
              k: Kernels) -> tuple[np.ndarray, np.ndarray]:
        """(centre, 1 / sqrt(var + eps)), float64 (C,), for the activations ``h + bias`` given
        as h and the bias apart: the centre is what to subtract from h itself (the mean of
        h + bias minus the bias), so the bias is never added to h (batch norm removes any
        shift; exact in real arithmetic). ``self.mean`` is the mean of h + bias."""
        if self.running is None:
            centre, self.var = k.bn_stats(h)
            self.mean = centre + bias
            return centre, 1.0 / np.sqrt(self.var + self.eps)
        mean, var = self.running
        return (np.asarray(mean, dtype=np.float64) - bias,
                1.0 / np.sqrt(np.asarray(var, dtype=np.float64) + self.eps))


class _Stage:
    """Linear -> batch norm -> ReLU, the saved arrays of one half of a GIN block."""

    __slots__ = ("inp", "xhat", "out", "gamma", "invstd")

    def forward(self, k: Kernels, inp: np.ndarray, w: np.ndarray, b: np.ndarray,
                gamma: np.ndarray, beta: np.ndarray, norm: NormSpec) -> np.ndarray:
        h = inp @ w.T                      # the bias b enters through the centre (stats)
        mean, invstd = norm.stats(h, b.astype(np.float64), k)
        self.gamma = gamma.astype(np.float64)
        self.invstd = invstd
        self.xhat, self.out = k.bn_relu_apply(h, mean, invstd, self.gamma,
                                              beta.astype(np.float64), True)
        self.inp = inp
        return self.out

    def backward(self, k: Kernels, g: np.ndarray, w: np.ndarray, batch_stats: bool,
                 need_inp: bool) -> tuple[Any, ...]:
        dh, dgamma, dbeta, db = k.bn_relu_backward(g, self.out, self.xhat, self.gamma,
                                                   self.invstd, True, batch_stats)
        dw = dh.T @ self.inp
        dinp = dh @ w if need_inp else None
        return dinp, dw, db, dgamma, dbeta


class BatchNormRows(Function):
    """Batch norm of (N, C) rows with the compiled kernels: ``y = x̂ γ + β``, x̂ = (x − μ) / σ,
    with the batch statistics (``NormSpec`` without running statistics) or fixed ones.

    What ``BatchNorm1d`` runs for 2-D input (``npgnn.ops.nn.BatchNorm`` does the same math with
    NumPy reductions, several times slower on ~1,000-row batches). Inputs x (N, C), γ, β (C,).
    Backward: dβ = Σ g, dγ = Σ g x̂, dx = γ / (M σ) (M g − dβ − x̂ dγ) (batch statistics) or
    γ g / σ (fixed).
    """

    def __init__(self, norm: NormSpec):
        self.norm = norm

    def forward(self, x, gamma, beta):
        self.k = k = kernels(x.size)
        x = np.ascontiguousarray(x)
        mean, self.invstd = self.norm.stats(x, np.zeros(x.shape[1]), k)
        self.gamma = gamma.astype(np.float64)
        self.xhat, self.out = k.bn_relu_apply(x, mean, self.invstd, self.gamma,
                                              beta.astype(np.float64), False)
        return self.out

    def backward(self, g):
        dx, dgamma, dbeta, _ = self.k.bn_relu_backward(
            np.ascontiguousarray(g), self.out, self.xhat, self.gamma, self.invstd, False,
            self.norm.running is None)
        return dx, dgamma, dbeta


class LinearBatchNormReLU(Function):
    """``ReLU(BN(x Wᵀ + b))`` as one node: an MLP's hidden layer with batch norm (PyG's
    ``MLP(norm='batch_norm')``, and the first half of :class:`GINBlock`).

    Args (static): norm: the :class:`NormSpec` (batch or fixed statistics).
    Inputs: x (N, F), W (H, F), b (H,), γ, β (H,). Output (N, H). Backward as
    :class:`GINBlock`'s stages: dβ = Σ gm, dγ = Σ gm x̂, dh from the batch-norm rule,
    dW = dhᵀ x, db = Σ dh, dx = dh W.
    """

    def __init__(self, norm: NormSpec):
        self.norm = norm

    def forward(self, x, w, b, gamma, beta):
        self.w = w
        self.stage = _Stage()
        self.k = kernels(x.shape[0] * w.shape[0])
        return self.stage.forward(self.k, np.ascontiguousarray(x), w, b, gamma, beta,
                                  self.norm)

    def backward(self, g):
        dx, dw, db, dgamma, dbeta = self.stage.backward(
            self.k, np.ascontiguousarray(g), self.w, self.norm.running is None,
            self.needs_input_grad[0])
        return dx, dw, db, dgamma, dbeta


class GINBlock(Function):
    """One fused GIN layer (see the module docstring) on a graph given by its edges.

    Args (static): src, dst (E,) int64 edge endpoints, validated in [0, N) by the caller (a
    ``Graph``'s ``edge_index``); norm1, norm2: :class:`NormSpec` of the two batch norms.

    Inputs: x (N, F); eps (1,); W_1 (H, F), b_1 (H,), γ_1, β_1 (H,); W_2 (H', H), b_2 (H',),
    γ_2, β_2 (H',), all of one float dtype. Output (N, H').

    Backward (gm = g · [out > 0], x̂ the normalised activations, M = N rows)::

        dβ = Σ gm, dγ = Σ gm x̂,  dh = γ / (M σ) (M gm − dβ − x̂ dγ)   (batch statistics;
        γ gm / σ with fixed ones),  dW = dhᵀ · input, db = Σ dh, d input = dh W
        dx = (1 + ε) dz + Σ_{i: j -> i} dz_i   (the transposed aggregation),  dε = Σ dz ⊙ x
    """

    def __init__(self, src: np.ndarray, dst: np.ndarray, norm1: NormSpec, norm2: NormSpec):
        self.src, self.dst = src, dst
        self.norm1, self.norm2 = norm1, norm2

    def forward(self, x, eps, w1, b1, g1, be1, w2, b2, g2, be2):
        self.x, self.scale = x, 1.0 + float(eps[0])
        self.w1, self.w2 = w1, w2
        self.k = k = kernels(x.shape[0] * w1.shape[0])
        z = k.aggregate(np.ascontiguousarray(x), self.src, self.dst, self.scale)
        self.first, self.second = _Stage(), _Stage()
        a = self.first.forward(k, z, w1, b1, g1, be1, self.norm1)
        return self.second.forward(k, a, w2, b2, g2, be2, self.norm2)

    def backward(self, g):
        need, k = self.needs_input_grad, self.k
        da, dw2, db2, dg2, dbe2 = self.second.backward(
            k, np.ascontiguousarray(g), self.w2, self.norm2.running is None, True)
        need_z = need[0] or need[1]
        dz, dw1, db1, dg1, dbe1 = self.first.backward(k, da, self.w1,
                                                      self.norm1.running is None, need_z)
        dx = k.aggregate(dz, self.dst, self.src, self.scale) if need[0] else None
        deps = np.array([np.vdot(dz, self.x)]) if need[1] else None
        return dx, deps, dw1, db1, dg1, dbe1, dw2, db2, dg2, dbe2


class SumReadout(Function):
    """``score = Σ_k dropout_k(pool(h_k) W_kᵀ + b_k)`` over L layers, pool = sum per graph.

    Args (static): index (N,) int64 graph id of each node, in [0, G) (validated by the
    caller); num_graphs G; masks: one (G, C) dropout mask per layer (``keep / (1 − p)``, as
    :class:`npgnn.ops.nn.Dropout` draws it), or None for no dropout.

    Inputs: h_0..h_{L-1} (N, F_k), then W_0..W_{L-1} (C, F_k), then b_0..b_{L-1} (C,).
    Output (G, C), the layers' terms added in order k = 0, 1, ... (as the composed sum).

    Backward: with gm_k = g ⊙ mask_k and p_k = pool(h_k): dW_k = gm_kᵀ p_k, db_k = Σ gm_k,
    dh_k[i] = (gm_k W_k)[graph of i].
    """

    def __init__(self, index: np.ndarray, num_graphs: int, masks: Sequence[np.ndarray] | None):
        self.index, self.num_graphs, self.masks = index, int(num_graphs), masks

    def forward(self, *arrays):
        layers = len(arrays) // 3
        hs, ws, bs = arrays[:layers], arrays[layers:2 * layers], arrays[2 * layers:]
        scatter = kernels(hs[-1].size).scatter_rows
        self.pooled = [scatter(np.ascontiguousarray(h), self.index, self.num_graphs) for h in hs]
        self.ws = ws
        score = None
        for k, (p, w, b) in enumerate(zip(self.pooled, ws, bs)):
            term = p @ w.T
            term += b
            if self.masks is not None:
                term *= self.masks[k]
            score = term if score is None else score + term
        return score

    def backward(self, g):
        layers = len(self.ws)
        need = self.needs_input_grad
        dh, dw, db = [], [], []
        for k, (p, w) in enumerate(zip(self.pooled, self.ws)):
            gm = g * self.masks[k] if self.masks is not None else g
            dh.append((gm @ w)[self.index] if need[k] else None)
            dw.append(gm.T @ p if need[layers + k] else None)
            db.append(gm.sum(axis=0) if need[2 * layers + k] else None)
        return (*dh, *dw, *db)
