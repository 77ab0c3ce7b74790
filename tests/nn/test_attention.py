"""The book's attention layers against a dense NumPy oracle, and MultiHeadAttention against torch."""

from __future__ import annotations

import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.nn.attention import Attention, AttentionWeight, MultiHeadAttention, WeightSum

from ._helpers import ALLCLOSE, TORCH, numpy_state

torch = pytest.importorskip("torch")


# ---------------------------------------------------------------------------- the book's attention
def oracle(hs: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sample, per time step, written out as in the book (the slow way)."""
    n, t, _ = hs.shape
    a = np.zeros((n, t))
    c = np.zeros((n, hs.shape[2]))
    for i in range(n):
        s = np.array([hs[i, k] @ h[i] for k in range(t)])
        e = np.exp(s - s.max())
        a[i] = e / e.sum()
        c[i] = sum(a[i, k] * hs[i, k] for k in range(t))
    return a, c


@pytest.fixture
def seq():
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 5, 4)), rng.standard_normal((3, 4))


def test_attention_weight_and_attention_match_the_oracle(seq):
    hs, h = seq
    a_ref, c_ref = oracle(hs, h)
    np.testing.assert_allclose(AttentionWeight()(Tensor(hs), Tensor(h)).data, a_ref, rtol=1e-12)
    c, a = Attention()(Tensor(hs), Tensor(h), return_weights=True)
    np.testing.assert_allclose(c.data, c_ref, rtol=1e-12)
    np.testing.assert_allclose(a.data, a_ref, rtol=1e-12)
    np.testing.assert_allclose(WeightSum()(Tensor(hs), Tensor(a_ref)).data, c_ref, rtol=1e-12)


def test_gradcheck(seq):
    hs, h = seq
    assert npgnn.gradcheck(lambda x, y: AttentionWeight()(x, y), hs, h)
    assert npgnn.gradcheck(lambda x, y: Attention()(x, y), hs, h)


def test_book_style_backward_returns_dhs_dh(seq):
    hs, h = seq
    layer = Attention()
    c = layer.forward(hs, h)
    assert isinstance(c, np.ndarray) and c.shape == (3, 4)
    dc = np.random.default_rng(1).standard_normal(c.shape)
    dhs, dh = layer.backward(dc)
    hs_t, h_t = Tensor(hs, requires_grad=True), Tensor(h, requires_grad=True)
    Attention()(hs_t, h_t).backward(dc)
    np.testing.assert_allclose(dhs, hs_t.grad, rtol=1e-12)
    np.testing.assert_allclose(dh, h_t.grad, rtol=1e-12)
    weights = AttentionWeight()
    a = weights.forward(hs, h)
    dhs_a, dh_a = weights.backward(np.ones_like(a))  # softmax rows: gradient 0
    np.testing.assert_allclose(dhs_a, 0, atol=1e-12)
    np.testing.assert_allclose(dh_a, 0, atol=1e-12)


def test_book_attention_bad_shapes():
    with pytest.raises(ValueError, match=r"hs must be 3-D \(N, T, H\)"):
        AttentionWeight()(Tensor(np.zeros((3, 4))), Tensor(np.zeros((3, 4))))
    with pytest.raises(ValueError, match=r"h must have shape \(N, H\) = \(3, 4\)"):
        Attention()(Tensor(np.zeros((3, 5, 4))), Tensor(np.zeros((3, 5))))
    with pytest.raises(TypeError, match="must hold floats"):
        Attention()(np.zeros((3, 5, 4), dtype=int), Tensor(np.zeros((3, 4))))


# ---------------------------------------------------------------------------- multi-head attention
E, HEADS, B, L, S = 8, 2, 3, 4, 5


def twins(dtype=np.float64, seed=0, **kwargs):
    """torch's MultiheadAttention and ours with the same (random, bias included) weights."""
    torch.manual_seed(seed)
    theirs = torch.nn.MultiheadAttention(E, kwargs.pop("num_heads", HEADS), **kwargs)
    theirs = theirs.to(TORCH[dtype])
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape)) * 0.4))
    ours = MultiHeadAttention(E, theirs.num_heads, **kwargs, rng=0, dtype=dtype)
    ours.load_state_dict(numpy_state(theirs))
    return ours, theirs


def run_both(ours, theirs, q, k, v, dtype=np.float64, seed=1, **call):
    """Outputs, weights, input and parameter gradients of both, for a random cotangent."""
    tq = torch.tensor(q, requires_grad=True)
    tk = tq if k is q else torch.tensor(k, requires_grad=True)
    tv = tq if v is q else torch.tensor(v, requires_grad=True)
    tcall = {n: (torch.tensor(m) if isinstance(m, np.ndarray) else m) for n, m in call.items()}
    out_t, w_t = theirs(tq, tk, tv, **tcall)
    cot = np.random.default_rng(seed).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_t.backward(torch.tensor(cot))

    nq = Tensor(q, requires_grad=True)
    nk = nq if k is q else Tensor(k, requires_grad=True)
    nv = nq if v is q else Tensor(v, requires_grad=True)
    out, w = ours(nq, nk, nv, **call)
    out.backward(cot)
    return (out, w, nq, nk, nv), (out_t, w_t, tq, tk, tv)


def random_qkv(rng, dtype=np.float64):
    """Batch-first query (B, L, E), key and value (B, S, E), drawn in that order."""
    return tuple(rng.standard_normal(s).astype(dtype) for s in ((B, L, E), (B, S, E), (B, S, E)))


def assert_same(ours_res, theirs_res, ours, theirs, tol):
    out, w, nq, nk, nv = ours_res
    out_t, w_t, tq, tk, tv = theirs_res
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **tol)
    if w_t is None:
        assert w is None
    else:
        np.testing.assert_allclose(w.data, w_t.detach().numpy(), **tol)
    for n_in, t_in in ((nq, tq), (nk, tk), (nv, tv)):
        np.testing.assert_allclose(n_in.grad, t_in.grad.numpy(), **tol)
    params = dict(ours.named_parameters())
    assert sorted(params) == sorted(k for k, _ in theirs.named_parameters())
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(params[name].grad, p.grad.numpy(), **tol, err_msg=name)


F64 = ALLCLOSE[np.float64]


@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("self_attention", [True, False])
def test_mha_matches_torch(average, self_attention):
    ours, theirs = twins(batch_first=True)
    rng = np.random.default_rng(2)
    q = rng.standard_normal((B, L, E))
    k = q if self_attention else rng.standard_normal((B, S, E))
    v = q if self_attention else rng.standard_normal((B, S, E))
    res = run_both(ours, theirs, q, k, v, average_attn_weights=average)
    assert res[0][1].shape == ((B, L, k.shape[1]) if average else (B, HEADS, L, k.shape[1]))
    assert_same(*res, ours, theirs, F64)


def test_mha_float32_matches_torch():
    ours, theirs = twins(np.float32, batch_first=True)
    rng = np.random.default_rng(3)
    q, k, v = random_qkv(rng, np.float32)
    res = run_both(ours, theirs, q, k, v, np.float32)
    assert res[0][0].dtype == np.float32
    assert_same(*res, ours, theirs, ALLCLOSE[np.float32])


def test_mha_kdim_vdim_sequence_first_and_unbatched():
    ours, theirs = twins(kdim=3, vdim=6, num_heads=4, batch_first=False)  # sequence-first
    assert sorted(k for k, _ in ours.named_parameters()) == [
        "in_proj_bias",
        "k_proj_weight",
        "out_proj.bias",
        "out_proj.weight",
        "q_proj_weight",
        "v_proj_weight",
    ]
    rng = np.random.default_rng(4)
    q, k, v = (
        rng.standard_normal((L, B, E)),
        rng.standard_normal((S, B, 3)),
        rng.standard_normal((S, B, 6)),
    )
    assert_same(*run_both(ours, theirs, q, k, v), ours, theirs, F64)
    ours.zero_grad()
    theirs.zero_grad()
    q, k, v = rng.standard_normal((L, E)), rng.standard_normal((S, 3)), rng.standard_normal((S, 6))
    res = run_both(ours, theirs, q, k, v, average_attn_weights=False)
    assert res[0][0].shape == (L, E) and res[0][1].shape == (4, L, S)
    assert_same(*res, ours, theirs, F64)


def test_mha_masks_match_torch():
    rng = np.random.default_rng(5)
    q, k, v = random_qkv(rng)
    key_padding = np.zeros((B, S), dtype=bool)
    key_padding[0, 3:] = True
    key_padding[2, 0] = True
    causal = np.triu(np.ones((L, S), dtype=bool), k=2)  # key 0 always allowed
    cases = [
        {"key_padding_mask": key_padding},
        {"attn_mask": causal},
        {"key_padding_mask": key_padding, "attn_mask": causal},
        {"attn_mask": rng.standard_normal((L, S))},  # float masks are added
        {"attn_mask": np.where(causal, -np.inf, 0.0)},
        {
            "key_padding_mask": rng.standard_normal((B, S)),
            "attn_mask": rng.standard_normal((B * HEADS, L, S)),
        },
    ]
    for call in cases:
        ours, theirs = twins(batch_first=True)
        res = run_both(ours, theirs, q, k, v, **call)
        assert_same(*res, ours, theirs, F64)
    w = res[0][1].data
    np.testing.assert_allclose(w.sum(-1), 1, rtol=1e-12)
    ours, theirs = twins(batch_first=True)
    _, w = ours(Tensor(q), Tensor(k), Tensor(v), key_padding, attn_mask=causal)
    assert np.all(w.data[0, :, 3:] == 0) and np.all(w.data[:, 0, 3:] == 0)


def test_mha_need_weights_false():
    ours, theirs = twins(batch_first=True)
    rng = np.random.default_rng(6)
    q, k, v = random_qkv(rng)
    assert_same(*run_both(ours, theirs, q, k, v, need_weights=False), ours, theirs, F64)


def test_mha_fully_masked_rows_give_zero_weights_where_torch_gives_nan():
    ours, theirs = twins(batch_first=True)
    rng = np.random.default_rng(7)
    q, k, v = random_qkv(rng)
    key_padding = np.zeros((B, S), dtype=bool)
    key_padding[1] = True  # sample 1 may attend to nothing
    qt = Tensor(q, requires_grad=True)
    out, w = ours(qt, Tensor(k), Tensor(v), key_padding)
    out_t, w_t = theirs(
        torch.tensor(q),
        torch.tensor(k),
        torch.tensor(v),
        key_padding_mask=torch.tensor(key_padding),
    )
    assert np.isnan(out_t.detach().numpy()[1]).all()  # torch's behaviour
    np.testing.assert_array_equal(w.data[1], 0)
    np.testing.assert_allclose(out.data[1], np.broadcast_to(ours.out_proj.bias.data, (L, E)))
    keep = [0, 2]
    np.testing.assert_allclose(out.data[keep], out_t.detach().numpy()[keep], **F64)
    np.testing.assert_allclose(w.data[keep], w_t.detach().numpy()[keep], **F64)
    out.sum().backward()
    assert np.isfinite(qt.grad).all()
    np.testing.assert_array_equal(qt.grad[1], 0)


def test_mha_gradcheck():
    mha = MultiHeadAttention(4, 2, rng=0, dtype=np.float64)
    mha.in_proj_bias.data[...] = np.random.default_rng(0).standard_normal(12) * 0.3
    rng = np.random.default_rng(1)
    q, k, v = (
        rng.standard_normal((2, 3, 4)),
        rng.standard_normal((2, 2, 4)),
        rng.standard_normal((2, 2, 4)),
    )
    mask = np.array([[False, True], [False, False], [False, False]])
    assert npgnn.gradcheck(lambda a, b, c: mha(a, b, c, attn_mask=mask)[0], q, k, v)
    assert npgnn.gradcheck(lambda a, b, c: mha(a, b, c, average_attn_weights=False)[1], q, k, v)


def test_mha_dropout_and_book_style():
    mha = MultiHeadAttention(E, HEADS, dropout=0.5, rng=0, dtype=np.float64)
    x = np.random.default_rng(8).standard_normal((B, L, E))
    mha.eval()
    out1, w1 = mha.forward(x, x, x)  # book style: arrays back
    assert isinstance(out1, np.ndarray) and isinstance(w1, np.ndarray)
    dq, dk, dv = mha.backward(np.ones_like(out1))
    assert dq.shape == dk.shape == dv.shape == x.shape
    out2, _ = mha.forward(x, x, x)
    np.testing.assert_array_equal(out1, out2)
    mha.train()
    _, w = mha(Tensor(x), Tensor(x), Tensor(x), average_attn_weights=False)
    dropped = w.data == 0
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(
        w.data[~dropped],
        np.broadcast_to(
            mha.eval()(Tensor(x), Tensor(x), Tensor(x), average_attn_weights=False)[1].data, w.shape
        )[~dropped]
        / 0.5,
    )


def test_mha_default_init_is_torchs():
    mha = MultiHeadAttention(E, HEADS, rng=0)
    bound = np.sqrt(6 / (E + 3 * E))  # xavier on (3E, E)
    assert np.abs(mha.in_proj_weight.data).max() <= bound
    np.testing.assert_array_equal(mha.in_proj_bias.data, 0)
    np.testing.assert_array_equal(mha.out_proj.bias.data, 0)
    assert mha.in_proj_weight.dtype == np.float32
    assert "in_proj_bias" not in dict(
        MultiHeadAttention(E, HEADS, bias=False, rng=0).named_parameters()
    )


def test_mha_bad_inputs_raise():
    mha = MultiHeadAttention(E, HEADS, rng=0)
    x = Tensor(np.zeros((B, L, E), dtype=np.float32))
    with pytest.raises(ValueError, match="must be divisible by num_heads"):
        MultiHeadAttention(6, 4)
    with pytest.raises(ValueError, match=r"dropout must lie in \[0, 1\)"):
        MultiHeadAttention(E, HEADS, dropout=1.5)
    with pytest.raises(ValueError, match="query must have last dimension 8"):
        mha(Tensor(np.zeros((B, L, 3))), x, x)
    with pytest.raises(ValueError, match="must all be 3-D"):
        mha(x, Tensor(np.zeros((L, E))), x)
    with pytest.raises(ValueError, match="same batch size"):
        mha(x, Tensor(np.zeros((B + 1, L, E))), Tensor(np.zeros((B + 1, L, E))))
    with pytest.raises(ValueError, match="same sequence length"):
        mha(x, x, Tensor(np.zeros((B, L + 1, E))))
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(3, 4\)"):
        mha(x, x, x, np.zeros((B, L + 1), dtype=bool))
    with pytest.raises(ValueError, match=r"attn_mask must have shape \(4, 4\) or \(6, 4, 4\)"):
        mha(x, x, x, attn_mask=np.zeros((2, 4, 4), dtype=bool))
    with pytest.raises(TypeError, match="bool array"):
        mha(x, x, x, attn_mask=np.zeros((L, L), dtype=np.int64))
