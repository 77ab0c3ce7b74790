"""PyG's ``torch_geometric.data`` names: ``Data``, ``Batch``.

``Data`` is a ``Graph`` whose constructor takes PyG's positional order
``Data(x, edge_index, edge_attr, y, pos, time, **kwargs)`` (``Graph``'s own order starts with
``edge_index``); everything else is ``Graph``'s.
"""
from npgnn.data.data import Data
from npgnn.graph.batch import Batch

__all__ = ["Batch", "Data"]
