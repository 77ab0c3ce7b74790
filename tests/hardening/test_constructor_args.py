"""Every public constructor checks its sizes and floats with one shared helper (issue 9, kind 4)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from npgnn._validate import (
    check_choice,
    check_float_dtype,
    check_probability,
    check_real,
    check_seed,
    check_size,
    check_supported_dtype,
)
from npgnn.models import GAT, GCN, GIN, GraphSAGE, MLPClassifier
from npgnn.nn import (
    ELU,
    MLP,
    BatchNorm1d,
    Dropout,
    GATConv,
    GATv2Conv,
    GCNConv,
    GINConv,
    LeakyReLU,
    Linear,
    MultiHeadAttention,
    SAGEConv,
)
from npgnn.nn.module import Parameter
from npgnn.nn.norm import BatchNorm
from npgnn.optim import SGD, Adam


@pytest.mark.parametrize("value, error, match", [
    (4.9, TypeError, r"in_channels must be a positive int, got float 4\.9"),
    (4.0, TypeError, r"in_channels must be a positive int, got float 4\.0"),
    ("4", TypeError, r"in_channels must be a positive int, got str '4'"),
    (True, TypeError, r"in_channels must be a positive int, got bool True"),
    (np.bool_(True), TypeError, r"in_channels must be a positive int, got bool True"),
    (0, ValueError, r"in_channels must be a positive int, got 0"),
    (-3, ValueError, r"in_channels must be a positive int, got -3"),
    (None, TypeError, r"in_channels must be a positive int, got NoneType None"),
])
@pytest.mark.parametrize("conv", [GCNConv, SAGEConv, GATConv, GATv2Conv])
def test_conv_sizes(conv, value, error, match):
    with pytest.raises(error, match=f"{conv.__name__}: {match}"):
        conv(value, 3)


@pytest.mark.parametrize("ctor, match", [
    (lambda: Linear(0, 3), r"Linear: in_features must be a positive int, got 0"),
    (lambda: Linear(3, 2.5), r"Linear: out_features must be a positive int, got float 2\.5"),
    (lambda: SAGEConv(0, 3), r"SAGEConv: in_channels must be a positive int, got 0"),
    (lambda: SAGEConv(3, True), r"SAGEConv: out_channels must be a positive int, got bool"),
    (lambda: GATConv(3, 2, heads=0), r"GATConv: heads must be a positive int, got 0"),
    (lambda: GATConv(3, 2, edge_dim=1.5), r"GATConv: edge_dim must be a positive int or None"),
    (lambda: GATConv(3, 2, negative_slope=math.nan), r"GATConv: negative_slope must be finite"),
    (lambda: GATv2Conv(3, 2, dropout=math.nan), r"GATv2Conv: dropout must be finite"),
    (lambda: GATConv(3, 2, dropout=1.0), r"GATConv: dropout must lie in \[0, 1\), got 1\.0"),
    (lambda: GINConv(Linear(3, 3), eps=math.nan), r"GINConv: eps must be finite, got nan"),
    (lambda: GINConv(Linear(3, 3), eps="0"), r"GINConv: eps must be a real number, got str"),
    (lambda: BatchNorm1d(0), r"BatchNorm1d: num_features must be a positive int, got 0"),
    (lambda: BatchNorm1d(3, eps=math.nan), r"BatchNorm1d: eps must be finite"),
    (lambda: BatchNorm1d(3, eps=-1e-5), r"BatchNorm1d: eps must be >= 0"),
    (lambda: BatchNorm1d(3, momentum=1.5), r"BatchNorm1d: momentum must lie in \[0, 1\]"),
    (lambda: BatchNorm(2.0), r"BatchNorm: in_channels must be a positive int, got float"),
    (lambda: MultiHeadAttention(8, 2, kdim=0), r"MultiHeadAttention: kdim must be a positive int"),
    (lambda: MultiHeadAttention(8.0, 2), r"MultiHeadAttention: embed_dim must be a positive int"),
    (lambda: MultiHeadAttention(8, 2, dropout=math.inf), r"dropout must be finite"),
    (lambda: Dropout(math.nan), r"Dropout: p must be finite, got nan"),
    (lambda: Dropout(-0.1), r"Dropout: p must lie in \[0, 1\]"),
    (lambda: LeakyReLU(math.nan), r"LeakyReLU: negative_slope must be finite"),
    (lambda: ELU("1"), r"ELU: alpha must be a real number, got str"),
    (lambda: MLP([3, 0, 2]), r"MLP: channel_list\[1\] must be a positive int, got 0"),
    (lambda: MLP([3, 2.5, 2]), r"MLP: channel_list\[1\] must be a positive int, got float"),
    (lambda: MLP(3, hidden_channels=4, out_channels=2, num_layers=0),
     r"MLP: num_layers must be a positive int, got 0"),
    (lambda: MLP([3, 4, 2], dropout=math.nan), r"MLP: dropout must be finite"),
    (lambda: MLP([3, 4, 2], dropout=[0.1, 1.2]), r"MLP: dropout\[1\] must lie in \[0, 1\)"),
    (lambda: GCN(34, 2, hidden_channels=0), r"GCN: hidden_channels must be a positive int, got 0"),
    (lambda: GCN(34, 2, num_layers=2.0), r"GCN: num_layers must be a positive int, got float"),
    (lambda: GraphSAGE(34, 2, dropout=math.nan), r"GraphSAGE: dropout must be finite"),
    (lambda: GraphSAGE("34", 2), r"GraphSAGE: in_channels must be a positive int, got str"),
    (lambda: GAT(34, 2, heads=True), r"GAT: heads must be a positive int, got bool"),
    (lambda: GAT(34, 2, seed=-1), r"GAT: seed must be an int >= 0, got -1"),
    (lambda: GIN(7, 2, num_layers=1), r"GIN: num_layers \(counting the input layer\) must be an int >= 2"),
    (lambda: GIN(7, 2, dropout=1.0), r"GIN: dropout must lie in \[0, 1\)"),
    (lambda: MLPClassifier(7, 2, seed=1.5), r"MLPClassifier: seed must be None, an int >= 0"),
])
def test_layer_and_model_arguments(ctor, match):
    with pytest.raises((TypeError, ValueError), match=match):
        ctor()


@pytest.mark.parametrize("ctor, name", [
    (lambda d: Linear(3, 2, dtype=d), "Linear"), (lambda d: GCNConv(3, 2, dtype=d), "GCNConv"),
    (lambda d: SAGEConv(3, 2, dtype=d), "SAGEConv"),
    (lambda d: BatchNorm1d(3, dtype=d), "BatchNorm1d"),
    (lambda d: GINConv(Linear(3, 3), dtype=d), "GINConv"),
    (lambda d: MultiHeadAttention(4, 2, dtype=d), "MultiHeadAttention"),
])
@pytest.mark.parametrize("dtype", [np.float16, np.complex64, np.int64, "banana"])
def test_parameter_dtype_is_float32_or_float64(ctor, name, dtype):
    with pytest.raises(TypeError, match=f"{name}: dtype must be np.float32 or np.float64"):
        ctor(dtype)


def test_numpy_integers_are_sizes():
    conv = GCNConv(np.int64(4), np.int32(3))
    assert (conv.in_channels, conv.out_channels) == (4, 3)
    assert type(conv.in_channels) is int


@pytest.mark.parametrize("ctor, match", [
    (lambda p: SGD(p, lr=math.nan), r"SGD: lr must be finite"),
    (lambda p: SGD(p, lr=0.1, momentum=-1), r"SGD: momentum must be >= 0"),
    (lambda p: Adam(p, lr="0.1"), r"Adam: lr must be a real number, got str"),
    (lambda p: Adam(p, betas=(math.nan, 0.9)), r"Adam: betas\[0\] must be finite"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), r"Adam: betas\[1\] must be < 1"),
    (lambda p: Adam(p, weight_decay=-1.0), r"Adam: weight_decay must be >= 0"),
    (lambda p: Adam(p, eps=math.inf), r"Adam: eps must be finite"),
])
def test_optimizer_hyperparameters(ctor, match):
    with pytest.raises((TypeError, ValueError), match=match):
        ctor([Parameter(np.zeros(2))])


def test_helpers_directly():
    assert check_size("o", "n", np.uint8(3)) == 3
    assert check_size("o", "n", None, optional=True) is None
    with pytest.raises(ValueError, match=r"o: n must be an int >= 2, got 1"):
        check_size("o", "n", 1, minimum=2)
    assert check_real("o", "x", np.float32(0.5), low=0, high=1) == 0.5
    with pytest.raises(ValueError, match=r"o: x must lie in \(0, 1\], got 0"):
        check_real("o", "x", 0, low=0, low_inclusive=False, high=1)
    with pytest.raises(ValueError, match=r"o: x must be <= 1, got 2"):
        check_real("o", "x", 2, high=1)
    assert check_probability("o", "p", 0) == 0.0
    assert check_seed("o", "seed", None) is None
    rng = np.random.default_rng(0)
    assert check_seed("o", "seed", rng) is rng
    with pytest.raises(ValueError, match=r"o: c must be 'a', 'b' or 'c', got 'd'"):
        check_choice("o", "c", "d", ("a", "b", "c"))
    with pytest.raises(ValueError, match=r"must be 'a' or 'b', got \[\]"):
        check_choice("o", "c", [], ("a", "b"))
    assert check_float_dtype("o", "dtype", "float64") == np.float64
    assert check_supported_dtype("x", np.int32) == np.int32
    with pytest.raises(TypeError, match=r"x: dtype float16 is not supported; npgnn computes in "
                                        r"float32 or float64"):
        check_supported_dtype("x", np.float16)
