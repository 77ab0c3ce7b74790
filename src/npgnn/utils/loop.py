"""Self-loops on ``edge_index``: add, add the missing ones, remove, separate, detect (PyG's)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.graph._checks import as_count, as_edge_index
from npgnn.utils._args import Values, cat, edge_index_arg, last_per_group, take, values_arg
from npgnn.utils.scatter import REDUCES, scatter

FillValue = float | np.ndarray | str | None


def add_self_loops(edge_index: Any, edge_attr: Any = None, fill_value: Any = None,
                   num_nodes: int | tuple[int, int] | None = None,
                   ) -> tuple[np.ndarray, Values | None]:
    """Append a self-loop (i, i) for every node i, even where one exists (PyG's add_self_loops).

    The result is ``edge_index`` followed by the loops 0..N-1. ``num_nodes`` as a pair
    (num_src, num_dst) treats the graph as bipartite and adds min(pair) loops.

    Args:
        edge_index: (2, E) integer ids. edge_attr: (E, ...) values or None.
        fill_value: the new loops' values: None (ones), a number, an array broadcast to a row,
            or 'add' / 'sum' / 'mean' / 'min' / 'max': that reduction of the values of the
            edges entering each node (0 for a node without incoming edges).
        num_nodes: N (default max id + 1), or (num_src, num_dst).

    Returns:
        (edge_index (2, E + N) int64, edge_attr (E + N, ...) or None).

    Raises:
        TypeError / ValueError / IndexError: malformed arguments, named in the message.
    """
    ei, n = _bipartite_edge_index(edge_index, num_nodes)
    loops = np.arange(n, dtype=np.int64)
    out = np.concatenate([ei, np.stack([loops, loops])], axis=1)
    attr = values_arg("edge_attr", edge_attr, ei.shape[1])
    if attr is None:
        return out, None
    return out, cat([attr, _loop_values(ei, attr, n, fill_value)])


def add_remaining_self_loops(edge_index: Any, edge_attr: Any = None, fill_value: Any = None,
                             num_nodes: int | None = None) -> tuple[np.ndarray, Values | None]:
    """Give every node exactly one self-loop (PyG's add_remaining_self_loops).

    The result lists the non-loop edges in their order, then the loops of nodes 0..N-1. A node
    that already had a loop keeps its value (of several loops, the last one's); the others get
    ``fill_value`` as in ``add_self_loops``.

    Returns:
        (edge_index (2, E' + N) int64, edge_attr (E' + N, ...) or None), E' the non-loop edges.

    Raises:
        TypeError / ValueError / IndexError: malformed arguments, named in the message.
    """
    ei, n = edge_index_arg(edge_index, num_nodes)
    keep = ei[0] != ei[1]
    loops = np.arange(n, dtype=np.int64)
    out = np.concatenate([ei[:, keep], np.stack([loops, loops])], axis=1)
    attr = values_arg("edge_attr", edge_attr, ei.shape[1])
    if attr is None:
        return out, None
    fill = _loop_values(ei, attr, n, fill_value)
    # Row r of [edge_attr; fill] for each output row: kept edges, then per node its last old
    # loop if it had one, else its fill row.
    pick = np.arange(ei.shape[1], ei.shape[1] + n, dtype=np.int64)
    looped, position = last_per_group(ei[0][~keep])
    pick[looped] = np.flatnonzero(~keep)[position]
    rows = np.concatenate([np.flatnonzero(keep), pick])
    return out, take(cat([attr, fill]), rows)


def remove_self_loops(edge_index: Any, edge_attr: Any = None,
                      ) -> tuple[np.ndarray, Values | None]:
    """Drop every edge (i, i) and its values; the other edges keep their order.

    Returns:
        (edge_index (2, E') int64, edge_attr (E', ...) or None).
    """
    ei = as_edge_index(edge_index)
    attr = values_arg("edge_attr", edge_attr, ei.shape[1])
    keep = ei[0] != ei[1]
    return ei[:, keep], None if attr is None else take(attr, keep)


def segregate_self_loops(edge_index: Any, edge_attr: Any = None,
                         ) -> tuple[np.ndarray, Values | None, np.ndarray, Values | None]:
    """Split into (non-loop edge_index, their edge_attr, loop edge_index, their edge_attr)."""
    ei = as_edge_index(edge_index)
    attr = values_arg("edge_attr", edge_attr, ei.shape[1])
    keep = ei[0] != ei[1]
    if attr is None:
        return ei[:, keep], None, ei[:, ~keep], None
    return ei[:, keep], take(attr, keep), ei[:, ~keep], take(attr, ~keep)


def contains_self_loops(edge_index: Any) -> bool:
    """True if some edge (i, i) exists."""
    ei = as_edge_index(edge_index)
    return bool((ei[0] == ei[1]).any())


def _bipartite_edge_index(edge_index: Any, num_nodes: Any) -> tuple[np.ndarray, int]:
    if not isinstance(num_nodes, (tuple, list)):
        return edge_index_arg(edge_index, num_nodes)
    if len(num_nodes) != 2:
        raise ValueError(f"num_nodes: expected an int or a pair (num_src, num_dst), got "
                         f"{num_nodes!r}")
    ei = as_edge_index(edge_index)
    for row, (side, size) in enumerate(zip(("source", "target"), num_nodes)):
        size = as_count(f"num_nodes[{row}]", size)
        if ei.shape[1] and (ei[row].min() < 0 or ei[row].max() >= size):
            raise IndexError(f"edge_index: {side} ids must lie in [0, {size}) "
                             f"(num_nodes[{row}]), found min={ei[row].min()} "
                             f"max={ei[row].max()}")
    return ei, min(int(num_nodes[0]), int(num_nodes[1]))


def _loop_values(ei: np.ndarray, attr: Values, n: int, fill_value: Any) -> Values:
    """(N, ...) values of new self-loops (PyG's compute_loop_attr)."""
    shape = (n, *attr.shape[1:])
    dtype = attr.dtype
    if fill_value is None:
        return np.ones(shape, dtype=dtype)
    if isinstance(fill_value, str):
        if fill_value not in REDUCES:
            raise ValueError(f"fill_value: expected a number, an array or one of "
                             f"{list(REDUCES)}, got {fill_value!r}")
        return scatter(attr, ei[1], 0, n, fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.data
    fill = np.asarray(fill_value)
    if fill.dtype.kind not in "biuf":
        raise TypeError(f"fill_value: expected None, a number, an array or a reduction name, "
                        f"got {type(fill_value).__name__}")
    try:
        return np.array(np.broadcast_to(fill.astype(dtype), shape))
    except ValueError:
        raise ValueError(f"fill_value: shape {fill.shape} does not broadcast to a loop row of "
                         f"shape {tuple(attr.shape[1:])}") from None
