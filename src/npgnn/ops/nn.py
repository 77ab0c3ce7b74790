"""Differentiable neural-network ops: activations, softmax, log-softmax, cross-entropy, dropout."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._format import show
from npgnn._validate import check_supported_dtype
from npgnn.autodiff.function import Function, unbroadcast
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.kernels import numba_enabled
from npgnn.ops.math import _UNSET, resolve_axis
from npgnn.random import default_generator


# ---------------------------------------------------------------------------- activations
def _select_gradient(g: np.ndarray, mask: np.ndarray, scale: float) -> np.ndarray:
    """g where ``mask``, else g · scale (exactly 0 for scale 0): a selection, never 0 · g."""
    if g.size >= _SELECT_KERNEL_MIN and numba_enabled() and g.dtype.kind == "f":
        from npgnn.kernels.activation import select_gradient

        return select_gradient(g, mask, scale)
    return np.where(mask, g, g * g.dtype.type(scale) if scale else g.dtype.type(0))


#: From this many elements the compiled selection beats ``np.where`` (measured 4.7x at 28M).
_SELECT_KERNEL_MIN = 1 << 16


class ReLU(Function):
    """max(x, 0), NaN kept (``np.maximum``, as torch.relu); the gradient is exactly 0 where
    x <= 0, even for an infinite or NaN g (a selection, not a product 0 · g: torch's
    threshold_backward), and g elsewhere, a NaN x included (as torch)."""

    def forward(self, x):
        self.mask = ~(x <= 0)
        return np.maximum(x, x.dtype.type(0))

    def backward(self, g):
        return _select_gradient(g, self.mask, 0.0)


class LeakyReLU(Function):
    def __init__(self, negative_slope: float = 0.01):
        self.slope = negative_slope

    def forward(self, x):
        self.mask = x > 0
        if 0 <= self.slope <= 1:  # max(x, s·x) is the same map, without a masked select
            return np.maximum(x, x * x.dtype.type(self.slope))
        return np.where(self.mask, x, x * x.dtype.type(self.slope))

    def backward(self, g):
        return _select_gradient(g, self.mask, self.slope)


class ELU(Function):
    """x for x > 0, alpha (e^x - 1) otherwise."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def forward(self, x):
        self.mask = x > 0
        self.neg = self.alpha * np.expm1(np.minimum(x, 0)).astype(x.dtype, copy=False)
        return np.where(self.mask, x, self.neg)

    def backward(self, g):
        return np.where(self.mask, g, g * (self.neg + self.alpha))


class Tanh(Function):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, g):
        return g * (1 - self.y * self.y)


class Sigmoid(Function):
    """1 / (1 + e^-x), evaluated without overflow for large |x|."""

    def forward(self, x):
        z = np.exp(-np.abs(x))
        self.y = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
        return self.y

    def backward(self, g):
        return g * self.y * (1 - self.y)


class Softplus(Function):
    """log(1 + e^x), evaluated as ``logaddexp(0, x)`` (no overflow); d/dx = sigmoid(x)."""

    def forward(self, x):
        self.x = x
        return np.logaddexp(x.dtype.type(0), x)

    def backward(self, g):
        z = np.exp(-np.abs(self.x))
        return g * np.where(self.x >= 0, 1 / (1 + z), z / (1 + z))


class GELU(Function):
    """x Φ(x) (Hendrycks & Gimpel 2016), exact with erf, or the tanh approximation
    0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))) as torch's ``approximate='tanh'``."""

    def __init__(self, approximate: str = "none"):
        self.approximate = approximate

    def forward(self, x):
        self.x = x
        if self.approximate == "tanh":
            k = np.sqrt(2.0 / np.pi)
            self.t = np.tanh(k * (x + 0.044715 * x**3))
            return (0.5 * x * (1 + self.t)).astype(x.dtype, copy=False)
        from scipy.special import erf

        self.cdf = 0.5 * (1 + erf(x / np.sqrt(2.0)))
        return (x * self.cdf).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.x
        if self.approximate == "tanh":
            k = np.sqrt(2.0 / np.pi)
            dt = (1 - self.t**2) * k * (1 + 3 * 0.044715 * x**2)
            return g * (0.5 * (1 + self.t) + 0.5 * x * dt)
        pdf = np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
        return g * (self.cdf + x * pdf)


# ---------------------------------------------------------------------------- softmax family
def _softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """Softmax over ``axis``; shifting by the max changes nothing mathematically and avoids overflow.

    Non-finite entries follow torch: a -inf entry gets probability 0 (its row stays finite), a
    row with no finite maximum (all -inf, or a +inf entry) is NaN, without a NumPy warning.
    """
    # initial=-inf: a zero-length axis (no keys) reduces to an empty result, not NumPy's error
    with np.errstate(invalid="ignore"):  # -inf - (-inf), inf / inf: NaN rows, as torch
        z = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
        return z / np.sum(z, axis=axis, keepdims=True)


def _log_softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """log softmax over ``axis``: a -inf entry gives -inf, a row with no finite max NaN (torch)."""
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN rows; no entries: log(0)
        shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def xlogp_array(t: np.ndarray, logp: np.ndarray) -> np.ndarray:
    """``t * logp`` with 0 wherever t == 0, even where logp is -inf (or NaN)."""
    with np.errstate(invalid="ignore"):
        return np.where(t == 0, t.dtype.type(0), t * logp)


class XLogP(Function):
    """``t · log p`` given ``log p``, with the convention 0 · log 0 = 0 (torch's ``xlogy`` and
    ``kl_div`` rule): a zero weight or probability t makes its term 0 even where log p = −∞.

    Inputs t (weights or target probabilities) and logp of broadcastable shapes. Backward:
    d logp = g t (0 where t = 0), d t = g log p (−∞ · g where log p = −∞, as torch's target
    gradient of cross_entropy).
    """

    def forward(self, t, logp):
        self.t, self.logp = t, logp
        return xlogp_array(t, logp)

    def backward(self, g):
        dt = unbroadcast(g * self.logp, self.t.shape) if self.needs_input_grad[0] else None
        dlogp = unbroadcast(g * self.t, self.logp.shape) if self.needs_input_grad[1] else None
        return dt, dlogp


def xlogp(t: Any, logp: Any) -> Tensor:
    """Differentiable ``t · logp`` with 0 · (−∞) = 0; see :class:`XLogP`."""
    return XLogP()(t, logp)


class Softmax(Function):
    """y = exp(x) / Σ exp(x) over ``axis``; the full Jacobian gives dx = y ⊙ (dy − Σ_k dy_k y_k).

    (The diagonal alone, y(1 − y), is the classic mistake; gradcheck catches it.)
    """

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        self.y = _softmax_array(x, self.axis)
        return self.y

    def backward(self, g):
        y = self.y
        return y * (g - np.sum(g * y, axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """log softmax(x) over ``axis``; dx = dy − softmax(x) Σ dy."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        self.y = _log_softmax_array(x, self.axis)
        return self.y

    def backward(self, g):
        return g - np.exp(self.y) * np.sum(g, axis=self.axis, keepdims=True)


class CrossEntropy(Function):
    """Softmax cross-entropy of logits (N, C) against class ids (N,) or target distributions (N, C).

    loss_n = −Σ_c t_nc log softmax(x_n)_c, reduced by 'mean' (over N), 'sum' or 'none'. The gradient
    with respect to the logits is (softmax(x_n) Σ_c t_nc − t_n) times the reduction's weight, and with
    respect to soft targets it is −log softmax(x_n).

    Non-finite logits: a −inf logit on a class with target probability 0 contributes nothing
    (0 · log 0 = 0, torch's ``xlogy`` / ``kl_div`` convention; torch's cross_entropy gives NaN for
    soft targets there and a finite value for class ids, which npgnn matches); a row whose logits
    are all −inf (or hold +inf) has a NaN loss, as in torch.
    """

    def __init__(self, reduction: str = "mean"):
        self.reduction = reduction

    def forward(self, logits, target):
        self.logp = _log_softmax_array(logits, axis=-1)
        n = logits.shape[0]
        if np.issubdtype(target.dtype, np.integer):
            self.onehot = np.zeros_like(logits)
            self.onehot[np.arange(n), target] = 1
            # pick the target's log-probability: a sum of onehot * logp would make 0 * (-inf)
            # = NaN from a -inf logit on another class (torch's loss stays finite)
            losses = -self.logp[np.arange(n), target]
        else:
            self.onehot = target.astype(logits.dtype, copy=False)
            # 0 · log 0 = 0 (torch's xlogy / kl_div rule): a zero-probability class with a -inf
            # logit adds nothing (torch's cross_entropy gives NaN there)
            losses = -np.sum(xlogp_array(self.onehot, self.logp), axis=-1)
        self.scale = 1.0 / n if self.reduction == "mean" else 1.0
        if self.reduction == "none":
            return losses
        return np.sum(losses) * losses.dtype.type(self.scale)

    def backward(self, g):
        g = np.asarray(g)[..., None] * self.scale if self.reduction == "none" else g * self.scale
        mass = np.sum(self.onehot, axis=-1, keepdims=True)
        d_logits = (np.exp(self.logp) * mass - self.onehot) * g
        d_target = -self.logp * g if self.needs_input_grad[1] else None
        return d_logits, d_target


class BinaryCrossEntropy(Function):
    """Elementwise −(t log x + (1 − t) log(1 − x)) of probabilities x, each log clamped at −100
    (torch's rule: x = 0 or 1 gives a finite loss).

    Backward as torch: dx = (x − t) / max(x (1 − x), 1e-12), dt = log(1 − x) − log(x) (clamped).
    """

    def forward(self, x, t):
        self.x, self.t = x, t
        with np.errstate(divide="ignore"):
            self.log_x = np.maximum(np.log(x), -100)
            self.log_1mx = np.maximum(np.log1p(-x), -100)
        return -(t * self.log_x + (1 - t) * self.log_1mx)

    def backward(self, g):
        x, t = self.x, self.t
        dx = g * (x - t) / np.maximum(x * (1 - x), x.dtype.type(1e-12))
        dt = g * (self.log_1mx - self.log_x) if self.needs_input_grad[1] else None
        return dx, dt


class Dropout(Function):
    """Zero each element with probability p and scale the rest by 1/(1-p) (inverted dropout)."""

    def __init__(self, p: float, rng: np.random.Generator):
        self.p, self.rng = p, rng

    def forward(self, x):
        keep = self.rng.random(x.shape) >= self.p
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)  # p = 1 drops everything (torch)
        self.mask = keep * x.dtype.type(scale)
        return x * self.mask

    def backward(self, g):
        return g * self.mask


class Linear(Function):
    """y = x Wᵀ + b over the last axis; one node instead of three (matmul, transpose, add).

    Backward: dx = g W, dW = gᵀ x, db = Σ g, with the leading axes of x flattened.
    """

    def forward(self, x, w, *b):
        self.x, self.w = x, w
        y = x @ w.T
        return y + b[0] if b else y

    def backward(self, g):
        flat_g = g.reshape(-1, g.shape[-1])
        dx = g @ self.w if self.needs_input_grad[0] else None
        dw = flat_g.T @ self.x.reshape(-1, self.x.shape[-1]) if self.needs_input_grad[1] else None
        if len(self.needs_input_grad) == 2:
            return dx, dw
        return dx, dw, flat_g.sum(axis=0)


class BatchNorm(Function):
    """Normalise each channel by the batch's mean and biased variance, then scale and shift.

    x (N, C) or (N, C, L); statistics over every axis but 1. With x̂ = (x − μ) / sqrt(σ² + eps):
    y = γ x̂ + β, and backward (M values per channel)
    dx = (γ / (M sqrt(σ² + eps))) (M g − Σ g − x̂ Σ g x̂),  dγ = Σ g x̂,  dβ = Σ g.
    ``self.mean`` and ``self.var`` are kept for the running statistics.
    """

    def __init__(self, eps: float):
        self.eps = eps

    def forward(self, x, gamma, beta):
        self.axes = (0,) if x.ndim == 2 else (0, 2)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.mean = x.mean(axis=self.axes, keepdims=True)
        centred = x - self.mean
        self.var = np.mean(centred * centred, axis=self.axes, keepdims=True)
        self.inv_std = 1.0 / np.sqrt(self.var + x.dtype.type(self.eps))
        self.xhat = centred * self.inv_std
        self.gamma = gamma.reshape(shape)
        return self.xhat * self.gamma + beta.reshape(shape)

    def backward(self, g):
        m = g.size // g.shape[1]
        sum_g = g.sum(axis=self.axes, keepdims=True)
        sum_gx = (g * self.xhat).sum(axis=self.axes, keepdims=True)
        dx = (self.gamma * self.inv_std / m) * (m * g - sum_g - self.xhat * sum_gx)
        return dx, sum_gx.reshape(-1), sum_g.reshape(-1)


# ---------------------------------------------------------------------------- entry points
def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """``x Wᵀ + b`` with W (out, in) as in PyTorch; x (..., in) -> (..., out)."""
    return Linear()(x, weight) if bias is None else Linear()(x, weight, bias)


def batch_norm(x: Any, weight: Any, bias: Any, eps: float = 1e-5) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """Training-mode batch norm (see :class:`BatchNorm`).

    Returns:
        (y, batch mean (C,), biased batch variance (C,)).
    """
    op = BatchNorm(eps)
    y = op(x, weight, bias)
    return y, op.mean.reshape(-1), op.var.reshape(-1)


def relu(x: Any) -> Tensor:
    return ReLU()(x)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU(negative_slope)(x)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return ELU(alpha)(x)


def tanh(x: Any) -> Tensor:
    return Tanh()(x)


def softplus(x: Any) -> Tensor:
    """log(1 + e^x), stable for large |x|."""
    return Softplus()(x)


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """GELU, x Φ(x); ``approximate='tanh'`` uses the tanh formula (as torch)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU(approximate)(x)


def sigmoid(x: Any) -> Tensor:
    return Sigmoid()(x)


def _check_axis(name: str, axis: int, ndim: int) -> None:
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for a {ndim}-D input")


def softmax(x: Any, axis: int = _UNSET, *, dim: int = _UNSET) -> Tensor:
    """Numerically stable softmax over ``axis`` (NumPy's name) or ``dim`` (torch's), last by default."""
    x = as_tensor(x)
    ax = resolve_axis("softmax", axis, dim, -1)
    _check_axis("softmax", ax, x.ndim)
    return Softmax(ax)(x)


def log_softmax(x: Any, axis: int = _UNSET, *, dim: int = _UNSET) -> Tensor:
    """Numerically stable log-softmax over ``axis`` (or torch's ``dim``), last by default."""
    x = as_tensor(x)
    ax = resolve_axis("log_softmax", axis, dim, -1)
    _check_axis("log_softmax", ax, x.ndim)
    return LogSoftmax(ax)(x)


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy; see :class:`CrossEntropy`.

    Args:
        logits: (N, C) unnormalised scores.
        target: (N,) integer class ids in [0, C), or (N, C) one-hot / probability rows.
        reduction: 'mean' (default, over N), 'sum' or 'none' (per-row losses, shape (N,)).

    Raises:
        ValueError / IndexError / TypeError naming ``logits``, ``target`` or ``reduction``.
    """
    logits, target = as_tensor(logits), as_tensor(target)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if logits.ndim != 2 or not np.issubdtype(logits.dtype, np.floating):
        raise ValueError(
            f"cross_entropy: logits must be a 2-D float array (N, C), got shape {logits.shape} "
            f"dtype {logits.dtype}"
        )
    n, c = logits.shape
    if n == 0:
        raise ValueError("cross_entropy: logits has no rows (N = 0); the loss of nothing is undefined")
    if np.issubdtype(target.dtype, np.integer):
        if target.shape != (n,):
            raise ValueError(
                f"cross_entropy: integer target must have shape ({n},) to match logits {logits.shape}, "
                f"got {target.shape}"
            )
        if target.data.min() < 0 or target.data.max() >= c:
            raise IndexError(
                f"cross_entropy: target class ids must lie in [0, {c}), found min={target.data.min()} "
                f"max={target.data.max()}"
            )
    elif np.issubdtype(target.dtype, np.floating):
        if target.shape != logits.shape:
            raise ValueError(
                f"cross_entropy: one-hot/probability target must have the logits' shape "
                f"{logits.shape}, got {target.shape}"
            )
    else:
        raise TypeError(f"cross_entropy: target must be integer ids or float rows, got {target.dtype}")
    return CrossEntropy(reduction)(logits, target)


def dropout(
    x: Any, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None
) -> Any:
    """Inverted dropout: zero each element with probability p, scale the rest by 1/(1-p); the
    identity when ``training`` is False or p == 0 (p == 1 zeroes everything, as torch).

    A scipy sparse ``x`` (e.g. Planetoid's bag-of-words features) stays sparse: its *stored*
    entries are dropped (Kipf's sparse dropout) and a sparse matrix of the same format comes back;
    it is a constant input, so it takes no gradient.

    Args:
        x: an array, Tensor, or scipy sparse matrix.
        p: drop probability in [0, 1].
        rng: the generator that draws the mask; None: npgnn's global generator
            (``npgnn.manual_seed``).
    Raises:
        ValueError: p outside [0, 1] (or not a number).
    """
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer, np.floating)) \
            or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {show(p)}")
    rng = rng if rng is not None else default_generator()
    if sp.issparse(x):
        check_supported_dtype("dropout: x", x.dtype)
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(f"dropout: x must hold floats, got a sparse matrix of {x.dtype}")
        return _sparse_dropout(x, float(p), training, rng)
    x = as_tensor(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"dropout: x must be a float array, got dtype {x.dtype}")
    if not training or p == 0.0:
        return x
    return Dropout(float(p), rng)(x)


def _sparse_dropout(x: Any, p: float, training: bool, rng: np.random.Generator) -> Any:
    """Dropout on the stored entries of a scipy sparse matrix; the result keeps x's format."""
    if not training or p == 0.0:
        return x
    out = x.tocoo(copy=True) if x.format not in ("csr", "csc", "coo") else x.copy()
    keep = rng.random(out.nnz) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    out.data = np.where(keep, out.data * out.data.dtype.type(scale), 0).astype(out.data.dtype)
    out.eliminate_zeros()  # the dropped entries are no longer stored
    return out.asformat(x.format)
