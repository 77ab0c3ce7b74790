"""Renumber a graph's nodes for memory locality: reverse Cuthill-McKee or degree order.

A sparse aggregation gathers ``x[j]`` for every edge ``j -> i``; when the sources of a row lie
far apart in memory, each gather waits for DRAM. Renumbering the nodes so that neighbours get
nearby ids (bandwidth reduction) lets those rows come from cache. The results of a model are the
same up to the permutation; the gain depends on the graph having structure to exploit: a uniform
random graph has none (benchmarks/scaling.py measures both kinds).

The permutation is kept as DGL's ``reorder_graph`` keeps it (``ndata[dgl.NID]``): a node-level
attribute ``perm``, where ``new.perm[i]`` is the original id of new node ``i``, so
``new.x == old.x[new.perm]``; it follows the nodes through ``subgraph`` and batching as any
node-level attribute does. Its inverse, the new id of each original node, is
``new.perm_inverse`` (computed from ``perm`` in O(N)): ``old.x == new.x[new.perm_inverse]``, and
``restore(out, new.perm)`` maps a model's output on the reordered graph back to the original
order. Edges keep their order (only their node ids change), so edge-level attributes stay
aligned; attributes holding node ids (keys with ``"index"``/``"face"``, PyG's ``__inc__`` rule,
e.g. ``edge_label_index``) are relabelled.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from npgnn.graph.graph import Graph

METHODS = ("rcm", "degree")


def node_order(graph: Graph, method: str = "rcm") -> np.ndarray:
    """(N,) int64 ``perm`` with ``perm[new] = old``: the order ``reorder`` puts the nodes in.

    - ``"rcm"``: reverse Cuthill-McKee (Cuthill & McKee 1969; George 1971) of the symmetrised
      adjacency ``A + Aᵀ`` (``scipy.sparse.csgraph.reverse_cuthill_mckee``): a breadth-first
      order from a low-degree node, reversed, that keeps neighbours' ids close.
    - ``"degree"``: total degree (in + out, duplicates counted) descending, ties by id: the
      nodes gathered most often share cache lines and pages.

    In a batch (``batch`` set), nodes are kept inside their own graph (a stable sort by
    ``batch`` after the order above), so ``batch`` stays sorted and ``ptr`` valid.

    Raises:
        ValueError: ``method`` is not one of ``METHODS``.
    """
    if method not in METHODS:
        raise ValueError(f"reorder: method must be one of {METHODS}, got {method!r}")
    n = graph.num_nodes
    src, dst = graph.edge_index
    if n == 0:
        return np.empty(0, dtype=np.int64)
    if method == "rcm":
        from scipy.sparse.csgraph import reverse_cuthill_mckee

        a = sp.csr_matrix((np.ones(src.size, dtype=np.int8), (dst, src)), shape=(n, n))
        perm = np.asarray(reverse_cuthill_mckee((a + a.T).tocsr(), symmetric_mode=True),
                          dtype=np.int64)
    else:
        degree = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
        perm = np.argsort(-degree, kind="stable").astype(np.int64)
    if graph.batch is not None:
        perm = perm[np.argsort(graph.batch[perm], kind="stable")]
    return perm


def inverse(perm: np.ndarray) -> np.ndarray:
    """The inverse permutation: ``inverse(perm)[perm] == arange(N)``, in O(N).

    Raises:
        ValueError: ``perm`` is not a permutation of ``0..N-1``.
    """
    perm = np.asarray(perm)
    n = perm.shape[0] if perm.ndim == 1 else -1
    if perm.ndim != 1 or perm.dtype.kind not in "iu":
        raise ValueError(f"perm: expected a 1-D integer array, got dtype {perm.dtype} shape "
                         f"{perm.shape}")
    inv = np.full(n, -1, dtype=np.int64)
    if n and (perm.min() < 0 or perm.max() >= n):
        raise ValueError(f"perm: expected a permutation of 0..{n - 1}, found ids outside it "
                         f"(min {perm.min()}, max {perm.max()}); after subgraph or batching, "
                         "perm holds original ids of a subset and has no inverse")
    inv[perm] = np.arange(n, dtype=np.int64)
    if n and inv.min() < 0:
        raise ValueError(f"perm: expected a permutation of 0..{n - 1}, found repeated ids")
    return inv


def restore(values: Any, perm: np.ndarray) -> Any:
    """Rows of ``values`` (computed on the reordered graph) back in the original node order.

    ``values``: an ndarray or npgnn Tensor with N rows (node-level outputs); returns the same
    kind (a Tensor result stays differentiable). Equals ``values[inverse(perm)]``.

    Raises:
        ValueError: ``perm`` is not a permutation, or ``values`` does not have N rows.
    """
    inv = inverse(perm)
    rows = np.shape(values)[0] if np.ndim(values) else None
    if rows != inv.size:
        raise ValueError(f"restore: values must have {inv.size} rows (one per node), got shape "
                         f"{np.shape(values)}")
    return values[inv]


def reorder(graph: Graph, method: str = "rcm") -> Graph:
    """The graph with its nodes renumbered by ``node_order(graph, method)`` (see the module).

    Every node-level attribute (``x`` dense or sparse, node-level ``y``, the masks, ``batch``,
    ``pos`` and any extra node-level attribute, see ``Graph.level``) is permuted, attributes
    holding node ids are relabelled, ``edge_index`` is relabelled (edges keep their order), and
    ``perm`` is set (composed with an existing ``perm``, so it always names the ids before the
    first reorder). Graph- and edge-level attributes are unchanged; the input is not modified;
    the result builds its sparse structures afresh on first use.

    Raises:
        ValueError: ``method`` is not one of ``METHODS``.
    """
    perm = node_order(graph, method)
    inv = inverse(perm)
    n = graph.num_nodes
    before = graph.get("perm")  # reordered twice: perm still names the very first ids
    original = before[perm] if isinstance(before, np.ndarray) and before.shape == (n,) else perm
    changes: dict[str, Any] = {"edge_index": inv[graph.edge_index], "perm": original}
    for key, value in graph.items():
        if key in changes or key in ("num_nodes", "ptr"):
            continue
        dim = graph.__cat_dim__(key, value)
        if graph.__inc__(key, value) == n and ("index" in key or key == "face") \
                and isinstance(value, np.ndarray) and value.dtype.kind in "iu":
            changes[key] = inv[value]
        elif graph.level(key) == "node":
            index = [slice(None)] * value.ndim
            index[dim if isinstance(dim, int) else 0] = perm
            changes[key] = value[tuple(index)]
    return graph.replace(**changes)
