"""PyG's ``NeighborLoader``: mini-batches of sampled k-hop in-neighbourhoods of seed nodes."""
from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from npgnn.graph import _checks
from npgnn.graph.graph import Graph
from npgnn.kernels.sampling import label_new_nodes, ranges, sample_in_edges
from npgnn.random import default_generator

#: torch DataLoader and PyG options that have no meaning here (no worker processes, no devices,
#: the CSR is built from ``edge_index`` whether sorted or not).
_IGNORED = ("num_workers", "pin_memory", "persistent_workers", "prefetch_factor", "timeout",
            "worker_init_fn", "multiprocessing_context", "pin_memory_device", "is_sorted",
            "filter_per_worker")
#: PyG options npgnn does not implement yet: refused when set to anything but their default.
_UNSUPPORTED = ("temporal_strategy", "time_attr", "weight_attr", "transform",
                "transform_sampler_output", "neighbor_sampler")


class NeighborLoader:
    """Iterate over seed nodes in batches, each with its sampled multi-hop in-neighbourhood.

    PyG's ``torch_geometric.loader.NeighborLoader`` (GraphSAGE's sampler, Hamilton et al.,
    "Inductive Representation Learning on Large Graphs", NeurIPS 2017, Alg. 2) for a homogeneous
    ``Graph``. Hop h expands the nodes first reached at hop h-1 (the seeds for h = 1): every
    such node i keeps ``num_neighbors[h-1]`` of its incoming edges j -> i (all of them for -1;
    min(k, in-degree) distinct ones without ``replace``), and the sources j not seen before join
    the subgraph. Each batch is a ``Graph`` of the sampled subgraph:

    - nodes relabelled 0..n-1 in order of discovery, the ``batch_size`` seed nodes first
      (0..batch_size-1, in input order); node-level attributes (``x``, ``y``, masks ...) are the
      rows ``n_id`` of the full graph's;
    - ``edge_index`` (2, S) int64, the sampled edges j -> i in local ids, and edge-level
      attributes the rows ``e_id``;
    - ``n_id`` (n,) int64 global node ids, ``e_id`` (S,) int64 global edge ids,
      ``batch_size`` (int), ``input_id`` (batch_size,) int64 (for ``input_nodes`` given as a bool
      mask: the seeds' node ids; otherwise their positions in ``input_nodes``, as PyG),
      ``num_sampled_nodes`` / ``num_sampled_edges`` (lists per hop, PyG's).

    Cost per batch is O(sampled edges) (Floyd's subset sampling in ``npgnn.kernels.sampling``)
    plus an (N,) int64 relabel array allocated once per loader, and O(in-edges of sampled nodes)
    with ``directed=False``.

    Args:
        data: the ``Graph``; its in-edge CSR (``Graph.target_order``) is built once and cached.
        num_neighbors: a sequence of ints >= -1, one per hop (-1: every neighbour).
        input_nodes: the seed nodes: None (all nodes), an (N,) bool mask, or 1-D node ids.
        input_time, disjoint: PyG's temporal/disjoint sampling; only the defaults (None, False).
        replace: sample with replacement (k draws per node; edges may repeat).
        subgraph_type: ``"directional"`` (the sampled edges) or ``"induced"`` (every edge of the
            full graph between the sampled nodes).
        directed: PyG's deprecated spelling: False means ``subgraph_type="induced"``.
        batch_size: seeds per batch (PyG's default 1); the last batch may be smaller unless
            ``drop_last``.
        shuffle: draw a new order of the seeds every epoch.
        drop_last: skip a final incomplete batch.
        seed: npgnn only: an int or a ``np.random.Generator`` feeding both the shuffle and the
            sampling, so a seeded loader gives the same batches run after run; None uses
            npgnn's global generator (``npgnn.manual_seed``), as torch does.
        num_workers, pin_memory, ..., is_sorted, filter_per_worker: torch's worker/device
            options and PyG's hints, accepted and ignored.

    Differences from PyG: no heterogeneous graphs, temporal or weighted sampling, ``disjoint``,
    ``"bidirectional"`` or ``transform`` (refused by name, not built yet); ``batch_size``,
    ``shuffle`` and the rest are keyword-only (PyG passes them on to torch's DataLoader); the order of sampled non-seed nodes and edges
    within a hop differs from pyg-lib's (the sets follow the same distribution).

    Raises:
        TypeError: ``data`` is not a Graph, ``num_neighbors`` not a sequence of ints,
            ``input_nodes`` neither a bool mask nor integer ids, an unknown keyword.
        ValueError: an unsupported PyG option set, ``num_neighbors`` empty or with an entry below -1, ``batch_size`` < 1,
            a mask of the wrong length, repeated
            input nodes. IndexError: an input node outside [0, N).
    """

    def __init__(self, data: Graph, num_neighbors: Sequence[int], input_nodes: Any = None,
                 input_time: Any = None, replace: bool = False,
                 subgraph_type: str = "directional", disjoint: bool = False, *,
                 directed: bool = True, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int | np.random.Generator | None = None,
                 **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(_IGNORED) - set(_UNSUPPORTED))
        if unknown:
            raise TypeError(f"NeighborLoader: unexpected keyword argument {unknown[0]!r}")
        given = [k for k in _UNSUPPORTED if kwargs.get(k) not in (None, "uniform")]
        if input_time is not None:
            given.insert(0, "input_time")
        if disjoint:
            given.append("disjoint")
        if given:
            raise ValueError(f"NeighborLoader: {given[0]} is not supported (no temporal, "
                             f"weighted, disjoint or transformed sampling yet)")
        if subgraph_type not in ("directional", "induced"):
            raise ValueError(f"NeighborLoader: subgraph_type must be 'directional' or 'induced' "
                             f"('bidirectional' is not supported), got {subgraph_type!r}")
        if not isinstance(data, Graph):
            raise TypeError(f"NeighborLoader: data must be a npgnn Graph, got "
                            f"{type(data).__name__}")
        self.num_neighbors = _num_neighbors(num_neighbors)
        self.batch_size = _checks.as_count("batch_size", batch_size, minimum=1)
        self.input_nodes, self.input_id = _input_nodes(input_nodes, data.num_nodes)
        if isinstance(seed, np.random.Generator):
            self.rng = seed
        elif seed is None:
            self.rng = default_generator()
        elif isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
            self.rng = np.random.default_rng(int(seed))
        else:
            raise TypeError(f"NeighborLoader: seed must be an int, a numpy Generator or None, "
                            f"got {type(seed).__name__} {seed!r}")
        self.data = data
        self.shuffle, self.replace = bool(shuffle), bool(replace)
        self.directed = bool(directed) and subgraph_type == "directional"
        self.subgraph_type = "directional" if self.directed else "induced"
        self.drop_last = bool(drop_last)
        self._perm, self._indptr = data.target_order()
        self._local = np.full(data.num_nodes, -1, dtype=np.int64)

    def __len__(self) -> int:
        n, b = self.input_nodes.size, self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Graph]:
        n = self.input_nodes.size
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield self(order[start:start + self.batch_size])

    def __call__(self, index: Any) -> Graph:
        """The batch of the seeds ``input_nodes[index]`` (PyG's ``NodeLoader.__call__``)."""
        index = np.asarray(index, dtype=np.int64).reshape(-1)
        seeds = self.input_nodes[index]
        input_id = index if self.input_id is None else self.input_id[index]
        return self._sample(seeds, input_id)

    def _sample(self, seeds: np.ndarray, input_id: np.ndarray) -> Graph:
        n_id, e_id, edge_index, sampled_nodes, sampled_edges = self._structure(seeds)
        out = self.data._select(n_id, e_id, {"edge_index": edge_index,
                                             "num_nodes": int(n_id.size), "ptr": None})
        out.n_id, out.e_id = n_id, e_id
        out.batch_size, out.input_id = int(seeds.size), input_id
        out.num_sampled_nodes, out.num_sampled_edges = sampled_nodes, sampled_edges
        return out

    def _iter_structure(self) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
        """(n_id, edge_index, batch_size) of every batch, in ``__iter__``'s order, without
        gathering any node or edge attribute (layer-wise inference reads its own features)."""
        n = self.input_nodes.size
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            seeds = self.input_nodes[order[start:start + self.batch_size]]
            n_id, _, edge_index, _, _ = self._structure(seeds)
            yield n_id, edge_index, int(seeds.size)

    def _structure(self, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                      list[int], list[int]]:
        """(n_id, e_id, local edge_index, nodes per hop, edges per hop) of one batch."""
        local, perm, indptr = self._local, self._perm, self._indptr
        src_all = self.data.edge_index[0]
        nodes, edges, targets = [seeds], [], []
        local[seeds] = np.arange(seeds.size)
        count, frontier = seeds.size, seeds
        sampled_nodes, sampled_edges = [int(seeds.size)], []
        try:
            for k in self.num_neighbors:
                pos, owner = sample_in_edges(indptr, frontier, k, self.replace, self.rng)
                e = perm[pos]
                src = src_all[e]
                new = label_new_nodes(src, local, count)
                nodes.append(new)
                count += new.size
                edges.append(e)
                targets.append(frontier[owner])
                sampled_nodes.append(int(new.size))
                sampled_edges.append(int(e.size))
                frontier = new
            n_id = np.concatenate(nodes)
            if self.directed:
                e_id = np.concatenate(edges) if edges else np.empty(0, dtype=np.int64)
                dst = np.concatenate(targets) if targets else np.empty(0, dtype=np.int64)
            else:
                starts = indptr[n_id]
                e_id = perm[ranges(starts, indptr[n_id + 1] - starts)]
                e_id = e_id[local[src_all[e_id]] >= 0]
                dst = self.data.edge_index[1][e_id]
            edge_index = np.stack([local[src_all[e_id]], local[dst]])
        finally:
            for part in nodes:
                local[part] = -1
        return n_id, e_id, edge_index, sampled_nodes, sampled_edges

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _num_neighbors(value: Any) -> list[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) and not (
            isinstance(value, np.ndarray) and value.ndim == 1):
        raise TypeError(f"NeighborLoader: num_neighbors must be a sequence of ints (one per "
                        f"hop), got {type(value).__name__} {value!r}")
    out = []
    for k in value:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral):
            raise TypeError(f"NeighborLoader: num_neighbors must hold ints, got "
                            f"{type(k).__name__} {k!r}")
        if k < -1:
            raise ValueError(f"NeighborLoader: num_neighbors entries must be >= -1 (-1: all "
                             f"neighbours), got {int(k)}")
        out.append(int(k))
    if not out:
        raise ValueError("NeighborLoader: num_neighbors must name at least one hop, got []")
    return out


def _input_nodes(value: Any, n: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(seed node ids, input_id source or None for positions), as PyG's ``get_input_nodes``."""
    if value is None:
        return np.arange(n, dtype=np.int64), None
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        if arr.shape != (n,):
            raise ValueError(f"NeighborLoader: an input_nodes mask must have shape ({n},), "
                             f"got {arr.shape}")
        ids = np.flatnonzero(arr).astype(np.int64)
        return ids, ids
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"NeighborLoader: input_nodes must be None, an (N,) bool mask or 1-D "
                        f"integer node ids, got dtype {arr.dtype} shape {arr.shape}")
    ids = arr.astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise IndexError(f"NeighborLoader: input_nodes must lie in [0, {n}), found "
                         f"min={ids.min()} max={ids.max()}")
    if np.unique(ids).size != ids.size:
        raise ValueError("NeighborLoader: input_nodes must not repeat a node (each seed is "
                         "one row of its batch)")
    return ids, None
