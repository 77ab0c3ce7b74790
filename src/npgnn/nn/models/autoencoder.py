"""Graph auto-encoders (Kipf & Welling, "Variational Graph Auto-Encoders", NIPS BDL 2016):
``InnerProductDecoder``, ``GAE``, ``VGAE`` and an MLP edge decoder, with PyG's names and math.

A GAE encodes nodes to Z = encoder(...) (N, d) and scores a pair (i, j) with a decoder,
σ(z_i · z_j) by default. Training minimises the binary cross-entropy of positive pairs against
negative ones (``recon_loss``); VGAE samples Z = μ + σ ⊙ ε and adds the KL divergence to the
standard normal prior (``kl_loss``), equation (4) of the paper with the prior N(0, I).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import _checks
from npgnn.nn import init
from npgnn.nn.mlp import MLP
from npgnn.nn.module import Module
from npgnn.ops import math as M
from npgnn.ops import nn as F
from npgnn.ops.graph import gather

#: Added inside the logarithms of ``recon_loss`` (PyG's value): log(σ + EPS) stays finite.
EPS = 1e-15
#: ``VGAE`` clamps log σ from above at this value (PyG's), so exp(log σ) cannot overflow.
MAX_LOGSTD = 10


def _pairs(name: str, edge_index: Any, num_nodes: int) -> np.ndarray:
    """``edge_index`` as a checked (2, E) int64 array of node ids in [0, num_nodes)."""
    ei = _checks.as_edge_index(getattr(edge_index, "data", edge_index))
    if ei.size and (ei.min() < 0 or ei.max() >= num_nodes):
        raise IndexError(f"{name}: node ids must lie in [0, {num_nodes}) (the rows of z), found "
                         f"min={ei.min()} max={ei.max()}")
    return ei


def _latent(z: Any) -> Tensor:
    z = as_tensor(z)
    if z.ndim != 2:
        raise ValueError(f"z: expected node embeddings of shape (N, d), got shape {z.shape}")
    return z


class InnerProductDecoder(Module):
    r"""σ(z_i · z_j) for each pair (i, j) (PyG's ``InnerProductDecoder``; paper eq. (2)).

    ``forward(z, edge_index, sigmoid=True)``: z (N, d) Tensor or array, edge_index (2, E) pairs
    (row 0 i, row 1 j) -> (E,) probabilities (logits with ``sigmoid=False``).
    ``forward_all(z, sigmoid=True)`` -> (N, N) dense σ(Z Zᵀ) (O(N²) memory: small graphs only).

    Raises:
        ValueError: z is not 2-D, or edge_index is not (2, E). IndexError: an id is not a row of z.
    """

    def forward(self, z: Any, edge_index: Any, sigmoid: bool = True) -> Tensor:
        z = _latent(z)
        ei = _pairs("edge_index", edge_index, z.shape[0])
        value = M.sum(gather(z, ei[0]) * gather(z, ei[1]), axis=1)
        return F.sigmoid(value) if sigmoid else value

    def forward_all(self, z: Any, sigmoid: bool = True) -> Tensor:
        z = _latent(z)
        adj = z @ M.transpose(z)
        return F.sigmoid(adj) if sigmoid else adj


class MLPDecoder(Module):
    r"""An MLP on the pair's combined embeddings: p(i, j) = σ(MLP(z_i ⊙ z_j)) (the link predictor
    of OGB's and PyG's link-prediction examples), or MLP([z_i ‖ z_j]) with ``combine='concat'``
    (then p(i, j) != p(j, i) in general).

    Args:
        in_channels: d, the embedding width. hidden_channels: width of the hidden layers.
        num_layers: Linear layers (>= 1); the last maps to one logit. dropout: after each hidden
            layer. combine: ``'hadamard'`` (z_i ⊙ z_j) or ``'concat'``.
        rng: Generator or seed for the weights and dropout masks. dtype: parameter dtype.

    ``forward(z, edge_index, sigmoid=True)`` -> (E,), as :class:`InnerProductDecoder`.

    Raises:
        ValueError: ``combine`` is unknown, ``num_layers`` < 1, or bad z / edge_index (as above).
    """

    def __init__(self, in_channels: int, hidden_channels: int = 64, num_layers: int = 2,
                 dropout: float = 0.0, combine: str = "hadamard", rng: init.RngLike = None,
                 dtype: Any = np.float32):
        if combine not in ("hadamard", "concat"):
            raise ValueError(f"combine: expected 'hadamard' or 'concat', got {combine!r}")
        num_layers = _checks.as_count("num_layers", num_layers, minimum=1)
        width = in_channels * (2 if combine == "concat" else 1)
        channels = [width] + [hidden_channels] * (num_layers - 1) + [1]
        self.combine = combine
        self.mlp = MLP(channels, norm=None, dropout=dropout, rng=rng, dtype=dtype)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        self.mlp.reset_parameters(rng)

    def forward(self, z: Any, edge_index: Any, sigmoid: bool = True) -> Tensor:
        z = _latent(z)
        ei = _pairs("edge_index", edge_index, z.shape[0])
        zi, zj = gather(z, ei[0]), gather(z, ei[1])
        h = zi * zj if self.combine == "hadamard" else M.concatenate([zi, zj], axis=1)
        value = M.reshape(self.mlp(h), (ei.shape[1],))
        return F.sigmoid(value) if sigmoid else value


def _reset(module: Module, rng: init.RngLike) -> None:
    """Reset every parameterised child that knows how (PyG's ``inits.reset``)."""
    if hasattr(module, "reset_parameters"):
        module.reset_parameters(rng)
        return
    for child in module.children():
        _reset(child, rng)


class GAE(Module):
    r"""Graph auto-encoder (PyG's ``GAE``): any encoder, a pair decoder, and the loss and
    evaluation of the paper.

    Args:
        encoder: any Module mapping the inputs to node embeddings Z (N, d).
        decoder: a Module ``decoder(z, edge_index, sigmoid=True) -> (E,)``; default
            :class:`InnerProductDecoder`.
        rng: Generator or seed for the negatives ``recon_loss`` samples when none are given (and
            VGAE's noise); None: npgnn's global generator (``npgnn.manual_seed``). npgnn
            addition: PyG draws from the global torch/Python RNGs.

    Unlike PyG, the constructor does not re-initialise the encoder's and decoder's parameters
    (PyG calls ``reset_parameters``, which redraws weights a user may have just loaded or
    seeded); call :meth:`reset_parameters` for that.
    """

    def __init__(self, encoder: Module, decoder: Module | None = None, *, rng: init.RngLike = None):
        self.encoder = encoder
        self.decoder = InnerProductDecoder() if decoder is None else decoder
        self.rng = init.make_rng(rng)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Re-initialise the encoder and decoder (each child with ``reset_parameters``)."""
        _reset(self.encoder, rng)
        _reset(self.decoder, rng)

    def forward(self, *args: Any, **kwargs: Any) -> Tensor:
        """Alias for :meth:`encode`."""
        return self.encode(*args, **kwargs)

    def encode(self, *args: Any, **kwargs: Any) -> Tensor:
        """Z = encoder(*args, **kwargs)."""
        return self.encoder(*args, **kwargs)

    def decode(self, *args: Any, **kwargs: Any) -> Tensor:
        """decoder(*args, **kwargs): pair scores."""
        return self.decoder(*args, **kwargs)

    def recon_loss(self, z: Any, pos_edge_index: Any, neg_edge_index: Any = None) -> Tensor:
        r"""Binary cross-entropy of positive against negative pairs (PyG's formula):

            -mean_{pos} log(σ(z_i·z_j) + EPS) - mean_{neg} log(1 - σ(z_i·z_j) + EPS)

        Args:
            z: (N, d) embeddings. pos_edge_index: (2, P) positive pairs.
            neg_edge_index: (2, M) negative pairs; None samples M = P of them with
                ``negative_sampling(pos_edge_index, N, rng=self.rng)`` (PyG's default).

        Returns:
            A scalar Tensor (z's dtype).
        """
        from npgnn.utils.negative_sampling import negative_sampling

        z = _latent(z)
        pos = _pairs("pos_edge_index", pos_edge_index, z.shape[0])
        if neg_edge_index is None:
            neg = negative_sampling(pos, z.shape[0], rng=self.rng)
        else:
            neg = _pairs("neg_edge_index", neg_edge_index, z.shape[0])
        pos_loss = -M.mean(M.log(self.decoder(z, pos, sigmoid=True) + EPS))
        neg_loss = -M.mean(M.log(1 - self.decoder(z, neg, sigmoid=True) + EPS))
        return pos_loss + neg_loss

    def test(self, z: Any, pos_edge_index: Any, neg_edge_index: Any) -> tuple[float, float]:
        """(ROC-AUC, average precision) of the decoder's scores of ``pos_edge_index`` against
        ``neg_edge_index`` (scikit-learn, as PyG). No gradient is recorded."""
        from npgnn.autodiff.grad_mode import no_grad
        from npgnn.metrics.link import average_precision, roc_auc

        z = _latent(z)
        pos = _pairs("pos_edge_index", pos_edge_index, z.shape[0])
        neg = _pairs("neg_edge_index", neg_edge_index, z.shape[0])
        with no_grad():
            pos_pred = self.decoder(z, pos, sigmoid=True).data
            neg_pred = self.decoder(z, neg, sigmoid=True).data
        return roc_auc(pos_pred, neg_pred), average_precision(pos_pred, neg_pred)


class VGAE(GAE):
    r"""Variational graph auto-encoder (PyG's ``VGAE``).

    The encoder returns (μ, log σ), both (N, d). ``encode`` clamps log σ at ``MAX_LOGSTD`` and
    returns Z = μ + ε ⊙ exp(log σ), ε ~ N(0, I) drawn from ``self.rng``, in training mode, and
    Z = μ in eval mode. μ and log σ of the last ``encode`` are kept as ``__mu__`` and
    ``__logstd__`` (PyG's attributes) for :meth:`kl_loss`.
    """

    def reparametrize(self, mu: Any, logstd: Any) -> Tensor:
        """μ + ε ⊙ exp(log σ) in training mode (ε of μ's shape and dtype), μ in eval mode."""
        mu, logstd = as_tensor(mu), as_tensor(logstd)
        if not self.training:
            return mu
        noise = self.rng.standard_normal(logstd.shape).astype(logstd.dtype, copy=False)
        return mu + noise * M.exp(logstd)

    def encode(self, *args: Any, **kwargs: Any) -> Tensor:
        out = self.encoder(*args, **kwargs)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"VGAE: the encoder must return (mu, logstd), got {type(out).__name__}")
        mu, logstd = (as_tensor(t) for t in out)
        if mu.shape != logstd.shape:
            raise ValueError(f"VGAE: the encoder's mu {mu.shape} and logstd {logstd.shape} "
                             f"must have the same shape")
        self.__mu__, self.__logstd__ = mu, _clamp_max(logstd, MAX_LOGSTD)
        return self.reparametrize(self.__mu__, self.__logstd__)

    def kl_loss(self, mu: Any = None, logstd: Any = None) -> Tensor:
        r"""KL(N(μ, σ²) ‖ N(0, I)) per node, averaged over nodes (PyG's formula):

            -1/2 · mean_i Σ_k (1 + 2 log σ_ik - μ_ik² - σ_ik²)

        Args:
            mu, logstd: (N, d); None takes those of the last :meth:`encode` (a given logstd is
                clamped at ``MAX_LOGSTD``, as in PyG).

        Raises:
            RuntimeError: no argument is given and ``encode`` has not run.
        """
        if (mu is None or logstd is None) and "__mu__" not in self.__dict__:
            raise RuntimeError("VGAE.kl_loss: call encode() first, or pass mu and logstd")
        mu = self.__mu__ if mu is None else as_tensor(mu)
        logstd = self.__logstd__ if logstd is None else _clamp_max(as_tensor(logstd), MAX_LOGSTD)
        inner = 1 + 2 * logstd - mu ** 2 - M.exp(logstd) ** 2
        return -0.5 * M.mean(M.sum(inner, axis=1))


def _clamp_max(x: Tensor, high: float) -> Tensor:
    """min(x, high) with torch.clamp's gradient (passed through where x <= high)."""
    return M.where(x.data > high, high, x)
