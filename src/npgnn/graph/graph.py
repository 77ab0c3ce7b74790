"""The graph record (PyG's ``Data``): a validated core plus any extra named attributes."""
from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph import _checks
from npgnn.ops.segments import group_by

# Weights made up from nothing (an unweighted graph's "ones") use PyTorch's default float dtype:
# exact for counts, and a float32 model is not silently upcast. float64 inputs stay float64.
DEFAULT_WEIGHT_DTYPE = np.float32

_MASKS = ("train_mask", "val_mask", "test_mask")
#: The validated fields, in the order ``keys()`` and ``repr`` list them (PyG's: x first).
CORE = ("x", "edge_index", "edge_attr", "edge_weight", "y", *_MASKS, "batch", "ptr")
_CORE_SET = frozenset((*CORE, "num_nodes"))
#: Fields the cached views (CSR, edge orders, layer structures) are derived from.
_STRUCTURE = frozenset(("edge_index", "num_nodes", "edge_weight", "edge_attr"))
_LEVELS = ("node", "edge", "graph")
#: Once one of these is set, an inferred num_nodes is fixed (a new x must match it).
_NODE_FIELDS = ("x", "batch", "ptr", *_MASKS)


class Graph:
    """A directed graph, or a batch of graphs packed block-diagonally: PyG's ``Data``.

    Convention: ``edge_index`` has shape (2, E), int64; row 0 holds the **source** j and row 1 the
    **target** i of a message j -> i. Node ids are absolute within a batch. In dense terms this is
    ``A[i, j] != 0`` (see ``csr_by_target`` and ``npgnn.graph.convert``).

    Core fields (validated when given and whenever set; all optional):
        edge_index: (2, E) int64; any integer dtype or nested list is converted; None = no edges.
        num_nodes: N; inferred from ``x``, else ``batch``, else ``ptr``, else max id + 1
            (0 for no edges). Given explicitly, it is listed by ``keys()`` (as in PyG).
        x: (N, F) node features (ndarray, or a scipy CSR matrix for sparse bag-of-words features).
        edge_weight: (E,) float; None means every weight is 1. NaN is rejected.
        edge_attr: (E, D) edge features.
        y: labels of any shape (node-level (N, ...) or graph-level); converted to an ndarray of
            integer class ids or float32/float64 targets (bool, complex, object, strings and
            float16 raise TypeError).
        train_mask, val_mask, test_mask: (N,) bool (0/1 integers are converted; float, complex,
            object and string masks raise TypeError).
        batch: (N,) int64 graph id of each node, sorted non-decreasing, or None for one graph.
        ptr: (G+1,) int64 node offsets, graph g owns nodes ptr[g]:ptr[g+1], or None; it makes
            ``num_graphs`` explicit so graphs with 0 nodes count. ``batch`` is derived from it.
    npgnn ``Tensor`` and torch tensors given as core fields are converted to ndarrays.

    Extra attributes: any other keyword (``Graph(..., edge_label=l, foo=1)``) or assignment
    (``g.edge_label_index = ...``, ``g["foo"] = ...``) is stored as given. Its level (how
    ``Batch`` packs it) follows PyG's ``__cat_dim__``/``__inc__`` rules, which a subclass may
    override: a key containing ``"index"`` (or ``"face"``) holds node ids, is concatenated on its
    last dimension and offset by the node count of the graphs before it; any other array is
    concatenated on dimension 0; 0-d arrays and Python numbers are stacked; other objects are
    collected into a list. ``set_level(key="graph")`` declares a graph-level attribute, which
    ``Batch`` stacks on a new leading axis (a (k,) target becomes (B, k)); ``"node"``/``"edge"``
    declarations are checked to have N/E rows whenever set. Assigning None removes an attribute.

    Setting a field validates the new value (and whatever depends on it), so an invalid Graph is
    never observable; a change that must touch several fields at once (a new ``edge_index`` with
    a matching ``edge_attr``) goes through ``update({...})`` or ``replace(...)``. Setting
    ``edge_index``, ``num_nodes``, ``edge_weight`` or ``edge_attr`` drops the cached views.
    Arrays are not copied: editing one in place bypasses the checks and the cache; call
    ``validate()`` afterwards.

    Raises:
        TypeError, ValueError, IndexError: a field has the wrong dtype, shape or values; the
            message names the field.

    Example:
        >>> g = Graph(np.array([[0, 1, 1], [1, 0, 2]]), x=np.ones((3, 2)), foo=1)
        >>> g
        Graph(x=[3, 2], edge_index=[2, 3], foo=1)
        >>> g.in_degree(), g.keys()
        (array([1, 1, 1]), ['x', 'edge_index', 'foo'])
        >>> g.y = np.array([0, 1, 1]); "y" in g, g.num_node_features
        (True, 2)
    """

    # A class-level None for every core field: a Graph built by __new__ (copy, unpickle of an
    # older record) still answers them.
    x: Any = None
    edge_weight: np.ndarray | None = None
    edge_attr: np.ndarray | None = None
    y: np.ndarray | None = None
    train_mask: np.ndarray | None = None
    val_mask: np.ndarray | None = None
    test_mask: np.ndarray | None = None
    batch: np.ndarray | None = None
    ptr: np.ndarray | None = None

    def __init__(self, edge_index: Any = None, num_nodes: int | None = None, x: Any = None,
                 edge_weight: Any = None, edge_attr: Any = None, y: Any = None,
                 train_mask: Any = None, val_mask: Any = None, test_mask: Any = None,
                 batch: Any = None, ptr: Any = None, **kwargs: Any) -> None:
        d = self.__dict__
        d["_cache"] = {}
        d["_levels"] = {}
        d["_n_given"] = num_nodes is not None
        fields = dict(x=x, edge_index=edge_index, edge_attr=edge_attr, edge_weight=edge_weight,
                      y=y, train_mask=train_mask, val_mask=val_mask, test_mask=test_mask,
                      batch=batch, ptr=ptr, num_nodes=num_nodes)
        d.update(_present(_coerce(fields, set(fields), num_nodes is not None)))
        for key, value in kwargs.items():
            if value is not None:
                self._set_extra(key, value)

    # ----------------------------------------------------------------------------- storage
    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        elif key in _CORE_SET:
            self._set_core({key: value})
        else:
            prop = getattr(type(self), key, None)
            if prop is not None and not isinstance(prop, property):
                raise AttributeError(f"{key!r}: is a method of {type(self).__name__}; choose "
                                     f"another attribute name")
            if isinstance(prop, property):
                if prop.fset is None:
                    raise AttributeError(f"{key!r}: is a read-only property of "
                                         f"{type(self).__name__}")
                prop.fset(self, value)
            elif value is None:
                self.__dict__.pop(key, None)
            else:
                self._set_extra(key, value)

    def __delattr__(self, key: str) -> None:
        if key in _CORE_SET:
            self._set_core({key: None})
        elif key in self.__dict__ and not key.startswith("_"):
            del self.__dict__[key]
        else:
            raise AttributeError(f"{type(self).__name__} has no attribute {key!r}")

    def _set_core(self, changes: dict[str, Any]) -> None:
        d = self.__dict__
        n_given = d["_n_given"] or changes.get("num_nodes") is not None
        if "num_nodes" in changes and changes["num_nodes"] is None:
            n_given = False
        current = {k: d.get(k) for k in (*CORE, "num_nodes")}
        current.update(changes)
        if not n_given and "num_nodes" not in changes and \
                not any(d.get(k) is not None for k in _NODE_FIELDS):
            current["num_nodes"] = None      # inferred from edge ids alone: infer it again
        changed = set(changes) | ({"num_nodes"} if current["num_nodes"] is None else set())
        new = _coerce(current, changed, n_given, previous=d)
        self._check_levels(new)
        if _STRUCTURE & changed:
            d["_cache"] = {}
            self._structure_changed()
        d["_n_given"] = n_given
        for key, value in new.items():   # absent core fields fall back to the class's None
            if value is None:
                d.pop(key, None)
            else:
                d[key] = value

    def _set_extra(self, key: str, value: Any) -> None:
        level = self.__dict__["_levels"].get(key)
        if level is not None:
            _check_level(key, value, level, self.num_nodes, self.num_edges)
        self.__dict__[key] = value

    def _check_levels(self, new: dict[str, Any]) -> None:
        """Declared node/edge extras must still fit after a change of N or E."""
        d = self.__dict__
        n, e = new.get("num_nodes", d.get("num_nodes")), new["edge_index"].shape[1]
        for key, level in d["_levels"].items():
            if key not in _CORE_SET and key in d:
                _check_level(key, d[key], level, n, e)

    def _structure_changed(self) -> None:
        """Hook: the edges or node count changed (``Batch`` forgets how to split them)."""

    def update(self, data: Any = None, **fields: Any) -> Graph:
        """Set several attributes at once, validated together, and return self (PyG's
        ``update``). ``data`` is a dict or a Graph; keywords are merged into it.

        Example: ``g.update(edge_index=ei2, edge_attr=ea2)`` when the edge count changes.
        """
        items = dict(data.items() if data is not None else ())
        items.update(fields)
        core = {k: v for k, v in items.items() if k in _CORE_SET}
        if core:
            self._set_core(core)
        for key, value in items.items():
            if key not in _CORE_SET:
                setattr(self, key, value)
        return self

    def replace(self, **changes: Any) -> Graph:
        """A shallow copy with ``changes`` applied (validated together); extra attributes and
        declared levels are kept, and so are the cached views unless the structure changed."""
        out = copy.copy(self)
        return out.update(changes)

    def set_level(self, **levels: str) -> Graph:
        """Declare the level of attributes: ``g.set_level(y="graph", edge_label="edge")``.

        ``"graph"``: ``Batch`` stacks the values of the graphs on a new leading axis (scalars
        give (B,), (k,) vectors (B, k)) instead of concatenating them. ``"node"``/``"edge"``: the
        attribute must have N/E entries along its concatenation dimension, checked now and on
        every later set. Returns self.

        Raises:
            ValueError: an unknown level, or a value that does not fit it.
        """
        d = self.__dict__
        for key, level in levels.items():
            if level not in _LEVELS:
                raise ValueError(f"set_level: {key}: expected one of {_LEVELS}, got {level!r}")
            if key in d and d[key] is not None:
                _check_level(key, d[key], level, self.num_nodes, self.num_edges)
        d["_levels"] = {**d["_levels"], **levels}
        return self

    def level(self, key: str) -> str | None:
        """``"node"``, ``"edge"`` or ``"graph"``: declared, else inferred as PyG's
        ``is_node_attr``/``is_edge_attr`` (an array whose size along ``__cat_dim__`` is N, resp.
        E; N wins a tie); None for other values and absent keys."""
        if key in self.__dict__["_levels"]:
            return self.__dict__["_levels"][key]
        value = self.__dict__.get(key)
        if key == "num_nodes" or not _is_array(value) or np.ndim(value) == 0:
            return None
        dim = self.__cat_dim__(key, value)
        if dim is None or isinstance(dim, tuple):
            return None
        size = value.shape[dim]
        if key not in ("edge_weight", "edge_attr", "edge_index") and size == self.num_nodes:
            return "node"
        return "edge" if size == self.num_edges else None

    def is_node_attr(self, key: str) -> bool:
        """True if ``key`` is node-level (see ``level``)."""
        return self.level(key) == "node"

    def is_edge_attr(self, key: str) -> bool:
        """True if ``key`` is edge-level (see ``level``)."""
        return self.level(key) == "edge"

    # ----------------------------------------------------------------------------- PyG's mapping
    def keys(self) -> list[str]:
        """Names of the attributes that are set (PyG 2.x: a method), core fields first."""
        d = self.__dict__
        out = [k for k in CORE if d.get(k) is not None]
        if d["_n_given"]:
            out.append("num_nodes")
        out += [k for k in d if not k.startswith("_") and k not in _CORE_SET]
        return out

    def items(self) -> list[tuple[str, Any]]:
        """``(key, value)`` pairs of ``keys()``."""
        return [(k, getattr(self, k)) for k in self.keys()]

    def values(self) -> list[Any]:
        """The values of ``keys()``."""
        return [getattr(self, k) for k in self.keys()]

    def to_dict(self) -> dict[str, Any]:
        """The attributes as a dict (PyG's ``to_dict``)."""
        return dict(self.items())

    @classmethod
    def from_dict(cls, mapping: dict[str, Any]) -> Graph:
        """``cls(**mapping)`` (PyG's ``from_dict``)."""
        return cls(**mapping)

    def get(self, key: str, default: Any = None) -> Any:
        """The attribute ``key`` if set, else ``default``."""
        return self[key] if key in self else default

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str):
            raise TypeError(f"{type(self).__name__} indices are attribute names (str), got "
                            f"{type(key).__name__}")
        if key not in self:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        if key in self:
            delattr(self, key)

    def __contains__(self, key: object) -> bool:
        if key == "num_nodes":
            return bool(self.__dict__["_n_given"])
        return isinstance(key, str) and self.__dict__.get(key) is not None \
            and not key.startswith("_")

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """``for key, value in g`` over the attributes that are set (as PyG)."""
        return iter(self.items())

    def __call__(self, *keys: str) -> Iterator[tuple[str, Any]]:
        """``(key, value)`` pairs of ``keys`` (all attributes if none), as PyG's ``data(...)``."""
        return iter([(k, v) for k, v in self.items() if not keys or k in keys])

    def __len__(self) -> int:
        """The number of attributes that are set (PyG's ``len(data)``, not the node count)."""
        return len(self.keys())

    # ----------------------------------------------------------------------------- batching rules
    def __cat_dim__(self, key: str, value: Any, *args: Any, **kwargs: Any) -> int | tuple | None:
        """The dimension ``Batch`` concatenates ``key`` along (PyG's rule, overridable):
        (0, 1) for a sparse ``adj``/``edge_index`` (block diagonal), -1 for keys containing
        ``"index"`` or equal to ``"face"``, None (stack) for attributes declared graph-level,
        else 0."""
        if sp.issparse(value) and ("adj" in key or "edge_index" in key):
            return (0, 1)
        if "index" in key or key == "face":
            return -1
        if self.__dict__["_levels"].get(key) == "graph":
            return None
        return 0

    def __inc__(self, key: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        """How much ``Batch`` offsets ``key`` by per preceding graph (PyG's rule, overridable):
        ``max + 1`` for keys containing ``"batch"``, ``num_nodes`` for ``"index"``/``"face"``
        keys, else 0."""
        if "batch" in key and _is_array(value):
            return int(np.max(value)) + 1 if np.size(value) else 0
        if "index" in key or key == "face":
            return self.num_nodes
        return 0

    # ----------------------------------------------------------------------------- PyG's methods
    def validate(self, raise_on_error: bool = True) -> bool:
        """Re-run every check (after in-place edits), drop the cached views, return True if valid.

        Args:
            raise_on_error: raise the first problem; if False, warn and return False instead.

        Raises:
            TypeError, ValueError, IndexError: as the constructor (when ``raise_on_error``).
        """
        d = self.__dict__
        d["_cache"] = {}        # stale after an in-place edit, whatever the checks find
        self._structure_changed()
        try:
            fields = {k: d.get(k) for k in (*CORE, "num_nodes")}
            new = _coerce(fields, set(fields), d["_n_given"])
            self._check_levels(new)
        except (TypeError, ValueError, IndexError) as err:
            if raise_on_error:
                raise
            warnings.warn(f"{type(self).__name__}.validate: {err}", stacklevel=2)
            return False
        d.update(_present(new))
        return True

    def to(self, device: Any = "cpu", *args: str, **kwargs: Any) -> Graph:
        """Self for ``"cpu"``/None (npgnn runs on the CPU); any other device raises ValueError."""
        if device is not None and str(device).split(":")[0] != "cpu":
            raise ValueError(f"to: npgnn runs on the CPU, got device {device!r}; drop the .to() "
                             f"call or pass 'cpu'")
        return self

    def cpu(self, *args: str) -> Graph:
        """Self (everything is on the CPU)."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Graph:
        """Always raises ValueError: npgnn runs on the CPU."""
        raise ValueError("cuda: npgnn runs on the CPU; drop the .cuda() call")

    def clone(self, *keys: str) -> Graph:
        """A deep copy: every array copied, so in-place edits of one do not reach the other."""
        return copy.deepcopy(self)

    def apply(self, func: Callable[[Any], Any], *keys: str) -> Graph:
        """Replace every array attribute (or those named in ``keys``) by ``func(value)``, with
        validation, and return self (PyG's ``apply``)."""
        changes = {k: func(v) for k, v in self.items()
                   if _is_array(v) and (not keys or k in keys) and k != "num_nodes"}
        return self.update(changes)

    def subgraph(self, subset: Any) -> Graph:
        """The subgraph induced by the nodes ``subset`` (ids or an (N,) bool mask), relabelled
        0..n-1, as PyG's ``Data.subgraph``: node-level attributes (see ``level``) keep the rows of
        ``subset``, edge-level ones the kept edges, the rest is unchanged (``ptr`` is dropped:
        it would no longer describe the nodes).

        Raises:
            TypeError, ValueError, IndexError: ``subset`` out of range, of the wrong shape or
                with repeated ids (from ``npgnn.utils.subgraph``).
        """
        from npgnn.utils import subgraph as induced

        ei, _, edge_mask = induced(subset, self.edge_index, relabel_nodes=True,
                                   num_nodes=self.num_nodes, return_edge_mask=True)
        mask = np.asarray(subset)
        nodes = np.flatnonzero(mask) if mask.dtype == np.bool_ else mask.astype(np.int64)
        return self._select(nodes, edge_mask, {"edge_index": ei, "num_nodes": int(nodes.size),
                                                "ptr": None})

    def edge_subgraph(self, subset: Any) -> Graph:
        """The graph with only the edges ``subset`` (ids or an (E,) bool mask) and every node,
        as PyG's ``Data.edge_subgraph``."""
        edges, e = np.asarray(subset), self.num_edges
        if edges.dtype == np.bool_:
            if edges.shape != (e,):
                raise IndexError(f"edge_subgraph: a mask must have shape ({e},), got {edges.shape}")
        elif edges.ndim != 1 or (edges.size and edges.dtype.kind not in "iu"):
            raise TypeError(f"edge_subgraph: expected edge ids (1-D ints) or a bool mask, got "
                            f"dtype {edges.dtype} shape {edges.shape}")
        elif edges.size and (edges.min() < -e or edges.max() >= e):
            raise IndexError(f"edge_subgraph: edge ids must lie in [{-e}, {e}), found "
                             f"min={edges.min()} max={edges.max()}")
        return self._select(None, edges, {"edge_index": self.edge_index[:, edges]})

    def reorder(self, method: str = "rcm") -> Graph:
        """The graph with its nodes renumbered for memory locality (``"rcm"``: reverse
        Cuthill-McKee; ``"degree"``: degree descending), every node-level attribute permuted
        alike and the permutation kept as ``perm`` (``new.x == old.x[new.perm]``, DGL's
        ``reorder_graph`` convention) with its inverse as ``perm_inverse``. Not in PyG. See
        ``npgnn.graph.reorder``.

        Raises:
            ValueError: ``method`` is not ``"rcm"`` or ``"degree"``.
        """
        from npgnn.graph.reorder import reorder

        return reorder(self, method)

    @property
    def perm_inverse(self) -> np.ndarray:
        """(N,) int64, the new id of each original node after ``reorder``: ``old.x ==
        new.x[new.perm_inverse]``; computed from ``perm`` in O(N).

        Raises:
            AttributeError: the graph has no ``perm`` (it was not reordered).
            ValueError: ``perm`` is not a permutation of 0..N-1 (e.g. after ``subgraph``).
        """
        from npgnn.graph.reorder import inverse

        perm = self.__dict__.get("perm")
        if perm is None:
            raise AttributeError("perm_inverse: this graph has no perm; it comes from "
                                 "Graph.reorder()")
        return inverse(perm)

    def _select(self, nodes: np.ndarray | None, edges: np.ndarray, core: dict[str, Any]) -> Graph:
        out = copy.copy(self)
        d = out.__dict__
        changes = dict(core)
        for key, value in self.items():
            if key in changes or key in ("num_nodes", "edge_index"):
                continue
            level = self.level(key)
            if level not in ("node", "edge") or (level == "node" and nodes is None):
                continue
            dim = self.__cat_dim__(key, value)
            index = [slice(None)] * value.ndim
            index[dim if isinstance(dim, int) else 0] = nodes if level == "node" else edges
            changes[key] = value[tuple(index)]
        for key in [k for k in changes if k not in _CORE_SET]:
            d[key] = changes.pop(key)        # extras first: the core update checks their levels
        out._set_core(changes)
        return out

    def __copy__(self) -> Graph:
        out = type(self).__new__(type(self))
        out.__dict__.update(self.__dict__)
        out.__dict__["_cache"] = dict(self.__dict__["_cache"])
        out.__dict__["_levels"] = dict(self.__dict__["_levels"])
        return out

    def __deepcopy__(self, memo: dict) -> Graph:
        out = type(self).__new__(type(self))
        memo[id(self)] = out
        for key, value in self.__dict__.items():
            out.__dict__[key] = {} if key == "_cache" else copy.deepcopy(value, memo)
        return out

    # ----------------------------------------------------------------------------- properties
    @property
    def num_edges(self) -> int:
        """E, the number of columns of ``edge_index`` (duplicates count)."""
        return self.edge_index.shape[1]

    @property
    def num_node_features(self) -> int:
        """F, the number of columns of ``x`` (0 without ``x``)."""
        x = self.x
        return 0 if x is None else 1 if x.ndim == 1 else x.shape[-1]

    @property
    def num_features(self) -> int:
        """Alias of ``num_node_features`` (as PyG)."""
        return self.num_node_features

    @property
    def num_edge_features(self) -> int:
        """D, the number of columns of ``edge_attr`` (1 if 1-D, 0 without it)."""
        a = self.edge_attr
        return 0 if a is None else 1 if a.ndim == 1 else a.shape[-1]

    @property
    def num_graphs(self) -> int:
        """G: ``len(ptr) - 1`` if set, else 1 without ``batch``, else ``batch.max() + 1``."""
        if self.ptr is not None:
            return self.ptr.size - 1
        if self.batch is None:
            return 1
        return int(self.batch[-1]) + 1 if self.batch.size else 0

    def size(self, dim: int | None = None) -> Any:
        """``(N, N)``, the adjacency's shape, or one of its entries (PyG's ``size``)."""
        return (self.num_nodes, self.num_nodes) if dim is None else self.num_nodes

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
        """True if some node is on no edge other than its own self-loops (PyG's definition).

        O(E): with fewer non-loop edge endpoints than nodes some node is untouched (no array of
        size N); otherwise N <= 2E and one bool array of N marks the touched nodes.
        """
        src, dst = self.edge_index
        keep = src != dst
        if 2 * int(np.count_nonzero(keep)) < self.num_nodes:
            return True
        touched = np.zeros(self.num_nodes, dtype=bool)
        touched[src[keep]] = True
        touched[dst[keep]] = True
        return not touched.all()

    def is_undirected(self) -> bool:
        """True if the edge multiset equals its reverse, attributes included (PyG's rule).

        Every edge j -> i needs a reverse i -> j as often as it occurs, and ``edge_attr`` (as in
        PyG) and ``edge_weight`` (npgnn: the weights its layers use; PyG ignores them) must be
        equal on the two sides after sorting the edges by (row, col) and by (col, row): exactly
        for integers, up to a relative 1e-6 for floats (PyG: exactly; sums of duplicate edges
        in another order differ by rounding).
        """
        n = max(self.num_nodes, 1)
        src, dst = self.edge_index
        by_row = np.argsort(src * n + dst, kind="stable")
        by_col = np.argsort(dst * n + src, kind="stable")
        if not (np.array_equal(src[by_row], dst[by_col])
                and np.array_equal(dst[by_row], src[by_col])):
            return False
        for attr in (self.edge_weight, self.edge_attr):
            if attr is None:
                continue
            a, b = attr[by_row], attr[by_col]
            if attr.dtype.kind in "fc":  # sums of duplicates in another order differ by rounding
                if not np.allclose(a, b, rtol=1e-6, atol=0.0):
                    return False
            elif not np.array_equal(a, b):
                return False
        return True

    def is_directed(self) -> bool:
        """``not is_undirected()``."""
        return not self.is_undirected()

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
        cache = self._cache
        if "csr_by_target" not in cache:
            cache["csr_by_target"] = self._build_csr(self._weights(), transpose=False)
        return cache["csr_by_target"]

    def csr_by_source(self, weight: np.ndarray | None = None) -> sp.csr_matrix:
        """(N, N) CSR matrix ``B = A.T``: ``B[j, i]`` = summed weights of edges j -> i.

        Row j lists the outgoing edges of node j (the transpose used by backward passes).
        Caching and ``weight`` as in ``csr_by_target``.
        """
        if weight is not None:
            return self._build_csr(self._weights(weight), transpose=True)
        cache = self._cache
        if "csr_by_source" not in cache:
            cache["csr_by_source"] = self._build_csr(self._weights(), transpose=True)
        return cache["csr_by_source"]

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
        cache = self._cache
        if key not in cache:
            perm, indptr = group_by(ids, self.num_nodes)
            perm.flags.writeable = False
            indptr.flags.writeable = False
            cache[key] = (perm, indptr)
        return cache[key]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(_size_repr(k, v) for k, v in self.items())})"


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that are set: a Graph's ``__dict__`` holds no None core field, so two graphs
    with the same attributes have equal ``__dict__`` keys (what ``Batch`` checks)."""
    return {k: v for k, v in fields.items() if v is not None}


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) or sp.issparse(value)


def _size_repr(key: str, value: Any) -> str:
    if sp.issparse(value):
        return f"{key}=[{value.shape[0]}, {value.shape[1]}, nnz={value.nnz}]"
    if isinstance(value, np.ndarray):
        return f"{key}={value.item() if value.ndim == 0 else list(value.shape)}"
    if isinstance(value, str):
        return f"{key}='{value}'"
    if isinstance(value, (list, tuple)):
        return f"{key}=[{len(value)}]"
    if isinstance(value, dict):
        return f"{key}={{{', '.join(_size_repr(k, v) for k, v in value.items())}}}"
    return f"{key}={value}"


def _check_level(key: str, value: Any, level: str, num_nodes: int, num_edges: int) -> None:
    if level == "graph":
        return
    want = num_nodes if level == "node" else num_edges
    shape = getattr(value, "shape", None)
    size = len(value) if shape is None and hasattr(value, "__len__") else \
        (shape[-1] if "index" in key else shape[0]) if shape else None
    if size != want:
        what = "N = num_nodes" if level == "node" else "E = num_edges"
        raise ValueError(f"{key}: declared {level}-level, expected {want} entries ({what}) along "
                         f"its first dimension, got shape {shape if shape is not None else size}")


def _coerce(f: dict[str, Any], changed: set[str], n_given: bool,
            previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate the core fields ``f`` (the ``changed`` ones and what depends on them).

    ``previous`` holds the already validated values; unchanged fields whose dependencies did not
    change are taken from it without a second check. Returns the coerced fields, num_nodes an int.
    """
    out = dict(f)
    if "edge_index" in changed:
        ei = f["edge_index"]
        out["edge_index"] = (np.empty((2, 0), dtype=np.int64) if ei is None
                             else _checks.as_edge_index(_checks.unwrap(ei)))
    ei = out["edge_index"]
    x = f["x"]
    if "x" in changed and x is not None:
        x = out["x"] = _checks.as_features(_checks.unwrap(x), None)
    ptr = f["ptr"]
    if "ptr" in changed and ptr is not None:
        ptr = out["ptr"] = _checks.as_ptr(_checks.unwrap(ptr), None)
    n = f["num_nodes"]
    if n is not None and (n_given and "num_nodes" in changed):
        n = _checks.as_count("num_nodes", n)
    elif n is None:
        if x is not None:
            n = x.shape[0]
        elif f["batch"] is not None:
            n = int(_checks.as_array("batch", _checks.unwrap(f["batch"])).size)
        elif ptr is not None:
            n = int(ptr[-1])
        else:
            n = int(ei.max()) + 1 if ei.size else 0
    n_changed = previous is None or n != previous.get("num_nodes")
    out["num_nodes"] = n
    if x is not None and ("x" in changed or n_changed):
        _checks.as_features(x, n)
    if "edge_index" in changed or n_changed:
        _checks.check_edge_ids(ei, n)
    e = ei.shape[1]
    e_changed = previous is None or e != previous["edge_index"].shape[1]
    for name, check in (("edge_weight", _checks.as_edge_weight),
                        ("edge_attr", _checks.as_edge_attr)):
        if f[name] is not None and (name in changed or e_changed):
            out[name] = check(_checks.unwrap(f[name]), e)
    if f["y"] is not None and "y" in changed:
        out["y"] = _checks.as_labels(_checks.unwrap(f["y"]))
    for name in _MASKS:
        if f[name] is not None and (name in changed or n_changed):
            out[name] = _checks.as_mask(name, _checks.unwrap(f[name]), n)
    batch = f["batch"]
    if batch is not None and ("batch" in changed or n_changed):
        batch = out["batch"] = _checks.as_batch(_checks.unwrap(batch), n)
    if ptr is not None and ("ptr" in changed or n_changed):
        out["ptr"] = _checks.as_ptr(ptr, n)
        if batch is None:
            out["batch"] = np.repeat(np.arange(ptr.size - 1, dtype=np.int64), np.diff(ptr))
        else:
            _checks.check_batch_matches_ptr(batch, ptr)
    elif ptr is not None and "batch" in changed and batch is not None:
        _checks.check_batch_matches_ptr(batch, ptr)
    return out
