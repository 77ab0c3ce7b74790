"""Issue 9, kind 7: a product 0 · (±inf) inside a reduction never turns a finite loss, probability
or gradient into NaN. torch (and PyG) is the oracle, forward and gradients, float64 and float32.

Where torch itself gives NaN although the math has a finite answer (a zero weight or a zero
target probability meeting a -inf log-probability, BCE-with-logits at a saturated logit, a fully
masked softmax group) npgnn gives that answer; the oracle is then torch's value in the limit
(the infinity replaced by a huge finite number), or the documented convention.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import npgnn.nn.functional as F
from npgnn import Tensor, gradcheck, ops
from npgnn.nn.pool import global_add_pool, global_max_pool, global_mean_pool
from npgnn.utils import softmax as pyg_style_softmax

torch = pytest.importorskip("torch")
TF = torch.nn.functional
INF = np.inf
DTYPES = [np.float64, np.float32]
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
BIG = 1e30  # stands in for inf in torch's limit oracle (finite in float32 too)


def _run(fn, arrays, dtype, weights=None):
    """Output and input gradients of fn under random output weights (no warnings allowed)."""
    ins = [Tensor(np.asarray(a, dtype=dtype), requires_grad=True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = fn(*ins)
        w = weights if weights is not None else \
            np.random.default_rng(0).standard_normal(out.shape).astype(dtype)
        (out * Tensor(w)).sum().backward()
    return out.data, [t.grad for t in ins], w


def _run_torch(fn, arrays, dtype, w):
    ins = [torch.tensor(np.asarray(a, dtype=dtype), requires_grad=True) for a in arrays]
    out = fn(*ins)
    (out * torch.tensor(w)).sum().backward()
    return out.detach().numpy(), [t.grad.numpy() for t in ins]


def _close(a, b, dtype):
    np.testing.assert_allclose(a, b, equal_nan=True, **TOL[dtype])


# ---------------------------------------------------------------------------- softmax family
ROWS = [[0.0, -INF, 1.0, 2.0], [-INF, -INF, -INF, -INF], [2.0, 3.0, -INF, -1.0]]
SOFTMAXES = {
    "ops.softmax": (lambda x: ops.softmax(x, dim=1), lambda x: torch.softmax(x, 1)),
    "ops.log_softmax": (lambda x: ops.log_softmax(x, dim=1), lambda x: torch.log_softmax(x, 1)),
    "F.softmax": (lambda x: F.softmax(x, dim=1), lambda x: TF.softmax(x, dim=1)),
    "F.log_softmax": (lambda x: F.log_softmax(x, dim=1), lambda x: TF.log_softmax(x, dim=1)),
    "Tensor.softmax": (lambda x: x.softmax(1), lambda x: x.softmax(1)),
    "Tensor.log_softmax": (lambda x: x.log_softmax(1), lambda x: x.log_softmax(1)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SOFTMAXES))
def test_softmax_family_with_minus_inf_equals_torch(name, dtype):
    """-inf entries get probability 0 and their rows stay finite; an all -inf row is NaN (0/0)
    as in torch, without a NumPy warning and without touching the other rows' gradients."""
    ours, theirs = SOFTMAXES[name]
    out, (grad,), w = _run(ours, [ROWS], dtype)
    t_out, (t_grad,) = _run_torch(theirs, [ROWS], dtype, w)
    _close(out, t_out, dtype)
    # torch's NaN in the all -inf row propagates into nothing else; neither does ours
    _close(grad, t_grad, dtype)
    assert np.isfinite(grad[[0, 2]]).all()
    assert np.isnan(out[1]).all()


# ---------------------------------------------------------------------------- losses
LOGITS = [[0.0, -INF, 1.0], [2.0, 0.5, -INF], [-INF, -INF, 3.0]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_class_ids_minus_inf_off_target(reduction, dtype):
    y = np.array([0, 1, 2])
    for ours, theirs in [
        (lambda x: ops.cross_entropy(x, y, reduction=reduction),
         lambda x: TF.cross_entropy(x, torch.tensor(y), reduction=reduction)),
        (lambda x: F.cross_entropy(x, y, reduction=reduction, label_smoothing=0.0,
                                   weight=np.array([1.0, 2.0, 0.5])),
         lambda x: TF.cross_entropy(x, torch.tensor(y), reduction=reduction,
                                    weight=torch.tensor([1.0, 2.0, 0.5], dtype=x.dtype))),
    ]:
        out, (grad,), w = _run(ours, [LOGITS], dtype)
        t_out, (t_grad,) = _run_torch(theirs, [LOGITS], dtype, w)
        assert np.isfinite(out).all() and np.isfinite(grad).all()
        _close(out, t_out, dtype)
        _close(grad, t_grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_loss_ignored_row_at_minus_inf_equals_torch(dtype):
    """An ignored row whose picked log-probability is -inf adds 0, not 0 · (-inf) = NaN."""
    logp = [[0.0, -INF, -1.0], [-INF, -INF, 0.0], [-2.0, -0.5, -INF]]
    y = np.array([0, -100, 1])
    for reduction in ("mean", "sum", "none"):
        out, (grad,), w = _run(lambda x: F.nll_loss(x, y, reduction=reduction), [logp], dtype)
        t_out, (t_grad,) = _run_torch(
            lambda x: TF.nll_loss(x, torch.tensor(y), reduction=reduction), [logp], dtype, w)
        assert np.isfinite(out).all()
        _close(out, t_out, dtype)
        _close(grad, t_grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_class_weight_at_minus_inf_is_ignored_not_nan(dtype):
    """torch gives NaN for a target class of weight 0 whose log-probability is -inf; npgnn
    treats the zero-weighted row as contributing nothing: the oracle is torch with it ignored."""
    logp = [[0.0, -INF, -1.0], [-0.1, -2.0, -3.0]]
    weight = np.array([1.0, 0.0, 2.0])
    y = np.array([1, 0])
    for reduction in ("mean", "sum"):
        out, (grad,), w = _run(lambda x: F.nll_loss(x, y, weight=weight, reduction=reduction),
                               [logp], dtype)
        t_out, (t_grad,) = _run_torch(
            lambda x: TF.nll_loss(x, torch.tensor([-100, 0]), reduction=reduction,
                                  weight=torch.tensor(weight, dtype=x.dtype)), [logp], dtype, w)
        _close(out, t_out, dtype)
        _close(grad, t_grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("which", ["ops", "F", "F_weighted", "F_smoothing"])
def test_soft_target_cross_entropy_uses_zero_log_zero(which, dtype):
    """Probability targets: t = 0 on a -inf logit adds 0 (torch's xlogy / kl_div convention;
    torch's cross_entropy gives NaN there). Oracle: torch with -inf replaced by -1e30 (the limit);
    the logits' gradient equals torch's own (finite) one, the targets' gradient torch's (inf where
    log p = -inf)."""
    x = [[0.0, -INF, 1.0], [2.0, 0.5, -INF], [0.3, -0.2, 0.1]]
    t = [[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.2, 0.3, 0.5]]
    cw = np.array([1.0, 2.0, 0.5])
    ours, theirs = {
        "ops": (lambda a, b: ops.cross_entropy(a, b), lambda a, b: TF.cross_entropy(a, b)),
        "F": (lambda a, b: F.cross_entropy(a, b, reduction="none"),
              lambda a, b: TF.cross_entropy(a, b, reduction="none")),
        "F_weighted": (lambda a, b: F.cross_entropy(a, b, weight=cw),
                       lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(cw, dtype=a.dtype))),
        "F_smoothing": (lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1, reduction="sum"),
                        lambda a, b: TF.cross_entropy(a, b, label_smoothing=0.1, reduction="sum")),
    }[which]
    out, (gx, gt), w = _run(ours, [x, t], dtype)
    limit = np.where(np.isneginf(x), -BIG, x)
    t_lim, (gx_lim, _) = _run_torch(theirs, [limit, t], dtype, w)
    t_out, (gx_t, gt_t) = _run_torch(theirs, [x, t], dtype, w)
    _close(out, np.where(np.isnan(t_out), t_lim, t_out), dtype)   # torch, or its limit for NaN
    assert not np.isnan(out).any()
    _close(gx, gx_t, dtype)
    _close(gx, gx_lim, dtype)
    if which != "F_smoothing":  # smoothing makes every target > 0: a -inf log p costs +inf
        assert np.isfinite(out).all()
    _close(gt, gt_t, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_infinite_logits(dtype):
    """A saturated logit with the matching target costs 0 (torch: NaN from (1 − t) · x = 0 · inf);
    the wrong sign costs +inf; gradients equal torch's everywhere."""
    x = [[INF, -INF, 0.0, INF, -INF, INF, -INF, 3.0]]
    t = [[1.0, 0.0, 0.5, 0.0, 1.0, 0.5, 0.5, 0.3]]
    pw = np.full(8, 2.0)
    positive = np.arange(1.0, 9.0, dtype=dtype)[None]   # inf losses: keep the weighted sum defined
    for kwargs, t_kwargs in [({}, {}), ({"pos_weight": pw}, {"pos_weight": torch.tensor(pw)})]:
        out, (gx, gt), w = _run(
            lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none", **kwargs),
            [x, t], dtype, positive)
        t_kw = {k: v.to(torch.float64 if dtype == np.float64 else torch.float32)
                for k, v in t_kwargs.items()}
        t_out, (gx_t, gt_t) = _run_torch(
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction="none", **t_kw),
            [x, t], dtype, w)
        # where torch is NaN, its limit: logits ±1e30 (a loss of ~1e30 there is the +inf of a
        # wrong sign, 0 the matching one)
        limit = np.where(np.isinf(x), np.sign(x) * BIG, x)
        t_lim, _ = _run_torch(
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction="none", **t_kw),
            [limit, t], dtype, w)
        t_lim = np.where(t_lim > BIG / 100, INF, t_lim)
        expected = np.where(np.isnan(t_out), t_lim, t_out)
        assert not np.isnan(out).any()
        _close(out, expected, dtype)
        _close(gx, gx_t, dtype)
        _close(gt, gt_t, dtype)
    mean, _, _ = _run(lambda a, b: F.binary_cross_entropy_with_logits(a, b),
                      [[[INF, -INF, 2.0]], [[1.0, 0.0, 1.0]]], dtype)
    _close(mean, np.log1p(np.exp(-2.0)) / 3, dtype)


def test_xlogp_gradcheck_with_zero_weights():
    rng = np.random.default_rng(3)
    t = rng.random((4, 3))
    t[0, 1] = t[2, 2] = 0.0
    logp = -rng.random((4, 3)) - 0.1
    assert gradcheck(ops.nn.xlogp, t, logp)
    assert gradcheck(ops.nn.xlogp, t, logp[:1])          # broadcast log-probabilities


# ---------------------------------------------------------------------------- segment softmax
@pytest.mark.parametrize("dtype", DTYPES)
def test_segment_softmax_minus_inf_and_fully_masked_segments(dtype):
    """-inf scores get weight 0 (equal to PyG's softmax on every group PyG keeps finite); a
    group whose scores are all -inf gets weights 0 and gradient 0 (PyG: NaN)."""
    from torch_geometric.utils import softmax as pyg_softmax

    s = [[0.0, 1.0], [-INF, 2.0], [-INF, -INF], [-INF, -INF], [1.5, -INF], [0.2, 0.3]]
    index = np.array([0, 0, 1, 1, 2, 2])
    out, (grad,), w = _run(lambda a: pyg_style_softmax(a, index), [s], dtype)
    t_out, (t_grad,) = _run_torch(lambda a: pyg_softmax(a, torch.tensor(index)), [s], dtype, w)
    finite_groups = np.array([True, True, False, False, True, True])
    _close(out[finite_groups], t_out[finite_groups], dtype)
    _close(grad[finite_groups], t_grad[finite_groups], dtype)
    np.testing.assert_array_equal(out[~finite_groups], 0.0)
    np.testing.assert_array_equal(grad[~finite_groups], 0.0)
    # the same through ops.segment_softmax, and a fully masked group sums to 0 in an aggregation
    seg_out = ops.segment_softmax(np.asarray(s, dtype), index, 3).data
    np.testing.assert_array_equal(seg_out, out)
    np.testing.assert_array_equal(ops.segment_sum(seg_out, index, 3).data, [[1, 1], [0, 0], [1, 1]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_attentional_aggregation_over_a_fully_masked_graph_is_zero(dtype):
    """Gates of -inf mask nodes out; a graph whose nodes are all masked reads out 0 with no
    gradient (torch/PyG: NaN), the other graph equals the softmax over its unmasked nodes."""
    from npgnn.nn.aggr import AttentionalAggregation

    gates = np.array([[0.0], [-INF], [-INF], [-INF], [np.log(3.0)]], dtype=dtype)
    agg = AttentionalAggregation(lambda h: Tensor(gates))
    x = Tensor(np.arange(10, dtype=dtype).reshape(5, 2), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = agg(x, np.array([0, 0, 1, 1, 0]))
        (out * Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=dtype))).sum().backward()
    np.testing.assert_allclose(out.data[0], 0.25 * x.data[0] + 0.75 * x.data[4], rtol=1e-6)
    np.testing.assert_array_equal(out.data[1], 0.0)
    np.testing.assert_array_equal(x.grad[1:4], 0.0)


# ---------------------------------------------------------------------------- pooling
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pool", ["max", "mean", "add"])
def test_pools_with_infinite_features_and_empty_graphs_equal_pyg(pool, dtype):
    from torch_geometric.nn import global_add_pool as t_add
    from torch_geometric.nn import global_max_pool as t_max
    from torch_geometric.nn import global_mean_pool as t_mean

    ours, theirs = {"max": (global_max_pool, t_max), "mean": (global_mean_pool, t_mean),
                    "add": (global_add_pool, t_add)}[pool]
    x = [[-INF, 1.0], [-INF, 2.0], [3.0, INF], [5.0, -INF], [-INF, 0.5]]
    batch = np.array([0, 0, 2, 2, 4])     # graphs 1 and 3 are empty
    w = np.random.default_rng(1).standard_normal((5, 2)).astype(dtype)
    ins = Tensor(np.asarray(x, dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf + (-inf) in a sum is NaN, as torch
        out = ours(ins, batch, 5)
        (out * Tensor(w)).sum().backward()
    t_out, (t_grad,) = _run_torch(lambda a: theirs(a, torch.tensor(batch), 5), [x], dtype, w)
    _close(out.data, t_out, dtype)
    _close(ins.grad, t_grad, dtype)


# ---------------------------------------------------------------------------- selections
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["relu", "maximum", "minimum"])
def test_selection_gradients_ignore_infinite_upstream_gradients(name, dtype):
    """relu / maximum / minimum select, they do not multiply: an input that was not selected gets
    gradient exactly 0 even when the upstream gradient there is inf or NaN (torch's value)."""
    x = np.array([-1.0, 2.0, 0.0, 3.0], dtype=dtype)
    other = np.array([0.5, 1.0, 0.0, 3.0], dtype=dtype)
    g = np.array([INF, 1.0, np.nan, -INF], dtype=dtype)
    ours = {"relu": lambda a, b: ops.relu(a), "maximum": ops.maximum, "minimum": ops.minimum}[name]
    theirs = {"relu": lambda a, b: torch.relu(a), "maximum": torch.maximum,
              "minimum": torch.minimum}[name]
    a, b = Tensor(x, requires_grad=True), Tensor(other, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ours(a, b).backward(g)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (x, other))
    theirs(ta, tb).backward(torch.tensor(g))
    _close(a.grad, ta.grad.numpy(), dtype)
    if name != "relu":
        _close(b.grad, tb.grad.numpy(), dtype)
