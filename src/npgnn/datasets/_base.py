"""The sequence behaviour PyG's datasets share: indexing, slicing, views, shuffling, transforms."""
from __future__ import annotations

import copy
import difflib
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph import Graph

Transform = Callable[[Graph], Graph]


def positional_arguments(owner: str, args: tuple[Any, ...], root: Any, name: Any,
                         keys: Sequence[str], is_name: Callable[[Any], bool] | None = None,
                         ) -> tuple[Any, Any, dict[str, Any]]:
    """Map a dataset's positional arguments to PyG's order ``(root, name, *keys)``.

    Also accepts npgnn's earlier forms: a single positional is the ``name`` unless ``name=`` is
    given (then it is the root); with ``is_name`` (a test for the dataset's known names), two
    positionals ``(name, root)`` are swapped when only the first is a name.

    Returns:
        (root, name, {key: value} for the positionals after the first two, in ``keys`` order).
    Raises:
        TypeError: root or name given both positionally and as a keyword, or more positionals
        than ``2 + len(keys)``; every message starts with ``owner``.
    """
    if len(args) > 2 + len(keys):
        raise TypeError(f"{owner}: expected at most {2 + len(keys)} positional arguments (root, "
                        f"name, {', '.join(keys)}), got {len(args)}")
    if not args:
        return root, name, {}
    if len(args) == 1:
        if name is None:
            return root, args[0], {}
        if root is not None:
            raise TypeError(f"{owner}: got root both positionally and as root=")
        return args[0], name, {}
    if root is not None or name is not None:
        raise TypeError(f"{owner}: got root/name both positionally and as keywords")
    first, second = args[0], args[1]
    if is_name is not None and is_name(first) and not is_name(second):
        first, second = second, first
    return first, second, dict(zip(keys, args[2:]))


def fresh(g: Graph) -> Graph:
    """A copy of a stored graph whose arrays are copies too: editing it never reaches the
    dataset. No re-validation (the stored graph was validated when it was built)."""
    out = copy.copy(g)
    d = out.__dict__
    for key, value in d.items():
        if isinstance(value, np.ndarray) or sp.issparse(value):
            d[key] = value.copy()
    return out


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """``"; did you mean 'X'?"`` for the closest of ``known`` (case-blind), or ``""``."""
    lowered = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean {lowered[close[0]]!r}?" if close else ""


class GraphDataset(Sequence[Graph]):
    """A dataset of graphs with PyG's ``Dataset`` interface (subclasses: Planetoid, TUDataset).

    - ``ds[i]`` (an int) is graph i with ``transform`` applied, a fresh copy each time (editing
      it never changes the dataset).
    - ``ds[a:b]``, ``ds[:0.9]`` (float bounds are fractions of ``len(ds)``, rounded, as in PyG),
      ``ds[[i, j]]``, ``ds[int_array]``, ``ds[bool_mask]``: a view of those graphs, sharing
      storage (``index_select``), e.g. for train/test splits and cross-validation folds.
    - ``len``, iteration, ``shuffle(return_perm=False)``, ``indices()``.
    - ``num_classes``, ``num_node_features`` (alias ``num_features``), ``num_edge_features``.

    ``pre_transform`` is applied once per graph when the dataset is loaded, ``pre_filter``
    (graph -> bool) drops graphs then; ``transform`` on every access.

    Subclasses provide ``_stored`` (the list of graphs) and ``name``.
    """

    name: str
    _stored: list[Graph]

    def _setup(self, graphs: list[Graph], transform: Transform | None,
               pre_transform: Transform | None, pre_filter: Callable[[Graph], bool] | None,
               ) -> None:
        for arg, value in (("transform", transform), ("pre_transform", pre_transform),
                           ("pre_filter", pre_filter)):
            if value is not None and not callable(value):
                raise TypeError(f"{type(self).__name__}: {arg} must be callable (a Graph -> "
                                f"Graph function or a transform object), got "
                                f"{type(value).__name__}")
        if pre_filter is not None:
            graphs = [g for g in graphs if pre_filter(g)]
        if pre_transform is not None:
            graphs = [_checked(pre_transform(g), "pre_transform") for g in graphs]
        self._stored = graphs
        self._indices = np.arange(len(graphs), dtype=np.int64)
        self.transform = transform
        self.pre_transform = pre_transform
        self.pre_filter = pre_filter

    # ---------------------------------------------------------------- sequence protocol
    def __len__(self) -> int:
        return int(self._indices.size)

    def indices(self) -> np.ndarray:
        """(len,) int64: the positions, in the full dataset, of this view's graphs."""
        return self._indices.copy()

    def get(self, idx: int) -> Graph:
        """Graph ``idx`` of the full dataset, without ``transform`` (a fresh copy)."""
        return fresh(self._stored[idx])

    def _packed_for_collate(self, exclude_keys: Any = None) -> Any:
        """This view's graphs packed once (:class:`npgnn.graph.packed.PackedGraphs`), so that a
        ``DataLoader`` gathers each batch from it instead of copying and concatenating graph by
        graph; cached per ``exclude_keys``. None when indexing must run per graph (a
        ``transform``, or a subclass that changes what indexing returns) or the graphs cannot
        be packed together (then ``from_data_list`` per batch gives the usual errors)."""
        from npgnn.graph.packed import PackedGraphs

        cls = type(self)
        if self.transform is not None or cls.get is not GraphDataset.get \
                or cls.__getitem__ is not GraphDataset.__getitem__:
            return None
        key = tuple(exclude_keys or ())
        cache = self.__dict__.setdefault("_packed_cache", {})
        entry = cache.get(key)
        if entry is None or entry[0] is not self._indices:   # a view copies the dict: re-pack
            stored = self._stored
            try:
                pack = PackedGraphs([stored[i] for i in self._indices.tolist()],
                                    exclude_keys) if len(self) else None
            except (ValueError, TypeError):
                pack = None
            self.__dict__["_packed_cache"] = cache = {**cache, key: (self._indices, pack)}
            entry = cache[key]
        return entry[1]

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, (int, np.integer)) and not isinstance(idx, (bool, np.bool_)) or \
                isinstance(idx, np.ndarray) and idx.ndim == 0 and idx.dtype.kind in "iu":
            i, n = int(idx), len(self)
            if not -n <= i < n:
                raise IndexError(f"{self.name}: index {i} is out of range for {n} graph(s)")
            g = self.get(int(self._indices[i]))
            return g if self.transform is None else _checked(self.transform(g), "transform")
        return self.index_select(idx)

    def __iter__(self) -> Iterator[Graph]:
        for i in range(len(self)):
            yield self[i]

    def index_select(self, idx: Any) -> GraphDataset:
        """A view of the graphs at ``idx``: a slice (float bounds are fractions of the length,
        as in PyG's ``dataset[:0.9]``), an int sequence or array, or a boolean mask.

        Raises:
            IndexError: indices out of range, or a mask of the wrong length.
            TypeError: any other index (a float, a string ...).
        """
        n = len(self)
        if isinstance(idx, slice):
            start, stop = idx.start, idx.stop
            start = round(start * n) if isinstance(start, float) else start
            stop = round(stop * n) if isinstance(stop, float) else stop
            return self._view(self._indices[slice(start, stop, idx.step)])
        if isinstance(idx, (str, bytes, float)) or not isinstance(idx, (Sequence, np.ndarray)):
            raise TypeError(f"{self.name}: index must be an int, a slice, a sequence or array of "
                            f"ints, or a boolean mask, got {type(idx).__name__}")
        arr = np.asarray(idx)
        if arr.dtype == bool:
            if arr.shape != (n,):
                raise IndexError(f"{self.name}: a boolean mask must have shape ({n},), got "
                                 f"{arr.shape}")
            return self._view(self._indices[arr])
        if arr.ndim == 1 and (arr.size == 0 or arr.dtype.kind in "iu"):
            arr = arr.astype(np.int64)
            if arr.size and (arr.min() < -n or arr.max() >= n):
                raise IndexError(f"{self.name}: indices must lie in [{-n}, {n}), found "
                                 f"min={arr.min()} max={arr.max()}")
            return self._view(self._indices[arr])
        raise TypeError(f"{self.name}: index must be an int, a slice, a 1-D integer array or a "
                        f"boolean mask, got dtype={arr.dtype} shape={arr.shape}")

    def shuffle(self, return_perm: bool = False) -> Any:
        """A view in a random order drawn from npgnn's global generator (``npgnn.manual_seed``);
        with ``return_perm`` also the permutation (an int64 array), as PyG."""
        from npgnn.random import default_generator

        perm = default_generator().permutation(len(self))
        out = self._view(self._indices[perm])
        return (out, perm) if return_perm else out

    def _view(self, indices: np.ndarray) -> GraphDataset:
        view = copy.copy(self)
        view._indices = np.asarray(indices, dtype=np.int64)
        return view

    # ---------------------------------------------------------------- summary
    @property
    def num_classes(self) -> int:
        """C, as PyG infers it from the labels of the full dataset: max + 1 for integer class
        ids, the number of distinct values for float labels of one column, else the width."""
        ys = [g.y for g in self._stored if g.y is not None]
        if not ys:
            return 0
        y = np.concatenate([np.atleast_1d(v) for v in ys])
        if y.size == y.shape[0] and y.dtype.kind in "biu":
            return int(y.max()) + 1 if y.size else 0
        if y.size == y.shape[0]:
            count = int(np.unique(y).size)
            if count > 2:
                warnings.warn("num_classes: float labels; returning the number of distinct "
                              "values", stacklevel=2)
            return count
        return int(y.shape[-1])

    def _first(self) -> Graph:
        if not len(self):
            raise IndexError(f"{self.name}: the dataset is empty; it has no first graph to "
                             f"read the feature count from")
        return self[0]

    @property
    def num_node_features(self) -> int:
        """F, the width of ``x`` of the first graph (after ``transform``), as PyG."""
        return self._first().num_node_features

    @property
    def num_features(self) -> int:
        """Alias of ``num_node_features``."""
        return self.num_node_features

    @property
    def num_edge_features(self) -> int:
        """D, the width of ``edge_attr`` of the first graph (0 without it)."""
        return self._first().num_edge_features

    def __repr__(self) -> str:
        return f"{self.name}({len(self) if len(self) > 1 else ''})"


def _checked(g: Any, what: str) -> Any:
    """``g`` if it is a Graph or a tuple of Graphs (as RandomLinkSplit returns)."""
    if isinstance(g, Graph) or isinstance(g, tuple) and all(isinstance(p, Graph) for p in g):
        return g
    raise TypeError(f"{what}: must return a Graph (or a tuple of Graphs), got "
                    f"{type(g).__name__}")
