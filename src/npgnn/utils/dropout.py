"""PyG's ``dropout_edge``: drop each edge at random with probability p."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph._checks import as_edge_index


def dropout_edge(edge_index: Any, p: float = 0.5, force_undirected: bool = False,
                 training: bool = True, *, rng: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Keep each edge with probability 1 - p (DropEdge, Rong et al., ICLR 2020).

    ``force_undirected=True`` draws once per edge (i, j) with i <= j, drops every edge with
    i > j, and returns the kept edges followed by their reverses (as PyG).

    Args:
        edge_index: (2, E). p: drop probability in [0, 1]. training: False (or p = 0) keeps
            every edge. rng: a ``numpy.random.Generator`` or a seed; None draws from npgnn's
            global generator (seeded by ``npgnn.manual_seed``); the draws never equal torch's.

    Returns:
        (edge_index, edge_mask): the (E,) bool mask of kept edges; with ``force_undirected``,
        the int64 ids of the kept edges, repeated twice (PyG's layout).

    Raises:
        ValueError: ``p`` outside [0, 1] or not a number.
    """
    from npgnn.nn.init import make_rng  # npgnn.nn imports the graph package, which imports us

    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) \
            or not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"p: dropout probability has to be between 0 and 1, got {p!r}")
    ei = as_edge_index(edge_index)
    if not training or p == 0.0:
        return ei, np.ones(ei.shape[1], dtype=bool)
    mask = make_rng(rng).random(ei.shape[1]) >= p
    if not force_undirected:
        return ei[:, mask], mask
    mask &= ei[0] <= ei[1]
    kept = ei[:, mask]
    ids = np.flatnonzero(mask)
    return np.concatenate([kept, kept[::-1]], axis=1), np.concatenate([ids, ids])
