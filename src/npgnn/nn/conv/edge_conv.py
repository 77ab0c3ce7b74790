"""``EdgeConv``: the edge convolution of DGCNN (Wang et al., 2019), numerically PyG's."""
from __future__ import annotations

from typing import Any

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.conv._structure import as_graph, source_segments, target_segments
from npgnn.nn.conv.message_passing import MessagePassing, check_aggr
from npgnn.nn.module import Module
from npgnn.ops import math as M
from npgnn.ops.graph import gather
from npgnn.ops.segments import Segments, check_index


class EdgeConv(MessagePassing):
    r"""EdgeConv: ``x'_i = AGG_{j -> i} h_Θ(x_i ‖ x_j − x_i)`` ("Dynamic Graph CNN for Learning on
    Point Clouds", Wang et al., 2019, eq. 7 with the asymmetric edge function of eq. 8).

    Each edge j -> i carries the message ``h_Θ([x_i, x_j − x_i])`` (one call of ``nn`` on the
    (E, 2F) matrix of all edges); AGG is the max (default), sum or mean over the incoming edges
    of i. An isolated node aggregates nothing and gets 0 (PyG's convention); duplicate edges
    count once per copy (a tie under max: the copies share the gradient, as torch's
    ``scatter_reduce('amax')``); a self-loop i -> i sends ``h_Θ([x_i, 0])``; no self-loop is added.

    Args:
        nn: h_Θ, mapping (E, 2F) to (E, F_out), e.g. ``MLP([2 * F, 64, 64])`` or a Sequential.
        aggr: 'max' (default), 'sum' (alias 'add') or 'mean'.

    Shapes:
        x: (N, F), or a pair (x_src (N_src, F), x_dst (N_dst, F)) for a bipartite graph (then
        x_j comes from x_src and x_i from x_dst); edge_index: (2, E) ints (sources in
        [0, N_src), targets in [0, N_dst)) or an :class:`npgnn.Graph` (one node set);
        output (N_dst, F_out).

    Parameters: those of ``nn`` under ``nn.<...>`` (PyG's names).

    Raises:
        TypeError: ``nn`` is not callable; x is not an array/Tensor or a pair of them.
        ValueError: unknown ``aggr``; x not 2-D or the two parts' widths differ; ``nn`` does not
        return one row per edge.

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Linear
        >>> conv = EdgeConv(Linear(6, 4, rng=0))
        >>> conv(np.ones((5, 3), np.float32), np.array([[0, 1, 2], [1, 2, 3]])).shape
        (5, 4)
    """

    def __init__(self, nn: Module, aggr: str = "max"):
        super().__init__(aggr=check_aggr("EdgeConv", aggr))
        if not callable(nn):
            raise TypeError(f"EdgeConv: nn must be a Module (or callable), got {type(nn).__name__}")
        self.nn = nn

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Reset ``nn`` when it has ``reset_parameters``."""
        reset = getattr(self.nn, "reset_parameters", None)
        if reset is not None:
            reset(init.make_rng(rng))

    def forward(self, x: Any, edge_index: Any) -> Tensor:
        x_src, x_dst = _pair(x)
        if x_dst is x_src:
            g = as_graph(edge_index, x_src.shape[0])
            sources, targets = source_segments(g), target_segments(g)
            x_j, x_i = gather(x_src, sources), gather(x_dst, targets)         # (E, F) each
        else:
            x_j, x_i, targets = _bipartite(x_src, x_dst, edge_index)
        messages = self.nn(M.concatenate([x_i, x_j - x_i], axis=-1))           # (E, F_out)
        if not isinstance(messages, Tensor) or messages.ndim != 2 \
                or messages.shape[0] != x_i.shape[0]:
            raise ValueError(f"EdgeConv: nn must map (E, 2F) to (E, F_out) with E = "
                             f"{x_i.shape[0]}, got {getattr(messages, 'shape', type(messages))}")
        return self.aggregate(messages, targets, targets.num_segments)

    def __repr__(self) -> str:
        return f"EdgeConv(nn={self.nn})"


def _pair(x: Any) -> tuple[Tensor, Tensor]:
    """(x_src, x_dst) as 2-D Tensors of one width; a single x is both."""
    if isinstance(x, (tuple, list)):
        if len(x) != 2:
            raise TypeError(f"EdgeConv: x must be an (N, F) array or a pair (x_src, x_dst), got "
                            f"a sequence of {len(x)}")
        x_src, x_dst = as_tensor(x[0]), as_tensor(x[1])
    else:
        x_src = x_dst = as_tensor(x)
    for name, part in (("x_src" if x_src is not x_dst else "x", x_src), ("x_dst", x_dst)):
        if part.ndim != 2:
            raise ValueError(f"EdgeConv: {name} must have shape (N, F), got {part.shape}")
    if x_src.shape[1] != x_dst.shape[1]:
        raise ValueError(f"EdgeConv: x_src and x_dst must have the same width F, got "
                         f"{x_src.shape[1]} and {x_dst.shape[1]}")
    return x_src, x_dst


def _bipartite(x_src: Tensor, x_dst: Tensor, edge_index: Any) -> tuple[Tensor, Tensor, Any]:
    """x_j, x_i per edge and the target segments for a bipartite edge_index."""
    n_src, n_dst = x_src.shape[0], x_dst.shape[0]
    ei = as_graph(edge_index, max(n_src, n_dst, 1)).edge_index   # shape and dtype checks
    src = check_index("edge_index[0] (sources, rows of x_src)", ei[0], n_src)
    dst = check_index("edge_index[1] (targets, rows of x_dst)", ei[1], n_dst)
    targets = Segments(dst, n_dst, validate=False)
    return gather(x_src, Segments(src, n_src, validate=False)), gather(x_dst, targets), targets
