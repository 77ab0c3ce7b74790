"""Attach a per-node array to a Graph: as a named attribute, or appended to ``x`` (PyG's
``add_node_attr``)."""
from __future__ import annotations

import numpy as np

from npgnn.graph import Graph


def add_node_attr(g: Graph, value: np.ndarray, attr_name: str | None, transform: str) -> Graph:
    """``g`` with ``value`` (N, K) stored as ``attr_name``, or concatenated to ``x`` (x becomes
    ``value`` when the graph has none) when ``attr_name`` is None.

    Raises:
        TypeError when the Graph record does not accept the attribute name.
    """
    if attr_name is None:
        if g.x is None:
            return g.replace(x=value)
        x = g.x.reshape(-1, 1) if g.x.ndim == 1 else g.x
        if not isinstance(x, np.ndarray):  # a scipy sparse x
            x = x.toarray()
        return g.replace(x=np.concatenate([x, value.astype(x.dtype)], axis=1))
    try:
        return g.replace(**{attr_name: value})
    except TypeError as err:
        raise TypeError(f"{transform}: this Graph cannot hold an attribute named {attr_name!r} "
                        f"({err}); pass attr_name=None to append the encoding to x") from err
