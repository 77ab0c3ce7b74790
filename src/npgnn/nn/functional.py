"""``npgnn.nn.functional``: torch's ``F`` (``import npgnn.nn.functional as F``).

Activations, softmax, dropout, losses, ``normalize``, ``one_hot`` and ``pad`` under torch's names,
arguments, defaults and semantics; each is a thin layer over the differentiable ops in
``npgnn.ops`` (and equals torch's to 1e-10 in float64, reductions and weights included). The
losses' math, with ``reduction`` ∈ {'mean', 'sum', 'none'}:

* ``nll_loss``: ℓ_n = −w_{y_n} x_{n, y_n}; 'mean' divides by Σ_n w_{y_n} over the rows whose
  target is not ``ignore_index`` (torch's weighted mean, NaN when every target is ignored).
* ``cross_entropy``: ``nll_loss(log_softmax(x, 1), y)`` with class ids; with
  ``label_smoothing`` ε the target becomes (1 − ε) onehot + ε / C (Szegedy et al. 2016); with
  class probabilities ℓ_n = −Σ_c w_c t_{nc} log softmax(x_n)_c and 'mean' divides by N.
* ``binary_cross_entropy``: ℓ = −w (t log x + (1 − t) log(1 − x)), each log clamped at −100
  (torch's rule, so x = 0 or 1 gives a finite loss).
* ``binary_cross_entropy_with_logits``: ℓ = w (p t softplus(−x) + (1 − t) softplus(x)), the
  stable form of the above with x = sigmoid(logit) and ``pos_weight`` p.
* ``mse_loss`` / ``l1_loss``: (x − t)² and |x − t|; with ``weight`` 'mean' is Σ w ℓ / Σ w.

Non-finite inputs (−inf logits or log-probabilities, e.g. a masked class): every product of a
weight or probability with a log-probability uses 0 · log 0 = 0, the convention of torch's
``xlogy`` and ``kl_div``. So a −inf on a class that is not the target, an ignored row, a class of
weight 0, or a soft target of probability 0 adds nothing and the loss and its gradient stay
finite. torch agrees for class-id targets and ``ignore_index``; it gives NaN for a zero class
weight or a zero target probability meeting −inf, where npgnn gives the finite value. A row whose
logits are all −inf has a NaN loss in both (its softmax is 0 / 0).

Differences from torch, by design: ``inplace=True`` is accepted and ignored (npgnn never writes
into a Tensor; use the returned value); ``dropout`` also takes a scipy sparse matrix (dropping
stored entries, keeping the format) and an optional ``rng``; the legacy ``size_average`` /
``reduce`` arguments are not accepted (use ``reduction``).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.ops import math as M
from npgnn.ops import nn as N
from npgnn.ops.nn import elu, gelu, linear, sigmoid, softplus, tanh

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout", "elu",
    "gelu", "l1_loss", "leaky_relu", "linear", "log_softmax", "mse_loss", "nll_loss", "normalize",
    "one_hot", "pad", "relu", "sigmoid", "softmax", "softplus", "tanh",
]

REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------------- activations
def relu(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002 - torch's argument name
    """max(x, 0). ``inplace`` is ignored (a new Tensor is returned)."""
    return N.relu(input)


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x for x > 0, ``negative_slope`` · x otherwise."""
    return N.leaky_relu(input, negative_slope)


def _implicit_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """Softmax over ``dim`` (torch's implicit choice, with its warning, when dim is None);
    ``dtype`` casts the input first."""
    x = as_tensor(input) if dtype is None else M.astype(input, dtype)
    return N.softmax(x, dim=_implicit_dim("softmax", x.ndim) if dim is None else dim)


def log_softmax(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """log softmax over ``dim`` (see :func:`softmax`)."""
    x = as_tensor(input) if dtype is None else M.astype(input, dtype)
    return N.log_softmax(x, dim=_implicit_dim("log_softmax", x.ndim) if dim is None else dim)


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,  # noqa: A002
            rng: np.random.Generator | None = None) -> Any:
    """Inverted dropout (training only). A scipy sparse input keeps its format: its stored
    entries are dropped (``npgnn.ops.dropout``). ``rng`` (npgnn's addition) defaults to the
    global generator that ``npgnn.manual_seed`` seeds.

    Raises:
        ValueError: p outside [0, 1]. TypeError: a non-float input.
    """
    return N.dropout(input, p, training, rng)


# ---------------------------------------------------------------------------- loss helpers
def _check_reduction(where: str, reduction: Any) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _reduce(losses: Tensor, reduction: str, denominator: Any = None) -> Tensor:
    if reduction == "none":
        return losses
    total = M.sum(losses)
    if reduction == "sum":
        return total
    if denominator is None:
        if losses.size:
            return M.mean(losses)
        denominator = 0   # the mean of no losses is NaN (as torch), without NumPy's warning
    with np.errstate(invalid="ignore", divide="ignore"):
        return M.div(total, np.asarray(denominator, dtype=total.dtype))


def _float_tensor(where: str, name: str, x: Any) -> Tensor:
    x = as_tensor(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{where}: {name} must be a float array, got dtype {x.dtype}")
    return x


def _class_weight(where: str, weight: Any, c: int, dtype: np.dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = np.asarray(getattr(weight, "data", weight), dtype=dtype)
    if w.shape != (c,):
        raise ValueError(f"{where}: weight must have one entry per class, shape ({c},), got {w.shape}")
    return w


def _class_layout(where: str, x: Tensor) -> tuple[Tensor, tuple[int, ...]]:
    """(N, C) or (N, C, d1, ...) or (C,) scores as (M, C) rows, and the shape of one loss per row."""
    if x.ndim == 0:
        raise ValueError(f"{where}: input must have a class dimension, got a scalar")
    if x.ndim == 1:
        return M.reshape(x, (1, x.shape[0])), ()
    if x.ndim == 2:
        return x, (x.shape[0],)
    c = x.shape[1]
    moved = M.transpose(x, (0, *range(2, x.ndim), 1))  # classes last
    return M.reshape(moved, (-1, c)), (x.shape[0], *x.shape[2:])


def _class_targets(where: str, target: Any, out_shape: tuple[int, ...], c: int,
                   ignore_index: int) -> np.ndarray:
    y = np.asarray(getattr(target, "data", target))
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{where}: class-index target must be integers, got dtype {y.dtype}")
    if y.shape != out_shape:
        raise ValueError(f"{where}: target must have shape {out_shape} to match the input, got "
                         f"{y.shape}")
    y = y.reshape(-1)
    bad = (y != ignore_index) & ((y < 0) | (y >= c))
    if bad.any():
        raise IndexError(f"{where}: target {int(y[bad][0])} is out of bounds: class ids must lie "
                         f"in [0, {c}) (or equal ignore_index={ignore_index})")
    return y


def _nll_rows(logp: Tensor, y: np.ndarray, w: np.ndarray | None, ignore_index: int,
              reduction: str, out_shape: tuple[int, ...]) -> Tensor:
    """−w_y logp[n, y_n] per row, reduced with torch's weighted mean."""
    valid = y != ignore_index
    safe = np.where(valid, y, 0)
    wn = (np.ones(y.shape, logp.dtype) if w is None else w[safe]) * valid
    # 0 · (−inf) = 0: an ignored row (or a zero class weight) adds nothing even where its
    # log-probability is −inf (torch: 0 for ignore_index, NaN for a zero weight)
    losses = -N.xlogp(wn.astype(logp.dtype), logp[np.arange(y.size), safe])
    if reduction == "none":
        return M.reshape(losses, out_shape)
    return _reduce(losses, reduction, wn.sum())


# ---------------------------------------------------------------------------- losses
def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) (or (C,), or (N, C, d...))
    at the class ids ``target`` (N,) (or (), or (N, d...)); see the module docstring.

    Raises:
        ValueError (shapes, reduction), TypeError (dtypes), IndexError (a class id outside [0, C)).
    """
    where = "nll_loss"
    reduction = _check_reduction(where, reduction)
    x = _float_tensor(where, "input", input)
    rows, out_shape = _class_layout(where, x)
    c = rows.shape[1]
    y = _class_targets(where, target, out_shape, c, ignore_index)
    return _nll_rows(rows, y, _class_weight(where, weight, c, x.dtype), ignore_index, reduction,
                     out_shape)


def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits ``input`` (N, C) (or (C,), or (N, C, d...)) against class
    ids (N,) or class probabilities of the input's shape; see the module docstring.

    Raises:
        ValueError (shapes, reduction, label_smoothing outside [0, 1], ignore_index with
        probabilities), TypeError (dtypes), IndexError (a class id outside [0, C)).
    """
    where = "cross_entropy"
    reduction = _check_reduction(where, reduction)
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(f"{where}: label_smoothing must lie in [0, 1], got {show(label_smoothing)}")
    eps = float(label_smoothing)
    x = _float_tensor(where, "input", input)
    rows, out_shape = _class_layout(where, x)
    c = rows.shape[1]
    w = _class_weight(where, weight, c, x.dtype)
    t = as_tensor(target)
    if np.issubdtype(t.dtype, np.floating):
        return _soft_cross_entropy(x, rows, t, w, eps, reduction, out_shape, ignore_index)
    y = _class_targets(where, t, out_shape, c, ignore_index)
    if w is None and eps == 0.0 and x.ndim == 2 and not (y == ignore_index).any() and y.size:
        return N.CrossEntropy(reduction)(rows, y)           # the fused op: one node
    logp = N.log_softmax(rows, dim=1)
    nll = _nll_rows(logp, y, w, ignore_index, reduction, out_shape)
    if eps == 0.0:
        return nll
    valid = y != ignore_index
    per_class = logp if w is None else N.xlogp(w, logp)
    smooth = -(M.sum(per_class, dim=1) * valid.astype(x.dtype))
    if reduction == "none":
        smooth = M.reshape(smooth, out_shape)
    elif reduction == "sum":
        smooth = M.sum(smooth)
    else:
        denom = valid.sum() if w is None else w[y[valid]].sum()
        smooth = _reduce(smooth, "mean", denom)
    return nll * (1.0 - eps) + smooth * (eps / c)


def _soft_cross_entropy(x: Tensor, rows: Tensor, t: Tensor, w: np.ndarray | None, eps: float,
                        reduction: str, out_shape: tuple[int, ...], ignore_index: int) -> Tensor:
    where = "cross_entropy"
    if t.shape != x.shape:
        raise ValueError(f"{where}: probability target must have the input's shape {x.shape}, "
                         f"got {t.shape}")
    if ignore_index >= 0:
        raise ValueError(f"{where}: ignore_index is not supported with probability targets")
    _, t_rows = rows, _class_layout(where, t)[0]
    if eps:
        t_rows = t_rows * (1.0 - eps) + eps / rows.shape[1]
    logp = N.log_softmax(rows, dim=1)
    terms = N.xlogp(t_rows if w is None else t_rows * w, logp)   # 0 · log 0 = 0
    losses = -M.sum(terms, dim=1)
    if reduction == "none":
        return M.reshape(losses, out_shape)
    return _reduce(losses, reduction)


def _elementwise_pair(where: str, input: Any, target: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    x = _float_tensor(where, "input", input)
    t = as_tensor(target)
    if not np.issubdtype(t.dtype, np.floating):
        t = M.astype(t, x.dtype)
    if t.shape != x.shape:
        try:
            np.broadcast_shapes(x.shape, t.shape)
        except ValueError:
            raise ValueError(f"{where}: target shape {t.shape} does not broadcast with input "
                             f"shape {x.shape}") from None
        warnings.warn(f"{where}: Using a target size ({t.shape}) that is different to the input "
                      f"size ({x.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning, stacklevel=3)
    return x, t


def _elementwise_weight(where: str, weight: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    if weight is None:
        return None
    w = np.asarray(getattr(weight, "data", weight), dtype=dtype)
    if w.shape != shape:
        raise ValueError(f"{where}: weight must have the input's shape {shape}, got {w.shape}")
    return w


def mse_loss(input: Any, target: Any, reduction: str = "mean", weight: Any = None) -> Tensor:  # noqa: A002
    """Squared error (x − t)², reduced; with ``weight`` (input's shape) 'mean' is Σ w ℓ / Σ w."""
    reduction = _check_reduction("mse_loss", reduction)
    x, t = _elementwise_pair("mse_loss", input, target)
    d = x - t
    losses = d * d
    w = _elementwise_weight("mse_loss", weight, x.shape, x.dtype)
    if w is None:
        return _reduce(losses, reduction)
    return _reduce(losses * w, reduction, w.sum())


def l1_loss(input: Any, target: Any, reduction: str = "mean", weight: Any = None) -> Tensor:  # noqa: A002
    """Absolute error |x − t|, reduced; with ``weight`` (input's shape) 'mean' is Σ w ℓ / Σ w."""
    reduction = _check_reduction("l1_loss", reduction)
    x, t = _elementwise_pair("l1_loss", input, target)
    losses = M.abs(x - t)
    w = _elementwise_weight("l1_loss", weight, x.shape, x.dtype)
    if w is None:
        return _reduce(losses, reduction)
    return _reduce(losses * w, reduction, w.sum())


def _broadcast_weight(where: str, name: str, weight: Any, shape: tuple[int, ...],
                      dtype: np.dtype) -> Any:
    if weight is None:
        return None
    w = np.asarray(getattr(weight, "data", weight), dtype=dtype)
    try:
        if np.broadcast_shapes(w.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{where}: {name} of shape {w.shape} does not broadcast to the input's "
                         f"shape {shape}") from None
    return w


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """−w (t log x + (1 − t) log(1 − x)) for probabilities x in [0, 1]; logs clamped at −100.

    Raises:
        ValueError: an input outside [0, 1], shapes that differ, a bad reduction.
    """
    where = "binary_cross_entropy"
    reduction = _check_reduction(where, reduction)
    x = _float_tensor(where, "input", input)
    t = as_tensor(target)
    if t.shape != x.shape:
        raise ValueError(f"{where}: target must have the input's shape {x.shape}, got {t.shape}")
    if x.data.size and (np.nanmin(x.data) < 0 or np.nanmax(x.data) > 1):
        raise ValueError(f"{where}: all elements of input should be between 0 and 1 (probabilities;"
                         " for logits use binary_cross_entropy_with_logits)")
    t = M.astype(t, x.dtype) if t.dtype != x.dtype else t
    losses = N.BinaryCrossEntropy()(x, t)
    w = _broadcast_weight(where, "weight", weight, x.shape, x.dtype)
    return _reduce(losses if w is None else losses * w, reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable expression (see the module docstring).

    ``pos_weight`` multiplies the positive term and broadcasts against the input's last axis
    (one weight per class, as torch); ``weight`` broadcasts to the input's shape.

    Infinite logits: x = +inf with t = 1 (or −inf with t = 0) costs 0 with gradient 0, and a wrong
    sign costs +inf; torch gives NaN for the first (its (1 − t) · x term is 0 · inf).
    """
    where = "binary_cross_entropy_with_logits"
    reduction = _check_reduction(where, reduction)
    x = _float_tensor(where, "input", input)
    t = as_tensor(target)
    if t.shape != x.shape:
        raise ValueError(f"{where}: target must have the input's shape {x.shape}, got {t.shape}")
    t = M.astype(t, x.dtype) if t.dtype != x.dtype else t
    pos = _broadcast_weight(where, "pos_weight", pos_weight, x.shape, x.dtype)
    # −(t log σ(x) + (1 − t) log σ(−x)) with log σ(x) = −softplus(−x); xlogp keeps a weight of 0
    # from meeting an infinite log (x = ±inf with the matching 0/1 target gives loss 0, not NaN)
    weight_pos = t if pos is None else t * pos
    losses = -(N.xlogp(weight_pos, -N.softplus(-x)) + N.xlogp(1.0 - t, -N.softplus(x)))
    w = _broadcast_weight(where, "weight", weight, x.shape, x.dtype)
    return _reduce(losses if w is None else losses * w, reduction)


# ---------------------------------------------------------------------------- utilities
def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:  # noqa: A002
    """x / max(‖x‖_p, eps) over ``dim`` (rows by default); a zero row stays zero (gradient 0)."""
    x = _float_tensor("normalize", "input", input)
    n = M.norm(x, p, dim=dim, keepdim=True)
    return x / M.maximum(n, eps)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot rows: shape ``tensor.shape + (num_classes,)``; ``num_classes=-1`` takes
    max + 1.

    Raises:
        TypeError: non-integer ids. ValueError: a negative id, or one >= num_classes.
    """
    y = np.asarray(getattr(tensor, "data", tensor))
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"one_hot: tensor must hold integer class ids, got dtype {y.dtype}")
    if y.size and y.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, found {int(y.min())}")
    if num_classes == -1:
        if not y.size:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; "
                             "pass num_classes")
        num_classes = int(y.max()) + 1
    if y.size and y.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes={num_classes}, "
                         f"found {int(y.max())}")
    out = np.zeros((*y.shape, int(num_classes)), dtype=np.int64)
    np.put_along_axis(out, y[..., None].astype(np.int64), 1, axis=-1)
    return Tensor(out)


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """torch's ``F.pad``: ``pad`` lists (before, after) pairs from the **last** axis backwards,
    e.g. ``(1, 2)`` pads the last axis, ``(1, 2, 0, 3)`` also the one before. Constant mode with
    non-negative widths (padding that crops, and reflect/replicate/circular modes, are not
    supported and raise).
    """
    x = as_tensor(input)
    widths = [int(v) for v in pad]
    if len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ValueError(f"pad: expected an even number of widths, at most 2 per axis of the "
                         f"{x.ndim}-D input, got {tuple(widths)}")
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    if any(w < 0 for w in widths):
        raise ValueError(f"pad: negative widths (cropping) are not supported, got {tuple(widths)}")
    pairs = [(0, 0)] * x.ndim
    for k in range(len(widths) // 2):
        pairs[x.ndim - 1 - k] = (widths[2 * k], widths[2 * k + 1])
    return M.pad_constant(x, pairs, 0.0 if value is None else value)
