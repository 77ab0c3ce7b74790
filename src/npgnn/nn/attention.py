"""Attention over sequences: the article's dot-product attention and multi-head attention.

* :class:`AttentionWeight`, :class:`WeightSum`, :class:`Attention`: the book's encoder-decoder
  attention (scores = hidden states · query, softmax over time, weighted sum), batched over N.
* :class:`MultiHeadAttention`: scaled dot-product attention with H heads, the same function and
  parameter names as ``torch.nn.MultiheadAttention``.

Every layer runs both ways: ``layer(Tensor...)`` records the autodiff graph, and the book's
``layer.forward(ndarray...)`` then ``layer.backward(dout)`` returns the input gradients.
No Python loop runs over batch entries, time steps or heads: they are axes of batched matmuls.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgnn._validate import check_float_dtype, check_probability, check_size
from npgnn.autodiff.function import Function
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module, Parameter
from npgnn.ops import math as M
from npgnn.ops import nn as F
from npgnn.ops.attention import weighted_sum


def _as_float_tensor(name: str, x: Any) -> Tensor:
    if hasattr(x, "detach") and hasattr(x, "numpy") and not isinstance(x, Tensor):  # torch
        x = x.detach().cpu().numpy()
    x = as_tensor(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must hold floats, got dtype {x.dtype}; "
                        "cast with .astype(np.float32)")
    return x


# ---------------------------------------------------------------------------- the book's attention
class AttentionWeight(Module):
    """Attention weights of a query over a sequence: ``a[n] = softmax_t(hs[n, t] · h[n])``.

    Shapes: hs (N, T, H) hidden states (e.g. the encoder's), h (N, H) the query (e.g. the
    decoder's state at one step) -> a (N, T), each row summing to 1. The scores are one batched
    matmul ``hs @ h[..., None]`` (no ``repeat`` of h over T). Book style:
    ``a = layer.forward(hs, h)``; ``dhs, dh = layer.backward(da)``.

    Raises:
        ValueError naming ``hs`` or ``h`` when the shapes do not fit.
    """

    def forward(self, hs: Any, h: Any) -> Tensor:
        hs = _as_float_tensor("AttentionWeight: hs", hs)
        h = _as_float_tensor("AttentionWeight: h", h)
        if hs.ndim != 3:
            raise ValueError(f"AttentionWeight: hs must be 3-D (N, T, H), got shape {hs.shape}")
        n, _, dim = hs.shape
        if h.shape != (n, dim):
            raise ValueError(f"AttentionWeight: h must have shape (N, H) = {(n, dim)} to match hs "
                             f"{hs.shape}, got {h.shape}")
        scores = M.matmul(hs, M.reshape(h, (n, dim, 1)))                   # (N, T, 1)
        return F.softmax(M.reshape(scores, hs.shape[:2]), axis=1)           # (N, T)


class WeightSum(Module):
    """Context vector ``c[n] = Σ_t a[n, t] hs[n, t]``: hs (N, T, H), a (N, T) -> c (N, H).

    Book style: ``dhs, da = layer.backward(dc)``.
    """

    def forward(self, hs: Any, a: Any) -> Tensor:
        return weighted_sum(hs, a)


class Attention(Module):
    """The book's attention layer: weights over the sequence, then their weighted sum.

        a[n, t] = softmax_t(<hs[n, t], h[n]>),   c[n] = Σ_t a[n, t] hs[n, t]

    Shapes: hs (N, T, H), h (N, H) -> c (N, H) (and a (N, T) with ``return_weights=True``).
    Book style: ``c = layer.forward(hs, h)``; ``dhs, dh = layer.backward(dc)``, where dhs sums
    the gradient through the weighted sum and the one through the scores.

    Example:
        >>> layer = Attention()
        >>> c = layer.forward(np.ones((2, 4, 3)), np.ones((2, 3)))    # hs (N, T, H), h (N, H)
        >>> dhs, dh = layer.backward(np.ones_like(c))
        >>> c.shape, dhs.shape, dh.shape
        ((2, 3), (2, 4, 3), (2, 3))
    """

    def __init__(self) -> None:
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()

    def forward(
        self, hs: Any, h: Any, return_weights: bool = False
    ) -> Tensor | tuple[Tensor, Tensor]:
        a = self.attention_weight_layer(hs, h)                              # (N, T)
        c = self.weight_sum_layer(hs, a)                                    # (N, H)
        return (c, a) if return_weights else c


# ---------------------------------------------------------------------------- multi-head attention
class _MaskedSoftmax(Function):
    """Softmax over the last axis of ``s + mask``; a row where every entry is -inf gives all 0.

    ``mask`` is a fixed additive array (0 allowed, -inf forbidden, or any float bias),
    broadcastable to s. Backward: ds = y (g - Σ g y); forbidden entries have y = 0, so no
    gradient reaches them, and a fully masked row has no gradient at all.
    """

    def __init__(self, mask: np.ndarray | None):
        self.mask = mask

    def forward(self, s):
        if self.mask is not None:
            s = s + self.mask
        top = s.max(axis=-1, keepdims=True, initial=-np.inf)   # S = 0 keys: an empty row
        top = np.where(np.isfinite(top), top, 0).astype(s.dtype, copy=False)   # all -inf: no shift
        z = np.exp(s - top)                                                      # exp(-inf) = 0
        total = z.sum(axis=-1, keepdims=True)
        self.y = z / np.where(total > 0, total, 1).astype(s.dtype, copy=False)
        return self.y

    def backward(self, g):
        y = self.y
        return y * (g - np.sum(g * y, axis=-1, keepdims=True))


class MultiHeadAttention(Module):
    r"""Multi-head scaled dot-product attention; the same function as torch.nn.MultiheadAttention.

    With E = embed_dim, H = num_heads, d = E / H, per head k:

        Q = query W_qᵀ + b_q,  K = key W_kᵀ + b_k,  V = value W_vᵀ + b_v   (split into H heads)
        A_k = softmax_s((Q_k / sqrt(d)) K_kᵀ + mask)                     (B, L, S) per head
        out = concat_k(dropout(A_k) V_k) W_oᵀ + b_o                      (B, L, E)

    Args:
        embed_dim: E, the query size and the output size; must be divisible by ``num_heads``.
        num_heads: H.
        dropout: probability of dropping an attention weight (training only; from ``rng``).
        bias: learn ``in_proj_bias`` and ``out_proj.bias``.
        batch_first: inputs/outputs are (B, L, E) if True (this class's default), (L, B, E) if
            False (torch's default is False: pass ``batch_first=False`` to mirror torch code).
        kdim, vdim: key and value sizes (default E).
        rng: Generator or seed for the initial weights and the dropout masks.
        dtype: parameter dtype (float32 default).

    Parameters (torch's names and shapes): ``in_proj_weight`` (3E, E) when kdim == vdim == E,
    else ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight`` (E, vdim);
    ``in_proj_bias`` (3E,); ``out_proj.weight`` (E, E), ``out_proj.bias`` (E,). Initialised as
    torch: Xavier-uniform projections, zero biases, ``out_proj.weight`` Kaiming-uniform.

    Call: ``mha(query, key, value, key_padding_mask=None, *, attn_mask=None, need_weights=True,
    average_attn_weights=True)``
        query (B, L, E), key (B, S, kdim), value (B, S, vdim) (or unbatched (L, E), (S, kdim),
            (S, vdim); or sequence-first with ``batch_first=False``).
        key_padding_mask: (B, S) (or (S,) unbatched); bool with True = ignore that key, or a
            float array added to the scores.
        attn_mask: (L, S) or (B·H, L, S); bool with True = not allowed, or a float array added
            to the scores (e.g. -inf above the diagonal for causal attention). Masks are
            constants (no gradient). Both masks may be given; they add up, as in torch.
        need_weights: also return the attention weights (after dropout, as torch).
        average_attn_weights: return them averaged over heads (B, L, S), else per head
            (B, H, L, S).
    Returns:
        ``(output, weights)``: output (B, L, E) (or (L, B, E), or (L, E) unbatched); weights as
        above, or None without ``need_weights``.

    Fully masked rows: a query that may attend to no key at all (every entry of its row masked
    out) gets attention weights 0 and so the output ``out_proj.bias``, with zero gradient;
    torch gives NaN there. Every other row equals torch's.

    Raises:
        ValueError / TypeError naming the argument (shapes, mask dtype or shape, options).

    Example:
        >>> mha = MultiHeadAttention(8, 2, rng=0)
        >>> x = np.ones((3, 5, 8), dtype=np.float32)                  # (B, L, E)
        >>> out, w = mha(x, x, x, attn_mask=np.triu(np.ones((5, 5), bool), k=1))   # causal
        >>> out.shape, w.shape
        ((3, 5, 8), (3, 5, 5))
    """

    def __init__(
        self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
        batch_first: bool = True, kdim: int | None = None, vdim: int | None = None, *,
        rng: init.RngLike = None, dtype: Any = np.float32,
    ):
        name = "MultiHeadAttention"
        embed_dim = check_size(name, "embed_dim", embed_dim)
        num_heads = check_size(name, "num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"MultiHeadAttention: embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        dropout = check_probability(name, "dropout", dropout)
        kdim = check_size(name, "kdim", kdim, optional=True)
        vdim = check_size(name, "vdim", vdim, optional=True)
        dtype = check_float_dtype(name, "dtype", dtype)
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = self.embed_dim // self.num_heads
        self.kdim = self.embed_dim if kdim is None else kdim
        self.vdim = self.embed_dim if vdim is None else vdim
        self.dropout, self.batch_first = dropout, bool(batch_first)
        self.rng = init.make_rng(rng)
        e = self.embed_dim
        self._qkv_same_embed_dim = self.kdim == e and self.vdim == e
        self.in_proj_weight = self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.zeros((3 * e, e), dtype=dtype))
        else:
            self.q_proj_weight = Parameter(np.zeros((e, e), dtype=dtype))
            self.k_proj_weight = Parameter(np.zeros((e, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(np.zeros((e, self.vdim), dtype=dtype))
        self.in_proj_bias = Parameter(np.zeros(3 * e, dtype=dtype)) if bias else None
        self.out_proj = Linear(e, e, bias=bias, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """torch's initialisation: Xavier-uniform in-projections, zero biases, Kaiming out_proj."""
        rng = self.rng if rng is None else init.make_rng(rng)
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if w is not None:
                w.data[...] = init.glorot_uniform(w.shape, rng, w.dtype)
        self.out_proj.reset_parameters(rng)
        for b in (self.in_proj_bias, self.out_proj.bias):
            if b is not None:
                b.data[...] = 0

    # ------------------------------------------------------------------ forward
    def forward(
        self, query: Any, key: Any, value: Any, key_padding_mask: Any = None, *,
        attn_mask: Any = None, need_weights: bool = True, average_attn_weights: bool = True,
    ) -> tuple[Tensor, Tensor | None]:
        q_in = _as_float_tensor("MultiHeadAttention: query", query)
        k_in = q_in if key is query else _as_float_tensor("MultiHeadAttention: key", key)
        v_in = k_in if value is key else _as_float_tensor("MultiHeadAttention: value", value)
        batched = self._check_shapes(q_in, k_in, v_in)
        if not batched:
            q_in, k_in, v_in = (M.reshape(t, (1, *t.shape)) if t is not None else None
                                for t in (q_in, k_in, v_in))
        elif not self.batch_first:  # (L, B, E) -> (B, L, E)
            q_in, k_in, v_in = (M.transpose(t, (1, 0, 2)) for t in (q_in, k_in, v_in))
        b, length, e = q_in.shape
        src_len, heads, d = k_in.shape[1], self.num_heads, self.head_dim
        mask = self._merged_mask(key_padding_mask, attn_mask, b, length, src_len, batched,
                                 q_in.dtype)

        q, k, v = self._project(q_in, k_in, v_in, query is key and key is value)
        q = M.transpose(M.reshape(q, (b, length, heads, d)), (0, 2, 1, 3))     # (B, H, L, d)
        k = M.transpose(M.reshape(k, (b, src_len, heads, d)), (0, 2, 3, 1))    # (B, H, d, S)
        v = M.transpose(M.reshape(v, (b, src_len, heads, d)), (0, 2, 1, 3))    # (B, H, S, d)
        scores = M.matmul(q * math.sqrt(1.0 / d), k)                           # (B, H, L, S)
        weights = _MaskedSoftmax(mask)(scores)
        weights = F.dropout(weights, self.dropout, self.training, self.rng)
        ctx = M.matmul(weights, v)                                              # (B, H, L, d)
        ctx = M.reshape(M.transpose(ctx, (0, 2, 1, 3)), (b, length, e))         # (B, L, E)
        out = self.out_proj(ctx)
        if not batched:
            out = M.reshape(out, (length, e))
        elif not self.batch_first:
            out = M.transpose(out, (1, 0, 2))
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = M.mean(weights, axis=1)                                  # (B, L, S)
        if not batched:
            weights = M.reshape(weights, weights.shape[1:])
        return out, weights

    def _project(self, query: Tensor, key: Tensor, value: Tensor, packed: bool):
        e = self.embed_dim
        bq = bk = bv = None
        if self.in_proj_bias is not None:
            bq, bk, bv = (M.getitem(self.in_proj_bias, slice(i * e, (i + 1) * e)) for i in range(3))
        if self._qkv_same_embed_dim and packed:  # self-attention: one (B, L, 3E) projection
            qkv = M.matmul(query, M.transpose(self.in_proj_weight, None))
            if self.in_proj_bias is not None:
                qkv = qkv + self.in_proj_bias
            return (M.getitem(qkv, (Ellipsis, slice(i * e, (i + 1) * e))) for i in range(3))
        if self._qkv_same_embed_dim:
            wq, wk, wv = (M.getitem(self.in_proj_weight, slice(i * e, (i + 1) * e))
                          for i in range(3))
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        out = []
        for x, w, bias in ((query, wq, bq), (key, wk, bk), (value, wv, bv)):
            y = M.matmul(x, M.transpose(w, None))
            out.append(y if bias is None else y + bias)
        return out

    def _check_shapes(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Validate the three inputs; True when batched (3-D), False when unbatched (2-D)."""
        name = "MultiHeadAttention"
        if query.ndim not in (2, 3):
            raise ValueError(f"{name}: query must be 3-D (batched) or 2-D (unbatched), got shape "
                             f"{query.shape}")
        if key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"{name}: query, key and value must all be {query.ndim}-D, got shapes "
                             f"{query.shape}, {key.shape}, {value.shape}")
        for arg, t, size in (("query", query, self.embed_dim), ("key", key, self.kdim),
                             ("value", value, self.vdim)):
            if t.shape[-1] != size:
                raise ValueError(f"{name}: {arg} must have last dimension {size}, "
                                 f"got shape {t.shape}")
        batch_axis = 0 if self.batch_first else 1
        if query.ndim == 3 and not (query.shape[batch_axis] == key.shape[batch_axis]
                                    == value.shape[batch_axis]):
            raise ValueError(f"{name}: query, key and value must have the same batch size "
                             f"(axis {batch_axis} with batch_first={self.batch_first}), got shapes "
                             f"{query.shape}, {key.shape}, {value.shape}")
        seq_axis = -2 if query.ndim == 2 or self.batch_first else 0
        if key.shape[seq_axis] != value.shape[seq_axis]:
            raise ValueError(f"{name}: key and value must have the same sequence length, got "
                             f"shapes {key.shape} and {value.shape}")
        return query.ndim == 3

    def _merged_mask(self, key_padding_mask: Any, attn_mask: Any, b: int, length: int, src_len: int,
                     batched: bool, dtype: np.dtype) -> np.ndarray | None:
        """Both masks as one additive float array broadcastable to (B, H, L, S), or None."""
        name = "MultiHeadAttention"
        total = None
        if key_padding_mask is not None:
            kpm = _additive("key_padding_mask", key_padding_mask, dtype)
            want = (b, src_len) if batched else (src_len,)
            if kpm.shape != want:
                raise ValueError(f"{name}: key_padding_mask must have shape {want} (batch, keys), "
                                 f"got {kpm.shape}")
            total = kpm.reshape(b, 1, 1, src_len)
        if attn_mask is not None:
            am = _additive("attn_mask", attn_mask, dtype)
            if am.shape == (length, src_len):
                am = am.reshape(1, 1, length, src_len)
            elif am.shape == (b * self.num_heads, length, src_len):
                am = am.reshape(b, self.num_heads, length, src_len)
            else:
                raise ValueError(f"{name}: attn_mask must have shape ({length}, {src_len}) or "
                                 f"({b * self.num_heads}, {length}, {src_len}) (batch·heads, "
                                 f"queries, keys), got {am.shape}")
            total = am if total is None else total + am
        return total

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, "
                f"batch_first={self.batch_first}, kdim={self.kdim}, vdim={self.vdim}")


def _additive(name: str, mask: Any, dtype: np.dtype) -> np.ndarray:
    """A bool mask (True = masked) as 0 / -inf, or a float mask as is, in ``dtype``."""
    if hasattr(mask, "detach") and hasattr(mask, "numpy"):  # a torch tensor
        mask = mask.detach().cpu().numpy()
    mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if mask.dtype == np.bool_:
        return np.where(mask, -np.inf, 0).astype(dtype)
    if np.issubdtype(mask.dtype, np.floating):
        return mask.astype(dtype, copy=False)
    raise TypeError(f"MultiHeadAttention: {name} must be a bool array (True = masked) or a float "
                    f"array added to the scores, got dtype {mask.dtype}")
