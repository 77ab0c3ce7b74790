"""The article's names and interface, as thin drivers of npgnn's ops and Modules.

Every class is an :class:`npgnn.nn.Module` whose ``forward`` is written with ``npgnn.ops``; the
book-style ``y = layer.forward(ndarray)`` / ``dx = layer.backward(dy)`` interface is the Module
machinery's, so no layer has a second, hand-written backward here.

Shapes follow the article: N signals (graphs) in a batch, T nodes, H (or D) features per node.
``A[i, j] != 0`` is an edge j -> i, so message passing is ``m[n] = A @ h[n]`` and its backward
uses Aᵀ (right on directed graphs too).

Where npgnn differs from the article (see ``docs/article.md``):

* ``Softmax.backward`` uses the full Jacobian ``dx = y (dy − Σ_k dy_k y_k)``, not its diagonal.
* Each ``backward`` / ``calc_gradient`` gives *that* step's gradients; the article's ``GNN_Layer``
  adds them onto the previous steps' (``dW +=``) and never resets them.
* ``MessagePassing.backward`` accepts the full (N, T, H) gradient (the article's reshape fails
  on it) and multiplies by Aᵀ, not A.
* ``SoftmaxWithLoss.forward`` returns the *mean* cross-entropy, the loss whose gradient is the
  article's ``(y − t) / N``; ``cross_entropy_error`` keeps the article's sum.

Inputs: integer and bool arrays (and nested lists) become float64; any other dtype raises
TypeError. NaN and inf follow IEEE arithmetic, as in NumPy: they propagate to the outputs and
gradients without a check; run inside ``npgnn.detect_anomaly()`` to raise ``FloatingPointError``
at the first op that produces one.
"""
from __future__ import annotations

import functools
import inspect
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn import ops
from npgnn.autodiff import Tensor, enable_grad, no_grad
from npgnn.graph import Graph
from npgnn.nn.module import Module, Parameter
from npgnn.ops.adjacency import Adjacency

__all__ = [
    "Affine", "Aggregate", "GNNLayer", "GNN_Layer", "MessagePassing", "Softmax", "SoftmaxWithLoss",
    "TwoLayerGNN", "WeightSum", "cross_entropy_error", "softmax", "softmax_3D",
]


# ---------------------------------------------------------------------------- input checks
def _real_array(owner: str, name: str, value: Any) -> np.ndarray:
    """``value`` as an ndarray of a real float dtype: integers and bools become float64."""
    array = np.asarray(value)
    if array.dtype.kind in "iub":
        return array.astype(np.float64)
    if array.dtype.kind == "f" and array.dtype != np.float16:
        return array
    raise TypeError(
        f"{owner}: {name} must be a real numeric array (float32/float64, integer or bool), got "
        f"dtype={array.dtype}; convert it with np.asarray({name}, dtype=np.float64)"
    )


def _labels(owner: str, name: str, value: Any) -> np.ndarray:
    """Targets as an array: integer class ids stay integers (int64), one-hot rows stay floats."""
    data = value.data if isinstance(value, Tensor) else np.asarray(value)
    if data.dtype.kind in "iu":
        return data.astype(np.int64)
    return _real_array(owner, name, data)


def _coerce_inputs(forward: Any) -> Any:
    """Convert the ndarray/list arguments of ``forward`` before the book-style switch sees them.

    The Module machinery switches to the article's interface on *float* ndarrays, so integer
    inputs (the article's ``np.array([[[-1, 1], ...]])``) must become float64 first. Arguments
    listed in ``cls._label_args`` (targets) keep integer class ids as integers.
    """
    names = list(inspect.signature(forward).parameters)[1:]

    @functools.wraps(forward)
    def wrapper(self: Module, *args: Any, **kwargs: Any) -> Any:
        owner = f"{type(self).__name__}.forward"
        converted = []
        for name, value in zip(names, args):
            if name in getattr(self, "_label_args", ()):
                value = value if isinstance(value, Tensor) else _labels(owner, name, value)
            elif not isinstance(value, Tensor):
                value = _real_array(owner, name, value)
            converted.append(value)
        return forward(self, *converted, *args[len(converted):], **kwargs)

    return wrapper


class _ArticleLayer(Module):
    """Base of the article's layers: integer inputs become float64 before the Module switch."""

    _label_args: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # wraps ``forward`` in the book-style switch
        if "forward" in cls.__dict__:
            cls.forward = _coerce_inputs(cls.__dict__["forward"])  # type: ignore[method-assign]


def _check_3d(owner: str, name: str, x: Tensor, what: str = "(N, T, H)") -> None:
    if x.ndim != 3:
        raise ValueError(f"{owner}: {name} must be 3-D {what}, got shape {x.shape}")


def as_adjacency(adj_mat: Any, owner: str = "MessagePassing") -> np.ndarray | Adjacency:
    """The article's adjacency as a float operand of ``ops.spmm``.

    A sparse matrix (or a Graph) becomes an :class:`npgnn.ops.Adjacency`, whose transpose is built
    once for every backward. A dense array stays dense, unless it is large and mostly zeros
    (T >= 64, at most 10% non-zeros): then it is stored sparse too, since message passing over
    it costs O(edges) instead of O(T²) (about 15x at T = 1,000; benchmarks/article_layers.py).

    Args:
        adj_mat: (T, T) array-like or scipy sparse matrix with ``A[i, j] != 0`` for an edge
            j -> i, or an :class:`npgnn.Graph` (its ``csr_by_target()``).
    Raises:
        TypeError for a non-numeric dtype, ValueError for a matrix that is not square.
    """
    if isinstance(adj_mat, Adjacency):
        return adj_mat
    if isinstance(adj_mat, Graph):  # its unweighted CSR is float32: cast once, not on every call
        adj_mat = adj_mat.csr_by_target().astype(np.float64)
    if sp.issparse(adj_mat):
        adj = sp.csr_matrix(adj_mat)
        if adj.dtype.kind != "f" or adj.dtype == np.float16:
            _real_array(owner, "adj_mat", np.zeros(0, dtype=adj.dtype))  # raises for non-numeric
            adj = adj.astype(np.float64)
    else:
        adj = _real_array(owner, "adj_mat", adj_mat)
    if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
        raise ValueError(
            f"{owner}: adj_mat must be a square (T, T) matrix with A[i, j] != 0 for an edge "
            f"j -> i, got shape {adj.shape}"
        )
    if sp.issparse(adj):
        return Adjacency(adj)
    if adj.shape[0] >= _SPARSE_MIN_NODES and np.count_nonzero(adj) <= _SPARSE_MAX_DENSITY * adj.size:
        return Adjacency(adj)
    return adj


_SPARSE_MIN_NODES, _SPARSE_MAX_DENSITY = 64, 0.1


# ---------------------------------------------------------------------------- layers
class WeightSum(_ArticleLayer):
    """Attention-weighted sum ``c[n] = Σ_t a[n, t] hs[n, t]``:  hs (N, T, H), a (N, T) -> c (N, H).

    ``backward(dc)`` returns ``(dhs, da)`` with ``dhs[n, t] = a[n, t] dc[n]`` and
    ``da[n, t] = <hs[n, t], dc[n]>``. ``params`` and ``grads`` are empty lists, as in book 2.
    """

    def __init__(self) -> None:
        self.params: list = []
        self.grads: list = []

    def forward(self, hs: Any, a: Any) -> Tensor:
        owner = "WeightSum.forward"
        _check_3d(owner, "hs", hs)
        if a.shape != hs.shape[:2]:
            raise ValueError(
                f"{owner}: a must have shape (N, T) = {hs.shape[:2]} to match hs {hs.shape}, "
                f"got {a.shape}"
            )
        return ops.weighted_sum(hs, a)


class MessagePassing(_ArticleLayer):
    """Sum of neighbour states ``m[n, i] = Σ_j A[i, j] h[n, j]``:  h (N, T, H) -> m (N, T, H).

    Args:
        adj_mat: (T, T) dense array or scipy sparse matrix, ``A[i, j] != 0`` for an edge j -> i,
            or an :class:`npgnn.Graph`. Integer matrices become float64; dense stays dense.
    The backward is ``dh[n] = Aᵀ dm[n]`` (``ops.spmm``), right on directed graphs as well.
    """

    def __init__(self, adj_mat: Any):
        self.adj = as_adjacency(adj_mat, "MessagePassing")
        self.params: list = []
        self.grads: list = []

    @property
    def num_nodes(self) -> int:
        return self.adj.shape[0]

    def forward(self, h: Any) -> Tensor:
        if h.ndim != 3 or h.shape[1] != self.num_nodes:
            raise ValueError(
                f"MessagePassing.forward: h must have shape (N, T, H) with T = {self.num_nodes} "
                f"nodes to match adj_mat {self.adj.shape}, got {h.shape}"
            )
        return ops.spmm(self.adj, h)

    def backward(self, dout: Any = 1.0) -> Any:
        """``dh = Aᵀ dout``. ``dout`` is (N, T, H), or (N, H): the same gradient on every node
        (the article's call, ``backward(np.ones([2, 3]))``)."""
        state = self.__dict__.get("_book_state")
        if state is not None:
            shape = state[1].shape
            d = np.asarray(dout.data if isinstance(dout, Tensor) else dout)
            if d.shape == (shape[0], shape[2]):
                dout = np.repeat(d[:, None, :], shape[1], axis=1)
            elif d.shape != shape:
                raise ValueError(
                    f"MessagePassing.backward: dout must have the output's shape (N, T, H) = "
                    f"{shape}, or (N, H) = {(shape[0], shape[2])} for the same gradient on every "
                    f"node, got {d.shape}"
                )
        return super().backward(dout)

    def extra_repr(self) -> str:
        kind = "sparse" if isinstance(self.adj, Adjacency) else "dense"
        return f"num_nodes={self.num_nodes}, {kind}"


class Affine(_ArticleLayer):
    """``x·W + b`` over the last axis:  x (M, D) or (..., D) -> (M, H) or (..., H).

    Args:
        W: (D, H) weight, b: (H,) bias. Float arrays are wrapped without a copy (the Parameters
            ``W`` and ``b`` share memory with them); integer arrays are converted to float64.
    Attributes ``dW`` and ``db``: the gradients of the last backward (None before one).
    """

    def __init__(self, W: Any, b: Any):
        W, b = _real_array("Affine", "W", W), _real_array("Affine", "b", b)
        if W.ndim != 2:
            raise ValueError(f"Affine: W must be 2-D (D, H), got shape {W.shape}")
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"Affine: b must have shape (H,) = ({W.shape[1]},) to match W {W.shape}, got {b.shape}"
            )
        self.W, self.b = Parameter(W), Parameter(b)

    @property
    def dW(self) -> np.ndarray | None:
        return self.W.grad

    @property
    def db(self) -> np.ndarray | None:
        return self.b.grad

    def forward(self, x: Any) -> Tensor:
        d = self.W.shape[0]
        if x.ndim == 0 or x.shape[-1] != d:
            raise ValueError(
                f"Affine.forward: x must have last dimension D = W.shape[0] = {d}, got shape {x.shape}"
            )
        return ops.matmul(x, self.W) + self.b

    def extra_repr(self) -> str:
        return f"{self.W.shape[0]}, {self.W.shape[1]}"


class GNN_Layer(_ArticleLayer):
    """One GNN layer: message passing, then one Affine shared by all nodes.

    ``h_next[n, i] = (Σ_j A[i, j] h[n, j]) · W + b``:  h (N, T, D) -> (N, T, H), W (D, H), b (H,).
    ``dW`` and ``db`` are the gradients of the last backward (the article sums them over steps).
    """

    def __init__(self, W: Any, b: Any, adj_mat: Any):
        self.mp = MessagePassing(adj_mat)
        self.affine = Affine(W, b)

    W = property(lambda self: self.affine.W, doc="(D, H) weight Parameter")
    b = property(lambda self: self.affine.b, doc="(H,) bias Parameter")
    dW = property(lambda self: self.affine.dW, doc="gradient of W from the last backward")
    db = property(lambda self: self.affine.db, doc="gradient of b from the last backward")

    def forward(self, h: Any) -> Tensor:
        d = self.W.shape[0]
        if h.ndim != 3 or h.shape[2] != d:
            raise ValueError(
                f"GNN_Layer.forward: h must have shape (N, T, D) with D = W.shape[0] = {d}, "
                f"got {h.shape}"
            )
        return self.affine(self.mp(h))


GNNLayer = GNN_Layer


# ---------------------------------------------------------------------------- softmax and loss
def _softmax(owner: str, a: Any, ndim: int) -> Any:
    x = a if isinstance(a, Tensor) else Tensor(_real_array(owner, "a", a))
    if x.ndim != ndim:
        raise ValueError(f"{owner}: a must be {ndim}-D, got shape {x.shape}")
    y = ops.softmax(x, axis=-1)
    return y if isinstance(a, Tensor) else y.data


def softmax(a: Any) -> Any:
    """Row softmax of a 2-D array (N, C) -> (N, C), shifted by the row max (no overflow).

    ndarray in, ndarray out; a Tensor in gives a differentiable Tensor.
    """
    return _softmax("softmax", a, 2)


def softmax_3D(a: Any) -> Any:
    """Softmax over the last axis of a 3-D array (N, T, H) -> (N, T, H); see :func:`softmax`."""
    return _softmax("softmax_3D", a, 3)


def cross_entropy_error(y: Any, t: Any) -> Any:
    """The article's loss: ``−Σ t log(y + 1e-7)``, summed over the whole batch (not averaged).

    Args:
        y: (N, C) probabilities. t: (N, C) one-hot rows, or (N,) integer labels.
    Returns:
        a float (a Tensor if y is one). ``SoftmaxWithLoss`` returns the mean instead: half of
        this for the article's batch of 2 (1.41726347 vs 0.70863173 at its first step).
    """
    yt = y if isinstance(y, Tensor) else Tensor(_real_array("cross_entropy_error", "y", y))
    tt = _labels("cross_entropy_error", "t", t)
    if tt.dtype.kind == "i" and tt.shape == yt.shape[:-1]:
        tt = np.eye(yt.shape[-1], dtype=yt.dtype)[tt]  # labels -> one-hot rows
    if tt.shape != yt.shape:
        raise ValueError(
            f"cross_entropy_error: t must be one-hot {yt.shape} or integer labels {yt.shape[:-1]} "
            f"to match y, got {tt.shape}"
        )
    loss = -(tt * ops.log(yt + 1e-7)).sum()  # delta 1e-7 keeps log finite at y = 0
    return loss if isinstance(y, Tensor) else float(loss.data)


class Softmax(_ArticleLayer):
    """Softmax over the last axis as a layer (the hidden activation):  (..., H) -> (..., H).

    Its backward is the full Jacobian ``dx = y (dy − Σ_k dy_k y_k)``; the article keeps only the
    diagonal ``y (1 − y)``, which gradcheck rejects.
    """

    def forward(self, x: Any) -> Tensor:
        if x.ndim == 0:
            raise ValueError("Softmax.forward: x must have at least one axis, got a scalar")
        return ops.softmax(x, axis=-1)


class Aggregate(_ArticleLayer):
    """Readout: sum over nodes, ``y[n] = Σ_t h[n, t]``:  (N, T, H) -> (N, H)."""

    def forward(self, h: Any) -> Tensor:
        _check_3d("Aggregate.forward", "h", h)
        return ops.sum(h, axis=1)


class SoftmaxWithLoss(_ArticleLayer):
    """Softmax + cross-entropy, averaged over the batch:  x (N, C), t -> scalar.

    ``forward(x, t)`` returns ``mean_n −Σ_c t[n, c] log softmax(x[n])_c`` (t one-hot (N, C) or
    integer labels (N,)), the loss whose gradient is the article's ``(y − t) / N``;
    ``backward(dout=1.)`` returns that dx. (The article's forward returns the *sum*.)
    """

    _label_args = ("t",)

    def forward(self, x: Any, t: Any) -> Tensor:
        owner = "SoftmaxWithLoss.forward"
        if x.ndim != 2:
            raise ValueError(f"{owner}: x must be 2-D scores (N, C), got shape {x.shape}")
        if t.shape != (x.shape if t.dtype.kind == "f" else x.shape[:1]):
            raise ValueError(
                f"{owner}: t must be one-hot (N, C) = {x.shape} or integer labels (N,) = "
                f"{x.shape[:1]} to match x, got shape {t.shape} dtype {t.dtype}"
            )
        return ops.cross_entropy(x, t, reduction="mean")

    def backward(self, dout: Any = 1.0) -> np.ndarray:
        """``dx = dout · (softmax(x) − t) / N`` for the last ``forward(x, t)``."""
        grads = super().backward(dout)  # (dx, dt) when t was a float array: t is no input to learn
        return grads[0] if isinstance(grads, tuple) else grads


# ---------------------------------------------------------------------------- the model
class ParamDict(MutableMapping):
    """The article's ``params`` dict, backed by the model's Parameters.

    ``params[key]`` is the very ndarray the Parameter wraps, so the article's in-place update
    ``params[key] -= alpha * grad[key]`` changes the model; assigning a new array copies it into
    the Parameter (same shape) instead of silently detaching the dict from the model.
    """

    def __init__(self, params: dict[str, Parameter]):
        self._params = dict(params)

    def __getitem__(self, key: str) -> np.ndarray:
        return self._params[key].data

    def parameters(self) -> dict[str, Parameter]:
        """The Parameters by key (a new dict)."""
        return dict(self._params)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._params:
            raise KeyError(f"params: unknown key {key!r}; the keys are {list(self._params)}")
        p = self._params[key]
        array = _real_array("params", key, value.data if isinstance(value, Tensor) else value)
        if array is p.data:  # ``params[key] -= ...`` already updated it in place
            return
        if array.shape != p.shape:
            raise ValueError(f"params[{key!r}]: expected shape {p.shape}, got {array.shape}")
        p.data[...] = array

    def __delitem__(self, key: str) -> None:
        raise TypeError("params: entries cannot be deleted; they are the model's parameters")

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __repr__(self) -> str:
        return repr({k: p.data for k, p in self._params.items()})


class TwoLayerGNN(_ArticleLayer):
    """The article's model: GNN_Layer -> Softmax -> GNN_Layer -> Aggregate, SoftmaxWithLoss on top.

    Args:
        input_size D, hidden_size H, output_size C; adj_mat (T, T) as in :class:`MessagePassing`.
        weight_init_std: W1 (D, H) and then W2 (H, C) are ``weight_init_std * randn``; b1, b2 = 0.
        rng: where ``randn`` comes from; None (the article) uses NumPy's global legacy RNG, so
            ``np.random.seed(0)`` first reproduces the article's weights. A RandomState(0) gives
            the same weights without touching global state.
    Attributes:
        params: W1 b1 W2 b2, the arrays the Parameters wrap (see :class:`ParamDict`).
        layers: OrderedDict with the article's keys; lastLayer: the SoftmaxWithLoss.
    ``model(x)`` on Tensors gives logits (N, C) for autodiff; x is (N, T, D).
    """

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, adj_mat: Any,
        weight_init_std: float = 0.01, *, rng: np.random.RandomState | np.random.Generator | None = None,
    ):
        draw = np.random.randn if rng is None else (lambda *shape: rng.standard_normal(shape))
        W1 = weight_init_std * draw(input_size, hidden_size)  # order matters: W1, then W2
        W2 = weight_init_std * draw(hidden_size, output_size)
        adj = as_adjacency(adj_mat, "TwoLayerGNN")  # converted once, shared by both layers
        l1 = GNN_Layer(W1, np.zeros(hidden_size), adj)
        l2 = GNN_Layer(W2, np.zeros(output_size), adj)
        self.layers: OrderedDict[str, Module] = OrderedDict(
            [("GNN_layer1", l1), ("Softmax1", Softmax()), ("GNN_layer2", l2), ("Aggregate", Aggregate())]
        )
        self.lastLayer = SoftmaxWithLoss()
        self.params = ParamDict({"W1": l1.W, "b1": l1.b, "W2": l2.W, "b2": l2.b})
        self.num_nodes = adj.shape[0]

    def forward(self, x: Any) -> Tensor:
        d, t = self.params["W1"].shape[0], self.num_nodes
        if x.ndim != 3 or x.shape[1:] != (t, d):
            raise ValueError(
                f"TwoLayerGNN: x must have shape (N, T, D) = (N, {t}, {d}), got {x.shape}"
            )
        for layer in self.layers.values():
            x = layer(x)
        return x

    def _input(self, x: Any) -> Tensor:
        return x if isinstance(x, Tensor) else Tensor(_real_array("TwoLayerGNN", "x", x))

    def predict(self, x: Any) -> np.ndarray:
        """Logits (N, C) as an ndarray; records no graph."""
        with no_grad():
            return self(self._input(x)).data

    def loss(self, x: Any, t: Any) -> float:
        """Mean cross-entropy of ``predict(x)`` against t (one-hot (N, C) or labels (N,))."""
        with no_grad():
            return float(self.lastLayer(self(self._input(x)), t).data)

    def calc_gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Gradients of ``loss(x, t)`` for W1 b1 W2 b2: this step's, as fresh arrays.

        Also sets each Parameter's ``.grad`` to them (any earlier gradient is dropped first).
        """
        self.zero_grad()
        with enable_grad():
            loss = self.lastLayer(self(self._input(x)), t)
        loss.backward()
        return {
            key: np.zeros_like(p.data) if p.grad is None else p.grad.copy()
            for key, p in self.params.parameters().items()
        }

    def extra_repr(self) -> str:
        w1, w2 = self.params["W1"].shape, self.params["W2"].shape
        return f"{w1[0]}, {w1[1]}, {w2[1]}"
