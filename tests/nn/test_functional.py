"""npgnn.nn.functional equals torch.nn.functional (float64, 1e-10): outputs, reductions, weights
and gradients; every function is gradchecked."""
import numpy as np
import pytest
import scipy.sparse as sp

import npgnn
import npgnn.nn.functional as F
from npgnn import Tensor, gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
rng = np.random.default_rng(0)


def compare(ours, theirs, *inputs, grad=(0,), finite_differences=True, **kw):
    """Outputs and gradients (for the input positions in ``grad``) of ours vs torch's, and a
    gradcheck (unless the point is a kink where finite differences mean nothing)."""
    ts = [Tensor(a, requires_grad=i in grad) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
          else a for i, a in enumerate(inputs)]
    tt = [torch.tensor(a, requires_grad=i in grad) if isinstance(a, np.ndarray) else a
          for i, a in enumerate(inputs)]
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    out, ref = ours(*ts, **kw), theirs(*tt, **tkw)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    if grad:
        w = rng.standard_normal(ref.shape)
        (out * w).sum().backward()
        (ref * torch.tensor(w)).sum().backward()
        for i in grad:
            np.testing.assert_allclose(ts[i].grad, tt[i].grad.numpy(), rtol=1e-10, atol=1e-12)
    if grad and finite_differences:
        gradcheck(lambda *a: ours(*[a[i] if i in grad else inputs[i] for i in range(len(inputs))], **kw),
                  *[inputs[i] if i in grad else Tensor(inputs[i]) if isinstance(inputs[i], np.ndarray) else inputs[i]
                    for i in range(len(inputs))])


@pytest.mark.parametrize("name,kw", [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}), ("gelu", {}),
    ("gelu", {"approximate": "tanh"}), ("sigmoid", {}), ("tanh", {}), ("softplus", {}),
    ("softmax", {"dim": 0}), ("log_softmax", {"dim": 1}), ("softmax", {"dim": -1}),
])
def test_activations(name, kw):
    x = rng.standard_normal((4, 5)) * 3
    compare(getattr(F, name), getattr(TF, name), x, **kw)


def test_softmax_without_dim_warns_and_picks_torchs_dim():
    x = rng.standard_normal((3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        got = F.softmax(x)
    with pytest.warns(UserWarning):
        np.testing.assert_allclose(got.data, TF.softmax(torch.tensor(x)).numpy())


CE_CASES = [
    {}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": True}, {"ignore_index": 2},
    {"label_smoothing": 0.2}, {"weight": True, "label_smoothing": 0.3, "ignore_index": 1},
    {"weight": True, "reduction": "none", "label_smoothing": 0.1},
    {"weight": True, "reduction": "sum", "ignore_index": 0},
]


@pytest.mark.parametrize("kw", CE_CASES)
def test_cross_entropy_and_nll_with_class_ids(kw):
    x = rng.standard_normal((6, 4))
    y = np.array([0, 3, 1, 2, 2, 1])
    kw = dict(kw)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2.0, 4)
    compare(F.cross_entropy, TF.cross_entropy, x, y, **kw)
    if "label_smoothing" not in kw:
        logp = np.log(np.exp(x) / np.exp(x).sum(1, keepdims=True))
        compare(F.nll_loss, TF.nll_loss, logp, y, **kw)


@pytest.mark.parametrize("kw", [{}, {"weight": True}, {"label_smoothing": 0.25, "reduction": "sum"},
                                {"reduction": "none", "weight": True, "label_smoothing": 0.1}])
def test_cross_entropy_with_probabilities(kw):
    x = rng.standard_normal((5, 3))
    t = rng.dirichlet(np.ones(3), 5)
    kw = dict(kw)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2.0, 3)
    compare(F.cross_entropy, TF.cross_entropy, x, t, grad=(0, 1), **kw)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_cross_entropy_over_extra_dimensions_and_single_rows(reduction):
    x = rng.standard_normal((2, 3, 4))
    y = rng.integers(0, 3, (2, 4))
    y[0, 1] = -100
    compare(F.cross_entropy, TF.cross_entropy, x, y, reduction=reduction, label_smoothing=0.1)
    compare(F.cross_entropy, TF.cross_entropy, rng.standard_normal(5), np.array(3))


def test_all_targets_ignored_gives_nan_like_torch():
    out = F.cross_entropy(rng.standard_normal((2, 3)), np.array([-100, -100]))
    assert np.isnan(out.data)


@pytest.mark.parametrize("kw", [{}, {"weight": True}, {"reduction": "sum"}, {"reduction": "none", "weight": True}])
def test_binary_cross_entropy(kw):
    x = rng.uniform(0.05, 0.95, (4, 3))
    t = rng.uniform(0, 1, (4, 3))
    kw = dict(kw)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2.0, (4, 3))
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, x, t, grad=(0, 1), **kw)


def test_binary_cross_entropy_clamps_the_log_like_torch():
    x = np.array([0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 1.0])
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, x, t, grad=())
    with pytest.raises(ValueError, match=r"binary_cross_entropy: all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(np.array([1.5]), np.array([1.0]))


@pytest.mark.parametrize("kw", [{}, {"pos_weight": True}, {"weight": True, "pos_weight": True},
                                {"reduction": "sum", "pos_weight": True}, {"reduction": "none", "weight": True}])
def test_binary_cross_entropy_with_logits(kw):
    x = rng.standard_normal((4, 3)) * 4
    t = rng.integers(0, 2, (4, 3)).astype(np.float64)
    kw = dict(kw)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2.0, (1, 3))
    if kw.pop("pos_weight", False):
        kw["pos_weight"] = rng.uniform(0.5, 3.0, 3)
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, x, t, grad=(0, 1), **kw)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("kw", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": True}])
def test_regression_losses(name, kw):
    x, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    kw = dict(kw)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2.0, (4, 3))
    compare(getattr(F, name), getattr(TF, name), x, t, grad=(0, 1), **kw)


def test_broadcast_target_warns_like_torch():
    with pytest.warns(UserWarning, match=r"mse_loss: Using a target size \(\(4, 1\)\) that is different"):
        F.mse_loss(np.ones((4, 3)), np.zeros((4, 1)))


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize(p, dim):
    x = rng.standard_normal((4, 3))
    compare(F.normalize, TF.normalize, x, p=p, dim=dim)


def test_normalize_of_a_zero_row_matches_torch():
    """x / max(‖x‖, eps): a zero row stays zero; its gradient is torch's 1/eps, not NaN."""
    compare(F.normalize, TF.normalize, np.array([[0.0, 0.0], [3.0, 4.0]]), finite_differences=False)


def test_one_hot():
    y = np.array([[0, 2], [1, 1]])
    np.testing.assert_array_equal(F.one_hot(y).data, TF.one_hot(torch.tensor(y)).numpy())
    np.testing.assert_array_equal(F.one_hot(y, 4).data, TF.one_hot(torch.tensor(y), 4).numpy())
    assert F.one_hot(y).dtype == np.int64
    with pytest.raises(ValueError, match=r"one_hot: class values must be smaller than num_classes=2, found 2"):
        F.one_hot(y, 2)
    with pytest.raises(ValueError, match=r"one_hot: class values must be non-negative, found -1"):
        F.one_hot(np.array([-1]))
    with pytest.raises(TypeError, match=r"one_hot: tensor must hold integer class ids, got dtype float64"):
        F.one_hot(np.array([1.0]))


@pytest.mark.parametrize("widths,value", [((1, 2), 0.0), ((0, 1, 2, 0), 1.5), ((1, 1, 1, 1, 1, 1), -2.0)])
def test_pad(widths, value):
    x = rng.standard_normal((2, 3, 4))
    compare(F.pad, TF.pad, x, widths, value=value)


def test_pad_refusals():
    with pytest.raises(ValueError, match=r"pad: only mode='constant' is supported, got 'reflect'"):
        F.pad(np.ones((2, 2)), (1, 1), mode="reflect")
    with pytest.raises(ValueError, match=r"pad: negative widths \(cropping\) are not supported"):
        F.pad(np.ones((2, 2)), (-1, 1))
    with pytest.raises(ValueError, match=r"pad: expected an even number of widths"):
        F.pad(np.ones((2, 2)), (1, 1, 1))


@pytest.mark.parametrize("fn,args,match", [
    (F.cross_entropy, (np.ones((2, 3)), np.array([0, 3])), r"cross_entropy: target 3 is out of bounds: class ids must lie in \[0, 3\)"),
    (F.cross_entropy, (np.ones((2, 3)), np.array([0, 1]), None, -100, "avg"), r"cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    (F.cross_entropy, (np.ones((2, 3)), np.array([0, 1, 1])), r"cross_entropy: target must have shape \(2,\) to match the input, got \(3,\)"),
    (F.cross_entropy, (np.ones((2, 3)), np.array([0, 1]), np.ones(2)), r"cross_entropy: weight must have one entry per class, shape \(3,\), got \(2,\)"),
    (F.cross_entropy, (np.ones((2, 3)), np.ones((2, 3)) / 3, None, 1), r"cross_entropy: ignore_index is not supported with probability targets"),
    (F.nll_loss, (np.ones((2, 3)), np.array([0.0, 1.0])), r"nll_loss: class-index target must be integers, got dtype float64"),
    (F.nll_loss, (np.array([[1, 2]]), np.array([0])), r"nll_loss: input must be a float array, got dtype int64"),
    (F.binary_cross_entropy_with_logits, (np.ones((2, 3)), np.ones((2, 2))), r"binary_cross_entropy_with_logits: target must have the input's shape \(2, 3\), got \(2, 2\)"),
    (F.binary_cross_entropy_with_logits, (np.ones((2, 3)), np.ones((2, 3)), None, "mean", np.ones(2)), r"pos_weight of shape \(2,\) does not broadcast to the input's shape \(2, 3\)"),
    (F.mse_loss, (np.ones((2, 3)), np.ones((3, 2))), r"mse_loss: target shape \(3, 2\) does not broadcast with input shape \(2, 3\)"),
])
def test_errors_name_the_argument(fn, args, match):
    with pytest.raises((ValueError, TypeError, IndexError), match=match):
        fn(*args)


# ---------------------------------------------------------------------------- dropout
def test_dropout_matches_torchs_statistics_and_is_the_identity_in_eval():
    x = np.ones((200, 50))
    out = F.dropout(x, p=0.3)
    kept = out.data != 0
    assert abs(kept.mean() - 0.7) < 0.02 and np.allclose(out.data[kept], 1 / 0.7)
    assert F.dropout(Tensor(x), 0.5, training=False).data is x
    np.testing.assert_array_equal(F.dropout(x, p=1.0).data, 0.0)
    gradcheck(lambda t: F.dropout(t, 0.5, rng=np.random.default_rng(1)), rng.standard_normal((3, 4)))
    with pytest.raises(ValueError, match=r"dropout: p must be a probability in \[0, 1\], got 1.5"):
        F.dropout(x, 1.5)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_dropout_on_sparse_features_keeps_the_format(fmt):
    x = sp.random(50, 40, density=0.2, format=fmt, dtype=np.float32, random_state=0)
    npgnn.manual_seed(0)
    out = F.dropout(x, p=0.5, training=True)
    assert sp.issparse(out) and out.format == fmt and out.dtype == np.float32
    dense_in, dense_out = x.toarray(), out.toarray()
    kept = dense_out != 0
    assert 0.35 < kept.sum() / x.nnz < 0.65 and out.nnz == kept.sum()
    np.testing.assert_allclose(dense_out[kept], dense_in[kept] * 2, rtol=1e-6)
    assert F.dropout(x, 0.5, training=False) is x


def test_dropout_on_sparse_bag_of_words_features():
    """Planetoid's features are a scipy sparse matrix: dropout used to fail with 'dtype=object'."""
    x = sp.csr_matrix(rng.binomial(1, 0.05, (30, 100)).astype(np.float32))
    out = F.dropout(x, p=0.5, training=True)
    assert sp.issparse(out)
    with pytest.raises(TypeError, match=r"Tensor data: got a scipy sparse matrix"):
        Tensor(x)
