"""Reverse-mode backward pass: topological order over Function nodes, then vector-Jacobian products."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn._validate import check_supported_dtype
from npgnn.autodiff.function import Function, check_finite
from npgnn.autodiff.grad_mode import _state
from npgnn.autodiff.tensor import Tensor


def _topological_order(root: Function) -> list[Function]:
    """Function nodes reachable from ``root``, each before the nodes that made its inputs.

    Iterative depth-first post-order, reversed: no recursion, so graphs of any depth work.
    """
    post: list[Function] = []
    seen: set[int] = set()
    stack: list[tuple[Function, bool]] = [(root, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            post.append(fn)
            continue
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.append((fn, True))
        for t in fn.inputs:
            if t._ctx is not None and id(t._ctx) not in seen:
                stack.append((t._ctx, False))
    post.reverse()
    return post


def _output_grad(root: Tensor, grad: Any) -> np.ndarray:
    if grad is None:
        if root.size != 1:
            raise RuntimeError(
                f"backward(): grad can be omitted only for a one-element output, got shape "
                f"{root.shape}; pass the output gradient, e.g. y.backward(np.ones_like(y.data))"
            )
        return np.ones_like(root.data)
    g = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
    check_supported_dtype("backward(): grad", g.dtype)
    if g.shape != root.shape:
        if g.size == 1 and root.size == 1:
            g = g.reshape(root.shape)
        else:
            raise ValueError(
                f"backward(): grad must have the output's shape {root.shape}, got {g.shape}"
            )
    return g.astype(root.dtype, copy=False)


def _accumulate(t: Tensor, g: np.ndarray) -> None:
    # a fresh array the first time: g may alias an array the graph (or the user) still uses
    t.grad = np.array(g, dtype=t.dtype, copy=True) if t.grad is None else t.grad + g


def run_backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (d loss / d root) to every leaf that requires grad (see Tensor.backward)."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this tensor does not require grad and has no graph; did you create the "
            "inputs with requires_grad=True, and run the forward outside no_grad()?"
        )
    g_root = _output_grad(root, grad)
    if root._ctx is None:
        _accumulate(root, g_root)
        return
    order = _topological_order(root._ctx)
    # the whole walk records nothing (one switch, not a context manager per node)
    previous = _state["grad_enabled"]
    _state["grad_enabled"] = False
    try:
        _walk(order, g_root, retain_graph, _state["detect_anomaly"])
    finally:
        _state["grad_enabled"] = previous


def _walk(order: list[Function], g_root: np.ndarray, retain_graph: bool, anomaly: bool) -> None:
    pending: dict[int, np.ndarray] = {id(order[0]): g_root}
    for fn in order:
        fd = fn.__dict__
        if "_released" in fd:
            raise RuntimeError(
                "backward(): trying to go through the graph a second time, but its saved arrays "
                "were freed by the first backward; pass retain_graph=True to the first call"
            )
        g_out = pending.pop(id(fn), None)
        if g_out is None:  # every input gradient on the way here was None
            if not retain_graph:
                fn.release()
            continue
        grads = fn.backward(g_out)
        inputs = fd["inputs"]
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(inputs):
            raise RuntimeError(
                f"{fn.name}.backward returned {len(grads)} gradients for {len(inputs)} inputs"
            )
        for k, (t, g, needed) in enumerate(zip(inputs, grads, fd["needs_input_grad"])):
            if g is None or not needed:
                continue
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.shape != t.data.shape:
                raise RuntimeError(
                    f"{fn.name}.backward returned a gradient of shape {g.shape} for input {k} of "
                    f"shape {t.shape}; a backward must return one gradient per input, shaped "
                    "like it (sum over broadcast axes with unbroadcast)"
                )
            if g.dtype != t.data.dtype:
                g = g.astype(t.data.dtype)
            if anomaly:
                check_finite(g, f"{fn.name}.backward gradient for input {k}")
            ctx = t._ctx
            if ctx is None:
                _accumulate(t, g)
                continue
            if t._retains_grad:
                _accumulate(t, g)
            key = id(ctx)
            pending[key] = g if key not in pending else pending[key] + g
        if not retain_graph:
            fn.release()
