"""Interop with PyTorch Geometric: name-for-name state_dict copies in both directions, nested
modules and buffers, strict checks naming the key, dtype casts, and the rename/layout hooks."""
from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from npgnn.interop import load_pyg_state_dict, to_pyg_state_dict
from npgnn.nn.activation import ReLU
from npgnn.nn.conv.gcn import GCNConv
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.conv.sage import SAGEConv
from npgnn.nn.linear import Linear
from npgnn.nn.mlp import MLP
from npgnn.nn.module import Module, ModuleList, Parameter, Sequential
from npgnn.nn.norm import BatchNorm1d

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")


def twins():
    """(npgnn module, its PyG twin) for every layer of this module family."""
    return [
        (GCNConv(5, 3, rng=0), pyg_nn.GCNConv(5, 3)),
        (GCNConv(5, 3, bias=False, rng=0), pyg_nn.GCNConv(5, 3, bias=False)),
        (SAGEConv(5, 3, project=True, rng=0), pyg_nn.SAGEConv(5, 3, project=True)),
        (SAGEConv(5, 3, root_weight=False, rng=0), pyg_nn.SAGEConv(5, 3, root_weight=False)),
        (GINConv(Sequential(Linear(5, 8, rng=0), ReLU(), Linear(8, 3, rng=1))),
         pyg_nn.GINConv(torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(),
                                            torch.nn.Linear(8, 3)))),
        (GINConv(MLP([5, 8, 3], rng=0), train_eps=True),
         pyg_nn.GINConv(pyg_nn.MLP([5, 8, 3]), train_eps=True)),
        (MLP([5, 8, 8, 3], rng=0), pyg_nn.MLP([5, 8, 8, 3])),
        (BatchNorm1d(4), torch.nn.BatchNorm1d(4)),
    ]


@pytest.mark.parametrize("index", range(8))
def test_round_trip_both_ways(index):
    ours, theirs = twins()[index]
    state = to_pyg_state_dict(ours)
    reference = theirs.state_dict()
    assert sorted(state) == sorted(reference)
    for key, value in state.items():
        assert value.shape == tuple(reference[key].shape), key
    # PyG -> npgnn: every entry lands, as float32/int64 like the module's own arrays
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(-1, 1)
    for name, buf in theirs.named_buffers():
        if buf.dtype.is_floating_point:
            buf.uniform_(0.5, 1.5)
        else:
            buf.fill_(7)
    load_pyg_state_dict(ours, theirs.state_dict())
    back = to_pyg_state_dict(ours)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(back[key], value.numpy(), rtol=1e-7)
        assert back[key].dtype == (np.int64 if key.endswith("num_batches_tracked") else np.float32)
    # npgnn -> PyG
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in back.items()})


def test_arrays_load_as_well_as_tensors_and_are_cast_to_the_module_dtype():
    ours = GCNConv(3, 2, rng=0).to(np.float64)
    load_pyg_state_dict(ours, {"lin.weight": np.ones((2, 3), np.float32),
                               "bias": torch.full((2,), 0.5)})
    assert ours.lin.weight.dtype == np.float64 and ours.lin.weight.data.sum() == 6
    assert ours.bias.data.tolist() == [0.5, 0.5]
    exported = to_pyg_state_dict(ours)
    exported["bias"][...] = 9      # a copy: the module is untouched
    assert ours.bias.data.tolist() == [0.5, 0.5]


def test_strict_errors_name_the_keys_and_nothing_is_written_on_error():
    ours = GINConv(Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1)))
    good = to_pyg_state_dict(ours)
    before = {k: v.copy() for k, v in good.items()}
    missing = {k: v for k, v in good.items() if k != "nn.2.bias"}
    with pytest.raises(KeyError, match=r"missing keys \['nn.2.bias'\], unexpected keys \[\]"):
        load_pyg_state_dict(ours, missing)
    with pytest.raises(KeyError, match=r"unexpected keys \['nn.1.weight'\]"):
        load_pyg_state_dict(ours, {**good, "nn.1.weight": np.ones(1)})
    bad = {k: np.zeros_like(v) for k, v in good.items()}
    bad["nn.2.weight"] = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"nn.2.weight expects shape \(2, 4\), got \(4, 2\)"):
        load_pyg_state_dict(ours, bad)
    for key, value in to_pyg_state_dict(ours).items():   # the failed loads wrote nothing
        np.testing.assert_array_equal(value, before[key])
    load_pyg_state_dict(ours, {"nn.0.bias": np.ones(4), "extra": np.ones(1)}, strict=False)
    assert ours.nn[0].bias.data.tolist() == [1.0] * 4
    with pytest.raises(TypeError, match=r"module: expected an npgnn Module"):
        to_pyg_state_dict(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match=r"state_dict: expected a mapping"):
        load_pyg_state_dict(ours, [("nn.0.bias", np.ones(4))])


class Attention(Module):
    """A toy layer whose names and layouts differ from its 'PyG' twin, declared by the hooks."""

    _pyg_rename: ClassVar[dict] = {"att": "att_src", "scratch": None, "proj": "lin"}
    _pyg_layout: ClassVar[dict] = {"att": (lambda a: a[None], lambda a: a[0])}

    def __init__(self):
        self.att = Parameter(np.arange(6.0).reshape(2, 3))
        self.scratch = Parameter(np.zeros(2))
        self.proj = Linear(3, 6, rng=0, dtype=np.float64)
        self.layers = ModuleList([Linear(2, 2, rng=1, dtype=np.float64)])


class Outer(Module):
    _pyg_rename: ClassVar[dict] = {"inner": "conv"}

    def __init__(self):
        self.inner = Attention()


def test_rename_and_layout_hooks_apply_per_module():
    state = to_pyg_state_dict(Outer())
    assert sorted(state) == ["conv.att_src", "conv.layers.0.bias", "conv.layers.0.weight",
                             "conv.lin.bias", "conv.lin.weight"]
    assert state["conv.att_src"].shape == (1, 2, 3)
    target = Outer()
    state["conv.att_src"] = state["conv.att_src"] + 1
    load_pyg_state_dict(target, state)
    np.testing.assert_array_equal(target.inner.att.data, np.arange(6.0).reshape(2, 3) + 1)
    with pytest.raises(ValueError, match=r"conv.att_src \(npgnn 'inner.att'\) expects shape "
                                         r"\(2, 3\), got \(3, 2\)"):
        load_pyg_state_dict(target, {**state, "conv.att_src": np.zeros((1, 3, 2))})


def test_gatv2_shared_weights_round_trip_through_pyg_state_dict():
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric.nn")
    from npgnn.nn import GATv2Conv

    ours = GATv2Conv(5, 3, heads=2, share_weights=True, rng=0)
    theirs = pyg.GATv2Conv(5, 3, heads=2, share_weights=True)
    state = to_pyg_state_dict(ours)
    assert set(state) == set(theirs.state_dict())  # lin_r.* listed too, as PyG does
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    back = GATv2Conv(5, 3, heads=2, share_weights=True, rng=1)
    load_pyg_state_dict(back, theirs.state_dict())  # strict: the alias keys are expected
    np.testing.assert_array_equal(back.lin_l.weight.data, ours.lin_l.weight.data)
    broken = dict(theirs.state_dict())
    broken["lin_r.weight"] = broken["lin_r.weight"] + 1
    with pytest.raises(ValueError, match="are one shared weight in npgnn but differ"):
        load_pyg_state_dict(back, broken)
