"""PyG's ``get_laplacian``: the graph Laplacian as an edge list."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph._checks import check_degrees
from npgnn.utils._args import edge_index_arg, values_arg
from npgnn.utils.loop import add_self_loops, remove_self_loops


def get_laplacian(edge_index: Any, edge_weight: Any = None, normalization: str | None = None,
                  dtype: Any = None, num_nodes: int | None = None,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Laplacian of a graph as (edge_index, edge_weight), self-loops dropped first.

    With A the weights (ones if None) and d the out-degrees (row sums, by source):
        None:  L = D - A             (edges -w, then a loop per node with d_i)
        'sym': L = I - D^-1/2 A D^-1/2
        'rw':  L = I - D^-1 A        (row i scaled by 1/d_i of its source)
    A degree of 0 gives a 0 scale (as PyG). The result has E' + N entries: O(N) by nature.

    Args:
        dtype: of the weights when ``edge_weight`` is None (default float32, torch's default).

    Raises:
        ValueError: unknown ``normalization`` (PyG asserts); with 'sym', a node whose weighted
        degree is negative (its d^-1/2 is undefined; PyG returns NaN).
    """
    if normalization not in (None, "sym", "rw"):
        raise ValueError(f"normalization: expected None, 'sym' or 'rw', got {normalization!r}")
    ei, n = edge_index_arg(edge_index, num_nodes)
    w = values_arg("edge_weight", edge_weight, ei.shape[1])
    w = None if w is None else np.asarray(getattr(w, "data", w))
    ei, w = remove_self_loops(ei, w)
    if w is None:
        w = np.ones(ei.shape[1], dtype=np.float32 if dtype is None else dtype)
    row, col = ei
    deg = np.bincount(row, weights=w, minlength=n).astype(w.dtype)
    if normalization is None:
        loops, _ = add_self_loops(ei, num_nodes=n)
        return loops, np.concatenate([-w, deg])
    if normalization == "sym":
        check_degrees("get_laplacian", deg, "out-degree")
    with np.errstate(divide="ignore"):
        scale = deg ** -0.5 if normalization == "sym" else 1 / deg
    scale[np.isinf(scale)] = 0
    w = scale[row] * w * scale[col] if normalization == "sym" else scale[row] * w
    return add_self_loops(ei, -w, fill_value=1.0, num_nodes=n)
