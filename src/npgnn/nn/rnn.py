"""``LSTM``: torch's ``nn.LSTM`` (Hochreiter & Schmidhuber 1997), composed from autodiff ops.

Used by ``Set2Set``; the loop runs over time steps (never over nodes or batch entries), and each
step is two matrix products over the whole batch.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.module import Module, Parameter
from npgnn.ops import math as M
from npgnn.ops import nn as F


class LSTM(Module):
    r"""Multi-layer LSTM with torch's equations, parameter names, layouts and initialisation.

    For each layer and time step t, with gates stacked as (i, f, g, o):

        [i; f; g; o] = x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh
        c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g),   h_t = σ(o) ⊙ tanh(c_t)

    Args:
        input_size: F_in. hidden_size: H. num_layers: stacked layers (layer l > 0 reads layer
        l-1's h). bias: learn b_ih and b_hh. batch_first: input (B, L, F_in) instead of (L, B, F_in).
        rng: Generator or seed: every parameter is drawn from U(-1/√H, 1/√H) as torch does.
        dtype: parameter dtype.

    Call: ``lstm(input, hx=None)``: input (L, B, F_in) (or (L, F_in) unbatched); hx a pair
    (h_0, c_0) of (num_layers, B, H), zeros if None. Returns ``(output, (h_n, c_n))``: output
    (L, B, H), the last layer's h at every step; h_n, c_n (num_layers, B, H).

    Parameters (torch's names): ``weight_ih_l{k}`` (4H, F_in or H), ``weight_hh_l{k}`` (4H, H),
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` (4H,).

    Not supported (a ValueError says so): dropout between layers, bidirectional, proj_size.

    Raises:
        ValueError naming the argument for bad sizes or an input/hx of the wrong shape.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, *, rng: init.RngLike = None, dtype: Any = np.float32):
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"LSTM: {name} must be a positive int, got {value!r}")
        if dropout or bidirectional or proj_size:
            raise ValueError("LSTM: dropout, bidirectional and proj_size are not supported "
                             f"(got dropout={dropout}, bidirectional={bidirectional}, "
                             f"proj_size={proj_size})")
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bool(bias), bool(batch_first)
        h = self.hidden_size
        for k in range(self.num_layers):
            f = self.input_size if k == 0 else h
            setattr(self, f"weight_ih_l{k}", Parameter(np.zeros((4 * h, f), dtype=dtype)))
            setattr(self, f"weight_hh_l{k}", Parameter(np.zeros((4 * h, h), dtype=dtype)))
            if self.bias:
                setattr(self, f"bias_ih_l{k}", Parameter(np.zeros(4 * h, dtype=dtype)))
                setattr(self, f"bias_hh_l{k}", Parameter(np.zeros(4 * h, dtype=dtype)))
        self.reset_parameters(rng)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Every weight and bias from U(-1/√H, 1/√H) (torch's ``LSTM.reset_parameters``)."""
        rng = init.make_rng(rng)
        bound = 1.0 / math.sqrt(self.hidden_size)
        for _, p in self.named_parameters():
            p.data[...] = rng.uniform(-bound, bound, p.shape)

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:  # noqa: A002
        x = as_tensor(input)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(f"LSTM: input must have shape (L, B, {self.input_size}) (or "
                             f"(L, {self.input_size}) unbatched), got {x.shape}")
        unbatched = x.ndim == 2
        if unbatched:
            x = M.reshape(x, (x.shape[0], 1, x.shape[1]))
        elif self.batch_first:
            x = M.transpose(x, (1, 0, 2))
        steps, b, h = x.shape[0], x.shape[1], self.hidden_size
        state_shape = (self.num_layers, b, h)
        if hx is None:
            zeros = Tensor(np.zeros(state_shape, dtype=self.weight_ih_l0.dtype))
            h0 = c0 = zeros
        else:
            h0, c0 = (as_tensor(t) for t in hx)
            if unbatched:
                h0, c0 = (M.reshape(t, (t.shape[0], 1, t.shape[-1])) for t in (h0, c0))
            if h0.shape != state_shape or c0.shape != state_shape:
                raise ValueError(f"LSTM: hx must be (h_0, c_0) of shape {state_shape}, got "
                                 f"{h0.shape} and {c0.shape}")
        layer_in = [M.getitem(x, t) for t in range(steps)]            # L × (B, F)
        h_n, c_n = [], []
        for k in range(self.num_layers):
            w_ih, w_hh = getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}")
            b_ih = getattr(self, f"bias_ih_l{k}", None) if self.bias else None
            b_hh = getattr(self, f"bias_hh_l{k}", None) if self.bias else None
            h_t, c_t = M.getitem(h0, k), M.getitem(c0, k)
            outs = []
            for x_t in layer_in:  # time steps: each one depends on the last
                gates = F.linear(x_t, w_ih, b_ih) + F.linear(h_t, w_hh, b_hh)   # (B, 4H)
                i, f, g, o = (M.getitem(gates, (slice(None), slice(s * h, (s + 1) * h)))
                              for s in range(4))
                c_t = F.sigmoid(f) * c_t + F.sigmoid(i) * F.tanh(g)
                h_t = F.sigmoid(o) * F.tanh(c_t)
                outs.append(h_t)
            layer_in = outs
            h_n.append(h_t)
            c_n.append(c_t)
        out = M.stack(layer_in, axis=0)                                 # (L, B, H)
        h_n, c_n = M.stack(h_n, axis=0), M.stack(c_n, axis=0)
        if unbatched:
            return M.reshape(out, (steps, h)), (M.reshape(h_n, (self.num_layers, h)),
                                               M.reshape(c_n, (self.num_layers, h)))
        if self.batch_first:
            out = M.transpose(out, (1, 0, 2))
        return out, (h_n, c_n)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
