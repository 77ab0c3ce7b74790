"""LayerNorm: equals PyG's torch_geometric.nn.norm.LayerNorm (graph mode with and without a batch
vector, node mode; output and gradients, float64 and float32); what PyG's resolver builds for
'layer_norm'; gradcheck; errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.interop import load_pyg_state_dict
from npgnn.nn import LayerNorm
from npgnn.nn.resolver import normalization_resolver

from ._helpers import TORCH, backward_and_compare

torch = pytest.importorskip("torch")
pyg_norm = pytest.importorskip("torch_geometric.nn.norm")
pyg_resolver = pytest.importorskip("torch_geometric.nn.resolver")

BATCH = np.array([0, 0, 0, 2, 2, 1, 1, 1, 1, 3])   # graph 4 of batch_size=5 is empty


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode, batch, batch_size", [
    ("graph", None, None), ("graph", BATCH, None), ("graph", BATCH, 5), ("node", None, None)])
@pytest.mark.parametrize("affine", [True, False])
def test_equals_pyg(mode, batch, batch_size, affine, dtype):
    theirs = pyg_norm.LayerNorm(6, affine=affine, mode=mode).to(TORCH[dtype])
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(-1, 1)
            theirs.bias.uniform_(-1, 1)
    ours = LayerNorm(6, affine=affine, mode=mode, dtype=dtype)
    load_pyg_state_dict(ours, theirs.state_dict())
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((10, 6)) * 3 + 1).astype(dtype)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    bt = None if batch is None else torch.from_numpy(batch)
    out, ref = ours(xo, batch, batch_size), theirs(xt, bt, batch_size)
    backward_and_compare(ours, theirs, out, ref, rng.standard_normal(x.shape).astype(dtype),
                         xo, xt, dtype)


def test_resolver_builds_what_pyg_builds():
    theirs = pyg_resolver.normalization_resolver("layer_norm", 8)
    ours = normalization_resolver("layer_norm", 8)
    assert type(theirs).__name__ == type(ours).__name__ == "LayerNorm"
    assert (ours.mode, ours.eps, ours.affine) == (theirs.mode, theirs.eps, theirs.affine)
    assert repr(ours) == repr(theirs)
    assert type(normalization_resolver("BatchNorm", 8)).__name__ == "BatchNorm"


@pytest.mark.parametrize("mode, batch", [("graph", None), ("graph", BATCH), ("node", None)])
def test_gradcheck(mode, batch):
    ln = LayerNorm(6, mode=mode, dtype=np.float64)
    rng = np.random.default_rng(1)
    ln.weight.data[...] = rng.uniform(-1, 1, 6)
    x = rng.standard_normal((10, 6))
    npgnn.gradcheck(lambda t: ln(t, batch), x)


def test_errors():
    with pytest.raises(ValueError, match=r"LayerNorm: mode must be 'graph' or 'node', got 'edge'"):
        LayerNorm(4, mode="edge")
    ln = LayerNorm(4)
    with pytest.raises(ValueError, match=r"LayerNorm: x must have shape \(N, 4\), got \(3, 5\)"):
        ln(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"LayerNorm: batch must have shape \(N,\) = \(3,\)"):
        ln(np.ones((3, 4)), np.zeros(2, np.int64))
    with pytest.raises(IndexError, match=r"batch: ids must lie in \[0, 1\)"):
        ln(np.ones((3, 4)), np.array([0, 1, 0]), batch_size=1)
    with pytest.raises(TypeError, match=r"batch: expected a 1-D integer array"):
        ln(np.ones((3, 4)), np.zeros(3))
