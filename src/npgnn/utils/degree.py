"""PyG's ``degree``: how often each node id occurs in an index."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph._checks import as_count
from npgnn.utils._args import index_arg


def degree(index: Any, num_nodes: int | None = None, dtype: Any = None) -> np.ndarray:
    """(N,) count of each id in ``index``: ``degree(edge_index[1])`` is the in-degree.

    Args:
        index: (E,) integer ids. num_nodes: N (default max id + 1).
        dtype: result dtype; default float32 (torch's default dtype, as PyG).

    Raises:
        TypeError: ``index`` is not 1-D integers. IndexError: an id outside [0, N).
    """
    if num_nodes is None:
        index = index_arg("index", index)
        n = int(index.max()) + 1 if index.size else 0
    else:
        n = as_count("num_nodes", num_nodes)
        index = index_arg("index", index, n)
    return np.bincount(index, minlength=n).astype(np.float32 if dtype is None else dtype)
