"""ReLU / LeakyReLU on arrays large enough for the compiled gradient selection: forward and
backward equal torch's (NaN kept by the forward, the gradient a selection: exactly 0 where the
input is <= 0 even for an infinite or NaN upstream gradient), on the serial and parallel loops
and on the NumPy path."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn.kernels as kernels
from npgnn import Tensor
from npgnn.ops import nn as F

torch = pytest.importorskip("torch")


@pytest.fixture(params=["numba serial", "numba parallel", "numpy"])
def path(request, monkeypatch):
    if request.param.startswith("numba") and not kernels.numba_enabled():
        pytest.skip("numba kernels disabled")
    if request.param == "numpy":
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", "1")
    monkeypatch.setattr(kernels, "PARALLEL_MIN_WORK",
                        0 if request.param == "numba parallel" else 1 << 62)
    return request.param


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("slope", [None, 0.2, 1.5, -0.3])   # None: ReLU
def test_large_activation_equals_torch(path, dtype, slope):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 257)).astype(dtype)          # 77k elements: the kernel's size
    x[0, :4] = [np.nan, 0.0, -0.0, np.inf]
    g = rng.standard_normal(x.shape).astype(dtype)
    g[1, :3] = [np.inf, -np.inf, np.nan]
    g[0, 4:8] = [np.nan, np.inf, np.nan, -np.inf]
    xt = torch.tensor(x, requires_grad=True)
    ours = Tensor(x, requires_grad=True)
    if slope is None:
        out, ref = F.relu(ours), torch.relu(xt)
    else:
        out, ref = F.leaky_relu(ours, slope), torch.nn.functional.leaky_relu(xt, slope)
    ref.backward(torch.from_numpy(g))
    out.backward(g)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    np.testing.assert_array_equal(ours.grad, xt.grad.numpy())
    assert out.dtype == dtype and ours.grad.dtype == dtype
