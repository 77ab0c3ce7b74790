"""``to_dense_batch``: the nodes of a batch of graphs as a padded (B, N_max, F) array and a mask."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.ops import math as M
from npgnn.ops.graph import gather, segment_sum
from npgnn.ops.segments import Segments, check_batch_vector, check_index, group_by


class DenseLayout:
    """Where each node goes in the padded layout: graph b's k-th node (in node order) is row
    ``slot[n] = b · N_max + k`` of the flattened (B·N_max, F) array.

    Attributes: batch_size B, max_num_nodes N_max, slot (N,) int64, mask (B, N_max) bool
    (True at real nodes), segments: Segments of the slots over B·N_max (for the scatter).
    """

    def __init__(self, batch: np.ndarray, batch_size: int, max_num_nodes: int | None = None):
        n = batch.size
        perm, ptr = group_by(batch, batch_size)                     # nodes grouped by graph
        counts = np.diff(ptr)
        widest = int(counts.max()) if batch_size and n else 0
        if max_num_nodes is not None and max_num_nodes < widest:
            raise ValueError(f"to_dense_batch: max_num_nodes={max_num_nodes} is smaller than the "
                             f"largest graph ({widest} nodes); PyG drops the extra nodes, npgnn "
                             f"refuses")
        self.batch_size = int(batch_size)
        self.max_num_nodes = widest if max_num_nodes is None else int(max_num_nodes)
        rank = np.empty(n, dtype=np.int64)
        rank[perm] = np.arange(n) - np.repeat(ptr[:-1], counts)     # position within its graph
        self.slot = batch * self.max_num_nodes + rank
        self.mask = np.zeros(self.batch_size * self.max_num_nodes, dtype=bool)
        self.mask[self.slot] = True
        self.mask = self.mask.reshape(self.batch_size, self.max_num_nodes)
        self.segments = Segments(self.slot, self.batch_size * self.max_num_nodes, validate=False)

    def to_dense(self, x: Tensor, fill_value: float = 0.0) -> Tensor:
        """(N, F) -> (B, N_max, F), differentiable (a scatter of one row per slot)."""
        flat = segment_sum(x, self.segments)                        # (B·N_max, F)
        if fill_value != 0:
            pad = (~self.mask.reshape(-1, 1)).astype(x.dtype) * x.dtype.type(fill_value)
            flat = flat + pad
        return M.reshape(flat, (self.batch_size, self.max_num_nodes) + tuple(x.shape[1:]))

    def to_nodes(self, dense: Tensor) -> Tensor:
        """(B, N_max, F) -> (N, F): the real nodes' rows back in node order (``dense[mask]``)."""
        flat = M.reshape(dense, (self.batch_size * self.max_num_nodes,) + tuple(dense.shape[2:]))
        return gather(flat, self.slot, self.batch_size * self.max_num_nodes)


def dense_layout(x_rows: int, batch: Any = None, batch_size: int | None = None,
                 max_num_nodes: int | None = None) -> DenseLayout:
    """The :class:`DenseLayout` of ``batch`` (N,) graph ids (any order), a batched Graph, or
    None (one graph); cached on a Graph."""
    from npgnn.graph import Graph  # here: npgnn.graph imports npgnn.utils

    if isinstance(batch, Graph):
        g = batch
        if g.num_nodes != x_rows:
            raise ValueError(f"to_dense_batch: the graph has {g.num_nodes} nodes but x has "
                             f"{x_rows} rows")
        size = g.num_graphs if batch_size is None else batch_size
        ids = np.zeros(x_rows, np.int64) if g.batch is None else g.batch
        key = ("dense_layout", size, max_num_nodes)
        if key not in g._cache:
            g._cache[key] = DenseLayout(check_index("to_dense_batch: batch", ids, size), size,
                                        max_num_nodes)
        return g._cache[key]
    if batch is None:
        batch = np.zeros(x_rows, dtype=np.int64)
    ids, batch_size = check_batch_vector("to_dense_batch", batch, x_rows, batch_size)
    return DenseLayout(ids, batch_size, max_num_nodes)


def to_dense_batch(x: Any, batch: Any = None, fill_value: float = 0.0,
                   max_num_nodes: int | None = None,
                   batch_size: int | None = None) -> tuple[Tensor, np.ndarray]:
    """PyG's ``to_dense_batch``: node features (N, F) as (B, N_max, F) padded with
    ``fill_value``, and the (B, N_max) bool mask of real nodes. Differentiable in x.

    Args:
        x: (N, F) (any trailing shape). batch: (N,) graph of each node (need not be sorted; the
        nodes of a graph keep their order), a batched Graph, or None (one graph).
        fill_value: the padding. max_num_nodes: N_max (default: the largest graph). batch_size:
        B (default ``batch.max() + 1``; a Graph's ``num_graphs``).
    Returns:
        (dense Tensor (B, N_max, F), mask ndarray (B, N_max) bool). ``dense[mask]`` is x.
    Raises:
        ValueError for a batch of the wrong length or a max_num_nodes below the largest graph
        (PyG silently drops nodes there); IndexError for ids outside [0, batch_size).
    """
    x = as_tensor(x)
    if x.ndim == 0:
        raise ValueError("to_dense_batch: x must have shape (N, ...), got a scalar")
    layout = dense_layout(x.shape[0], batch, batch_size, max_num_nodes)
    return layout.to_dense(x, fill_value), layout.mask
