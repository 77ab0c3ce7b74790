"""SAGEConv((x_src, x_dst), edge_index), PyG's bipartite form: outputs and gradients (to both
feature arrays and every parameter) equal PyG's; gradcheck; the sampled-batch use; errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.nn.conv.sage import SAGEConv

from ._helpers import TORCH, close, torch_state

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

# 7 sources, 4 targets: a duplicate edge (2 -> 1 twice), target 3 without in-edges, source 6 unused
EI = np.array([[0, 2, 2, 5, 4, 1, 0], [0, 1, 1, 1, 2, 0, 2]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", [{}, {"normalize": True}, {"root_weight": False},
                                     {"project": True}, {"bias": False}])
@pytest.mark.parametrize("aggr", ["mean", "sum", "max"])
@pytest.mark.parametrize("sizes", [(7, 4), (3, 5)])
@pytest.mark.parametrize("channels", [(5, 3), (3, 6)])   # W_l before / after the aggregation
def test_pair_equals_pyg(aggr, options, dtype, sizes, channels):
    c_in, c_out = channels
    n_src, n_dst = sizes
    ei = EI if n_src == 7 else np.array([[0, 2, 2, 1], [4, 1, 1, 0]])
    rng = np.random.default_rng(3)
    xs, xd = (rng.standard_normal((n, c_in)).astype(dtype) for n in (n_src, n_dst))
    ours = SAGEConv(c_in, c_out, aggr, rng=0, **options).to(dtype)
    theirs = pyg_nn.SAGEConv(c_in, c_out, aggr, **options).to(TORCH[dtype])
    theirs.load_state_dict(torch_state(ours))
    xso, xdo = Tensor(xs, requires_grad=True), Tensor(xd, requires_grad=True)
    xst, xdt = torch.tensor(xs, requires_grad=True), torch.tensor(xd, requires_grad=True)
    out = ours((xso, xdo), ei)
    ref = theirs((xst, xdt), torch.from_numpy(ei))
    assert out.shape == (n_dst, c_out) and out.dtype == dtype
    cot = np.random.default_rng(4).standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xso.grad, xst.grad, dtype)
    if options.get("root_weight", True):
        close(xdo.grad, xdt.grad, dtype)
    else:                                # x_dst is not read: no gradient on either side
        assert xdo.grad is None and xdt.grad is None
    params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, params[name].grad, dtype)


def test_gradcheck_both_inputs():
    layer = SAGEConv(3, 2, "mean", rng=1, normalize=True).to(np.float64)
    rng = np.random.default_rng(2)
    xd = rng.standard_normal((4, 3))
    npgnn.gradcheck(lambda t: layer((t, xd), EI), rng.standard_normal((7, 3)))
    xs = rng.standard_normal((7, 3))
    npgnn.gradcheck(lambda t: layer((xs, t), EI), xd)


def test_pair_is_the_target_rows_of_the_square_call():
    """In a 1-hop sampled batch every target is a seed: (x, x[:b]) gives rows :b of conv(x)."""
    layer = SAGEConv(5, 4, rng=0)
    x = np.random.default_rng(0).standard_normal((7, 5)).astype(np.float32)
    np.testing.assert_allclose(layer((x, x[:4]), EI).data, layer(x, EI).data[:4], rtol=1e-6,
                               atol=1e-6)


def test_pair_errors():
    layer = SAGEConv(3, 2, rng=0)
    xs, xd = np.ones((7, 3)), np.ones((4, 3))
    with pytest.raises(TypeError, match=r"a tuple x must be \(x_src, x_dst\)"):
        layer((xs, xd, xd), EI)
    with pytest.raises(ValueError, match=r"x_dst must have shape \(N, 3\), got \(4, 2\)"):
        layer((xs, np.ones((4, 2))), EI)
    with pytest.raises(IndexError, match=r"targets in \[0, 2\).*targets in \[0, 2\]"):
        layer((xs, xd[:2]), EI)
    with pytest.raises(IndexError, match=r"sources must lie in \[0, 5\)"):
        layer((xs[:5], np.ones((7, 3))), EI)
