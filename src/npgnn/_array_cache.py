"""Reuse what was derived from a caller's array (a Graph from an ``edge_index``, the grouping
of a ``batch`` vector) while the array is alive and unchanged.

PyG scripts pass the same array to several layers on every call (``edge_index`` to each conv,
``batch`` to each readout). Why a hit can never be stale: an entry keeps a private, read-only
**copy** of the array, and the value is built from that copy (never from the caller's array).
A lookup finds the candidate by the object's identity (``id`` plus a weak reference that must
still point to the same object) and a key, then compares the whole array with the copy
(``np.array_equal``: one memcmp-speed pass, far cheaper than a sort). An array edited in place
therefore misses and is rebuilt; a new array that reuses a freed array's address is never taken
for it (the weak reference is dead, the entry was dropped).

Memory is bounded: at most ``max_entries`` arrays (least recently used evicted), and an entry is
dropped as soon as its array is garbage-collected (a weakref callback).
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np


class ArrayCache:
    """Values derived from arrays, looked up by the array object and a key (see above)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[int, Hashable], tuple[weakref.ref, np.ndarray, Any]] = \
            OrderedDict()
        # reentrant: a weakref callback (an array freed by a GC pass) may run while held
        self._lock = threading.RLock()

    def get(self, owner: Any, array: np.ndarray, key: Hashable,
            build: Callable[[np.ndarray], Any]) -> Any:
        """The value for ``array`` (the data of ``owner``, the object the caller passed) and
        ``key``, cached. ``owner`` must support weak references (ndarray, torch tensor) to be
        cached; ``build(copy)`` makes the value from a private copy of ``array`` and raises for
        invalid input (nothing is cached then)."""
        slot = (id(owner), key)
        with self._lock:
            entry = self._entries.get(slot)
            if entry is not None:
                self._entries.move_to_end(slot)
        if entry is not None:
            ref, snapshot, value = entry
            if (ref() is owner and array.dtype == snapshot.dtype
                    and array.shape == snapshot.shape and np.array_equal(array, snapshot)):
                return value
        snapshot = np.array(array, copy=True)
        value = build(snapshot)
        snapshot.flags.writeable = False
        try:
            ref = weakref.ref(owner, lambda r, slot=slot: self._drop(slot, r))
        except TypeError:  # an owner without weak references is not cached
            return value
        with self._lock:
            self._entries[slot] = (ref, snapshot, value)
            self._entries.move_to_end(slot)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def _drop(self, slot: tuple[int, Hashable], ref: weakref.ref) -> None:
        with self._lock:
            entry = self._entries.get(slot)
            if entry is not None and entry[0] is ref:
                del self._entries[slot]

    def clear(self) -> None:
        """Forget every entry (tests; freeing memory at once)."""
        with self._lock:
            self._entries.clear()

    def size(self) -> int:
        """Arrays currently cached."""
        with self._lock:
            return len(self._entries)
