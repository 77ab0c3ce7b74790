"""``Set2Set``: an LSTM that attends over each graph's nodes for a few steps (a readout)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.aggr.base import Aggregation
from npgnn.nn.rnn import LSTM
from npgnn.ops import math as M
from npgnn.ops.graph import gather, segment_softmax, segment_sum


class Set2Set(Aggregation):
    r"""Set2Set readout (Vinyals et al. 2016, "Order Matters", section 4.2), PyG's ``Set2Set``.

    Starting from q*_0 = 0 (G, 2F), for t = 1..T (``processing_steps``):

        q_t = LSTM(q*_{t-1})                             (G, F)
        e[n] = <x[n], q_t[graph(n)]>,  a = softmax of e over each graph's nodes
        r_t[g] = Σ_{n in g} a[n] x[n],   q*_t = [q_t, r_t]   (G, 2F)

    and returns q*_T. An empty graph's r is 0 (its q still evolves).

    Args:
        in_channels: F. processing_steps: T. rng, dtype: the LSTM's (``lstm``, torch's
        ``nn.LSTM(2F, F)`` names and initialisation).

    Call: as :class:`~npgnn.nn.aggr.base.Aggregation`; index (or ptr or a Graph) is required.
    Returns:
        (G, 2F).
    Raises:
        ValueError for bad sizes, a missing index, or a dim other than the node axis.
    """

    def __init__(self, in_channels: int, processing_steps: int, *, rng: init.RngLike = None,
                 dtype: Any = np.float32):
        for name, value in (("in_channels", in_channels), ("processing_steps", processing_steps)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Set2Set: {name} must be a positive int, got {value!r}")
        self.in_channels, self.out_channels = int(in_channels), 2 * int(in_channels)
        self.processing_steps = int(processing_steps)
        self.lstm = LSTM(self.out_channels, self.in_channels, rng=rng, dtype=dtype)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        self.lstm.reset_parameters(rng)

    def forward(self, x: Any, index: Any = None, ptr: Any = None, dim_size: int | None = None,
                dim: int = -2) -> Tensor:
        if index is None and ptr is None:
            raise ValueError("Set2Set: pass index (the graph of each node), ptr or a Graph")
        x = as_tensor(x)
        segments = self._segments(x, index, ptr, dim_size, dim)
        g, f = segments.num_segments, self.in_channels
        if x.shape[1] != f:
            raise ValueError(f"Set2Set: x must have {f} columns (in_channels), got {x.shape}")
        zeros = np.zeros((1, g, f), dtype=x.dtype)
        state = (Tensor(zeros), Tensor(zeros.copy()))
        q_star = Tensor(np.zeros((g, 2 * f), dtype=x.dtype))
        for _ in range(self.processing_steps):  # steps, each depending on the last
            q, state = self.lstm(M.reshape(q_star, (1, g, 2 * f)), state)
            q = M.reshape(q, (g, f))
            e = M.sum(x * gather(q, segments.index, g), axis=-1, keepdims=True)   # (N, 1)
            a = segment_softmax(e, segments)
            r = segment_sum(a * x, segments)                                      # (G, F)
            q_star = M.concatenate([q, r], axis=-1)
        return q_star

    def __repr__(self) -> str:
        return f"Set2Set({self.in_channels}, {self.out_channels})"
