"""Module: parameter discovery, state dicts, modes, and the book-style forward/backward."""
import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.nn import Linear, Module, ModuleList, Parameter, ReLU, Sequential


class TwoHop(Module):
    """One Linear used twice (tied weights) plus a list and a dict of sub-modules."""

    def __init__(self):
        self.lin = Linear(3, 3, rng=0, dtype=np.float64)
        self.blocks = [Linear(3, 2, rng=1, dtype=np.float64)]
        self.heads = {"out": Linear(2, 1, bias=False, rng=2, dtype=np.float64)}
        self.scale = Parameter(np.array([2.0]))
        self.register_buffer("steps", np.zeros(1))

    def forward(self, x):
        h = self.lin(self.lin(x)) * self.scale
        return self.heads["out"](self.blocks[0](h))


def test_named_parameters_are_dotted_in_pytorch_order():
    # PyTorch's order: a module's own parameters, then each sub-module's in attribute order
    names = [n for n, _ in TwoHop().named_parameters()]
    assert names == ["scale", "lin.weight", "lin.bias", "blocks.0.weight", "blocks.0.bias", "heads.out.weight"]


def test_shared_module_is_listed_once_and_gets_summed_gradients():
    torch = pytest.importorskip("torch")
    m = TwoHop()
    m.extra = m.lin  # the same module under a second name
    assert len(list(m.parameters())) == 6
    x = np.random.default_rng(0).standard_normal((4, 3))
    m(Tensor(x)).sum().backward()
    w = torch.tensor(m.lin.weight.data, requires_grad=True)
    b, s = torch.tensor(m.lin.bias.data), torch.tensor(m.scale.data)
    h = ((torch.tensor(x) @ w.T + b) @ w.T + b) * s
    out = (h @ torch.tensor(m.blocks[0].weight.data).T + torch.tensor(m.blocks[0].bias.data))
    (out @ torch.tensor(m.heads["out"].weight.data).T).sum().backward()
    np.testing.assert_allclose(m.lin.weight.grad, w.grad.numpy(), rtol=1e-12)


def test_state_dict_round_trip_and_errors():
    a, b = TwoHop(), TwoHop()
    b.lin.weight.data += 1
    a.steps[...] = 5
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(b.lin.weight.data, a.lin.weight.data)
    np.testing.assert_array_equal(b.steps, [5])
    state = a.state_dict()
    state["lin.weight"] = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"'lin.weight' expects shape \(3, 3\), got \(2, 2\)"):
        b.load_state_dict(state)
    del state["lin.weight"]
    state["bogus"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing keys \['lin.weight'\], unexpected keys \['bogus'\]"):
        b.load_state_dict(state)


def test_state_dict_is_a_copy():
    m = TwoHop()
    sd = m.state_dict()
    sd["lin.weight"][...] = 0
    assert np.abs(m.lin.weight.data).sum() > 0


def test_train_eval_and_zero_grad():
    m = Sequential(Linear(2, 2, rng=0), ReLU())
    assert m.eval() is m and not m[0].training
    m.train()
    assert m[0].training
    m(Tensor(np.ones((1, 2), dtype=np.float32))).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_to_dtype():
    m = TwoHop().to(np.float32)
    assert all(p.dtype == np.float32 for p in m.parameters()) and m.steps.dtype == np.float32


def test_repr_lists_children():
    text = repr(Sequential(Linear(2, 3), ReLU()))
    assert "Sequential(" in text and "(0): Linear(2, 3, bias=True)" in text and "(1): ReLU()" in text


def test_book_style_forward_backward_returns_input_gradient_and_sets_param_grads():
    lin = Linear(3, 2, rng=0, dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((4, 3))
    y = lin.forward(x)
    assert isinstance(y, np.ndarray) and y.shape == (4, 2)
    dy = np.random.default_rng(2).standard_normal((4, 2))
    dx = lin.backward(dy)
    np.testing.assert_allclose(dx, dy @ lin.weight.data)
    np.testing.assert_allclose(lin.weight.grad, dy.T @ x)
    # a second pair replaces the gradients instead of silently accumulating them
    lin.forward(x)
    lin.backward(dy)
    np.testing.assert_allclose(lin.weight.grad, dy.T @ x)


def test_book_style_errors():
    lin = Linear(3, 2, rng=0, dtype=np.float64)
    with pytest.raises(RuntimeError, match=r"Linear.backward\(\): call forward\(\) with ndarray inputs first"):
        lin.backward(np.ones((1, 2)))
    lin.forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"dout must have the forward output's shape \(1, 2\), got \(2, 2\)"):
        lin.backward(np.ones((2, 2)))


def test_tensor_input_keeps_autodiff_style():
    lin = Linear(3, 2, rng=0)
    assert isinstance(lin.forward(Tensor(np.ones((1, 3), dtype=np.float32))), Tensor)


def test_module_list():
    ml = ModuleList([Linear(2, 2), Linear(2, 2)])
    assert len(ml) == 2 and len(list(ml.parameters())) == 4


@pytest.mark.parametrize("make", [
    lambda: (npgnn.nn.Linear(3, 2, rng=0, dtype=np.float64), (np.random.default_rng(0).standard_normal((4, 3)),)),
    lambda: (npgnn.nn.GCNConv(3, 2, rng=0).to(np.float64),
             (np.random.default_rng(0).standard_normal((4, 3)), np.array([[0, 1, 2, 3], [1, 2, 3, 0]]))),
], ids=["Linear", "GCNConv"])
def test_book_style_backward_twice_after_one_forward(make):
    """Issue 7 item 7: the same gradients again, and another dout gives its own (not a sum)."""
    layer, args = make()
    y = layer.forward(*args)
    dy = np.random.default_rng(1).standard_normal(y.shape)
    dx1 = layer.backward(dy)
    grads1 = [p.grad.copy() for p in layer.parameters()]
    dx2 = layer.backward(dy)
    np.testing.assert_array_equal(dx2, dx1)
    for p, g in zip(layer.parameters(), grads1):
        np.testing.assert_array_equal(p.grad, g)
    dx3 = layer.backward(2 * dy)
    np.testing.assert_allclose(dx3, 2 * dx1)
    for p, g in zip(layer.parameters(), grads1):
        np.testing.assert_allclose(p.grad, 2 * g)
