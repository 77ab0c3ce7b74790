"""Replay the article's own training trace with npgnn's public API, then let gradcheck judge it.

The article's printed probabilities come from two properties of its code, not from the true
gradient: its Softmax.backward keeps only the diagonal y(1 − y) of the softmax Jacobian, and its
GNN_Layer adds each step's gradient onto all earlier ones (``dW +=``, never reset). Both can be
written in npgnn on purpose: (a) a user-defined ``npgnn.Function`` with that diagonal backward,
(b) SGD steps that never zero the gradients (npgnn's ``.grad`` accumulates, as in PyTorch).
The result matches the article to every printed digit; ``npgnn.gradcheck`` then rejects (a).

    python examples/article_replay.py
"""
from __future__ import annotations

import numpy as np

import npgnn
from npgnn.article import TwoLayerGNN, softmax

A = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 1, 0, 1], [1, 0, 0, 1, 1], [0, 1, 1, 1, 1]])
X_INFER = np.array([[[-1, 1], [-1, 1], [-0.5, 0.3], [-1.2, 0.8], [-0.9, 1.0]]])


class DiagonalSoftmax(npgnn.Function):
    """Softmax over the last axis with the article's backward dx = dy · y(1 − y): WRONG on purpose.

    The true vector-Jacobian product is y ⊙ (dy − Σ_k dy_k y_k); this keeps only dy_i ∂y_i/∂x_i.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = np.exp(x - x.max(axis=-1, keepdims=True))  # shift: softmax is shift-invariant
        self.y = z / z.sum(axis=-1, keepdims=True)
        return self.y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * self.y * (1 - self.y)


class ArticleSoftmax(npgnn.nn.Module):
    """A layer around the Function, to drop into the model in place of the correct Softmax."""

    def forward(self, x: npgnn.Tensor) -> npgnn.Tensor:
        return DiagonalSoftmax()(x)


def replay(steps: int = 10, lr: float = 0.1, every: int = 2) -> tuple[list[np.ndarray], np.ndarray]:
    """Train as the article does; return the probabilities after every ``every`` steps and the
    inference logits (1, 2) for ``X_INFER``."""
    # RandomState(0) draws what np.random.seed(0); np.random.randn(...) draws, without global state
    network = TwoLayerGNN(2, 2, 2, A, rng=np.random.RandomState(0))
    network.layers["Softmax1"] = ArticleSoftmax()
    x = np.ones((2, 5, 2))
    x[0, :, 0] = -1.0
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    trace = []
    for step in range(1, steps + 1):
        loss = network.lastLayer(network(npgnn.Tensor(x)), t)  # mean cross-entropy
        loss.backward()  # adds onto every .grad: nobody calls zero_grad(), like the article's dW +=
        with npgnn.no_grad():
            for p in network.parameters():
                p.data -= lr * p.grad
        if step % every == 0:
            trace.append(softmax(network.predict(x)))
    return trace, network.predict(X_INFER)


def gradcheck_message() -> str:
    """What npgnn.gradcheck says about DiagonalSoftmax (it must reject it)."""
    x = np.random.default_rng(0).standard_normal((2, 3))
    try:
        npgnn.gradcheck(DiagonalSoftmax, x)
    except npgnn.GradcheckError as err:
        return str(err)
    raise AssertionError("gradcheck accepted the diagonal-only softmax Jacobian")


def main() -> int:
    trace, logits = replay()
    print("The article's trace (diagonal softmax Jacobian + gradients never zeroed):")
    for step, probs in zip(range(2, 11, 2), trace):
        print(f"after step {step}:\n{probs}")
    print(f"inference logits:\n{logits}\nprobabilities:\n{softmax(logits)}")
    print(f"\nnpgnn.gradcheck on DiagonalSoftmax:\n  {gradcheck_message()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
