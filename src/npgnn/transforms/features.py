"""Node-feature transforms: NormalizeFeatures, Constant, OneHotDegree."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph._checks import as_count
from npgnn.graph.graph import Graph
from npgnn.transforms.base_transform import BaseTransform
from npgnn.utils.degree import degree


class NormalizeFeatures(BaseTransform):
    """Shift features to a minimum of 0, then divide each row by its sum (PyG 2.8's).

    For each attribute in ``attrs`` (default ``['x']``): ``v = v - v.min()`` (the global
    minimum), then ``v / max(row sum, 1)``: rows summing to less than 1 (such as all-zero rows)
    are divided by 1, as PyG's ``clamp(min=1)``. Integer features become float64 (torch keeps the
    dtype and fails on the in-place division). A scipy CSR ``x`` stays sparse when its minimum
    is 0 (as for bag-of-words counts); otherwise the shift makes it dense.
    (``npgnn.graph.normalize_features`` is Kipf & Welling's row normalisation, without the
    shift or the clamp.)

    Raises:
        ValueError: an attribute of ``attrs`` is not set on the Graph.
    """

    def __init__(self, attrs: Sequence[str] | None = None):
        self.attrs = list(attrs or ["x"])

    def forward(self, data: Graph) -> Graph:
        changes = {}
        for key in self.attrs:
            value = getattr(data, key, None)
            if value is None:
                raise ValueError(f"NormalizeFeatures: the graph has no attribute {key!r} "
                                 f"(attrs={self.attrs})")
            if np.prod(value.shape) > 0:
                changes[key] = _normalize(value)
        return data.replace(**changes)


def _normalize(value: Any) -> Any:
    dtype = np.result_type(value.dtype, np.float32)
    low = value.min()
    if sp.issparse(value) and low == 0:
        out = value.astype(dtype, copy=True).tocsr()
        scale = 1 / np.maximum(np.asarray(out.sum(axis=1)).ravel(), 1)
        out.data *= np.repeat(scale, np.diff(out.indptr)).astype(dtype)
        return out
    dense = value.toarray() if sp.issparse(value) else np.asarray(value)
    out = dense.astype(dtype) - dtype.type(low)
    return out / np.maximum(out.sum(axis=-1, keepdims=True), 1)


class Constant(BaseTransform):
    """Append a constant feature column ``value`` to ``x`` (or make it ``x``) (PyG's).

    The column is float32, cast to ``x``'s dtype when concatenated (``cat=True`` and ``x``
    set; a 1-D ``x`` is read as one column). ``node_types`` is for heterogeneous graphs: as in
    PyG, any value other than None leaves a homogeneous Graph unchanged.
    """

    def __init__(self, value: float = 1.0, cat: bool = True,
                 node_types: str | list[str] | None = None):
        if isinstance(node_types, str):
            node_types = [node_types]
        self.value, self.cat, self.node_types = value, cat, node_types

    def forward(self, data: Graph) -> Graph:
        if self.node_types is not None:
            return data.replace()
        column = np.full((data.num_nodes, 1), self.value, dtype=np.float32)
        return data.replace(x=_append(data.x, column, self.cat))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(value={self.value})"


class OneHotDegree(BaseTransform):
    """Append the one-hot out-degree (in-degree if ``in_degree``) of each node to ``x`` (PyG's).

    Degrees 0..max_degree give max_degree + 1 float32 columns (cast to ``x``'s dtype when
    concatenated). Used for featureless graph classification (Xu et al., GIN, 2019).

    Raises:
        ValueError: a node's degree exceeds ``max_degree`` (PyG fails inside one_hot),
            ``max_degree`` negative. TypeError: ``max_degree`` not an int.
    """

    def __init__(self, max_degree: int, in_degree: bool = False, cat: bool = True):
        self.max_degree = as_count("max_degree", max_degree)
        self.in_degree, self.cat = in_degree, cat

    def forward(self, data: Graph) -> Graph:
        deg = degree(data.edge_index[1 if self.in_degree else 0], data.num_nodes, np.int64)
        if deg.size and deg.max() > self.max_degree:
            raise ValueError(f"OneHotDegree: a node has degree {deg.max()} > max_degree="
                             f"{self.max_degree}; raise max_degree")
        onehot = np.zeros((data.num_nodes, self.max_degree + 1), dtype=np.float32)
        onehot[np.arange(data.num_nodes), deg] = 1
        return data.replace(x=_append(data.x, onehot, self.cat))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.max_degree})"


def _append(x: Any, columns: np.ndarray, cat: bool) -> Any:
    if x is None or not cat:
        return columns
    if sp.issparse(x):
        return sp.hstack([x, sp.csr_matrix(columns.astype(x.dtype))], format="csr")
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    return np.concatenate([x, columns.astype(x.dtype)], axis=-1)
