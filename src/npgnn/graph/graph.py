"""The graph record: one immutable, documented structure for a graph or a batch of graphs."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph import _checks
from npgnn.ops.segments import group_by

# Weights made up from nothing (an unweighted graph's "ones") use PyTorch's default float dtype:
# exact for counts, and a float32 model is not silently upcast. float64 inputs stay float64.
DEFAULT_WEIGHT_DTYPE = np.float32

_MASKS = ("train_mask", "val_mask", "test_mask")
_VIEWS = ("csr_by_target", "csr_by_source", "target_order", "source_order")  # _cache keys


@dataclass(frozen=True, eq=False)
class Graph:
    """A directed graph, or a batch of graphs packed block-diagonally.

    Convention: ``edge_index`` has shape (2, E), int64; row 0 holds the **source** j and row 1 the
    **target** i of a message j -> i. Node ids are absolute within a batch. In dense terms this is
    ``A[i, j] != 0`` (see ``csr_by_target`` and ``npgnn.graph.convert``).

    Fields (all optional but ``edge_index``):
        edge_index: (2, E) int64; any integer dtype or nested list is converted.
        num_nodes: N; inferred from ``x``, else ``batch``, else ``ptr``, else max id + 1
            (0 for no edges).
        x: (N, F) node features (ndarray, or a scipy CSR matrix for sparse bag-of-words features).
        edge_weight: (E,) float; None means every weight is 1. NaN is rejected.
        edge_attr: (E, D) edge features.
        y: node labels (N, ...) or graph labels (G, ...); not checked.
        train_mask, val_mask, test_mask: (N,) bool (0/1 integers are converted).
        batch: (N,) int64 graph id of each node, sorted non-decreasing, or None for one graph.
        ptr: (G+1,) int64 node offsets, graph g owns nodes ptr[g]:ptr[g+1], or None; it makes
            ``num_graphs`` explicit so graphs with 0 nodes count. ``batch`` is derived from it.

    Arrays are not copied: do not edit them in place (cached views would go stale); build a new
    Graph with ``replace`` instead, which also starts with an empty cache.

    Raises:
        TypeError, ValueError, IndexError: a field has the wrong dtype, shape or values; the
            message names the field.

    Example:
        >>> g = Graph(np.array([[0, 1, 1], [1, 0, 2]]), x=np.ones((3, 2)))
        >>> g
        Graph(num_nodes=3, num_edges=3, x=[3, 2])
        >>> g.in_degree()
        array([1, 1, 1])
    """

    edge_index: np.ndarray
    num_nodes: int = None  # type: ignore[assignment]  # None = infer; an int once constructed
    x: Any = None
    edge_weight: np.ndarray | None = None
    edge_attr: np.ndarray | None = None
    y: np.ndarray | None = None
    train_mask: np.ndarray | None = None
    val_mask: np.ndarray | None = None
    test_mask: np.ndarray | None = None
    batch: np.ndarray | None = None
    ptr: np.ndarray | None = None
    _cache: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # the dataclass is frozen; coercion happens only here
        ei = _checks.as_edge_index(self.edge_index)
        set_(self, "edge_index", ei)
        n = self.num_nodes
        if n is not None:
            n = _checks.as_count("num_nodes", n)
        x = None if self.x is None else _checks.as_features(self.x, n)
        ptr = None if self.ptr is None else _checks.as_ptr(self.ptr, None)
        if n is None:
            if x is not None:
                n = x.shape[0]
            elif self.batch is not None:
                n = int(np.size(self.batch))
            elif ptr is not None:
                n = int(ptr[-1])
            else:
                n = int(ei.max()) + 1 if ei.size else 0
        set_(self, "num_nodes", n)
        set_(self, "x", x)
        _checks.check_edge_ids(ei, n)
        e = ei.shape[1]
        if self.edge_weight is not None:
            set_(self, "edge_weight", _checks.as_edge_weight(self.edge_weight, e))
        if self.edge_attr is not None:
            set_(self, "edge_attr", _checks.as_edge_attr(self.edge_attr, e))
        if self.y is not None:
            set_(self, "y", np.asarray(self.y))
        for name in _MASKS:
            if getattr(self, name) is not None:
                set_(self, name, _checks.as_mask(name, getattr(self, name), n))
        if self.batch is not None:
            set_(self, "batch", _checks.as_batch(self.batch, n))
        if ptr is not None:
            set_(self, "ptr", _checks.as_ptr(ptr, n))
            if self.batch is None:
                graph_ids = np.arange(ptr.size - 1, dtype=np.int64)
                set_(self, "batch", np.repeat(graph_ids, np.diff(ptr)))
            else:
                _checks.check_batch_matches_ptr(self.batch, ptr)

    def validate(self) -> Graph:
        """Re-run every check (after in-place edits), drop the cached views, and return self.

        Raises:
            TypeError, ValueError, IndexError: as the constructor.
        """
        for view in _VIEWS:
            self._cache.pop(view, None)
        self.__post_init__()
        return self

    def replace(self, **changes: Any) -> Graph:
        """Return a new, re-validated Graph with ``changes`` applied and an empty cache."""
        return dataclasses.replace(self, **changes)

    # ----------------------------------------------------------------------------- properties
    @property
    def num_edges(self) -> int:
        """E, the number of columns of ``edge_index`` (duplicates count)."""
        return self.edge_index.shape[1]

    @property
    def num_features(self) -> int:
        """F, the number of columns of ``x`` (0 without ``x``)."""
        return 0 if self.x is None else self.x.shape[1]

    @property
    def num_graphs(self) -> int:
        """G: ``len(ptr) - 1`` if set, else 1 without ``batch``, else ``batch.max() + 1``."""
        if self.ptr is not None:
            return self.ptr.size - 1
        if self.batch is None:
            return 1
        return int(self.batch[-1]) + 1 if self.batch.size else 0

    def _weights(self, weight: Any = None) -> np.ndarray:
        if weight is not None:
            return _checks.as_edge_weight(weight, self.num_edges)
        if self.edge_weight is not None:
            return self.edge_weight
        return np.ones(self.num_edges, dtype=DEFAULT_WEIGHT_DTYPE)

    def in_degree(self, weighted: bool = False) -> np.ndarray:
        """(N,) number of incoming edges of each node (int64), or their weight sum if weighted."""
        return self._degree(self.edge_index[1], weighted)

    def out_degree(self, weighted: bool = False) -> np.ndarray:
        """(N,) number of outgoing edges of each node (int64), or their weight sum if weighted."""
        return self._degree(self.edge_index[0], weighted)

    def _degree(self, ids: np.ndarray, weighted: bool) -> np.ndarray:
        if not weighted:
            return np.bincount(ids, minlength=self.num_nodes)
        w = self._weights()
        return np.bincount(ids, weights=w, minlength=self.num_nodes).astype(w.dtype)

    def has_self_loops(self) -> bool:
        """True if some edge i -> i exists."""
        return bool((self.edge_index[0] == self.edge_index[1]).any())

    def has_isolated_nodes(self) -> bool:
        """True if some node is on no edge other than its own self-loops (PyG's definition)."""
        src, dst = self.edge_index
        keep = src != dst
        touched = np.zeros(self.num_nodes, dtype=bool)
        touched[src[keep]] = True
        touched[dst[keep]] = True
        return not touched.all()

    def is_undirected(self) -> bool:
        """True if every edge j -> i has a reverse i -> j and, when weighted, the same weight.

        Multiplicity is ignored unless weighted: then duplicate edges are summed first, as in
        ``csr_by_target``, and weights are compared up to a relative 1e-6 (sums of duplicates
        in another order differ by rounding).
        """
        a = self.csr_by_target()  # canonical; explicit zeros (0-weight edges) stay as entries
        b = a.T.tocsr()
        b.sort_indices()
        if not (np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)):
            return False
        if self.edge_weight is None:
            return True
        return bool((abs(a.data - b.data) <= 1e-6 * np.maximum(abs(a.data), abs(b.data))).all())

    # ----------------------------------------------------------------------------- sparse views
    def csr_by_target(self, weight: np.ndarray | None = None) -> sp.csr_matrix:
        """(N, N) CSR matrix with ``A[i, j]`` = the summed weights of the edges j -> i.

        Row i lists the incoming edges of node i, so ``A @ h`` sums messages at targets.
        ``weight``: None uses ``edge_weight`` (ones of ``DEFAULT_WEIGHT_DTYPE`` if unset) and
        caches the result: treat it as read-only. An explicit (E,) array is not cached. The dtype
        follows the weights. Duplicate edges are summed.

        Raises:
            ValueError: ``weight`` does not have shape (E,).
        """
        if weight is not None:
            return self._build_csr(self._weights(weight), transpose=False)
        if "csr_by_target" not in self._cache:
            self._cache["csr_by_target"] = self._build_csr(self._weights(), transpose=False)
        return self._cache["csr_by_target"]

    def csr_by_source(self, weight: np.ndarray | None = None) -> sp.csr_matrix:
        """(N, N) CSR matrix ``B = A.T``: ``B[j, i]`` = summed weights of edges j -> i.

        Row j lists the outgoing edges of node j (the transpose used by backward passes).
        Caching and ``weight`` as in ``csr_by_target``.
        """
        if weight is not None:
            return self._build_csr(self._weights(weight), transpose=True)
        if "csr_by_source" not in self._cache:
            self._cache["csr_by_source"] = self._build_csr(self._weights(), transpose=True)
        return self._cache["csr_by_source"]

    def _build_csr(self, w: np.ndarray, transpose: bool) -> sp.csr_matrix:
        src, dst = self.edge_index
        rows, cols = (src, dst) if transpose else (dst, src)
        n = self.num_nodes
        a = sp.csr_matrix((w, (rows, cols)), shape=(n, n), dtype=w.dtype)  # sums duplicates
        a.sum_duplicates()  # canonical: sorted column indices
        return a

    def target_order(self) -> tuple[np.ndarray, np.ndarray]:
        """Edges grouped by target, for segment kernels over each node's incoming edges.

        Returns (perm, indptr): perm (E,) int64, a stable argsort of the targets; indptr (N+1,)
        int64, such that ``perm[indptr[i]:indptr[i + 1]]`` are the incoming edges of node i.
        Cached and read-only.
        """
        return self._order("target_order", self.edge_index[1])

    def source_order(self) -> tuple[np.ndarray, np.ndarray]:
        """As ``target_order``, grouped by source: each node's outgoing edges."""
        return self._order("source_order", self.edge_index[0])

    def _order(self, key: str, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if key not in self._cache:
            perm, indptr = group_by(ids, self.num_nodes)
            perm.flags.writeable = False
            indptr.flags.writeable = False
            self._cache[key] = (perm, indptr)
        return self._cache[key]

    def __repr__(self) -> str:
        parts = [f"num_nodes={self.num_nodes}", f"num_edges={self.num_edges}"]
        if self.batch is not None:
            parts.append(f"num_graphs={self.num_graphs}")
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("edge_index", "num_nodes", "_cache") or value is None:
                continue
            if sp.issparse(value):
                parts.append(f"{f.name}=csr{list(value.shape)}(nnz={value.nnz})")
            elif np.ndim(value) == 0:
                parts.append(f"{f.name}={value}")
            else:
                parts.append(f"{f.name}={list(value.shape)}")
        return f"Graph({', '.join(parts)})"
