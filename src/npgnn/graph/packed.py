"""A dataset of graphs packed once, and mini-batches gathered out of it without a loop over graphs.

``Batch.from_data_list`` walks the graphs of every mini-batch: lists of 32 arrays per key, a
concatenation each, offsets per graph, every epoch again. :class:`PackedGraphs` packs the whole
dataset into one ``Batch`` once (what ``from_data_list`` would make of all graphs), remembers
each graph's offsets and ``__inc__`` amounts, and then builds the batch of any graphs ``ids``
with a few vectorized gathers: the node/edge rows of the chosen graphs (one index array made
with ``np.repeat``/``cumsum``), the increments of ``edge_index`` (and other ``*index*`` keys)
re-based to the new node offsets, and the ``batch``/``ptr`` vectors. The result is the same
``Batch`` as ``Batch.from_data_list([graphs[i] for i in ids])``: the same arrays, dtypes, packing
metadata (``get_example``, ``to_data_list``) and class.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.graph.batch import Batch, _offsets, _Slices, inc_amounts
from npgnn.graph.graph import _CORE_SET, Graph


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without the loop."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    keep = lengths > 0
    s, n = np.asarray(starts, dtype=np.int64)[keep], lengths[keep]
    steps = np.ones(total, dtype=np.int64)
    steps[0] = s[0]
    heads = np.cumsum(n)[:-1]
    steps[heads] = s[1:] - (s[:-1] + n[:-1]) + 1
    return np.cumsum(steps)


class PackedGraphs:
    """``graphs`` packed once; ``batch(ids)`` is ``Batch.from_data_list([graphs[i] for i in ids])``.

    Args:
        graphs: the graphs (read, never modified; the packed copy shares nothing with them).
        exclude_keys: keys left out, as in ``from_data_list``.

    Raises:
        whatever ``Batch.from_data_list`` raises for these graphs; ValueError when a key cannot
        be gathered (scipy sparse values): pack per batch instead.
    """

    def __init__(self, graphs: Sequence[Graph], exclude_keys: Sequence[str] | None = None):
        graphs = list(graphs)
        whole = Batch.from_data_list(graphs, None, exclude_keys)
        slices: dict[str, _Slices] = whole.__dict__["_slices"]
        if any(s.kind == "sparse" or sp.issparse(s.value) for s in slices.values()):
            raise ValueError("PackedGraphs: scipy sparse attributes are packed per batch")
        counts = np.diff(whole.ptr)
        default_inc = all(t.__inc__ is Graph.__inc__ for t in set(map(type, graphs)))
        self.whole, self.counts, self.slices = whole, counts, slices
        self.ecounts = np.array([g.__dict__["edge_index"].shape[1] for g in graphs],
                                dtype=np.int64)
        # keys whose values are offset per graph (edge_index ...): their un-offset values and
        # each graph's offset amount, so a batch adds its own offsets as from_data_list does
        self.incs: dict[str, np.ndarray] = {}
        self.raw: dict[str, Any] = {}
        self.sizes: dict[str, np.ndarray] = {}      # each graph's rows (or columns) per key
        for key, s in slices.items():
            if s.kind == "list":
                continue
            self.sizes[key] = np.diff(s.offsets)
            items = [g.__dict__[key] for g in graphs]
            per = np.asarray(inc_amounts(key, items, graphs, counts, default_inc))
            if not per.any():
                continue
            self.incs[key] = per
            if s.kind == "number":
                self.raw[key] = np.array(items)
            else:
                arrays = [v[None] for v in items] if s.kind == "stack" else items
                self.raw[key] = np.concatenate(arrays, axis=s.dim)

    def __len__(self) -> int:
        return int(self.counts.size)

    def batch(self, ids: np.ndarray) -> Batch:
        """The Batch of graphs ``ids`` (positions in ``graphs``, any order, repeats allowed)."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size == 0:
            raise ValueError("data_list: expected at least one Graph, got an empty sequence")
        whole, wd = self.whole, self.whole.__dict__
        counts = self.counts[ids]
        ptr = _offsets(counts)
        values: dict[str, Any] = {}
        slices: dict[str, _Slices] = {}
        for key, s in self.slices.items():
            values[key], slices[key] = self._gather(key, s, ids)
        out = type(whole).__new__(type(whole))
        d = out.__dict__
        d.update(_cache={}, _levels=dict(wd["_levels"]), _n_given=False, _slices=slices,
                 _data_cls=wd["_data_cls"], _n_given_items=wd["_n_given_items"])
        d.update({k: v for k, v in values.items() if k in _CORE_SET})
        d.update(num_nodes=int(ptr[-1]), ptr=ptr,
                 batch=np.repeat(np.arange(ids.size, dtype=np.int64), counts))
        d.update({k: v for k, v in values.items() if k not in _CORE_SET})
        return out

    def _gather(self, key: str, s: _Slices, ids: np.ndarray) -> tuple[Any, _Slices]:
        if s.kind == "list":
            value = [s.value[i] for i in ids.tolist()]
            return value, _Slices(value, 0, np.arange(ids.size + 1), None, "list", False)
        per = self.incs.get(key)
        raw = s.value if per is None else self.raw[key]
        incs = _offsets(per[ids])[:-1] if per is not None else None
        if incs is not None and not incs.any():
            incs = None
        if s.kind == "number":
            value = raw[ids]
            if incs is not None:
                value = value + incs
            return value, _Slices(value, 0, np.arange(ids.size + 1), incs, "number", False)
        sizes = self.sizes[key][ids]
        value = np.take(raw, ranges(s.offsets[ids], sizes), axis=s.dim)
        if incs is not None:
            shape = [1] * value.ndim
            shape[s.dim] = -1
            value = value + np.repeat(incs, sizes).reshape(shape).astype(value.dtype, copy=False)
        edge_level = s.kind != "stack" and np.array_equal(sizes, self.ecounts[ids])
        return value, _Slices(value, s.dim, _offsets(sizes), incs, s.kind, edge_level)
