"""The article's usage snippets, run as written against ``npgnn.article``, and every number of
``shared/seed/REPRODUCE.md``.

Each snippet is the article's code after its class definitions, transcribed verbatim; the class
definitions are replaced by ``from npgnn.article import *``. The snippets run in order in one
namespace (the article is a notebook: later cells use earlier variables); a cell's last bare
expression is displayed as a notebook would (its repr). Printed output is compared with the
article's, whitespace-normalised, digit for digit, except the training and inference cells, whose
article numbers come from its wrong gradients: those are checked against REPRODUCE.md's correct
trace at 1e-8 relative.
"""
from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import npgnn
from npgnn import article
from npgnn.article import TwoLayerGNN, cross_entropy_error, softmax
from npgnn.demo import ADJ  # the article's 5-node graph

HEADER = "import numpy as np\nfrom collections import OrderedDict\nfrom npgnn.article import *\n"

# (name, snippet as in the article, the article's printed output)
CELLS = [
    ("repeat_2d", """
import numpy as np
x1 = np.array([[1., 2., 3.]])
print(x1.shape)
print(x1.repeat(2, axis=0).shape)
print(x1.repeat(2, axis=1).shape)
print(x1.repeat(2, axis=0))
print(x1.repeat(2, axis=1))
""", """
(1, 3)
(2, 3)
(1, 6)
[[1. 2. 3.]
[1. 2. 3.]]
[[1. 1. 2. 2. 3. 3.]]
"""),
    ("repeat_3d", """
x2 = np.array([[[1., 2., 3.]]])
print(x2.shape)
print(x2.repeat(2, axis=0).shape)
print(x2.repeat(2, axis=1).shape)
print(x2.repeat(2, axis=2).shape)
print(x2.repeat(2, axis=0))
print(x2.repeat(2, axis=1))
print(x2.repeat(2, axis=2))
""", """
(1, 1, 3)
(2, 1, 3)
(1, 2, 3)
(1, 1, 6)
[[[1. 2. 3.]]
[[1. 2. 3.]]]
[[[1. 2. 3.]
[1. 2. 3.]]]
[[[1. 1. 2. 2. 3. 3.]]]
"""),
    ("weight_sum_forward", """
a = np.array([[1., 0.5], [0.2, 0.5]])
hs = np.ones([2, 2, 3])
calc_weight_sum = WeightSum()
c = calc_weight_sum.forward(hs, a)
print(c)
""", """
[[1.5 1.5 1.5]
[0.7 0.7 0.7]]
"""),
    ("weight_sum_backward", """
dc = np.ones([2, 3])
dhs, da = calc_weight_sum.backward(dc)
print(dhs.shape)
print(dhs)
print("===")
print(da.shape)
print(da)
""", """
(2, 2, 3)
[[[1. 1. 1. ]
[0.5 0.5 0.5]]
[[0.2 0.2 0.2]
[0.5 0.5 0.5]]]
===
(2, 2)
[[3. 3.]
[3. 3.]]
"""),
    ("adjacency", """
adj_mat = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 1, 0, 1], [1, 0, 0, 1, 1], [0, 1, 1, 1, 1]])
print(adj_mat)
print(adj_mat==adj_mat.T)
""", """
[[1 0 1 1 0]
[0 1 1 0 1]
[1 1 1 0 1]
[1 0 0 1 1]
[0 1 1 1 1]]
[[ True True True True True]
[ True True True True True]
[ True True True True True]
[ True True True True True]
[ True True True True True]]
"""),
    ("message_passing_forward", """
calc_mp = MessagePassing(adj_mat)
h = np.ones([2, 5, 3])
h[0,0,0] = 5
m_t = calc_mp.forward(h)
print(m_t.shape)
print(m_t)
""", """
(2, 5, 3)
[[[7. 3. 3.]
[3. 3. 3.]
[8. 4. 4.]
[7. 3. 3.]
[4. 4. 4.]]
[[3. 3. 3.]
[3. 3. 3.]
[4. 4. 4.]
[3. 3. 3.]
[4. 4. 4.]]]
"""),
    ("message_passing_check", """
print(np.sum(h[0, :, 0] * adj_mat[0, :]))
print(np.sum(h[0, :, 0] * adj_mat[2, :]))
print(np.sum(h[0, :, 0] * adj_mat[3, :]))
""", """
7.0
8.0
7.0
"""),
    ("message_passing_backward", """
dc = np.ones([2, 3])
dh = calc_mp.backward(dc)
print(dh)
""", """
[[[3. 3. 3.]
[3. 3. 3.]
[4. 4. 4.]
[3. 3. 3.]
[4. 4. 4.]]
[[3. 3. 3.]
[3. 3. 3.]
[4. 4. 4.]
[3. 3. 3.]
[4. 4. 4.]]]
"""),
    ("gnn_layer_forward", """
N, T, H = 2, 5, 3
h = np.ones([2, 5, 3])
W = np.ones([H, H])
b = np.ones(H)
adj_mat = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 1, 0, 1], [1, 0, 0, 1, 1], [0, 1, 1, 1, 1]])
gnn_layer = GNN_Layer(W, b, adj_mat)
h_next = gnn_layer.forward(h)
print(h_next)
""", """
[[[10. 10. 10.]
[10. 10. 10.]
[13. 13. 13.]
[10. 10. 10.]
[13. 13. 13.]]
[[10. 10. 10.]
[10. 10. 10.]
[13. 13. 13.]
[10. 10. 10.]
[13. 13. 13.]]]
"""),
    ("gnn_layer_backward", """
dh_next = np.ones([2, 5, 3])
dh = gnn_layer.backward(dh_next)
print(dh)
""", """
[[[ 9. 9. 9.]
[ 9. 9. 9.]
[12. 12. 12.]
[ 9. 9. 9.]
[12. 12. 12.]]
[[ 9. 9. 9.]
[ 9. 9. 9.]
[12. 12. 12.]
[ 9. 9. 9.]
[12. 12. 12.]]]
"""),
    ("softmax_3d", """
x = np.ones([2,5,3])
x[:, :, 1] = 2
softmax_3D(x)
""", """
array([[[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156]],
[[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156],
[0.21194156, 0.57611688, 0.21194156]]])
"""),
]

TRAINING = """
np.random.seed(0)
alpha = 0.1
adj_mat = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 1, 0, 1], [1, 0, 0, 1, 1], [0, 1, 1, 1, 1]])
x = np.ones([2, 5, 2])
x[0, :, :1] = -1.
t = np.array([[1., 0.], [0., 1.]])
network = TwoLayerGNN(2, 2, 2, adj_mat)
for i in range(10):
    grad = network.calc_gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        network.params[key] -= alpha * grad[key]
    if (i+1)%2==0:
        print(softmax(network.predict(x)))
"""

INFERENCE = """
x = np.array([[[-1, 1], [-1, 1], [-0.5, 0.3], [-1.2, 0.8], [-0.9, 1.]]])
print(network.predict(x))
print(softmax(network.predict(x)))
"""

# REPRODUCE.md: the same run with correct gradients, after steps 2, 4, 6, 8, 10
CORRECT_TRACE = np.array([
    [[9.9999265211e-01, 7.3478935201e-06], [9.9999258739e-01, 7.4126130012e-06]],
    [[9.9998935794e-01, 1.0642055402e-05], [9.9999026393e-01, 9.7360657566e-06]],
    [[9.9997621470e-01, 2.3785302683e-05], [9.9999433917e-01, 5.6608270575e-06]],
    [[9.9999999914e-01, 8.5735744470e-10], [9.9979258063e-01, 2.0741936702e-04]],
    [[9.9294274935e-01, 7.0572506517e-03], [2.5120418294e-10, 9.9999999975e-01]],
])
CORRECT_LOGITS = np.array([[2.5573647308, -2.4211488547]])
FIRST_GRADS = {
    "W1": [[0.12867545, -0.12867545], [0.02127971, -0.02127971]],
    "b1": [0.00613010, -0.00613010],
    "W2": [[0.78486177, -0.78486177], [0.61410367, -0.61410367]],
    "b2": [0.41146042, -0.41146042],
}
INITIAL = {
    "W1": [[0.01764052, 0.00400157], [0.00978738, 0.02240893]],
    "W2": [[0.01867558, -0.00977278], [0.00950088, -0.00151357]],
}
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def run_cell(code: str, namespace: dict) -> str:
    """Execute ``code`` like a notebook cell and return what it printed (and displayed)."""
    tree = ast.parse(code)
    shown = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        shown = ast.Expression(tree.body.pop().value)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<article>", "exec"), namespace)  # noqa: S102 - the article's own code
        if shown is not None:
            value = eval(compile(shown, "<article>", "eval"), namespace)
            if value is not None:
                print(repr(value))
    return out.getvalue()


def normalise(text: str) -> str:
    return " ".join(text.split())


def numbers(text: str) -> np.ndarray:
    return np.array([float(s) for s in NUMBER.findall(text)])


def assert_printed(text: str, expected: np.ndarray) -> None:
    """Every number printed in ``text`` equals ``expected`` to its last printed digit.

    A token with d decimals (of its mantissa, for e-notation) is right when it lies within half a
    unit of its last digit, 0.5·10^(exponent − d), of the exact value (and 1e-8 relative of it).
    """
    tokens = NUMBER.findall(text)
    expected = np.asarray(expected, dtype=float).ravel()
    assert len(tokens) == expected.size, (tokens, expected)
    for token, value in zip(tokens, expected):
        mantissa, _, exponent = token.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        half_unit = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
        assert abs(float(token) - value) <= half_unit * (1 + 1e-9) + 1e-8 * abs(value), (token, value)


@pytest.fixture(scope="module")
def notebook() -> dict:
    """All cells run in order in one namespace; the global legacy RNG state is restored after."""
    state = np.random.get_state()
    namespace: dict = {}
    outputs = {"header": run_cell(HEADER, namespace)}
    for name, code, _ in CELLS:
        outputs[name] = run_cell(code, namespace)
    outputs["training"] = run_cell(TRAINING, namespace)
    outputs["inference"] = run_cell(INFERENCE, namespace)
    np.random.set_state(state)
    return {"out": outputs, "ns": namespace}


@pytest.mark.parametrize("name,expected", [(c[0], c[2]) for c in CELLS], ids=[c[0] for c in CELLS])
def test_snippet_prints_what_the_article_prints(notebook: dict, name: str, expected: str) -> None:
    assert normalise(notebook["out"][name]) == normalise(expected)


def test_training_snippet_prints_the_correct_trace(notebook: dict) -> None:
    printed = numbers(notebook["out"]["training"])
    assert printed.size == CORRECT_TRACE.size
    # numpy prints 9 significant digits, so the printed text itself agrees to 5e-9 relative
    assert_allclose(printed, CORRECT_TRACE.ravel(), rtol=1e-8, atol=0)
    assert_printed(notebook["out"]["training"], CORRECT_TRACE)


def test_inference_snippet_prints_the_correct_logits(notebook: dict) -> None:
    z = CORRECT_LOGITS - CORRECT_LOGITS.max()
    probs = np.exp(z) / np.exp(z).sum()  # independent formula for the printed probabilities
    assert_printed(notebook["out"]["inference"], np.concatenate([CORRECT_LOGITS.ravel(), probs.ravel()]))


def test_training_end_state_direct(notebook: dict) -> None:
    ns = notebook["ns"]
    network = ns["network"]
    x = np.ones([2, 5, 2])
    x[0, :, :1] = -1.0
    assert_allclose(softmax(network.predict(x)), CORRECT_TRACE[-1], rtol=1e-8)
    assert_allclose(network.predict(ns["x"]), CORRECT_LOGITS, rtol=1e-8)


# ---------------------------------------------------------------------------- direct asserts
def article_setup(**kwargs) -> tuple[TwoLayerGNN, np.ndarray, np.ndarray]:
    x = np.ones([2, 5, 2])
    x[0, :, :1] = -1.0
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    return TwoLayerGNN(2, 2, 2, ADJ, rng=np.random.RandomState(0), **kwargs), x, t


def test_initial_weights_come_from_the_global_legacy_rng_w1_then_w2() -> None:
    state = np.random.get_state()
    try:
        np.random.seed(0)
        network = TwoLayerGNN(2, 2, 2, ADJ)
    finally:
        np.random.set_state(state)
    for key, value in INITIAL.items():  # REPRODUCE prints 8 decimals: agree to half a unit
        assert_allclose(network.params[key], value, rtol=0, atol=5e-9)
    np.random.seed(0)
    w1 = 0.01 * np.random.randn(2, 2)
    w2 = 0.01 * np.random.randn(2, 2)
    np.random.set_state(state)
    assert_allclose(network.params["W1"], w1, rtol=0, atol=0)
    assert_allclose(network.params["W2"], w2, rtol=0, atol=0)
    assert not network.params["b1"].any() and not network.params["b2"].any()
    # rng=RandomState(0) gives the same weights without touching the global state
    same = article_setup()[0]
    for key in ("W1", "W2"):
        assert_allclose(same.params[key], network.params[key], rtol=0, atol=0)


def test_first_step_gradients() -> None:
    network, x, t = article_setup()
    grads = network.calc_gradient(x, t)
    assert list(grads) == ["W1", "b1", "W2", "b2"]
    for key, value in FIRST_GRADS.items():
        assert_allclose(grads[key], value, rtol=0, atol=5e-9)  # REPRODUCE prints 8 decimals


def test_cross_entropy_error_is_the_article_sum() -> None:
    network, x, t = article_setup()
    y = softmax(network.predict(x))
    assert_allclose(cross_entropy_error(y, t), 1.41726347, rtol=1e-8)
    assert_allclose(cross_entropy_error(y, t), -np.sum(t * np.log(y + 1e-7)), rtol=1e-15)
    assert_allclose(cross_entropy_error(y, np.array([0, 1])), cross_entropy_error(y, t), rtol=1e-15)
    # SoftmaxWithLoss and TwoLayerGNN.loss give the mean: half of it (up to the 1e-7 delta)
    assert_allclose(network.loss(x, t), 1.41726347 / 2, rtol=1e-6)


def test_correct_trace_and_logits_direct() -> None:
    network, x, t = article_setup()
    probs = []
    for step in range(1, 11):
        grad = network.calc_gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= 0.1 * grad[key]
        if step % 2 == 0:
            probs.append(softmax(network.predict(x)))
    assert_allclose(np.array(probs), CORRECT_TRACE, rtol=1e-8)
    x_new = np.array([[[-1, 1], [-1, 1], [-0.5, 0.3], [-1.2, 0.8], [-0.9, 1.0]]])
    assert_allclose(network.predict(x_new), CORRECT_LOGITS, rtol=1e-8)


def test_layer_numbers_direct() -> None:
    ws = article.WeightSum()
    assert_allclose(ws.forward(np.ones((2, 2, 3)), [[1, 0.5], [0.2, 0.5]]), [[1.5] * 3, [0.7] * 3])
    dhs, da = ws.backward(np.ones((2, 3)))
    assert_allclose(dhs[:, :, 0], [[1, 0.5], [0.2, 0.5]])
    assert_allclose(da, 3 * np.ones((2, 2)))
    assert ws.params == [] and ws.grads == []

    rows = np.array([3, 3, 4, 3, 4.0])
    mp = article.MessagePassing(ADJ)
    h = np.ones((2, 5, 3))
    h[0, 0, 0] = 5
    m = mp.forward(h)
    assert_allclose(m[0], [[7, 3, 3], [3, 3, 3], [8, 4, 4], [7, 3, 3], [4, 4, 4]])
    assert_allclose(m[1], np.repeat(rows[:, None], 3, axis=1))
    assert_allclose(mp.backward(np.ones((2, 5, 3))), np.broadcast_to(rows[None, :, None], (2, 5, 3)))
    mp.forward(h)
    assert_allclose(mp.backward(np.ones((2, 3))), np.broadcast_to(rows[None, :, None], (2, 5, 3)))

    layer = article.GNN_Layer(np.ones((3, 3)), np.ones(3), ADJ)
    assert_allclose(layer.forward(np.ones((2, 5, 3)))[:, :, 0], [[10, 10, 13, 10, 13]] * 2)
    assert_allclose(layer.backward(np.ones((2, 5, 3)))[:, :, 0], [[9, 9, 12, 9, 12]] * 2)
    x = np.ones((2, 5, 3))
    x[:, :, 1] = 2
    exact = np.exp([1.0, 2.0, 1.0]) / np.exp([1.0, 2.0, 1.0]).sum()
    assert_allclose(article.softmax_3D(x), np.broadcast_to(exact, (2, 5, 3)), rtol=1e-14)
    assert_allclose(exact, [0.21194156, 0.57611688, 0.21194156], rtol=0, atol=5e-9)


# ---------------------------------------------------------------------------- the interface
def test_all_lists_the_article_names() -> None:
    assert set(article.__all__) == {
        "WeightSum", "MessagePassing", "Affine", "GNN_Layer", "GNNLayer", "softmax", "softmax_3D",
        "cross_entropy_error", "Softmax", "Aggregate", "SoftmaxWithLoss", "TwoLayerGNN",
    }
    assert article.GNNLayer is article.GNN_Layer
    for name in article.__all__:
        obj = getattr(article, name)
        if isinstance(obj, type):
            assert issubclass(obj, npgnn.nn.Module), name


def test_network_structure_and_params_are_the_parameters_arrays() -> None:
    network, x, _ = article_setup()
    assert list(network.layers) == ["GNN_layer1", "Softmax1", "GNN_layer2", "Aggregate"]
    assert isinstance(network.lastLayer, article.SoftmaxWithLoss)
    assert list(network.params) == ["W1", "b1", "W2", "b2"]
    l1, l2 = network.layers["GNN_layer1"], network.layers["GNN_layer2"]
    for key, p in zip(("W1", "b1", "W2", "b2"), (l1.W, l1.b, l2.W, l2.b)):
        assert network.params[key] is p.data
    assert len(list(network.parameters())) == 4
    assert network.predict(x).shape == (2, 2) and isinstance(network.predict(x), np.ndarray)


def test_in_place_params_update_changes_the_model() -> None:
    network, x, _ = article_setup()
    before = network.predict(x)
    w1 = network.params["W1"]
    network.params["W1"] -= [[1.0, 0.0], [0.0, 0.0]]  # the article's update form
    assert network.params["W1"] is w1 is network.layers["GNN_layer1"].W.data
    assert not np.allclose(network.predict(x), before)
    network.params["W2"][...] = 0  # any in-place write reaches the model
    assert_allclose(network.predict(x), 0.0, atol=1e-15)


def test_assigning_a_new_array_copies_into_the_parameter() -> None:
    network = article_setup()[0]
    old = network.params["W2"]
    network.params["W2"] = np.array([[1, -1], [2, -2]])  # a new (integer) array
    assert network.params["W2"] is old  # still the Parameter's array: nothing detached
    assert_allclose(network.layers["GNN_layer2"].W.data, [[1, -1], [2, -2]])
    network.params["b2"] = network.params["b2"] - 0.5  # ``p = p - g`` instead of ``p -= g``
    assert_allclose(network.layers["GNN_layer2"].b.data, [-0.5, -0.5])
    with pytest.raises(ValueError, match=r"params\['W2'\]: expected shape \(2, 2\), got \(3,\)"):
        network.params["W2"] = np.zeros(3)
    with pytest.raises(KeyError, match="unknown key 'W3'"):
        network.params["W3"] = np.zeros((2, 2))


def test_optimizer_updates_are_seen_through_params() -> None:
    network, x, t = article_setup()
    opt = npgnn.optim.SGD(network.parameters(), lr=0.1)
    expected = {k: v - 0.1 * g for (k, v), g in zip(network.params.items(),
                                                   network.calc_gradient(x, t).values())}
    opt.step()
    for key, value in expected.items():
        assert_allclose(network.params[key], value, rtol=1e-15)


def test_calc_gradient_does_not_accumulate() -> None:
    network, x, t = article_setup()
    g1 = network.calc_gradient(x, t)
    g2 = network.calc_gradient(x, t)
    for key in g1:
        assert_allclose(g2[key], g1[key], rtol=0, atol=0)
        assert g2[key] is not g1[key]
    g1["W1"] += 100.0  # fresh arrays: editing them touches nothing else
    assert_allclose(network.calc_gradient(x, t)["W1"], g2["W1"], rtol=0, atol=0)
    assert_allclose(network.layers["GNN_layer1"].dW, g2["W1"], rtol=0, atol=0)
    # a stale gradient from autodiff use is dropped too
    network.lastLayer(network(npgnn.Tensor(x)), t).backward()
    assert_allclose(network.calc_gradient(x, t)["W2"], g2["W2"], rtol=0, atol=0)


def test_autodiff_style_matches_calc_gradient() -> None:
    network, x, t = article_setup()
    expected = network.calc_gradient(x, t)
    network.zero_grad()
    logits = network(npgnn.Tensor(x))
    assert isinstance(logits, npgnn.Tensor) and logits.requires_grad
    loss = network.lastLayer(logits, t)
    assert isinstance(loss, npgnn.Tensor)
    loss.backward()
    grads = dict(zip(("W1", "b1", "W2", "b2"), (p.grad for p in network.parameters())))
    for key in expected:
        assert_allclose(grads[key], expected[key], rtol=1e-15)
    # integer labels give the same loss and gradients as one-hot rows
    assert_allclose(network.calc_gradient(x, np.array([0, 1]))["W1"], expected["W1"], rtol=1e-15)


def test_book_style_network_forward_backward() -> None:
    network, x, t = article_setup()
    logits = network.forward(x)
    loss_layer = article.SoftmaxWithLoss()
    loss = loss_layer.forward(logits, t)
    assert_allclose(loss, network.loss(x, t), rtol=1e-15)
    dlogits = loss_layer.backward()
    y = softmax(logits)
    assert_allclose(dlogits, (y - t) / 2, rtol=1e-14)  # the article's gradient (y − t)/N
    dx = network.backward(dlogits)
    assert dx.shape == x.shape
    expected = network.calc_gradient(x, t)
    network.forward(x)
    network.backward(dlogits)
    assert_allclose(network.layers["GNN_layer2"].dW, expected["W2"], rtol=1e-14)


def test_predict_records_no_graph_and_accepts_integer_input() -> None:
    network, x, _ = article_setup()
    x_int = np.array([[[-1, 1]] * 5, [[1, 1]] * 5])
    assert_allclose(network.predict(x_int), network.predict(x_int.astype(float)), rtol=0)
    assert_allclose(network.predict(x_int), network.predict(x), rtol=0)
    assert all(p.grad is None for p in network.parameters())
    out = network(npgnn.Tensor(x_int.astype(float)))
    with npgnn.no_grad():
        assert not network(npgnn.Tensor(x)).requires_grad
    assert out.requires_grad


def test_integer_adjacency_and_inputs_become_float64() -> None:
    mp = article.MessagePassing(ADJ)
    assert mp.adj.dtype == np.float64
    out = mp.forward(np.ones((1, 5, 2), dtype=np.int64))
    assert out.dtype == np.float64
    layer = article.GNN_Layer(np.ones((2, 3), dtype=int), np.zeros(3, dtype=int), ADJ)
    assert layer.W.dtype == np.float64 and layer.forward(np.ones((1, 5, 2), dtype=int)).shape == (1, 5, 3)


def test_affine_on_2d_and_batched_inputs() -> None:
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    aff = article.Affine(W, b)
    assert aff.W.data is W  # wrapped, not copied
    x = rng.standard_normal((5, 4))
    assert_allclose(aff.forward(x), x @ W + b, rtol=1e-14)
    assert aff.dW is None
    g = rng.standard_normal((5, 3))
    assert_allclose(aff.backward(g), g @ W.T, rtol=1e-14)
    assert_allclose(aff.dW, x.T @ g, rtol=1e-14)
    assert_allclose(aff.db, g.sum(0), rtol=1e-14)
    x3 = rng.standard_normal((2, 5, 4))
    g3 = rng.standard_normal((2, 5, 3))
    assert_allclose(aff.forward(x3), x3 @ W + b, rtol=1e-14)
    aff.backward(g3)
    assert_allclose(aff.dW, np.einsum("ntd,nth->dh", x3, g3), rtol=1e-13)
    assert_allclose(aff.db, g3.sum((0, 1)), rtol=1e-13)


def test_gnn_layer_with_d_different_from_h_and_gradients_of_last_backward() -> None:
    rng = np.random.default_rng(2)
    W, b = rng.standard_normal((4, 2)), rng.standard_normal(2)
    layer = article.GNNLayer(W, b, ADJ)
    h = rng.standard_normal((3, 5, 4))
    out = layer.forward(h)
    assert_allclose(out, np.einsum("ij,njd->nid", ADJ, h) @ W + b, rtol=1e-13)
    g = rng.standard_normal((3, 5, 2))
    layer.backward(g)
    first = layer.dW.copy()
    layer.forward(h)
    layer.backward(g)
    assert_allclose(layer.dW, first, rtol=0, atol=0)  # not the article's running sum


def test_message_passing_accepts_sparse_and_graph_adjacency() -> None:
    import scipy.sparse as sp

    rng = np.random.default_rng(3)
    A = (rng.random((6, 6)) < 0.4) * rng.uniform(0.5, 2, (6, 6))  # directed, weighted
    h = rng.standard_normal((2, 6, 3))
    g = rng.standard_normal((2, 6, 3))
    expected = np.einsum("ij,njh->nih", A, h)
    graph = npgnn.graph.from_dense_adjacency(A)
    for adj in (A, sp.csr_matrix(A), sp.coo_matrix(A), graph):
        mp = article.MessagePassing(adj)
        assert_allclose(mp.forward(h), expected, rtol=1e-6 if adj is graph else 1e-14)
        assert_allclose(mp.backward(g), np.einsum("ij,nih->njh", A, g),
                        rtol=1e-6 if adj is graph else 1e-14)


def test_docs_quick_start_runs_and_prints_the_correct_logits() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "article.md"
    code = re.search(r"```python\n(.*?)```", doc.read_text(), re.S).group(1)
    state = np.random.get_state()
    try:
        out = run_cell(code, {})
    finally:
        np.random.set_state(state)
    assert out.strip() == "[[ 2.55736473 -2.42114885]]"
    assert "# [[ 2.55736473 -2.42114885]]" in code
