"""MLP: PyG's parameter names; outputs and gradients equal PyG's MLP for identical weights in
training and evaluation mode; dropout, options and errors."""
from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.interop import load_pyg_state_dict, to_pyg_state_dict
from npgnn.nn.mlp import MLP

from ._helpers import TORCH, backward_and_compare

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

OPTIONS = [{}, {"norm": None}, {"act": "tanh"}, {"plain_last": False}, {"act_first": True},
           {"bias": False}, {"act": "leaky_relu", "norm": None}]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("training", [True, False])
def test_equals_pyg(options, training, dtype):
    rng = np.random.default_rng(0)
    ours = MLP([5, 8, 6, 3], rng=0, **options).to(dtype).train(training)
    theirs = pyg_nn.MLP([5, 8, 6, 3], **options).to(TORCH[dtype]).train(training)
    # PyG's weights into npgnn this time (the other tests go the other way)
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(-1, 1)
    load_pyg_state_dict(ours, theirs.state_dict())
    x = rng.standard_normal((9, 5)).astype(dtype)
    cot = rng.standard_normal((9, 3)).astype(dtype)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(xo), theirs(xt)
    backward_and_compare(ours, theirs, out, ref, cot, xo, xt, dtype, state=True)


def test_gradcheck_wrt_x():
    mlp = MLP([3, 4, 2], rng=0).to(np.float64)
    npgnn.gradcheck(lambda t: mlp(t), np.random.default_rng(1).standard_normal((5, 3)))


def test_dropout_is_active_only_in_training_and_reproducible():
    x = np.ones((200, 4), np.float32)
    a = MLP([4, 64, 2], norm=None, dropout=0.5, rng=3)
    b = MLP([4, 64, 2], norm=None, dropout=0.5, rng=3)
    assert a.dropout == [0.5, 0.0]
    np.testing.assert_array_equal(a(x).data, b(x).data)     # same seed, same masks
    first, second = a(x).data, a(x).data
    assert not np.array_equal(first, second)
    a.eval()
    np.testing.assert_array_equal(a(x).data, a(x).data)
    assert MLP([4, 8, 2], dropout=[0.1, 0.2], rng=0).dropout == [0.1, 0.2]


def test_alternative_constructor_init_and_repr():
    mlp = MLP(in_channels=4, hidden_channels=16, out_channels=2, num_layers=3, rng=0)
    assert mlp.channel_list == [4, 16, 16, 2] and mlp.num_layers == 3
    assert (mlp.in_channels, mlp.out_channels) == (4, 2)
    assert repr(mlp) == "MLP(4, 16, 16, 2)"
    assert np.abs(mlp.lins[0].weight.data).max() <= 0.5
    np.testing.assert_array_equal(MLP([4, 16, 16, 2], rng=0).lins[2].weight.data,
                                  mlp.lins[2].weight.data)
    before = mlp.lins[0].weight.data.copy()
    mlp.reset_parameters(5)
    assert not np.array_equal(mlp.lins[0].weight.data, before)
    MLP([4, 2, 2], norm=None, rng=0).reset_parameters(1)     # Identity norms: nothing to reset
    names = sorted(to_pyg_state_dict(mlp))
    assert names == sorted(pyg_nn.MLP([4, 16, 16, 2]).state_dict())


def test_errors():
    with pytest.raises(ValueError, match=r"MLP: channel_list needs at least two positive sizes"):
        MLP([4])
    with pytest.raises(ValueError, match=r"MLP: norm must be 'batch_norm', 'layer_norm', a Module "
                                         r"or None, got 'group_norm'"):
        MLP([4, 2], norm="group_norm")
    with pytest.raises(TypeError, match=r"MLP: norm must be a name, an npgnn Module or None, got int"):
        MLP([4, 2], norm=3)
    with pytest.raises(TypeError, match=r"MLP: norm_kwargs=\{'foo': 1\} do not fit BatchNorm"):
        MLP([4, 3, 2], norm_kwargs={"foo": 1})
    with pytest.raises(TypeError, match=r"MLP: act_kwargs=\{'foo': 1\} do not fit ReLU"):
        MLP([4, 2], act_kwargs={"foo": 1})
    with pytest.raises(TypeError, match=r"MLP: unexpected keyword arguments \['foo'\]"):
        MLP([4, 2], foo=1)
    with pytest.raises(TypeError, match=r"MLP: dropout must be a float or a list of floats, got str"):
        MLP([4, 2], dropout="0.5")
    with pytest.raises(ValueError, match=r"MLP: num_layers must be given with in_channels"):
        MLP(4, hidden_channels=3, out_channels=2)
    with pytest.raises(ValueError, match=r"MLP: out_channels must be given with in_channels"):
        MLP(in_channels=4, num_layers=1)
    with pytest.raises(ValueError, match=r"MLP: act must be one of"):
        MLP([4, 2], act="swish")
    with pytest.raises(ValueError, match=r"MLP: dropout has 1 values for 2 layers"):
        MLP([4, 3, 2], dropout=[0.1])
    with pytest.raises(ValueError, match=r"MLP: hidden_channels must be given for num_layers=2"):
        MLP(in_channels=4, out_channels=2, num_layers=2)
    with pytest.raises(ValueError, match=r"Linear: x must have last dimension in_features=4"):
        MLP([4, 2], rng=0)(np.ones((3, 5), np.float32))
