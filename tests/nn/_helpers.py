"""Shared graphs, tolerances and PyTorch / PyG comparisons for the layer tests."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from npgnn import Tensor
from npgnn.interop import load_pyg_state_dict, to_pyg_state_dict

torch = pytest.importorskip("torch")

# float64 to 1e-10, float32 to 1e-5: as a scalar (close) and as assert_allclose's keywords
TOL = {np.float64: 1e-10, np.float32: 1e-5}
ALLCLOSE = {dtype: {"rtol": tol, "atol": tol} for dtype, tol in TOL.items()}
TORCH = {np.float64: torch.float64, np.float32: torch.float32}

# the attention layers' sizes: F input features, C channels per head
F_IN, C_OUT = 5, 4


# ---------------------------------------------------------------------------- graphs
def random_graph(seed: int = 0, n: int = 12, e: int = 40, loops: Any = None) -> np.ndarray:
    """Directed edges with 4 duplicates and self-loops; nodes n-2, n-1 are isolated.

    ``loops``: the nodes given a self-loop (modulo n-2); by default 3 distinct random nodes.
    """
    rng = np.random.default_rng(seed)
    active = n - 2
    src, dst = rng.integers(0, active, e), rng.integers(0, active, e)
    dst = np.where(src == dst, (dst + 1) % active, dst)
    src[:4], dst[:4] = src[4:8], dst[4:8]  # four duplicate edges
    if loops is None:
        loops = rng.choice(active, size=3, replace=False)
    else:
        loops = np.asarray(loops) % active
    ei = np.concatenate([np.stack([src, dst]), np.stack([loops, loops])], axis=1)
    return ei[:, rng.permutation(ei.shape[1])]


def random_graph_double_loop(seed: int = 0, n: int = 12, e: int = 40) -> np.ndarray:
    """``random_graph`` with self-loops on nodes 1, 3, 3, 6: node 3 has two of them."""
    return random_graph(seed, n, e, loops=[1, 3, 3, 6])


# ---------------------------------------------------------------------------- comparisons
def close(a, b, dtype=np.float64):
    """``a`` equals ``b`` (a torch tensor or an array) to TOL[dtype], atol scaled by max |b|."""
    tol = TOL[dtype]
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1.0, float(np.abs(b).max(initial=0))))


def torch_state(ours) -> dict:
    """Our parameters and buffers under PyG's names as torch tensors (theirs.load_state_dict)."""
    return {k: torch.from_numpy(v) for k, v in to_pyg_state_dict(ours).items()}


def numpy_state(theirs) -> dict:
    """A torch module's ``state_dict`` as NumPy arrays."""
    return {k: v.detach().numpy() for k, v in theirs.state_dict().items()}


def load_pyg_parameters(ours, theirs) -> None:
    """PyG's state_dict into ours through the interop (a shared lin_l is listed as lin_r too)."""
    load_pyg_state_dict(ours, theirs.state_dict())


def backward_and_compare(ours, theirs, out, ref, cot, xo, xt, dtype, state=False):
    """Back-propagate ``cot`` through both outputs; then the outputs, the input gradients and
    every parameter's gradient (same names on both sides) agree to TOL[dtype]. With ``state``,
    the whole state dicts (running statistics included) have the same keys and values too."""
    out.backward(cot)
    (ref * torch.from_numpy(cot)).sum().backward()
    close(out.data, ref, dtype)
    close(xo.grad, xt.grad, dtype)
    theirs_params = dict(theirs.named_parameters())
    assert sorted(theirs_params) == sorted(n for n, _ in ours.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, theirs_params[name].grad, dtype)
    if state:
        ours_state = to_pyg_state_dict(ours)
        assert sorted(ours_state) == sorted(theirs.state_dict())
        for name, value in ours_state.items():
            close(value, theirs.state_dict()[name], dtype)


def compare_with_pyg(ours, theirs, x, ei, dtype, edge_weight=None, graph=None, seed=0):
    """Run both layers with our weights on the same input; compare outputs and gradients."""
    ours.to(dtype)
    theirs.to(TORCH[dtype])
    theirs.load_state_dict(torch_state(ours))
    x = x.astype(dtype)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    args_o = () if edge_weight is None else (edge_weight.astype(dtype),)
    args_t = () if edge_weight is None else (torch.tensor(edge_weight.astype(dtype)),)
    out = ours(xo, ei if graph is None else graph, *args_o)
    ref = theirs(xt, torch.from_numpy(ei), *args_t)
    assert out.dtype == dtype
    cot = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    backward_and_compare(ours, theirs, out, ref, cot, xo, xt, dtype)
    return out


# ---------------------------------------------------------------------------- attention layers
def randomize_bias(theirs, seed: int, dtype=None) -> None:
    """PyG starts the bias at 0; a random one (drawn in ``dtype``, torch's default if None)
    also tests its value and gradient."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        theirs.bias.copy_(torch.randn(theirs.bias.shape, generator=gen, dtype=dtype))


def attention_twins(ours_cls, theirs_cls, torch_seed, dtype=np.float64, *, bias_seed,
                    bias_dtype=None, **options):
    """PyG's ``theirs_cls(F_IN, C_OUT, **options)`` initialised after ``torch.manual_seed``, its
    bias (if any) made random (``randomize_bias``; ``bias_dtype`` None: the layer's own dtype),
    and ``ours_cls`` with the same options and PyG's parameters."""
    torch.manual_seed(torch_seed)
    theirs = theirs_cls(F_IN, C_OUT, **options).to(TORCH[dtype])
    if theirs.bias is not None:
        randomize_bias(theirs, bias_seed, theirs.bias.dtype if bias_dtype is None else bias_dtype)
    ours = ours_cls(F_IN, C_OUT, **options, rng=0, dtype=dtype)
    load_pyg_parameters(ours, theirs)
    return ours, theirs


def compare_attention(ours, theirs, x, edge_index, dtype, edge_attr=None, seed=0):
    """Run both on the same input and check outputs, attention, x gradient and parameter grads."""
    tol = ALLCLOSE[dtype]
    x = x.astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    eat = None if edge_attr is None else torch.tensor(edge_attr.astype(dtype))
    out_t, (ei_t, alpha_t) = theirs(
        xt, torch.tensor(edge_index), eat, return_attention_weights=True
    )
    cot = np.random.default_rng(seed).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_t.backward(torch.tensor(cot))

    xn = Tensor(x, requires_grad=True)
    ean = None if edge_attr is None else Tensor(edge_attr.astype(dtype))
    out, (ei, alpha) = ours(xn, edge_index, ean, return_attention_weights=True)
    out.backward(cot)

    assert out.dtype == dtype
    np.testing.assert_array_equal(ei, ei_t.numpy())
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **tol)
    np.testing.assert_allclose(alpha.data, alpha_t.detach().numpy(), **tol)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), **tol)
    ours_params = dict(ours.named_parameters())
    theirs_params = dict(theirs.named_parameters())
    assert sorted(ours_params) == sorted(theirs_params)
    for name, p in theirs_params.items():
        assert ours_params[name].shape == tuple(p.shape), name
        np.testing.assert_allclose(ours_params[name].grad, p.grad.numpy(), **tol, err_msg=name)


def compare_with_edge_features(ours, theirs, edge_index, rng, edge_dim):
    """``compare_attention`` in float64 on x (12, F_IN), then edge features (E, edge_dim), both
    drawn from ``rng`` in that order."""
    x = rng.standard_normal((12, F_IN))
    edge_attr = rng.standard_normal((edge_index.shape[1], edge_dim))
    compare_attention(ours, theirs, x, edge_index, np.float64, edge_attr=edge_attr)


def attention_parity_test(twins):
    """The PyG parity test of an attention layer, over dtype × heads × concat × self-loops, for
    ``twins(torch_seed, dtype, **options) -> (ours, theirs)``; bind it as ``test_matches_pyg``."""

    @pytest.mark.parametrize("dtype", [np.float64, np.float32])
    @pytest.mark.parametrize("heads", [1, 8])
    @pytest.mark.parametrize("concat", [True, False])
    @pytest.mark.parametrize("add_self_loops", [True, False])
    def test_matches_pyg(dtype, heads, concat, add_self_loops):
        ours, theirs = twins(heads, dtype, heads=heads, concat=concat,
                             add_self_loops=add_self_loops)
        x = np.random.default_rng(1).standard_normal((12, F_IN))
        compare_attention(ours, theirs, x, random_graph_double_loop(heads), dtype)

    return test_matches_pyg
