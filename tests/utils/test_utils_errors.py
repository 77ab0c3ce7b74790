"""Bad input to npgnn.utils is refused with a message naming the argument."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn import utils

EI = np.array([[0, 1, 2], [1, 2, 0]])


@pytest.mark.parametrize("call, error, match", [
    (lambda: utils.add_self_loops(EI.T), ValueError, r"edge_index: expected shape \(2, E\)"),
    (lambda: utils.coalesce(EI.astype(float)), TypeError, "edge_index: expected integer"),
    (lambda: utils.remove_self_loops(EI, np.ones(4)), ValueError, "edge_attr: expected 3 rows"),
    (lambda: utils.add_remaining_self_loops(EI, num_nodes=2), IndexError,
     r"edge_index: node ids must lie in \[0, 2\)"),
    (lambda: utils.add_self_loops(EI, np.ones(3), "mul"), ValueError, "fill_value: expected"),
    (lambda: utils.add_self_loops(EI, np.ones((3, 2)), np.ones(3)), ValueError,
     "fill_value: shape"),
    (lambda: utils.add_self_loops(EI, num_nodes=(3,)), ValueError, "num_nodes: expected an int"),
    (lambda: utils.add_self_loops(EI, num_nodes=(3, 2)), IndexError,
     r"target ids must lie in \[0, 2\)"),
    (lambda: utils.degree(EI), TypeError, "index: expected a 1-D integer array"),
    (lambda: utils.degree(EI[0], num_nodes=-1), ValueError, "num_nodes: expected an int >= 0"),
    (lambda: utils.degree(EI[0], num_nodes=2.5), TypeError, "num_nodes: expected an int"),
    (lambda: utils.scatter(np.ones(3), EI[0], reduce="mul"), ValueError, "reduce: expected one"),
    (lambda: utils.scatter(np.ones(3), EI[0], dim=1), ValueError, "dim: expected an axis"),
    (lambda: utils.scatter(np.ones(4), EI[0]), ValueError, r"index: expected 4 ids"),
    (lambda: utils.scatter(np.ones(3), EI[0], dim_size=2), IndexError,
     r"index: ids must lie in \[0, 2\)"),
    (lambda: utils.scatter(np.array(["a", "b", "c"]), EI[0]), TypeError, "src: expected real"),
    (lambda: utils.softmax(np.ones(3)), ValueError, "pass index"),
    (lambda: utils.softmax(np.ones(3), np.array([0, -1, 0])), IndexError, "index: ids must be"),
    (lambda: utils.softmax(np.ones(3), ptr=[0, 2]), ValueError, "ptr: last offset"),
    (lambda: utils.softmax(np.arange(3), EI[0]), TypeError, "src: expected floating"),
    (lambda: utils.subgraph([0, 5], EI), IndexError, r"subset: ids must lie in \[0, 3\)"),
    (lambda: utils.subgraph([0, 0, 1], EI, relabel_nodes=True), ValueError,
     "subset: contains duplicate"),
    (lambda: utils.subgraph(np.ones((2, 2), bool), EI), ValueError, "subset: expected a 1-D"),
    (lambda: utils.k_hop_subgraph(0, 1, EI, flow="up"), ValueError, "flow: expected"),
    (lambda: utils.k_hop_subgraph(0, -1, EI), ValueError, "num_hops: expected an int >= 0"),
    (lambda: utils.k_hop_subgraph([7], 1, EI), IndexError, "node_idx: ids must lie"),
    (lambda: utils.dropout_edge(EI, 1.5), ValueError, "p: dropout probability"),
    (lambda: utils.dropout_edge(EI, "0.5"), ValueError, "p: dropout probability"),
    (lambda: utils.coalesce(EI, reduce="median"), ValueError, "reduce: expected one of"),
    (lambda: utils.to_undirected(EI, [np.ones(3), np.ones(2)]), ValueError,
     r"edge_attr\[1\]: expected 3 rows"),
    (lambda: utils.to_scipy_sparse_matrix(EI, np.ones(2)), ValueError, "edge_attr: expected 3"),
    (lambda: utils.from_scipy_sparse_matrix(np.eye(2)), TypeError, "A: expected a scipy"),
    (lambda: utils.to_dense_adj(EI, batch=np.array([0, 0])), IndexError,
     r"edge_index: ids must lie in \[0, 2\)"),
    (lambda: utils.to_dense_adj(EI, batch=np.array([0, 1, 2]), batch_size=2), IndexError,
     r"batch: graph ids must lie in \[0, 2\)"),
    (lambda: utils.dense_to_sparse(np.ones(3)), ValueError, "adj: expected a 2-D or 3-D"),
    (lambda: utils.dense_to_sparse(np.ones((2, 2, 2)), np.ones(2)), ValueError,
     "mask: expected 2 dimensions"),
    (lambda: utils.index_to_mask([1.5]), TypeError, "index: expected a 1-D integer"),
    (lambda: utils.index_to_mask([4], size=3), IndexError, r"index: ids must lie in \[0, 3\)"),
    (lambda: utils.mask_to_index([0, 1]), TypeError, "mask: expected a 1-D bool"),
    (lambda: utils.get_laplacian(EI, normalization="row"), ValueError, "normalization: expected"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_empty_graphs():
    empty = np.empty((2, 0), dtype=np.int64)
    assert utils.coalesce(empty).shape == (2, 0)
    assert utils.to_undirected(empty, np.empty(0))[1].shape == (0,)
    assert utils.add_self_loops(empty, num_nodes=2)[0].tolist() == [[0, 1], [0, 1]]
    assert utils.remove_isolated_nodes(empty, num_nodes=3)[2].tolist() == [False] * 3
    assert utils.scatter(np.empty((0, 2)), np.empty(0, np.int64), dim_size=2).tolist() == [[0, 0]] * 2
    assert utils.softmax(np.empty(0), np.empty(0, np.int64)).shape == (0,)
    assert utils.k_hop_subgraph(0, 2, empty, num_nodes=1)[0].tolist() == [0]
    assert utils.to_dense_adj(empty).shape == (1, 0, 0)
    assert not utils.contains_isolated_nodes(empty)
    assert utils.is_undirected(empty)
