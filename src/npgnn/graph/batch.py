"""Many graphs of different sizes as one block-diagonal Graph (PyG's ``Batch``), and back."""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph import _checks
from npgnn.graph.graph import _CORE_SET, Graph, _coerce, _is_array, _present

#: Batch-only fields: rebuilt by from_data_list, never taken from (or given back to) the graphs.
_OWN = ("batch", "ptr", "num_nodes")


class _Slices:
    """How one attribute was packed: enough to cut graph k's part out again."""

    __slots__ = ("value", "dim", "offsets", "incs", "kind", "edge_level")

    def __init__(self, value: Any, dim: Any, offsets: np.ndarray, incs: np.ndarray | None,
                 kind: str, edge_level: bool) -> None:
        self.value, self.dim, self.offsets, self.incs = value, dim, offsets, incs
        self.kind, self.edge_level = kind, edge_level   # kind: cat, stack, sparse, number, list


class Batch(Graph):
    """A disjoint union of graphs with ``batch`` (node -> graph) and ``ptr`` (node offsets).

    Built by ``Batch.from_data_list(graphs)`` (``from_graphs`` is the same); a ``Batch`` is a
    ``Graph`` that remembers how each attribute was packed, so ``get_example(k)``,
    ``batch[k]`` and ``to_data_list()`` give the original graphs back (of their own class, with
    their extra attributes). Packing follows each graph's ``__cat_dim__``/``__inc__`` (see
    ``Graph``): ``edge_index`` and other ``*index*`` keys are offset by the node counts before
    them; node- and edge-level arrays are concatenated; ``y`` too, as in PyG, so labels of
    shape (1,) give ``batch.y`` of shape (B,) and (1, k) give (B, k); a 0-d value or a Python
    number per graph gives (B,); attributes declared ``set_level(key="graph")`` are stacked
    ((k,) -> (B, k)); anything else becomes a list of B values.

    Attributes:
        batch: (N,) int64 graph id of each node. ptr: (B+1,) int64 node offsets.
        num_graphs: B, graphs with 0 nodes included.

    Example:
        >>> g = Graph([[0, 1], [1, 0]], x=np.ones((2, 3)), y=np.array([1]))
        >>> b = Batch.from_data_list([g, g, g])
        >>> b
        Batch(x=[6, 3], edge_index=[2, 6], y=[3], batch=[6], ptr=[4])
        >>> b.num_graphs, b.y.shape, b.get_example(2).edge_index.tolist()
        (3, (3,), [[0, 1], [1, 0]])
    """

    @classmethod
    def from_data_list(cls, data_list: Iterable[Graph], follow_batch: Sequence[str] | None = None,
                       exclude_keys: Sequence[str] | None = None) -> Batch:
        """Pack ``data_list`` into one Batch (PyG's ``Batch.from_data_list``).

        Args:
            data_list: Graphs (any subclass), each a single graph (no ``batch`` of its own).
            follow_batch: keys for which ``<key>_batch`` and ``<key>_ptr`` are added (the graph
                of each entry along the key's concatenation dimension), as in PyG.
            exclude_keys: keys left out of the batch.

        Raises:
            TypeError: an item is not a Graph.
            ValueError: no graphs; an item is already a batch of several graphs; an attribute
                is set on some graphs but not others; shapes differ off the concatenation
                dimension; sparse and dense values are mixed.
        """
        graphs = list(data_list)
        if not graphs:
            raise ValueError("data_list: expected at least one Graph, got an empty sequence")
        types = set(map(type, graphs))
        if not all(issubclass(t, Graph) for t in types):
            k = next(k for k, g in enumerate(graphs) if not isinstance(g, Graph))
            raise TypeError(f"data_list[{k}]: expected a Graph, got {type(graphs[k]).__name__}")
        first = graphs[0]
        exclude = set(exclude_keys or ())
        first_keys = first.__dict__.keys()
        for k, g in enumerate(graphs):
            if g.__dict__.keys() != first_keys:          # C-level compare; details only on error
                _key_mismatch(first, g, k, exclude)
        if "batch" in first_keys:
            for k, g in enumerate(graphs):
                if g.num_graphs != 1:
                    raise ValueError(f"data_list[{k}]: is already a batch of {g.num_graphs} "
                                     f"graph(s); unbatch it first (to_data_list)")
        keys = [k for k in first.keys() if k not in _OWN and k not in exclude]
        counts = np.array([g.__dict__["num_nodes"] for g in graphs], dtype=np.int64)
        ecounts = np.array([g.__dict__["edge_index"].shape[1] for g in graphs], dtype=np.int64)
        ptr = _offsets(counts)
        default_inc = all(t.__inc__ is Graph.__inc__ for t in set(map(type, graphs)))
        values: dict[str, Any] = {}
        slices: dict[str, _Slices] = {}
        for key in keys:
            items = [g.__dict__[key] for g in graphs]
            value, meta = _collate(key, items, graphs, counts, ecounts, default_inc)
            values[key] = value
            slices[key] = meta
        for key in follow_batch or ():
            if key in slices and slices[key].kind in ("cat", "stack", "number", "list"):
                sizes = np.diff(slices[key].offsets)
                values[f"{key}_batch"] = np.repeat(np.arange(len(graphs)), sizes)
                values[f"{key}_ptr"] = slices[key].offsets.copy()
        out = cls.__new__(cls)
        d = out.__dict__
        d.update(_cache={}, _levels=dict(first.__dict__["_levels"]), _n_given=False,
                 _slices=slices, _data_cls=type(first),
                 _n_given_items="num_nodes" in first.keys())
        d.update({k: v for k, v in values.items() if k in _CORE_SET})
        d.update(num_nodes=int(ptr[-1]), ptr=ptr,
                 batch=np.repeat(np.arange(len(graphs), dtype=np.int64), counts))
        d.update({k: v for k, v in values.items() if k not in _CORE_SET})
        return out

    @classmethod
    def from_graphs(cls, graphs: Iterable[Graph]) -> Batch:
        """The same as ``from_data_list`` (npgnn's earlier name)."""
        return cls.from_data_list(graphs)

    def get_example(self, idx: int) -> Graph:
        """Graph ``idx`` of the batch, with local node ids, of the class it was given as.

        Raises:
            IndexError: ``idx`` is out of range. ValueError: an attribute cannot be split
                (an edge joins two graphs, or a value fits no level).
        """
        b = self.num_graphs
        i = _checks.as_count("idx", idx, minimum=-b) if not isinstance(idx, int) else idx
        if not -b <= i < b:
            raise IndexError(f"get_example: index {idx} is out of range for {b} graphs")
        return self._split([i % b])[0]

    def index_select(self, idx: Any) -> list[Graph]:
        """The graphs at ``idx`` (a slice, int sequence/array or bool mask), as a list."""
        b = self.num_graphs
        if isinstance(idx, slice):
            ids = np.arange(b)[idx]
        else:
            arr = np.asarray(idx)
            if arr.dtype == bool:
                if arr.shape != (b,):
                    raise IndexError(f"index_select: a boolean mask must have shape ({b},), got "
                                     f"{arr.shape}")
                ids = np.flatnonzero(arr)
            elif arr.ndim == 1 and (arr.size == 0 or arr.dtype.kind in "iu"):
                ids = arr.astype(np.int64)
                if ids.size and (ids.min() < -b or ids.max() >= b):
                    raise IndexError(f"index_select: indices must lie in [{-b}, {b}), found "
                                     f"min={ids.min()} max={ids.max()}")
                ids = ids % b if b else ids
            else:
                raise TypeError(f"index_select: expected a slice, a 1-D integer array or a "
                                f"boolean mask, got {type(idx).__name__}")
        return self._split([int(i) for i in ids])

    def to_data_list(self) -> list[Graph]:
        """Every graph of the batch (the inverse of ``from_data_list``)."""
        return self._split(list(range(self.num_graphs)))

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, str):
            return super().__getitem__(idx)
        if isinstance(idx, (int, np.integer)) and not isinstance(idx, bool):
            return self.get_example(int(idx))
        return self.index_select(idx)

    def _split(self, ids: list[int]) -> list[Graph]:
        return _separate(self, ids, self.__dict__.get("_slices", {}),
                         self.__dict__.get("_data_cls", Graph),
                         self.__dict__.get("_n_given_items", False))


def unbatch(g: Graph) -> list[Graph]:
    """Split a batched Graph into its graphs, with local node ids.

    A ``Batch`` gives back exactly what ``from_data_list`` packed. On a Graph it did not build
    (or attributes replaced since, e.g. by a transform that reorders edges), each attribute's
    level is inferred: N rows along its concatenation dimension is node-level (split by
    ``ptr``), E is edge-level (split by the graph of each edge's source, keeping the edges'
    relative order), B is graph-level (one row per graph). Without ``batch`` the result is
    ``[g]``.

    Raises:
        ValueError: an edge joins two graphs, or an attribute fits no level.
    """
    if g.batch is None:
        return [g]
    return _separate(g, list(range(g.num_graphs)), g.__dict__.get("_slices", {}),
                     g.__dict__.get("_data_cls", Graph), g.__dict__.get("_n_given_items", False))


# --------------------------------------------------------------------------------- packing


def _key_mismatch(first: Graph, g: Graph, k: int, exclude: set[str]) -> None:
    mine = {key for key in first.keys() if key not in _OWN and key not in exclude}
    other = {key for key in g.keys() if key not in _OWN and key not in exclude}
    for key in sorted(mine ^ other):
        raise ValueError(f"{key}: set on graph {0 if key in mine else k} but not on graph "
                         f"{k if key in mine else 0}; give every graph the same attributes")


def _shape_mismatch(key: str, items: list[Any], arrays: list[Any], dim: int) -> None:
    ref = arrays[0].shape[:dim] + arrays[0].shape[dim + 1:]
    for k, v in enumerate(arrays):
        if v.ndim != arrays[0].ndim or v.shape[:dim] + v.shape[dim + 1:] != ref:
            raise ValueError(f"{key}: graph {k} has shape {items[k].shape}, graph 0 has "
                             f"{items[0].shape}; they may differ only along dimension {dim}")
def _offsets(sizes: np.ndarray) -> np.ndarray:
    out = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out


def inc_amounts(key: str, items: list[Any], graphs: list[Graph], counts: np.ndarray,
                default_inc: bool) -> np.ndarray:
    """Each graph's ``__inc__`` for ``key`` (what its values are offset by in a batch), (B,)."""
    if default_inc:
        if "batch" in key and _is_array(items[0]):
            return np.array([int(np.max(v)) + 1 if np.size(v) else 0 for v in items])
        if "index" in key or key == "face":
            return counts
        return np.zeros(len(items), dtype=np.int64)
    per = np.array([g.__inc__(key, v) for g, v in zip(graphs, items)])
    if per.ndim != 1:
        raise ValueError(f"{key}: __inc__ must return one number per graph, got shape "
                         f"{per.shape[1:]}")
    return per


def _incs(key: str, items: list[Any], graphs: list[Graph], counts: np.ndarray,
          default_inc: bool) -> np.ndarray:
    """Exclusive cumulative sum of each graph's ``__inc__`` for ``key``."""
    return _offsets(inc_amounts(key, items, graphs, counts, default_inc))[:-1]


def _collate(key: str, items: list[Any], graphs: list[Graph], counts: np.ndarray,
             ecounts: np.ndarray, default_inc: bool) -> tuple[Any, _Slices]:
    elem = items[0]
    num = len(items)
    types = set(map(type, items))
    if any(issubclass(t, (sp.spmatrix, sp.sparray)) for t in types):
        return _collate_sparse(key, items, graphs[0])
    if isinstance(elem, np.ndarray):
        if len(types) > 1:
            k = next(k for k, v in enumerate(items) if not isinstance(v, np.ndarray))
            raise ValueError(f"{key}: graph 0 holds an array, graph {k} a "
                             f"{type(items[k]).__name__}; give every graph the same kind")
        dim = graphs[0].__cat_dim__(key, elem)
        stack = dim is None or elem.ndim == 0
        if stack:
            arrays, dim = [v[None] for v in items], 0
        else:
            arrays, dim = items, dim % elem.ndim
        try:
            value = np.concatenate(arrays, axis=dim)
        except ValueError:
            _shape_mismatch(key, items, arrays, dim)
            raise
        if dim == 0:
            sizes = np.array(list(map(len, arrays)), dtype=np.int64)
        else:
            sizes = np.fromiter((v.shape[dim] for v in arrays), dtype=np.int64, count=num)
        incs = _incs(key, items, graphs, counts, default_inc)
        if incs.any():
            shape = [1] * value.ndim
            shape[dim] = -1
            value = value + np.repeat(incs, sizes).reshape(shape).astype(value.dtype, copy=False)
        edge_level = not stack and np.array_equal(sizes, ecounts)
        return value, _Slices(value, dim, _offsets(sizes), incs if incs.any() else None,
                              "stack" if stack else "cat", edge_level)
    if isinstance(elem, (numbers.Number, np.generic)) and not isinstance(elem, str):
        incs = _incs(key, items, graphs, counts, default_inc)
        value = np.array(items)
        if incs.any():
            value = value + incs
        return value, _Slices(value, 0, np.arange(num + 1), incs if incs.any() else None,
                              "number", False)
    value = list(items)
    return value, _Slices(value, 0, np.arange(num + 1), None, "list", False)


def _collate_sparse(key: str, items: list[Any], first: Graph) -> tuple[Any, _Slices]:
    dense = [k for k, v in enumerate(items) if not sp.issparse(v)]
    if dense:
        raise ValueError(f"{key}: graph {0 if dense[0] else 1} has scipy sparse values but "
                         f"graph {dense[0]} dense ones; convert them to one kind")
    dim = first.__cat_dim__(key, items[0])
    if isinstance(dim, tuple):
        value = sp.block_diag(items, format="csr")
        sizes = np.array([v.shape for v in items], dtype=np.int64)
        offsets = np.concatenate([np.zeros((1, 2), np.int64), np.cumsum(sizes, axis=0)])
        return value, _Slices(value, (0, 1), offsets, None, "sparse", False)
    for k, v in enumerate(items):
        if v.shape[1:] != items[0].shape[1:]:
            raise ValueError(f"{key}: graph {k} has per-row shape {v.shape[1:]}, graph 0 has "
                             f"{items[0].shape[1:]}; all graphs need the same feature shape")
    value = sp.vstack(items, format="csr")
    sizes = np.fromiter((v.shape[0] for v in items), dtype=np.int64, count=len(items))
    return value, _Slices(value, 0, _offsets(sizes), None, "cat", False)


# --------------------------------------------------------------------------------- separating
def _separate(g: Graph, ids: list[int], slices: dict[str, _Slices], cls: type,
              n_given: bool) -> list[Graph]:
    d = g.__dict__
    ptr = g.ptr
    if ptr is None:
        ptr = _offsets(np.bincount(g.batch, minlength=g.num_graphs))
    counts = np.diff(ptr)
    keys = [k for k in g.keys() if k not in _OWN]
    valid = {k: s for k, s in slices.items() if k in d and d[k] is s.value}
    if "edge_index" not in valid:          # edges rebuilt: nothing packed per edge is trusted
        valid = {k: s for k, s in valid.items() if not s.edge_level}
    perm, eptr = (None, None) if all(k in valid for k in keys) else _edge_groups(g, ptr)
    parts: list[dict[str, Any]] = [{} for _ in ids]
    for key in keys:
        value = d[key]
        s = valid.get(key)
        for j, k in enumerate(ids):
            parts[j][key] = (_cut(s, k) if s is not None
                             else _infer_cut(g, key, value, k, ptr, perm, eptr))
        if key == "edge_index" and s is None:
            for j, k in enumerate(ids):
                parts[j][key] = parts[j][key] - ptr[k]
    out = []
    levels = d.get("_levels", {})
    for j, k in enumerate(ids):
        item = cls.__new__(cls)
        fields = {name: parts[j].get(name) for name in _CORE_SET if name not in _OWN}
        fields.update(num_nodes=int(counts[k]), batch=None, ptr=None)
        item.__dict__.update(_cache={}, _levels=dict(levels), _n_given=n_given)
        item.__dict__.update(_present(_coerce(fields, set(fields), True)))
        item.__dict__.update({key: v for key, v in parts[j].items() if key not in _CORE_SET})
        out.append(item)
    return out


def _cut(s: _Slices, k: int) -> Any:
    if s.kind == "list":
        return s.value[k]
    if s.kind == "number":
        v = s.value[k] - (s.incs[k] if s.incs is not None else 0)
        return v.item()
    if s.kind == "sparse":
        (r0, c0), (r1, c1) = s.offsets[k], s.offsets[k + 1]
        return s.value[r0:r1, c0:c1]
    lo, hi = s.offsets[k], s.offsets[k + 1]
    index = [slice(None)] * s.value.ndim
    index[s.dim] = slice(lo, hi)
    part = s.value[tuple(index)]
    if s.incs is not None:
        part = part - s.incs[k]
    if s.kind == "stack":
        part = part[0]
    return part


def _edge_groups(g: Graph, ptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges sorted by the graph of their source (stable), and the per-graph edge offsets."""
    src, dst = g.edge_index
    edge_graph = g.batch[src]
    crossing = np.flatnonzero(edge_graph != g.batch[dst])
    if crossing.size:
        e = crossing[0]
        raise ValueError(f"edge_index: edge {e} ({src[e]} -> {dst[e]}) joins graph "
                         f"{edge_graph[e]} and {g.batch[dst[e]]}; cannot unbatch")
    perm = np.argsort(edge_graph, kind="stable")
    return perm, _offsets(np.bincount(edge_graph, minlength=ptr.size - 1))


def _infer_cut(g: Graph, key: str, value: Any, k: int, ptr: np.ndarray, perm: Any,
               eptr: Any) -> Any:
    if not _is_array(value) or np.ndim(value) == 0:
        raise ValueError(f"{key}: {type(value).__name__} cannot be split into "
                         f"{g.num_graphs} graphs (it was not packed by Batch.from_data_list)")
    dim = g.__cat_dim__(key, value)
    dim = 0 if dim is None or isinstance(dim, tuple) else dim % value.ndim
    size = value.shape[dim]
    index = [slice(None)] * value.ndim
    level = g.__dict__["_levels"].get(key)
    if level == "graph" and size == g.num_graphs:
        index[dim] = k
    elif key not in ("edge_weight", "edge_attr", "edge_index") and size == g.num_nodes \
            and level != "edge":
        index[dim] = slice(ptr[k], ptr[k + 1])
    elif size == g.num_edges:
        index[dim] = perm[eptr[k]:eptr[k + 1]]
    elif size == g.num_graphs:
        index[dim] = slice(k, k + 1) if value.ndim == 1 else k
    else:
        raise ValueError(f"{key}: expected {g.num_nodes} (nodes), {g.num_edges} (edges) or "
                         f"{g.num_graphs} (graphs) entries along dimension {dim}, got shape "
                         f"{value.shape}; cannot unbatch")
    return value[tuple(index)]
