"""``npgnn demo``: the article end to end on its 5-node graph, each result with one line of why.

``run()`` prints the walk-through (weighted sum, message passing, a GNN layer forward and
backward, softmax, training, inference); ``run(article_replay=True)`` prints the article's own
training trace beside the correct one and explains the difference. Runs in milliseconds.
"""
from __future__ import annotations

import sys
from typing import Any, TextIO

import numpy as np

from npgnn.article import (
    GNN_Layer,
    MessagePassing,
    TwoLayerGNN,
    WeightSum,
    cross_entropy_error,
    softmax,
    softmax_3D,
)
from npgnn.autodiff import Function, Tensor, no_grad
from npgnn.nn.module import Module

# The article's graph: undirected, with self-loops; A[i, j] = 1 is an edge j -> i.
ADJ = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 1, 0, 1], [1, 0, 0, 1, 1], [0, 1, 1, 1, 1]])
X_INFER = np.array([[[-1, 1], [-1, 1], [-0.5, 0.3], [-1.2, 0.8], [-0.9, 1.0]]])


def training_data() -> tuple[np.ndarray, np.ndarray]:
    """The article's batch: x (2, 5, 2) with graph 0's first feature −1, one-hot t (2, 2)."""
    x = np.ones((2, 5, 2))
    x[0, :, 0] = -1.0
    return x, np.array([[1.0, 0.0], [0.0, 1.0]])


def article_network() -> TwoLayerGNN:
    """TwoLayerGNN(2, 2, 2) with the article's initial weights (legacy seed 0, no global state)."""
    return TwoLayerGNN(2, 2, 2, ADJ, rng=np.random.RandomState(0))


def correct_trace(steps: int = 10, lr: float = 0.1, every: int = 2) -> dict:
    """The article's loop with correct gradients: ``params[key] -= lr * calc_gradient(...)[key]``.

    Returns {"probs": [softmax(predict(x)) every ``every`` steps], "loss": [loss then],
    "logits": predict(X_INFER)}.
    """
    network, (x, t) = article_network(), training_data()
    probs, losses = [], []
    for step in range(1, steps + 1):
        grad = network.calc_gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= lr * grad[key]  # in place: the dict holds the model's arrays
        if step % every == 0:
            probs.append(softmax(network.predict(x)))
            losses.append(network.loss(x, t))
    return {"probs": probs, "loss": losses, "logits": network.predict(X_INFER)}


class _DiagonalSoftmax(Function):
    """The article's Softmax: backward keeps only the Jacobian's diagonal, dx = dy y (1 − y)."""

    def forward(self, x):  # type: ignore[override]  # one array, like every op in npgnn.ops
        z = np.exp(x - x.max(axis=-1, keepdims=True))
        self.y = z / z.sum(axis=-1, keepdims=True)
        return self.y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self.y * (1 - self.y)


class _ArticleSoftmax(Module):
    def forward(self, x: Tensor) -> Tensor:
        return _DiagonalSoftmax()(x)


def article_trace(steps: int = 10, lr: float = 0.1, every: int = 2) -> dict:
    """The article's printed run: diagonal softmax Jacobian, gradients summed over all steps.

    (``examples/article_replay.py`` is the same replay as a standalone, commented script.)
    Returns the keys of :func:`correct_trace` but "loss".
    """
    network, (x, t) = article_network(), training_data()
    network.layers["Softmax1"] = _ArticleSoftmax()
    probs = []
    for step in range(1, steps + 1):
        network.lastLayer(network(Tensor(x)), t).backward()  # .grad accumulates: never zeroed
        with no_grad():
            for p in network.parameters():
                if p.grad is not None:
                    p.data -= lr * p.grad
        if step % every == 0:
            probs.append(softmax(network.predict(x)))
    return {"probs": probs, "logits": network.predict(X_INFER)}


# ---------------------------------------------------------------------------- printing
def _fmt(a: np.ndarray) -> str:
    """One line: numpy's own formatting with the line breaks taken out."""
    return " ".join(np.array2string(np.asarray(a), precision=8, max_line_width=10**6).split())


def _rows(a: np.ndarray) -> list[str]:
    """The rows of a matrix as numpy prints the whole matrix (one shared number format)."""
    lines = np.array2string(np.asarray(a), precision=8, max_line_width=10**6).splitlines()
    return [" ".join(line.strip(" []").split()).join("[]") for line in lines]


def _walkthrough(out: TextIO) -> None:
    def say(label: str, value: Any, why: str) -> None:  # an array (book-style output) or text
        text = value if isinstance(value, str) else _fmt(value)
        print(f"  {label} = {text}\n      {why}", file=out)

    print("npgnn demo: the article's GNN on its 5-node graph (N=2 signals, T=5 nodes)\n", file=out)
    print(f"Adjacency A = {_fmt(ADJ)}", file=out)
    print("      A[i, j] = 1 is an edge j -> i; symmetric (undirected) with self-loops\n", file=out)

    print("1. WeightSum: c[n] = sum_t a[n,t] hs[n,t], hs = ones(2,2,3), a=[[1,.5],[.2,.5]]", file=out)
    ws = WeightSum()
    c = ws.forward(np.ones((2, 2, 3)), np.array([[1.0, 0.5], [0.2, 0.5]]))
    dhs, da = ws.backward(np.ones((2, 3)))
    say("c", c, "each row is sum_t a[n,t] times a row of ones: 1.5 and 0.7")
    say("da", da, "da[n,t] = <hs[n,t], dc[n]> = 3 with dc = ones(2,3)")
    say("dhs[1]", dhs[1], "dhs[n,t] = a[n,t] dc[n]: the weights come back per node")

    print("\n2. MessagePassing: m[n] = A @ h[n], h = ones(2,5,3) with h[0,0,0] = 5", file=out)
    mp = MessagePassing(ADJ)
    h = np.ones((2, 5, 3))
    h[0, 0, 0] = 5
    m = mp.forward(h)
    say("m[0]", m[0], "row i sums the states of i's neighbours; nodes 0, 2, 3 see node 0's 5")
    say("m[1]", m[1], "with all-ones states, row i is the number of neighbours of i")
    dh = mp.backward(np.ones((2, 3)))
    say("dh[0]", dh[0], "backward is A^T @ dm: node j collects from every i it sends to")

    print("\n3. GNN layer: h' = (A @ h) W + b, W = ones(3,3), b = ones(3), h = ones(2,5,3)", file=out)
    layer = GNN_Layer(np.ones((3, 3)), np.ones(3), ADJ)
    say("h'[0]", layer.forward(np.ones((2, 5, 3)))[0], "3 features x degree, plus the bias 1")
    dh = layer.backward(np.ones((2, 5, 3)))
    say("dh[0]", dh[0], "A^T (dh' W^T): each node's out-degree times 3")
    say("dW", layer.dW, "sum over graphs and nodes of m^T dh': this step's gradient only")

    print("\n4. softmax_3D over the last axis, x = ones(2,5,3) with x[:,:,1] = 2", file=out)
    x = np.ones((2, 5, 3))
    x[:, :, 1] = 2
    say("y[0,0]", softmax_3D(x)[0, 0], "exp(1), exp(2), exp(1) normalised; every row is the same")

    print("\n5. Training TwoLayerGNN(2, 2, 2): SGD, lr 0.1, seed 0 weights, correct gradients", file=out)
    network, (x, t) = article_network(), training_data()
    say("targets t", t, "one-hot rows: graph 0 (first feature -1) is class 0, graph 1 class 1")
    say("loss at step 0", f"{network.loss(x, t):.8f}",
        f"mean cross-entropy of the 2 graphs; the article prints the sum, "
        f"{cross_entropy_error(softmax(network.predict(x)), t):.8f}")
    result = correct_trace()
    for step, (p, loss) in enumerate(zip(result["probs"], result["loss"]), start=1):
        say(f"step {2 * step:2d} p", p, f"softmax(predict(x)), one row per graph, against t; "
                                        f"mean loss {loss:.8f}")

    print("\n6. Inference on a new signal x = [[[-1,1],[-1,1],[-.5,.3],[-1.2,.8],[-.9,1]]]", file=out)
    say("logits", result["logits"], "predict(x): summed node outputs of the second layer")
    say("p", softmax(result["logits"]), "class 0, like the training graph whose first feature is -1")
    print("\nnpgnn demo --article-replay shows why the article prints different numbers.", file=out)


def _replay(out: TextIO) -> None:
    """Both traces side by side, every line at most 80 characters wide."""
    ours, theirs = correct_trace(), article_trace()
    print("The article's printed training run beside npgnn's (same weights, data, lr)\n", file=out)
    pairs = [(f"{2 * k:>6}" if row == 0 else "", left, right)
             for k, (a, b) in enumerate(zip(theirs["probs"], ours["probs"]), start=1)
             for row, (left, right) in enumerate(zip(_rows(a), _rows(b)))]
    pairs.append(("logits", _fmt(theirs["logits"]), _fmt(ours["logits"])))
    header = ("step", "article (as printed)", "npgnn (correct gradients)")
    width = max(len(left) for _, left, _ in [*pairs, header])
    for label, left, right in [header, *pairs]:
        print(f"  {label:>6}  {left:<{width}}  {right}".rstrip(), file=out)
    print("\nWhy they differ (the article's numbers need both of these mistakes):", file=out)
    print("  1. The article's Softmax.backward keeps only the diagonal y(1-y) of the\n"
          "     Jacobian; the full one is y * (dy - sum_k dy_k y_k). npgnn.gradcheck\n"
          "     rejects the diagonal.", file=out)
    print("  2. The article's GNN_Layer adds each step's dW, db onto all earlier ones and\n"
          "     never resets them, so step k uses the sum of k gradients. npgnn gives each\n"
          "     step's own gradient (calc_gradient), like a framework whose optimizer\n"
          "     zeroes gradients.", file=out)
    print("  See examples/article_replay.py for the replay written with the public API.", file=out)


def run(article_replay: bool = False, out: TextIO | None = None) -> None:
    """Print the walk-through (or, with ``article_replay``, the two traces side by side)."""
    out = sys.stdout if out is None else out
    with np.printoptions(precision=8, suppress=False):
        (_replay if article_replay else _walkthrough)(out)
