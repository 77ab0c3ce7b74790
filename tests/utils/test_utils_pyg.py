"""npgnn.utils equals torch_geometric.utils on random graphs (duplicates, loops, isolated nodes)."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn import utils

from ._helpers import random_edges, same, t

SEEDS = [0, 1, 2]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fill_value", [None, 2.5, "mean", "max", "add", np.array([1.0, -2.0])])
@pytest.mark.parametrize("fn", ["add_self_loops", "add_remaining_self_loops"])
def test_self_loops(torch, pyg, seed, fill_value, fn):
    ei = random_edges(seed)
    attr = np.random.default_rng(seed).standard_normal((ei.shape[1], 2))
    fill = torch.tensor(fill_value) if isinstance(fill_value, np.ndarray) else fill_value
    theirs = getattr(pyg, fn)(t(torch, ei), t(torch, attr), fill, 12)
    same(getattr(utils, fn)(ei, attr, fill_value, 12), theirs)
    same(getattr(utils, fn)(ei, num_nodes=12), getattr(pyg, fn)(t(torch, ei), num_nodes=12))


def test_add_self_loops_bipartite(torch, pyg):
    ei = np.array([[0, 1, 2], [0, 3, 1]])
    w = np.array([1.0, 2.0, 3.0])
    same(utils.add_self_loops(ei, w, 0.5, (3, 4)),
         pyg.add_self_loops(t(torch, ei), t(torch, w), 0.5, (3, 4)))


@pytest.mark.parametrize("seed", SEEDS)
def test_remove_segregate_contains_self_loops(torch, pyg, seed):
    ei = random_edges(seed)
    w = np.random.default_rng(seed).random(ei.shape[1])
    same(utils.remove_self_loops(ei, w), pyg.remove_self_loops(t(torch, ei), t(torch, w)))
    same(utils.remove_self_loops(ei), pyg.remove_self_loops(t(torch, ei)))
    same(utils.segregate_self_loops(ei, w), pyg.segregate_self_loops(t(torch, ei), t(torch, w)))
    assert utils.contains_self_loops(ei) is pyg.contains_self_loops(t(torch, ei)) is True
    loopless = utils.remove_self_loops(ei)[0]
    assert utils.contains_self_loops(loopless) is pyg.contains_self_loops(t(torch, loopless))


@pytest.mark.parametrize("seed", SEEDS)
def test_isolated_nodes(torch, pyg, seed):
    ei = random_edges(seed)
    ei = np.concatenate([ei, [[11], [11]]], axis=1)   # node 11: isolated with a self-loop
    w = np.random.default_rng(seed).random(ei.shape[1])
    for n in (12, 13):
        same(utils.remove_isolated_nodes(ei, w, n),
             pyg.remove_isolated_nodes(t(torch, ei), t(torch, w), n))
        assert utils.contains_isolated_nodes(ei, n) == pyg.contains_isolated_nodes(t(torch, ei), n)
    assert utils.contains_isolated_nodes(np.array([[0, 1], [1, 0]])) is False


@pytest.mark.parametrize("seed", SEEDS)
def test_degree(torch, pyg, seed):
    ei = random_edges(seed)
    same(utils.degree(ei[1], 14), pyg.degree(t(torch, ei[1]), 14))
    same(utils.degree(ei[0], dtype=np.int64), pyg.degree(t(torch, ei[0]), dtype=torch.long))


@pytest.mark.parametrize("reduce", ["sum", "add", "mean", "min", "max"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter(torch, pyg, reduce, dim):
    rng = np.random.default_rng(3)
    src = rng.standard_normal((4, 9, 3))
    index = rng.integers(0, 6, src.shape[dim])
    same(utils.scatter(src, index, dim, 8, reduce),
         pyg.scatter(t(torch, src), t(torch, index), dim, 8, reduce))
    same(utils.scatter(src, index, dim, reduce=reduce),
         pyg.scatter(t(torch, src), t(torch, index), dim, reduce=reduce))


@pytest.mark.parametrize("dim", [0, 1])
def test_softmax(torch, pyg, dim):
    rng = np.random.default_rng(4)
    src = rng.standard_normal((10, 10, 2)) * 3
    index = np.sort(rng.integers(0, 7, 10))
    ptr = np.concatenate([[0], np.cumsum(np.bincount(index, minlength=8))])
    same(utils.softmax(src, index, num_nodes=8, dim=dim),
         pyg.softmax(t(torch, src), t(torch, index), num_nodes=8, dim=dim))
    # PyG needs torch-scatter for ptr along dim > 0: compare with its index form there
    theirs = pyg.softmax(t(torch, src), ptr=t(torch, ptr), dim=dim) if dim == 0 else \
        pyg.softmax(t(torch, src), t(torch, index), dim=dim)
    same(utils.softmax(src, ptr=ptr, dim=dim), theirs)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("relabel", [False, True])
def test_subgraph(torch, pyg, seed, relabel):
    ei = random_edges(seed)
    attr = np.random.default_rng(seed).random((ei.shape[1], 2))
    subset = np.array([7, 0, 3, 5, 2, 11])
    mask = np.zeros(12, dtype=bool)
    mask[subset] = True
    for s in (subset, mask, subset.tolist()):
        ours = utils.subgraph(s, ei, attr, relabel, 12, return_edge_mask=True)
        theirs = pyg.subgraph(s if isinstance(s, list) else t(torch, s), t(torch, ei),
                              t(torch, attr), relabel, 12, return_edge_mask=True)
        same(ours, theirs)
    same(utils.subgraph(subset[:-1], ei), pyg.subgraph(t(torch, subset[:-1]), t(torch, ei)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("flow", ["source_to_target", "target_to_source"])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("relabel", [False, True])
def test_k_hop_subgraph(torch, pyg, seed, flow, directed, relabel):
    ei = random_edges(seed, num_nodes=30, num_edges=35)
    for node_idx, hops in ((3, 2), ([5, 1], 1), (np.array([2, 9, 4]), 3), (0, 0)):
        theirs = pyg.k_hop_subgraph(node_idx if not isinstance(node_idx, np.ndarray)
                                    else t(torch, node_idx), hops, t(torch, ei), relabel, 30,
                                    flow, directed)
        same(utils.k_hop_subgraph(node_idx, hops, ei, relabel, 30, flow, directed), theirs)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reduce", ["sum", "mean", "min", "max"])
@pytest.mark.parametrize("sort_by_row", [True, False])
def test_coalesce_and_sort(torch, pyg, seed, reduce, sort_by_row):
    ei = random_edges(seed)
    w = np.random.default_rng(seed).random(ei.shape[1])
    a = np.random.default_rng(seed + 1).random((ei.shape[1], 3))
    same(utils.coalesce(ei, w, 12, reduce, sort_by_row=sort_by_row),
         pyg.coalesce(t(torch, ei), t(torch, w), 12, reduce, sort_by_row=sort_by_row))
    same(utils.coalesce(ei, [w, a], reduce=reduce),
         pyg.coalesce(t(torch, ei), [t(torch, w), t(torch, a)], reduce=reduce))
    same(utils.coalesce(ei), pyg.coalesce(t(torch, ei)))
    same(utils.coalesce(ei, None), pyg.coalesce(t(torch, ei), None))
    unique = utils.coalesce(ei)  # no duplicates: the sort is unambiguous for the values too
    wu = np.arange(unique.shape[1], dtype=np.float64)[::-1].copy()
    perm = np.random.default_rng(seed).permutation(unique.shape[1])
    same(utils.sort_edge_index(unique[:, perm], wu[perm], sort_by_row=sort_by_row),
         pyg.sort_edge_index(t(torch, unique[:, perm]), t(torch, wu[perm]),
                             sort_by_row=sort_by_row))
    same(utils.sort_edge_index(ei, sort_by_row=sort_by_row),
         pyg.sort_edge_index(t(torch, ei), sort_by_row=sort_by_row))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reduce", ["add", "mean", "max"])
def test_to_undirected_and_is_undirected(torch, pyg, seed, reduce):
    ei = random_edges(seed)
    w = np.random.default_rng(seed).random(ei.shape[1])
    ours = utils.to_undirected(ei, w, 12, reduce)
    same(ours, pyg.to_undirected(t(torch, ei), t(torch, w), 12, reduce))
    same(utils.to_undirected(ei), pyg.to_undirected(t(torch, ei)))
    same(utils.to_undirected(ei, 12), pyg.to_undirected(t(torch, ei), 12))
    for e, v in ((ei, None), (ours[0], ours[1]), (ours[0], None), (ei, w)):
        assert utils.is_undirected(e, v) == pyg.is_undirected(t(torch, e), t(torch, v))
    sym = utils.to_undirected(ei, w, reduce="max")
    assert utils.is_undirected(sym[0], [sym[1], sym[1]])


@pytest.mark.parametrize("seed", SEEDS)
def test_scipy_conversions(torch, pyg, seed):
    ei = random_edges(seed)
    w = np.random.default_rng(seed).random(ei.shape[1])
    for attr in (None, w):
        ours = utils.to_scipy_sparse_matrix(ei, attr, 14)
        theirs = pyg.to_scipy_sparse_matrix(t(torch, ei), t(torch, attr), 14)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours.toarray(), theirs.toarray())
        same(utils.from_scipy_sparse_matrix(ours), pyg.from_scipy_sparse_matrix(theirs))


@pytest.mark.parametrize("seed", SEEDS)
def test_to_dense_adj(torch, pyg, seed):
    rng = np.random.default_rng(seed)
    ei = random_edges(seed)
    batch = np.repeat([0, 1, 2], [5, 4, 3])
    ei = ei[:, batch[ei[0]] == batch[ei[1]]]          # no edge across graphs
    attr = rng.random((ei.shape[1], 2))
    same(utils.to_dense_adj(ei), pyg.to_dense_adj(t(torch, ei)))
    for kwargs in ({}, {"max_num_nodes": 3}, {"batch_size": 4}, {"max_num_nodes": 6}):
        same(utils.to_dense_adj(ei, batch, attr, **kwargs),
             pyg.to_dense_adj(t(torch, ei), t(torch, batch), t(torch, attr), **kwargs))
        same(utils.to_dense_adj(ei, batch, attr[:, 0], **kwargs),
             pyg.to_dense_adj(t(torch, ei), t(torch, batch), t(torch, attr[:, 0]), **kwargs))


def test_dense_to_sparse(torch, pyg):
    rng = np.random.default_rng(5)
    adj = rng.random((3, 4, 4)) * (rng.random((3, 4, 4)) < 0.4)
    same(utils.dense_to_sparse(adj), pyg.dense_to_sparse(t(torch, adj)))
    same(utils.dense_to_sparse(adj[1]), pyg.dense_to_sparse(t(torch, adj[1])))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]], dtype=bool)
    same(utils.dense_to_sparse(adj, mask), pyg.dense_to_sparse(t(torch, adj), t(torch, mask)))


def test_masks(torch, pyg):
    index = np.array([3, 1, 3, 7])
    same(utils.index_to_mask(index), pyg.index_to_mask(t(torch, index)))
    same(utils.index_to_mask(index, 10), pyg.index_to_mask(t(torch, index), 10))
    mask = utils.index_to_mask(index, 10)
    same(utils.mask_to_index(mask), pyg.mask_to_index(t(torch, mask)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("normalization", [None, "sym", "rw"])
def test_get_laplacian(torch, pyg, seed, normalization):
    ei = random_edges(seed)
    w = np.random.default_rng(seed).random(ei.shape[1])
    same(utils.get_laplacian(ei, w, normalization, num_nodes=12),
         pyg.get_laplacian(t(torch, ei), t(torch, w), normalization, num_nodes=12))
    same(utils.get_laplacian(ei, normalization=normalization),
         pyg.get_laplacian(t(torch, ei), normalization=normalization), rtol=1e-6)


@pytest.mark.parametrize("force_undirected", [False, True])
def test_dropout_edge_layout_and_rate(torch, pyg, force_undirected):
    ei = utils.to_undirected(random_edges(6, num_nodes=200, num_edges=4000))
    out, mask = utils.dropout_edge(ei, 0.3, force_undirected, rng=0)
    again = utils.dropout_edge(ei, 0.3, force_undirected, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(out, again[0])
    torch.manual_seed(0)
    theirs = pyg.dropout_edge(t(torch, ei), 0.3, force_undirected)
    assert mask.dtype.kind == theirs[1].numpy().dtype.kind   # bool mask, or int edge ids
    if force_undirected:
        half = mask.size // 2
        np.testing.assert_array_equal(out, np.concatenate([ei[:, mask[:half]],
                                                           ei[:, mask[:half]][::-1]], axis=1))
        assert (ei[0, mask[:half]] <= ei[1, mask[:half]]).all()
        assert utils.is_undirected(out)
        kept = half / (ei[0] <= ei[1]).sum()
    else:
        np.testing.assert_array_equal(out, ei[:, mask])
        kept = mask.mean()
    assert abs(kept - 0.7) < 0.05
    same(utils.dropout_edge(ei, 0.3, training=False), pyg.dropout_edge(t(torch, ei), 0.3,
                                                                        training=False))
