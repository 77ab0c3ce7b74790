"""A -inf logit on a class that is not the target keeps cross_entropy finite, as torch (issue 9,
kind 7)."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn import Tensor, ops

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_minus_inf_logit_off_target_equals_torch(reduction):
    x = np.array([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf], [-np.inf, -np.inf, 3.0]])
    y = np.array([0, 1, 2])
    t = Tensor(x, requires_grad=True)
    loss = ops.cross_entropy(t, y, reduction=reduction)
    w = np.random.default_rng(0).standard_normal(loss.shape)
    (loss * w).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(y), reduction=reduction)
    (tl * torch.tensor(w)).sum().backward()
    assert np.all(np.isfinite(loss.data))
    np.testing.assert_allclose(loss.data, tl.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)
