"""``JumpingKnowledge``: combine the representations of every layer (Xu et al., ICML 2018)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from npgnn.autodiff.tensor import Tensor
from npgnn.nn.module import Module
from npgnn.ops import math as M

MODES = ("cat", "max")


class JumpingKnowledge(Module):
    r"""Layer aggregation of PyG's ``JumpingKnowledge`` for modes 'cat' and 'max'.

    * 'cat': ``x_v^{(1)} ‖ … ‖ x_v^{(T)}`` (N, T·C);
    * 'max': the elementwise ``max(x_v^{(1)}, …, x_v^{(T)})`` (N, C). Tied maxima share the
      gradient equally; torch's ``max(dim)`` gives it all to the first one (the values agree,
      and ties after a ReLU sit where its gradient is 0 anyway).

    PyG's third mode, 'lstm' (attention scores from a bi-directional LSTM), is refused: npgnn
    has no LSTM.

    Args:
        mode: 'cat' or 'max'.
        channels, num_layers: accepted for PyG's signature (only 'lstm' uses them).

    Shapes: ``xs``: T Tensors (N, C); output (N, T·C) or (N, C).

    Raises:
        ValueError: an unknown mode, 'lstm', or an empty ``xs``.

    Example:
        >>> import numpy as np
        >>> JumpingKnowledge("max")([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]).data.tolist()
        [[3.0, 5.0]]
    """

    def __init__(self, mode: str, channels: int | None = None, num_layers: int | None = None):
        if not isinstance(mode, str) or mode.lower() not in MODES + ("lstm",):
            raise ValueError(f"JumpingKnowledge: mode must be 'cat' or 'max', got {mode!r}")
        if mode.lower() == "lstm":
            raise ValueError("JumpingKnowledge: mode='lstm' is not supported (npgnn has no LSTM); "
                             "use 'cat' or 'max'")
        self.mode = mode.lower()
        self.channels, self.num_layers = channels, num_layers

    def reset_parameters(self, rng: Any = None) -> None:
        """Nothing to reset: 'cat' and 'max' have no parameters."""

    def forward(self, xs: Sequence[Any]) -> Tensor:
        if len(xs) == 0:
            raise ValueError("JumpingKnowledge: xs must hold at least one representation")
        if self.mode == "cat":
            return M.concatenate(list(xs), axis=-1)
        return M.max(M.stack(list(xs), axis=-1), axis=-1)

    def __repr__(self) -> str:
        return f"JumpingKnowledge({self.mode})"
