"""npgnn.nn.models (GCN, GraphSAGE, GIN, GAT, GATv2, EdgeCNN): PyG's parameter names; outputs and every
gradient equal PyG's BasicGNN models for identical weights over num_layers × out_channels × jk,
norms, activations, train/eval; argument errors."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn import Tensor
from npgnn.interop import load_pyg_state_dict, to_pyg_state_dict
from npgnn.nn import models

from ._helpers import TOL, TORCH, close, random_graph

torch = pytest.importorskip("torch")
pyg_models = pytest.importorskip("torch_geometric.nn.models")

F_IN, HIDDEN, N = 5, 8, 12
MODELS = {  # name -> (npgnn class, PyG class, extra options)
    "GCN": (models.GCN, pyg_models.GCN, {}),
    "GraphSAGE": (models.GraphSAGE, pyg_models.GraphSAGE, {}),
    "GIN": (models.GIN, pyg_models.GIN, {"train_eps": True}),
    "GAT": (models.GAT, pyg_models.GAT, {"heads": 2}),
    "GATv2": (models.GAT, pyg_models.GAT, {"v2": True, "heads": 2}),
    "EdgeCNN": (models.EdgeCNN, pyg_models.EdgeCNN, {}),
}


def twins(name: str, dtype, training: bool, seed: int = 0, **options):
    """PyG's model with random weights (every float parameter and buffer), and ours with them."""
    ours_cls, theirs_cls, extra = MODELS[name]
    options = {**extra, **options}
    torch.manual_seed(seed)
    theirs = theirs_cls(F_IN, HIDDEN, **options).to(TORCH[dtype])
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for key, value in theirs.state_dict().items():
            if value.is_floating_point():
                # U(-0.5, 0.5), a variance U(0.5, 1.5): deep float32 chains stay within 1e-5
                shift = 1.0 if "running_var" in key else -0.5
                value.copy_(torch.rand(value.shape, generator=gen, dtype=value.dtype) + shift)
    ours = ours_cls(F_IN, HIDDEN, **options, rng=0, dtype=dtype)
    load_pyg_state_dict(ours, theirs.state_dict())
    return ours.train(training), theirs.train(training)


def run_both(ours, theirs, dtype, seed=0, edge_weight=False, batch=None, state=False):
    rng = np.random.default_rng(seed)
    ei = random_graph(seed, n=N)
    x = rng.standard_normal((N, F_IN)).astype(dtype)
    kw_o, kw_t = {}, {}
    if edge_weight:
        w = rng.uniform(0.5, 2.0, ei.shape[1]).astype(dtype)
        kw_o["edge_weight"], kw_t["edge_weight"] = w, torch.from_numpy(w)
    if batch is not None:
        kw_o["batch"], kw_t["batch"] = batch, torch.from_numpy(batch)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(xo, ei, **kw_o)
    ref = theirs(xt, torch.from_numpy(ei), **kw_t)
    assert out.dtype == dtype and out.shape == tuple(ref.shape)
    cot = rng.standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    theirs_params = dict(theirs.named_parameters())
    assert sorted(theirs_params) == sorted(n for n, _ in ours.named_parameters())
    # atol scales with the largest gradient of the model: a conv bias feeding a training-mode
    # BatchNorm has gradient 0 in exact arithmetic, and float32 leaves rounding noise of the
    # other gradients' size on both sides
    scale = max(1.0, *(float(p.grad.abs().max()) for p in theirs_params.values()))
    tol = TOL[dtype]
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs_params[name].grad.numpy(), rtol=tol,
                                   atol=tol * scale, err_msg=name)
    if state:
        ours_state = to_pyg_state_dict(ours)
        assert sorted(ours_state) == sorted(theirs.state_dict())
        for name, value in ours_state.items():
            close(value, theirs.state_dict()[name], dtype)
    return out


@pytest.mark.parametrize("name", [m for m in MODELS if m != "GATv2"])  # GAT's layout
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("out_channels", [None, 3])
@pytest.mark.parametrize("jk", [None, "last", "cat", "max"])
def test_layout_grid_equals_pyg(name, num_layers, out_channels, jk):
    """Eval mode with dropout 0.5 (the identity), float64, tanh (no ReLU ties in jk='max')."""
    ours, theirs = twins(name, np.float64, False, num_layers=num_layers,
                         out_channels=out_channels, jk=jk, dropout=0.5, act="tanh")
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict()) or name == "GIN"
    out = run_both(ours, theirs, np.float64, edge_weight=name == "GCN")
    assert out.shape == (N, out_channels or HIDDEN)


NORM_ACT_OPTIONS = [
    {"norm": "batch_norm"}, {"norm": "layer_norm"}, {"norm": "layer_norm", "jk": "cat"},
    {"norm": "LayerNorm", "norm_kwargs": {"mode": "node"}}, {"act": "elu", "act_first": True},
    {"act": "leaky_relu", "act_kwargs": {"negative_slope": 0.3}, "norm": "batch_norm"},
    {"act": "gelu", "act_kwargs": {"approximate": "tanh"}, "jk": "max"},
    {"act": None, "jk": "max"}, {"norm": "BatchNorm", "norm_kwargs": {"momentum": 0.3},
                                 "jk": "last", "out_channels": 4},
]
MODES = [(np.float64, True), (np.float64, False), (np.float32, True)]
# every model × option once, the (dtype, training) mode rotating over both (54 cases, not 162)
NORM_ACT_CASES = [(name, options, *MODES[(i + j) % 3]) for i, name in enumerate(MODELS)
                  for j, options in enumerate(NORM_ACT_OPTIONS)]


@pytest.mark.parametrize("name, options, dtype, training", NORM_ACT_CASES)
def test_norms_acts_and_modes_equal_pyg(name, options, dtype, training):
    """Training mode with dropout 0 (batch statistics, running-stat updates compared too), or
    evaluation mode (running statistics)."""
    options = {"num_layers": 3, "out_channels": 3, **options}
    ours, theirs = twins(name, dtype, training, seed=2, **options)
    run_both(ours, theirs, dtype, seed=3, edge_weight=name == "GCN", state=True)


@pytest.mark.parametrize("name", ["GCN", "GIN"])
def test_layer_norm_uses_batch(name):
    """PyG passes batch/batch_size to norms that take them (graph-wise LayerNorm)."""
    batch = np.repeat([0, 1, 2], [5, 4, 3])
    ours, theirs = twins(name, np.float64, True, num_layers=2, norm="layer_norm", jk="cat")
    run_both(ours, theirs, np.float64, batch=batch)


def test_conv_kwargs_are_forwarded():
    ours, theirs = twins("GraphSAGE", np.float64, False, num_layers=2, aggr="max",
                         normalize=True)
    assert ours.convs[0].aggr == "max" and ours.convs[0].normalize
    run_both(ours, theirs, np.float64)
    ours, theirs = twins("GCN", np.float64, False, num_layers=2, improved=True, cached=True)
    run_both(ours, theirs, np.float64, edge_weight=True)
    ours, theirs = twins("GAT", np.float64, False, num_layers=2, heads=4, concat=False,
                         add_self_loops=False, negative_slope=0.1)
    assert ours.convs[0].heads == 4 and not ours.convs[0].concat
    run_both(ours, theirs, np.float64)


def test_float32_default_and_dropout_in_training():
    model = models.GCN(F_IN, HIDDEN, 2, out_channels=3, dropout=0.5, rng=0)
    x = np.random.default_rng(0).standard_normal((N, F_IN)).astype(np.float32)
    ei = random_graph(0, n=N)
    a, b = model(x, ei), model(x, ei)
    assert a.dtype == np.float32 and not np.array_equal(a.data, b.data)   # fresh masks
    model.eval()
    np.testing.assert_array_equal(model(x, ei).data, model(x, ei).data)
    again = models.GCN(F_IN, HIDDEN, 2, out_channels=3, dropout=0.5, rng=0)
    close(again(x, ei).data, a.data, np.float32)                          # same seed, same run


def test_attributes_repr_and_reset():
    model = models.GAT(F_IN, HIDDEN, 3, out_channels=2, heads=2, jk="cat", rng=0)
    assert (model.in_channels, model.hidden_channels, model.out_channels) == (F_IN, HIDDEN, 2)
    assert model.num_layers == 3 and model.jk_mode == "cat" and model.dropout.p == 0.0
    assert repr(model) == "GAT(5, 2, num_layers=3)"
    assert model.lin.weight.shape == (2, 3 * HIDDEN)
    assert [c.heads for c in model.convs] == [2, 2, 2] and all(c.concat for c in model.convs)
    no_jk = models.GAT(F_IN, HIDDEN, 2, out_channels=3, heads=2, rng=0)
    assert not no_jk.convs[-1].concat and no_jk.convs[-1].out_channels == 3
    before = model.lin.weight.data.copy()
    model.reset_parameters(1)
    assert not np.array_equal(model.lin.weight.data, before)


def test_unused_edge_inputs_warn_and_are_ignored():
    model = models.GraphSAGE(F_IN, HIDDEN, 2, rng=0)
    x, ei = np.ones((N, F_IN), np.float32), random_graph(0, n=N)
    with pytest.warns(UserWarning, match=r"GraphSAGE: edge_weight is ignored"):
        out = model(x, ei, edge_weight=np.ones(ei.shape[1], np.float32))
    np.testing.assert_array_equal(out.data, model(x, ei).data)
    with pytest.warns(UserWarning, match=r"GCN: edge_attr is ignored"):
        models.GCN(F_IN, HIDDEN, 1, rng=0)(x, ei, edge_attr=np.ones((ei.shape[1], 2)))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"in_channels": -1}, ValueError, r"GCN: in_channels must be a positive int \(PyG's lazy -1"),
    ({"in_channels": (3, 4)}, ValueError, r"GCN: in_channels must be a positive int"),
    ({"hidden_channels": 0}, ValueError, r"GCN: hidden_channels must be a positive int, got 0"),
    ({"num_layers": 0}, ValueError, r"GCN: num_layers must be a positive int, got 0"),
    ({"num_layers": 2.0}, ValueError, r"GCN: num_layers must be a positive int, got 2.0"),
    ({"out_channels": 0}, ValueError, r"GCN: out_channels must be a positive int, got 0"),
    ({"dropout": 1.0}, ValueError, r"GCN: dropout must be a float in \[0, 1\), got 1.0"),
    ({"dropout": "0.5"}, ValueError, r"GCN: dropout must be a float in \[0, 1\), got '0.5'"),
    ({"jk": "lstm"}, ValueError, r"GCN: jk='lstm' is not supported \(npgnn has no LSTM\)"),
    ({"jk": "sum"}, ValueError, r"GCN: jk must be None, 'last', 'cat' or 'max', got 'sum'"),
    ({"act": "gelu2"}, ValueError, r"GCN: act must be one of"),
    ({"act": 3}, TypeError, r"GCN: act must be a name, a Module, a callable or None, got int"),
    ({"norm": "pair_norm"}, ValueError, r"GCN: norm must be 'batch_norm', 'layer_norm'"),
    ({"norm": "batch_norm", "norm_kwargs": {"mode": "x"}}, TypeError,
     r"GCN: norm_kwargs=\{'mode': 'x'\} do not fit BatchNorm"),
    ({"improvd": True}, TypeError, r"improvd"),
])
def test_bad_arguments_are_refused(kwargs, error, match):
    args = {"in_channels": F_IN, "hidden_channels": HIDDEN, "num_layers": 2, **kwargs}
    with pytest.raises(error, match=match):
        models.GCN(**args)


def test_gat_and_forward_errors():
    with pytest.raises(ValueError, match=r"GAT: the output channels of a GATConv \(8\) must be "
                                         r"divisible by heads \(3\)"):
        models.GAT(F_IN, HIDDEN, 2, heads=3)
    with pytest.raises(ValueError, match=r"GAT: heads must be a positive int, got 0"):
        models.GAT(F_IN, HIDDEN, 2, heads=0)
    with pytest.raises(ValueError, match=r"num_sampled_edges_per_hop is missing"):
        models.GCN(F_IN, HIDDEN, 2, rng=0)(np.ones((N, F_IN)), random_graph(0, n=N),
                                           num_sampled_nodes_per_hop=[1, 2])


@pytest.mark.parametrize("v2", [False, True])
def test_gat_edge_attr_equals_pyg(v2):
    ours, theirs = twins("GAT", np.float64, False, num_layers=2, out_channels=3, v2=v2,
                         edge_dim=2)
    rng = np.random.default_rng(9)
    ei = random_graph(9, n=N)
    x, ea = rng.standard_normal((N, F_IN)), rng.standard_normal((ei.shape[1], 2))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(xo, ei, edge_attr=ea)
    ref = theirs(xt, torch.from_numpy(ei), edge_attr=torch.from_numpy(ea))
    cot = rng.standard_normal(out.shape)
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref)
    close(xo.grad, xt.grad)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, theirs_params[name].grad)
