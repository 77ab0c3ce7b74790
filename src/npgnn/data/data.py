"""``Data``: a Graph built with PyG's positional argument order."""
from __future__ import annotations

from typing import Any

from npgnn.graph.graph import Graph


class Data(Graph):
    """A ``Graph`` with PyG's constructor: ``Data(x=None, edge_index=None, edge_attr=None,
    y=None, pos=None, time=None, **kwargs)``.

    ``pos`` (node positions) and ``time`` (timestamps) are extra attributes like any other keyword;
    every other attribute, method, check and error is ``Graph``'s.

    Example:
        >>> import numpy as np
        >>> Data(np.ones((3, 1)), np.array([[0, 1, 1, 2], [1, 0, 2, 1]]))
        Data(x=[3, 1], edge_index=[2, 4])
    """

    def __init__(self, x: Any = None, edge_index: Any = None, edge_attr: Any = None, y: Any = None,
                 pos: Any = None, time: Any = None, **kwargs: Any) -> None:
        super().__init__(edge_index=edge_index, x=x, edge_attr=edge_attr, y=y, pos=pos,
                         time=time, **kwargs)
