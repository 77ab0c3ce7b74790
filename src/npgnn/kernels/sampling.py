"""Per-hop neighbour sampling from a CSR by target (the kernel behind ``NeighborLoader``).

Cost is O(sampled edges) per call: a frontier node with more in-edges than asked for draws its
choice with Floyd's algorithm (Bentley & Floyd, "A sample of brilliance", CACM 30(9), 1987),
which touches only the k positions it returns, never the node's whole edge list.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _sample(starts, degs, counts, offsets, replace, u, out):  # pragma: no cover - compiled
    for a in range(starts.shape[0]):
        s, d, k, o = starts[a], degs[a], counts[a], offsets[a]
        if replace:                      # k independent uniform draws among the d in-edges
            for q in range(k):
                out[o + q] = s + min(int(u[o + q] * d), d - 1)
        elif k == d:                     # every in-edge, in CSR order
            for q in range(k):
                out[o + q] = s + q
        else:                            # Floyd: k distinct of range(d), O(k) draws
            n = 0
            for j in range(d - k, d):
                t = min(int(u[o + n] * (j + 1)), j)
                for q in range(n):
                    if out[o + q] == s + t:
                        t = j
                        break
                out[o + n] = s + t
                n += 1
    return out


def sample_in_edges(indptr: np.ndarray, frontier: np.ndarray, k: int, replace: bool,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Choose in-edges of every frontier node from a CSR grouped by target.

    Args:
        indptr: (N+1,) int64; node i's in-edges sit at positions ``indptr[i]:indptr[i+1]``.
        frontier: (F,) int64 node ids.
        k: edges per node; -1 takes them all. Without ``replace`` a node gets min(k, deg)
            distinct positions (uniformly random subset); with it, k independent draws (0 if
            it has no in-edge).
        replace: sample with replacement.
        rng: the source of randomness (the only one: deterministic for a seeded generator).

    Returns:
        (pos, owner): pos (S,) int64 positions into the CSR, owner (S,) int64 index into
        ``frontier`` of the node each position belongs to, grouped by frontier order.
    """
    starts = indptr[frontier]
    degs = indptr[frontier + 1] - starts
    if k < 0:
        counts = degs
    elif replace:
        counts = np.where(degs > 0, k, 0)
    else:
        counts = np.minimum(degs, k)
    total = int(counts.sum())
    offsets = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=offsets[1:])
    u = rng.random(total) if (replace or (counts < degs).any()) and k >= 0 else np.zeros(total)
    pos = _sample(starts.astype(np.int64), degs.astype(np.int64), counts.astype(np.int64),
                  offsets, bool(replace and k >= 0), u, np.empty(total, dtype=np.int64))
    owner = np.repeat(np.arange(frontier.size, dtype=np.int64), counts)
    return pos, owner


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` for every (s, c), vectorized: (sum(counts),) int64."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    shift = np.repeat(starts.astype(np.int64) - (np.cumsum(counts) - counts), counts)
    return shift + np.arange(total, dtype=np.int64)


@njit(cache=True, nogil=True)
def _first_seen(ids, local, count, out):  # pragma: no cover - compiled
    m = 0
    for q in range(ids.shape[0]):
        v = ids[q]
        if local[v] < 0:
            local[v] = count + m
            out[m] = v
            m += 1
    return m


def label_new_nodes(ids: np.ndarray, local: np.ndarray, count: int) -> np.ndarray:
    """The ids not labelled yet (``local[id] < 0``), once each in order of first appearance;
    they get labels ``count, count + 1, ...`` in ``local`` (modified in place).

    One O(len(ids)) pass (numba); the NumPy fallback (``NPGNN_DISABLE_NUMBA=1``) sorts
    (``np.unique``) and gives the same result.

    Args:
        ids: (S,) int64 node ids. local: (N,) int64 labels, -1 for unlabelled. count: the
            next label.

    Returns:
        (M,) int64 the newly labelled ids.
    """
    from npgnn.kernels import numba_enabled

    if numba_enabled():
        out = np.empty(ids.size, dtype=np.int64)
        m = _first_seen(ids.astype(np.int64, copy=False), local, int(count), out)
        return out[:m].copy()
    fresh = ids[local[ids] < 0]
    uniq, first = np.unique(fresh, return_index=True)
    new = uniq[np.argsort(first, kind="stable")].astype(np.int64, copy=False)
    local[new] = count + np.arange(new.size)
    return new
