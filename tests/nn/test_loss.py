"""Loss modules equal torch's (float64, 1e-10), weights and reductions included."""
import numpy as np
import pytest

from npgnn import Tensor, nn

torch = pytest.importorskip("torch")
rng = np.random.default_rng(1)
W3 = rng.uniform(0.5, 2.0, 3)


def logits():
    return rng.standard_normal((5, 3))


CASES = [
    ("CrossEntropyLoss", {"weight": W3, "label_smoothing": 0.1, "ignore_index": 2}, logits, lambda: rng.integers(0, 3, 5)),
    ("CrossEntropyLoss", {"reduction": "sum"}, logits, lambda: rng.integers(0, 3, 5)),
    ("NLLLoss", {"weight": W3, "reduction": "none"}, lambda: np.log(rng.dirichlet(np.ones(3), 5)), lambda: rng.integers(0, 3, 5)),
    ("BCELoss", {"weight": W3}, lambda: rng.uniform(0.1, 0.9, (5, 3)), lambda: rng.uniform(0, 1, (5, 3))),
    ("BCEWithLogitsLoss", {"pos_weight": W3, "weight": W3}, logits, lambda: rng.integers(0, 2, (5, 3)).astype(float)),
    ("MSELoss", {"reduction": "sum"}, logits, logits),
    ("L1Loss", {}, logits, logits),
]


@pytest.mark.parametrize("name,kw,make_x,make_y", CASES, ids=[c[0] for c in CASES])
def test_loss_modules_equal_torch(name, kw, make_x, make_y):
    x, y = make_x(), make_y()
    ours = getattr(nn, name)(**kw)
    theirs = getattr(torch.nn, name)(**{k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()})
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(xt, y), theirs(xr, torch.tensor(y))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = rng.standard_normal(ref.shape)
    (out * w).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_weights_are_buffers_in_the_state_dict_and_none_is_left_out():
    assert list(nn.CrossEntropyLoss(weight=W3).state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=W3).state_dict()) == ["pos_weight"]
    assert "reduction='mean'" in repr(nn.MSELoss())


def test_bad_reduction_names_the_module():
    with pytest.raises(ValueError, match=r"MSELoss: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")
