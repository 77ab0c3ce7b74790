"""BatchNorm1d and BatchNorm: outputs, gradients and running statistics equal PyTorch's
BatchNorm1d (float64 to 1e-10, float32 to 1e-5) in training and evaluation, with PyTorch's names."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.interop import to_pyg_state_dict
from npgnn.nn.norm import BatchNorm, BatchNorm1d

from ._helpers import TORCH, backward_and_compare

torch = pytest.importorskip("torch")

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", [{}, {"momentum": None}, {"affine": False},
                                     {"track_running_stats": False}, {"momentum": 0.5, "eps": 1e-3}])
@pytest.mark.parametrize("shape", [(7, 4), (5, 4, 3)])
def test_equals_torch_over_training_and_evaluation_steps(options, shape, dtype):
    rng = np.random.default_rng(0)
    ours = BatchNorm1d(4, **options, dtype=dtype)
    theirs = torch.nn.BatchNorm1d(4, **options).to(TORCH[dtype])
    if ours.affine:
        w, b = rng.standard_normal(4).astype(dtype), rng.standard_normal(4).astype(dtype)
        ours.weight.data[...], ours.bias.data[...] = w, b
        theirs.weight.data[...], theirs.bias.data[...] = torch.from_numpy(w), torch.from_numpy(b)
    for step, training in enumerate([True, True, True, False]):
        ours.train(training)
        theirs.train(training)
        x = (rng.standard_normal(shape) * 3 + step).astype(dtype)
        cot = rng.standard_normal(shape).astype(dtype)
        xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, ref = ours(xo), theirs(xt)
        backward_and_compare(ours, theirs, out, ref, cot, xo, xt, dtype, state=True)
        ours.zero_grad()
        theirs.zero_grad()
    if ours.track_running_stats:
        assert ours.num_batches_tracked.dtype == np.int64 and int(ours.num_batches_tracked) == 3


def test_gradcheck_training_mode():
    bn = BatchNorm1d(3, dtype=np.float64)
    bn.weight.data[...] = [0.5, 2.0, -1.0]
    x = np.random.default_rng(1).standard_normal((6, 3))
    npgnn.gradcheck(lambda t: bn(t), x)
    npgnn.gradcheck(lambda t: bn.eval()(t), x)


def test_buffers_and_dtype_conversion():
    bn = BatchNorm1d(3)
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    bn.to(np.float64)
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    bn(np.ones((2, 3)) * [[1], [2]])
    assert int(bn.num_batches_tracked) == 1
    np.testing.assert_allclose(bn.running_mean, [0.15] * 3)
    bn.reset_parameters()
    assert int(bn.num_batches_tracked) == 0 and not bn.running_mean.any()
    assert list(BatchNorm1d(3, track_running_stats=False).named_buffers()) == []
    assert "3, eps=1e-05, momentum=0.1" in repr(BatchNorm1d(3))


def test_batch_norm_wrapper_has_pyg_names_and_allows_single_rows():
    pyg_nn = pytest.importorskip("torch_geometric.nn")
    ours, theirs = BatchNorm(4), pyg_nn.BatchNorm(4)
    assert sorted(to_pyg_state_dict(ours)) == sorted(theirs.state_dict())
    assert repr(ours) == "BatchNorm(4)"
    single = BatchNorm(4, allow_single_element=True)
    np.testing.assert_allclose(single(np.ones((1, 4))).data, np.ones((1, 4)) / np.sqrt(1 + 1e-5),
                               rtol=1e-6)
    assert single.module.training


def test_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d: x must have shape \(N, 4\) or \(N, 4, L\), got \(3, 5\)"):
        BatchNorm1d(4)(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"expected more than 1 value per channel when training"):
        BatchNorm1d(4)(np.ones((1, 4)))
    assert BatchNorm1d(4).eval()(np.ones((1, 4))).shape == (1, 4)
    with pytest.raises(ValueError, match=r"allow_single_element=True needs track_running_stats"):
        BatchNorm(4, track_running_stats=False, allow_single_element=True)
