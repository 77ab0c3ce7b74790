"""The article's TwoLayerGNN trained on a sparse graph gives the dense run's numbers."""
import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.article import TwoLayerGNN
from npgnn.demo import ADJ  # the article's 5-node graph
from npgnn.graph import from_dense_adjacency


@pytest.mark.parametrize("make", [sp.csr_matrix, sp.coo_matrix, from_dense_adjacency],
                         ids=["csr", "coo", "Graph"])
def test_two_layer_gnn_on_a_sparse_graph(make):
    x = np.ones([2, 5, 2])
    x[0, :, :1] = -1.0
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    state = np.random.get_state()
    try:
        np.random.seed(0)
        net = TwoLayerGNN(2, 2, 2, make(ADJ))
    finally:
        np.random.set_state(state)
    for _ in range(10):
        grad = net.calc_gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= 0.1 * grad[key]
    logits = net.predict(np.array([[[-1, 1], [-1, 1], [-0.5, 0.3], [-1.2, 0.8], [-0.9, 1.0]]]))
    np.testing.assert_allclose(logits, [[2.5573647308, -2.4211488547]], rtol=1e-8)
