"""Property suite: losses (npgnn.nn.functional), global pools and the edge_index utilities
called with malformed arguments: a clear npgnn error or a result of the documented shape."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import npgnn.nn.functional as F
from npgnn import utils
from npgnn.nn.pool import global_add_pool, global_max_pool, global_mean_pool

from ._fuzz import FUZZ, Refused, arrays, edge_indices, junk, outcome

LOSSES = {
    "cross_entropy": lambda x, t, w, r: F.cross_entropy(x, t, weight=w, reduction=r),
    "nll_loss": lambda x, t, w, r: F.nll_loss(x, t, weight=w, reduction=r),
    "binary_cross_entropy": lambda x, t, w, r: F.binary_cross_entropy(x, t, weight=w, reduction=r),
    "binary_cross_entropy_with_logits":
        lambda x, t, w, r: F.binary_cross_entropy_with_logits(x, t, weight=w, reduction=r),
    "mse_loss": lambda x, t, w, r: F.mse_loss(x, t, reduction=r, weight=w),
    "l1_loss": lambda x, t, w, r: F.l1_loss(x, t, reduction=r, weight=w),
}


@FUZZ
@given(st.sampled_from(sorted(LOSSES)), st.data())
def test_losses(name, data):
    n, c = data.draw(st.integers(0, 4)), 3
    x = data.draw(st.one_of(arrays((n, c)), junk()), label="input")
    target = data.draw(st.one_of(arrays((n,), ints=(-101, 4)), arrays((n, c)), junk()),
                       label="target")
    weight = data.draw(st.one_of(st.none(), arrays((c,)), junk()), label="weight")
    reduction = data.draw(st.sampled_from(["mean", "sum", "none", "avg", None]), label="reduction")
    out = outcome(lambda: LOSSES[name](x, target, weight, reduction), x, target, weight)
    if isinstance(out, Refused):
        return
    value = out.data
    assert value.dtype.kind == "f"
    if reduction != "none":
        assert value.shape == ()


POOLS = {"add": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}


@FUZZ
@given(st.sampled_from(sorted(POOLS)), st.data())
def test_pools(name, data):
    n = data.draw(st.integers(0, 5))
    x = data.draw(st.one_of(arrays((n, 2)), junk()), label="x")
    batch = data.draw(st.one_of(st.none(), arrays((n,), ints=(-1, 3)), junk()), label="batch")
    size = data.draw(st.one_of(st.none(), st.integers(-1, 4), junk()), label="size")
    out = outcome(lambda: POOLS[name](x, batch, size), x)
    if isinstance(out, Refused):
        return
    x_arr = np.asarray(x)
    groups = size if size is not None else (1 if batch is None else
                                            (int(np.max(batch)) + 1 if np.size(batch) else 0))
    assert out.data.shape == (groups, *x_arr.shape[1:])


def _targets(ei):
    """Row 1 of a (2, E) array, else the value itself (malformed on purpose)."""
    return ei[1] if isinstance(ei, np.ndarray) and ei.ndim == 2 and ei.shape[0] == 2 else ei


def _sources(ei):
    return ei[0] if isinstance(ei, np.ndarray) and ei.ndim == 2 and ei.shape[0] == 2 else ei


UTILS = {
    "coalesce": lambda ei, v, n: utils.coalesce(ei, v, n),
    "to_undirected": lambda ei, v, n: utils.to_undirected(ei, v, n),
    "sort_edge_index": lambda ei, v, n: utils.sort_edge_index(ei, v, n),
    "is_undirected": lambda ei, v, n: utils.is_undirected(ei, v, n),
    "degree": lambda ei, v, n: utils.degree(_sources(ei), n),
    "add_self_loops": lambda ei, v, n: utils.add_self_loops(ei, v, num_nodes=n),
    "add_remaining_self_loops": lambda ei, v, n: utils.add_remaining_self_loops(ei, v, 1.0, n),
    "remove_self_loops": lambda ei, v, n: utils.remove_self_loops(ei, v),
    "contains_isolated_nodes": lambda ei, v, n: utils.contains_isolated_nodes(ei, n),
    "remove_isolated_nodes": lambda ei, v, n: utils.remove_isolated_nodes(ei, v, n),
    "subgraph": lambda ei, v, n: utils.subgraph([0, 1], ei, v, True, n),
    "k_hop_subgraph": lambda ei, v, n: utils.k_hop_subgraph(0, 2, ei, True, n),
    "to_dense_adj": lambda ei, v, n: utils.to_dense_adj(ei, edge_attr=v, max_num_nodes=n),
    "get_laplacian": lambda ei, v, n: utils.get_laplacian(ei, v, "sym", num_nodes=n),
    "to_scipy_sparse_matrix": lambda ei, v, n: utils.to_scipy_sparse_matrix(ei, v, n),
    "negative_sampling": lambda ei, v, n: utils.negative_sampling(ei, n, 2),
    "dropout_edge": lambda ei, v, n: utils.dropout_edge(ei, 0.5),
    "softmax": lambda ei, v, n: utils.softmax(v, _targets(ei), num_nodes=n),
    "scatter": lambda ei, v, n: utils.scatter(v, _targets(ei), 0, n, "sum"),
    "index_to_mask": lambda ei, v, n: utils.index_to_mask(ei, n),
    "mask_to_index": lambda ei, v, n: utils.mask_to_index(v),
    "contains_self_loops": lambda ei, v, n: utils.contains_self_loops(ei),
    "segregate_self_loops": lambda ei, v, n: utils.segregate_self_loops(ei, v),
    "to_dense_batch": lambda ei, v, n: utils.to_dense_batch(v, _sources(ei), max_num_nodes=n),
    "dense_to_sparse": lambda ei, v, n: utils.dense_to_sparse(v),
    "batched_negative_sampling": lambda ei, v, n: utils.batched_negative_sampling(
        ei, _sources(ei) if isinstance(v, np.ndarray) else v),
}


@FUZZ
@given(st.sampled_from(sorted(UTILS)), st.data())
def test_edge_index_utilities(name, data):
    n = data.draw(st.integers(0, 5), label="n")
    ei = data.draw(edge_indices(n), label="edge_index")
    e = ei.shape[1] if isinstance(ei, np.ndarray) and ei.ndim == 2 else 4
    values = data.draw(st.one_of(st.none(), arrays((e,)), junk()), label="values")
    num_nodes = data.draw(st.sampled_from([n, None, n + 1, 0, -1, 2.5, True, "3"]),
                          label="num_nodes")
    outcome(lambda: UTILS[name](ei, values, num_nodes), values)
