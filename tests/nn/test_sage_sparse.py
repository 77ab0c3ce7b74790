"""SAGEConv on scipy sparse features equals SAGEConv on the same features dense."""
import numpy as np
import pytest
import scipy.sparse as sp

from npgnn import Tensor
from npgnn.nn.conv.sage import SAGEConv


@pytest.mark.parametrize("aggr", ["mean", "sum", "max"])
@pytest.mark.parametrize("project", [False, True])
def test_sparse_features_match_dense(aggr, project):
    rng = np.random.default_rng(0)
    n, f = 12, 9
    dense = rng.standard_normal((n, f)) * (rng.random((n, f)) < 0.3)
    ei = np.stack([rng.integers(0, n, 30), rng.integers(0, n - 1, 30)])  # node n-1 is isolated
    conv = SAGEConv(f, 4, aggr=aggr, project=project, rng=1).to(np.float64)
    w = rng.standard_normal((n, 4))
    grads = []
    for x in (sp.csr_matrix(dense), Tensor(dense)):
        conv.zero_grad()
        out = conv(x, ei)
        (out * w).sum().backward()
        grads.append((out.data, [p.grad.copy() for p in conv.parameters()]))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12, atol=1e-12)
    for a, b in zip(grads[0][1], grads[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
