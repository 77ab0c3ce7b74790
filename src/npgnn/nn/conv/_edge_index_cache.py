"""Reuse the Graph (and its CSR, edge orders, normalizations) built from a raw ``edge_index``.

PyG scripts pass the same ``edge_index`` array to every layer on every call; without a cache each
call validates it and rebuilds the sparse structure (sum aggregation at 100k nodes / 1M edges:
about 200 ms against 95 ms with a ``Graph``).

Why a hit can never be stale: an entry keeps a private, read-only **copy** of the array, and the
Graph is built from that copy (never from the user's array). A lookup finds the candidate by the
object's identity (``id`` plus a weak reference that must still point to the same object) and the
node count, then compares the whole array with the copy (``np.array_equal``: one memcmp-speed
pass, ~1-3 ms at 1M edges, far cheaper than a sort). An array edited in place therefore misses
and is rebuilt; a new array that reuses a freed array's address is never taken for it (the weak
reference is dead, the entry was dropped).

Memory is bounded: at most ``MAX_ENTRIES`` arrays (least recently used evicted), and an entry is
dropped as soon as its array is garbage-collected (a weakref callback).
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from npgnn.graph import Graph

#: Arrays remembered at once (a model uses one or two: the graph, maybe a sampled subgraph).
MAX_ENTRIES = 8

_entries: OrderedDict[tuple[int, int], tuple[weakref.ref, np.ndarray, Graph]] = OrderedDict()
# Reentrant: a weakref callback (an array freed by a GC pass) may run while this thread holds it.
_lock = threading.RLock()


def _drop(key: tuple[int, int], ref: weakref.ref) -> None:
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] is ref:
            del _entries[key]


def graph_for(owner: Any, array: np.ndarray, num_nodes: int,
              build: Callable[[np.ndarray], Graph]) -> Graph:
    """The Graph for ``array`` (the data of ``owner``, the object the caller passed), cached.

    ``owner`` must support weak references (ndarray, torch tensor); ``build(copy)`` makes the
    Graph from a private copy of ``array`` and raises for invalid input (nothing is cached then).
    """
    key = (id(owner), num_nodes)
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    if entry is not None:
        ref, snapshot, graph = entry
        if (ref() is owner and array.dtype == snapshot.dtype and array.shape == snapshot.shape
                and np.array_equal(array, snapshot)):
            return graph
    snapshot = np.array(array, copy=True)
    graph = build(snapshot)
    snapshot.flags.writeable = False
    try:
        ref = weakref.ref(owner, lambda r, key=key: _drop(key, r))
    except TypeError:  # an owner without weak references is not cached
        return graph
    with _lock:
        _entries[key] = (ref, snapshot, graph)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return graph


def clear() -> None:
    """Forget every cached edge_index (tests; freeing memory at once)."""
    with _lock:
        _entries.clear()


def size() -> int:
    """Arrays currently cached."""
    with _lock:
        return len(_entries)
