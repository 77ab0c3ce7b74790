"""``Aggregation``: PyG's base of readouts, ``aggr(x, index=None, ptr=None, dim_size=None, dim=-2)``."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn.module import Module
from npgnn.nn.pool import _graph_segments
from npgnn.ops.segments import Segments


class Aggregation(Module):
    """Reduces the rows of x (N, F) into ``dim_size`` groups given by ``index`` (N,) or ``ptr``.

    Call: ``aggr(x, index=None, ptr=None, dim_size=None, dim=-2)``
        x: (N, F). index: (N,) group (graph) id of each row, need not be sorted; a batched
        :class:`~npgnn.graph.Graph` (its ``batch`` and ``num_graphs``); or None with ptr None:
        one group. ptr: (G+1,) offsets of sorted groups (rows ptr[g]:ptr[g+1]). dim_size: G,
        default ``index.max() + 1`` (or ``len(ptr) - 1``). dim: the node axis, -2 (or 0) only.
    Returns:
        (G, F_out); an empty group gives zeros.
    Raises:
        ValueError for a dim other than the node axis, a ptr disagreeing with dim_size or x,
        or an index of the wrong length; IndexError for ids outside [0, dim_size).
    """

    def _segments(self, x: Tensor, index: Any, ptr: Any, dim_size: int | None, dim: int) -> Segments:
        name = type(self).__name__
        if x.ndim != 2:
            raise ValueError(f"{name}: x must have shape (N, F), got {x.shape}")
        if dim not in (-2, 0):
            raise ValueError(f"{name}: dim must be the node axis (-2 or 0) of a 2-D x, got {dim}")
        if index is None and ptr is not None:
            ptr = np.asarray(ptr.detach().cpu().numpy() if hasattr(ptr, "detach") else ptr)
            if (ptr.ndim != 1 or ptr.size < 1 or not np.issubdtype(ptr.dtype, np.integer)
                    or ptr[0] != 0 or ptr[-1] != x.shape[0] or np.any(np.diff(ptr) < 0)):
                raise ValueError(f"{name}: ptr must be non-decreasing ints from 0 to "
                                 f"{x.shape[0]} (the rows of x), got {ptr!r}")
            if dim_size is not None and dim_size != ptr.size - 1:
                raise ValueError(f"{name}: dim_size={dim_size} disagrees with ptr "
                                 f"({ptr.size - 1} groups)")
            index = np.repeat(np.arange(ptr.size - 1), np.diff(ptr))
        return _graph_segments(name, x, index, dim_size)

    def forward(self, x: Any, index: Any = None, ptr: Any = None, dim_size: int | None = None,
                dim: int = -2) -> Tensor:
        x = as_tensor(x)
        return self.reduce(x, self._segments(x, index, ptr, dim_size, dim))

    def reduce(self, x: Tensor, segments: Segments) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
