"""GINConv takes a scipy-sparse x like the other convs (issue 9, kind 5)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from npgnn.nn import GINConv, Linear


def test_sparse_x_equals_dense_x_with_duplicates_loops_and_isolated_nodes():
    x = sp.random(6, 4, density=0.4, format="csr", random_state=0, dtype=np.float64)
    ei = np.array([[0, 1, 1, 2, 3, 3], [1, 2, 2, 2, 0, 4]])   # duplicate, self-loop, node 5 isolated
    conv = GINConv(Linear(4, 3, rng=0, dtype=np.float64), eps=0.3, train_eps=True,
                   dtype=np.float64)
    dense = conv(x.toarray(), ei)
    sparse = conv(x, ei)
    np.testing.assert_allclose(sparse.data, dense.data, rtol=1e-12, atol=1e-12)
    w = np.random.default_rng(1).standard_normal(dense.shape)
    (dense * w).sum().backward()
    grads = [p.grad.copy() for p in conv.parameters()]
    conv.zero_grad()
    (sparse * w).sum().backward()
    for p, g in zip(conv.parameters(), grads):
        np.testing.assert_allclose(p.grad, g, rtol=1e-12, atol=1e-12)
