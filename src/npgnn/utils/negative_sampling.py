"""Negative edges: node pairs that are not edges of a graph, drawn uniformly without replacement.

How it works (no O(N²) memory, no Python loop over nodes, edges or graphs). Every candidate pair
(u, v) gets an int64 key: source node u owns a contiguous block of keys, one per target it may be
paired with (every other node of its graph; only v > u when undirected; every target node when
bipartite). The existing edges become a sorted array of unique keys. A uniformly random set of
distinct *free ranks* r (0 <= r < number of non-edges) is drawn in bulk, and the r-th key that is
not an edge is found with one ``searchsorted``: with E the sorted edge keys, the r-th free key is
``r + #{i : E[i] - i <= r}``. So a sampled pair can never be an edge, nothing is rejected, and
the count is exact: ``min(requested, number of non-edges)``. A batch is one key space whose
graphs follow each other, so ``batched_negative_sampling`` is the same single pass.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from npgnn.graph import _checks
from npgnn.nn.init import RngLike, make_rng
from npgnn.ops.segments import group_by

__all__ = ["batched_negative_sampling", "negative_sampling"]

#: Largest key space ``method='dense'`` enumerates with a boolean mask (64 MiB); above it the
#: sparse path runs, which returns the same edges (see ``negative_sampling``).
DENSE_LIMIT = 1 << 26
#: Largest node count whose N² keys fit in int64.
_MAX_NODES = 3_037_000_499


def negative_sampling(
    edge_index: Any,
    num_nodes: int | tuple[int, int] | None = None,
    num_neg_samples: float | None = None,
    method: str = "sparse",
    force_undirected: bool = False,
    rng: RngLike = None,
) -> np.ndarray:
    """Sample node pairs that are neither edges nor self-loops (PyG's ``negative_sampling``).

    The pairs are distinct and uniformly distributed over the non-edges, in random order.

    Args:
        edge_index: (2, E) integer array (row 0 sources, row 1 targets); any array-like,
            including a CPU torch tensor. Duplicate edges and self-loops are allowed.
        num_nodes: N, or ``(num_src_nodes, num_dst_nodes)`` for a bipartite graph (then a pair
            (u, u) is allowed, and ``force_undirected`` is ignored, as in PyG). Default: the
            largest id + 1.
        num_neg_samples: how many pairs: an int, a float ratio of E (``int(ratio * E)``), or
            None for E (PyG's rule; E counts every column of ``edge_index``).
        method: ``'sparse'`` or ``'dense'``. Both return the same pairs for the same ``rng``;
            ``'dense'`` finds free keys through a boolean mask over all N² pairs and is used only
            up to ``DENSE_LIMIT`` pairs (the sparse path runs above it, where PyG would allocate
            the N² mask).
        force_undirected: sample ``num_neg_samples // 2`` unordered pairs {u, v} such that
            neither u -> v nor v -> u is an edge, and return both directions: all (u, v) first,
            then all (v, u) (PyG's layout).
        rng: a ``np.random.Generator`` or a seed; None draws from npgnn's global generator
            (``npgnn.manual_seed``).

    Returns:
        (2, K) int64 array with K = ``min(num_neg_samples, number of non-edges)`` (twice that for
        ``force_undirected``). PyG may return fewer pairs than both (it gives up after three
        rounds of rejection sampling); npgnn returns exactly that many.

    Raises:
        TypeError: ``edge_index`` is not integer, ``num_nodes`` not an int or a pair of ints,
            ``num_neg_samples`` not an int, a float or None.
        ValueError: ``edge_index`` is not (2, E); a count is negative or too large for int64
            keys; ``method`` is unknown.
        IndexError: a node id lies outside [0, num_nodes).

    Differences from PyG: PyG skips edges u -> v with u > v when ``force_undirected`` (it
    assumes an undirected input); npgnn treats every edge as an unordered pair there, so a
    directed input never gets a negative that is the reverse of an edge. PyG draws from
    Python's ``random`` module; npgnn from ``rng``.

    Example:
        >>> ei = np.array([[0, 0, 1, 2], [0, 1, 2, 3]])
        >>> neg = negative_sampling(ei, rng=0)
        >>> neg.shape
        (2, 4)
    """
    ei = _checks.as_edge_index(edge_index)
    bipartite = isinstance(num_nodes, tuple)
    if bipartite:
        n_src, n_dst = _node_pair(num_nodes)
    else:
        if num_nodes is None:
            num_nodes = int(ei.max()) + 1 if ei.size else 0
        n_src = n_dst = _checks.as_count("num_nodes", num_nodes)
    _check_ids(ei, n_src, n_dst)
    _check_method(method)
    requested = _requested(num_neg_samples, np.array([ei.shape[1]]), force_undirected and not bipartite)
    space = _KeySpace(np.array([0, n_src]), np.array([0, n_dst]), bipartite,
                      force_undirected and not bipartite)
    return _sample(space, ei, np.zeros(ei.shape[1], dtype=np.int64), requested, method, make_rng(rng))


def batched_negative_sampling(
    edge_index: Any,
    batch: Any,
    num_neg_samples: float | None = None,
    method: str = "sparse",
    force_undirected: bool = False,
    rng: RngLike = None,
) -> np.ndarray:
    """``negative_sampling`` inside each graph of a batch: no pair joins two graphs.

    Args:
        edge_index: (2, E) integer array of the batch (global node ids; every edge inside one
            graph).
        batch: (N,) sorted graph id of each node (``Batch.batch``), or ``(src_batch, dst_batch)``
            for a batch of bipartite graphs.
        num_neg_samples: per graph, as PyG: an int (the same count for every graph), a float
            ratio of that graph's edge count, or None for that graph's edge count.
        method, force_undirected, rng: as in ``negative_sampling``.

    Returns:
        (2, K) int64 array, graph by graph in batch order (within a graph in random order; with
        ``force_undirected`` each graph's (u, v) pairs then its (v, u) pairs, as PyG).

    Raises:
        TypeError, ValueError, IndexError: as ``negative_sampling``; ValueError also when
        ``batch`` is not sorted or an edge joins two graphs.
    """
    ei = _checks.as_edge_index(edge_index)
    bipartite = isinstance(batch, tuple)
    if bipartite:
        if len(batch) != 2:
            raise ValueError(f"batch: expected (src_batch, dst_batch) for a bipartite batch, got a "
                             f"tuple of {len(batch)}")
        src_batch, dst_batch = (_as_batch(name, b) for name, b in zip(("batch[0]", "batch[1]"), batch))
    else:
        src_batch = dst_batch = _as_batch("batch", batch)
    num_graphs = max(int(src_batch[-1]) + 1 if src_batch.size else 0,
                     int(dst_batch[-1]) + 1 if dst_batch.size else 0)
    src_ptr = _ptr(src_batch, num_graphs)
    dst_ptr = _ptr(dst_batch, num_graphs)
    _check_ids(ei, src_batch.size, dst_batch.size)
    _check_method(method)
    graph_of_edge = src_batch[ei[0]]
    if (graph_of_edge != dst_batch[ei[1]]).any():
        bad = int(np.flatnonzero(graph_of_edge != dst_batch[ei[1]])[0])
        raise ValueError(f"edge_index: edge {bad} ({ei[0, bad]} -> {ei[1, bad]}) joins graphs "
                         f"{graph_of_edge[bad]} and {dst_batch[ei[1, bad]]} of the batch; every edge "
                         f"must stay inside one graph")
    undirected = force_undirected and not bipartite
    edges_per_graph = np.bincount(graph_of_edge, minlength=num_graphs)
    requested = _requested(num_neg_samples, edges_per_graph, undirected)
    space = _KeySpace(src_ptr, dst_ptr, bipartite, undirected)
    return _sample(space, ei, graph_of_edge, requested, method, make_rng(rng))


# ----------------------------------------------------------------------------- argument checks
def _node_pair(num_nodes: tuple) -> tuple[int, int]:
    if len(num_nodes) != 2:
        raise ValueError(f"num_nodes: expected an int or a pair (num_src_nodes, num_dst_nodes), "
                         f"got a tuple of {len(num_nodes)}")
    return _checks.as_count("num_nodes[0]", num_nodes[0]), _checks.as_count("num_nodes[1]", num_nodes[1])


def _check_ids(ei: np.ndarray, n_src: int, n_dst: int) -> None:
    for row, n, side in ((0, n_src, "source"), (1, n_dst, "target")):
        ids = ei[row]
        if ids.size and (ids.min() < 0 or ids.max() >= n):
            raise IndexError(f"edge_index: {side} ids must lie in [0, {n}) (num_nodes), found "
                             f"min={ids.min()} max={ids.max()}; is num_nodes right, or the edge "
                             f"list 1-based?")


def _check_method(method: Any) -> None:
    if method not in ("sparse", "dense"):
        raise ValueError(f"method: expected 'sparse' or 'dense', got {method!r}")


def _as_batch(name: str, b: Any) -> np.ndarray:
    b = np.asarray(b)
    if b.size == 0:
        b = b.astype(np.int64)
    if b.ndim != 1 or b.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected a 1-D integer array of graph ids, got dtype {b.dtype} "
                        f"shape {b.shape}")
    b = b.astype(np.int64, copy=False)
    if b.size and (b[0] < 0 or (np.diff(b) < 0).any()):
        raise ValueError(f"{name}: graph ids must be >= 0 and sorted non-decreasing (each graph's "
                         f"nodes contiguous), as Batch.from_graphs builds them")
    return b


def _ptr(batch: np.ndarray, num_graphs: int) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.bincount(batch, minlength=num_graphs))]).astype(np.int64)


def _requested(num_neg_samples: Any, edges_per_graph: np.ndarray, undirected: bool) -> np.ndarray:
    """(G,) int64 pairs to draw per graph, by PyG's rule."""
    value = num_neg_samples
    if value is None:
        counts = edges_per_graph.astype(np.int64)
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"num_neg_samples: expected an int, a float ratio or None, got "
                        f"{type(value).__name__} {value!r}")
    elif isinstance(value, numbers.Integral):
        if value < 0:
            raise ValueError(f"num_neg_samples: expected a count >= 0, got {value}")
        counts = np.full(edges_per_graph.shape, int(value), dtype=np.int64)
    else:
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"num_neg_samples: expected a ratio >= 0 of the edge count, got {value}")
        counts = (float(value) * edges_per_graph).astype(np.int64)
    return counts // 2 if undirected else counts


# ----------------------------------------------------------------------------- the key space
class _KeySpace:
    """Int64 keys of the candidate pairs of every graph, graph after graph, in closed form.

    In graph g (local node ids, n nodes; keys offset by ``pop_ptr[g]``) the pair (a, b) has key
        directed    a·(n-1) + b - [b > a]          (a != b; n(n-1) keys)
        undirected  P - m(m+1)/2 + (b - a - 1)     (a < b, m = n-1-a, P = n(n-1)/2 keys)
        bipartite   a·n_dst + b                    (n_src·n_dst keys)
    so source a owns one contiguous run of keys. Only O(G) arrays are kept: no O(N), no O(N²).
    """

    def __init__(self, src_ptr: np.ndarray, dst_ptr: np.ndarray, bipartite: bool, undirected: bool):
        self.src_ptr, self.dst_ptr = src_ptr, dst_ptr
        self.bipartite, self.undirected = bipartite, undirected
        n, n_dst = np.diff(src_ptr), np.diff(dst_ptr)
        if max(n.max(initial=0), n_dst.max(initial=0)) > _MAX_NODES:
            raise ValueError(f"num_nodes: at most {_MAX_NODES} nodes per graph (pairs are int64 "
                             f"keys), got {max(n.max(initial=0), n_dst.max(initial=0))}")
        if bipartite:
            pop = n * n_dst
        elif undirected:
            pop = n * np.maximum(n - 1, 0) // 2
        else:
            pop = n * np.maximum(n - 1, 0)
        if pop.astype(np.float64).sum() >= 2.0 ** 62:  # each fits (n <= _MAX_NODES); the sum must too
            raise ValueError("num_nodes: the batch has more candidate pairs than int64 keys hold")
        self.pop_ptr = np.zeros(pop.size + 1, dtype=np.int64)
        np.cumsum(pop, out=self.pop_ptr[1:])
        self.n, self.n_dst = n, n_dst

    def keys(self, u: np.ndarray, v: np.ndarray, g: np.ndarray) -> np.ndarray:
        """Sorted unique keys of the edges u -> v of graphs g (self-loops have none unless
        bipartite; undirected, u -> v and v -> u share one key)."""
        a, b = u - self.src_ptr[g], v - self.dst_ptr[g]
        if self.bipartite:
            return _unique(self.pop_ptr[g] + a * self.n_dst[g] + b)
        keep = a != b
        a, b, g = a[keep], b[keep], g[keep]
        n = self.n[g]
        if self.undirected:
            a, b = np.minimum(a, b), np.maximum(a, b)
            m = n - 1 - a
            return _unique(self.pop_ptr[g] + n * (n - 1) // 2 - m * (m + 1) // 2 + (b - a - 1))
        return _unique(self.pop_ptr[g] + a * (n - 1) + b - (b > a))

    def pairs(self, keys: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(u, v, g): global node ids of the pairs with ``keys`` in graphs ``g`` (the inverse of
        ``keys``)."""
        q = keys - self.pop_ptr[g]
        n = self.n[g]
        if self.bipartite:
            a, b = np.divmod(q, self.n_dst[g])
        elif self.undirected:
            # t counts keys from the end; the rows from the end hold 1, 2, 3, ... keys, so the
            # row holding t has m keys with m(m-1)/2 <= t < m(m+1)/2. sqrt of a large number is
            # accurate to far below 1, and one integer step each way fixes the rounding.
            t = n * (n - 1) // 2 - 1 - q
            m = ((np.sqrt(8.0 * t + 1.0) + 1.0) // 2).astype(np.int64)
            m -= m * (m - 1) // 2 > t
            m += m * (m + 1) // 2 <= t
            a = n - 1 - m
            b = a + 1 + (m - 1 - (t - m * (m - 1) // 2))
        else:
            a, c = np.divmod(q, np.maximum(n - 1, 1))
            b = c + (c >= a)
        return self.src_ptr[g] + a, self.dst_ptr[g] + b, g


# ----------------------------------------------------------------------------- the sampler
def _sample(space: _KeySpace, ei: np.ndarray, graph_of_edge: np.ndarray, requested: np.ndarray,
            method: str, rng: np.random.Generator) -> np.ndarray:
    pop_ptr = space.pop_ptr
    taken = space.keys(ei[0], ei[1], graph_of_edge)
    free = np.diff(pop_ptr) - np.diff(np.searchsorted(taken, pop_ptr))  # non-edges per graph
    take = np.minimum(requested, free)
    free_ptr = np.zeros(free.size + 1, dtype=np.int64)
    np.cumsum(free, out=free_ptr[1:])

    # Increasing ranks, so that every searchsorted below walks its table once.
    ranks = _distinct_ranks(rng, free, free_ptr, take)
    if method == "dense" and pop_ptr[-1] <= DENSE_LIMIT:
        mask = np.ones(pop_ptr[-1], dtype=bool)
        mask[taken] = False
        keys = np.flatnonzero(mask)[ranks]
    else:
        keys = ranks + np.searchsorted(taken - np.arange(taken.size), ranks, side="right")
    graph = _graph_of(pop_ptr, keys)
    order = _shuffle_within(rng, graph, free.size)            # random order within each graph
    u, v, g = space.pairs(keys[order], graph[order])
    if not space.undirected:
        return np.stack([u, v])
    # PyG's layout, graph by graph: every (u, v), then every (v, u).
    direction = np.repeat([0, 1], u.size)
    both = np.lexsort((direction, np.concatenate([g, g])))
    return np.stack([np.concatenate([u, v])[both], np.concatenate([v, u])[both]])


def _unique(x: np.ndarray) -> np.ndarray:
    """Sorted unique values of an int64 array (a sort: NumPy's hash-based np.unique is several
    times slower on millions of keys)."""
    x = np.sort(x)
    keep = np.empty(x.size, dtype=bool)
    keep[:1] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def _distinct_ranks(rng: np.random.Generator, free: np.ndarray, free_ptr: np.ndarray,
                    take: np.ndarray) -> np.ndarray:
    """``take[g]`` distinct uniform ranks in [0, free[g]) per graph g, as global ranks
    ``free_ptr[g] + r``, in increasing order.

    A graph asked for at least a quarter of its non-edges enumerates them all (memory at most
    4x the output); the others draw ranks with replacement in bulk and top up the duplicates.
    Either way a uniformly random subset of the candidates is kept, so every set of ``take[g]`` non-edges is equally likely.
    """
    want = take > 0
    full = want & (4 * take >= free)
    pieces = []
    if full.any():
        gf = np.flatnonzero(full)
        sizes = free[gf]
        offsets = np.repeat(free_ptr[gf] - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
        pieces.append(np.arange(int(sizes.sum()), dtype=np.int64) + offsets)
    sparse = want & ~full
    if sparse.any():
        drawn = np.empty(0, dtype=np.int64)
        deficit = np.where(sparse, take, 0)
        while True:
            active = np.flatnonzero(deficit > 0)
            if active.size == 0:
                break
            count = (deficit[active] * 11) // 10 + 8          # 10% over to cover duplicates
            g = np.repeat(active, count)
            drawn = _unique(np.concatenate([drawn, free_ptr[g] + rng.integers(0, free[g])]))
            have = np.diff(np.searchsorted(drawn, free_ptr))
            deficit = np.where(sparse, take - have, 0)
        pieces.append(drawn)
    if not pieces:
        return np.empty(0, dtype=np.int64)
    candidates = np.sort(np.concatenate(pieces)) if len(pieces) > 1 else pieces[0]
    graph = _graph_of(free_ptr, candidates)
    surplus = np.bincount(graph, minlength=free.size) - take
    if not surplus.any():
        return candidates
    # Drop a uniformly random surplus[g] of each graph's candidates.
    if free.size == 1:
        drop = rng.choice(candidates.size, int(surplus[0]), replace=False, shuffle=False)
    else:
        order = _shuffle_within(rng, graph, free.size)
        first = np.searchsorted(graph, np.arange(free.size))   # graph is sorted
        g = graph[order]
        drop = order[np.arange(order.size) - first[g] >= take[g]]
    keep = np.ones(candidates.size, dtype=bool)
    keep[drop] = False
    return candidates[keep]


def _graph_of(ptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Graph g of each value, with graph g owning [ptr[g], ptr[g + 1]) (empty graphs own none)."""
    if ptr.size == 2:
        return np.zeros(values.size, dtype=np.int64)
    return np.searchsorted(ptr, values, side="right") - 1


def _shuffle_within(rng: np.random.Generator, graph: np.ndarray, num_graphs: int) -> np.ndarray:
    """A permutation that lists positions graph by graph (``graph`` is sorted) and in uniformly
    random order within each graph: a shuffle, then a stable counting sort by graph."""
    order = rng.permutation(graph.size)
    if num_graphs > 1:
        order = order[group_by(graph[order], num_graphs)[0]]
    return order
