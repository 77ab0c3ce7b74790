"""Link metrics against hand-computed values, brute-force definitions and OGB's torch formulas."""
import numpy as np
import pytest

from npgnn import Tensor
from npgnn.metrics import average_precision, hits_at_k, link_ranks, mrr, roc_auc

POS = np.array([0.9, 0.8, 0.3])
NEG = np.array([0.7, 0.85, 0.1, 0.2])
NEG_ROWS = np.array([[0.5, 0.9, 0.9], [0.1, 0.2, 0.3], [0.3, 0.3, 0.4]])


def test_hand_computed_values():
    assert roc_auc(POS, NEG) == pytest.approx(9 / 12)          # 9 of 12 pairs ordered right
    # precision at each positive, by decreasing score: .9 -> 1/1, .8 -> 2/3, .3 -> 3/5
    assert average_precision(POS, NEG) == pytest.approx((1 + 2 / 3 + 3 / 5) / 3)
    assert hits_at_k(POS, NEG, 1) == pytest.approx(1 / 3)        # above 0.85: only 0.9
    assert hits_at_k(POS, NEG, 2) == pytest.approx(2 / 3)        # above 0.7
    assert hits_at_k(POS, NEG, 5) == 1.0                          # fewer than K negatives: OGB's 1.0
    np.testing.assert_array_equal(link_ranks(POS, NEG_ROWS), [2.0, 1.0, 3.0])   # ties count half
    assert mrr(POS, NEG_ROWS) == pytest.approx((1 / 2 + 1 + 1 / 3) / 3)
    assert hits_at_k(POS, NEG_ROWS, 1) == pytest.approx(1 / 3)
    assert hits_at_k(POS, NEG_ROWS, 2) == pytest.approx(2 / 3)


def test_auc_is_the_pairwise_win_rate_with_ties_half():
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 20, 300) / 4.0, rng.integers(0, 18, 400) / 4.0   # many ties
    wins = (pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean()
    assert roc_auc(pos, neg) == pytest.approx(wins, abs=1e-12)


def test_average_precision_equals_its_step_definition_without_ties():
    rng = np.random.default_rng(1)
    pos, neg = rng.standard_normal(50) + 1, rng.standard_normal(70)
    scores = np.concatenate([pos, neg])
    labels = np.concatenate([np.ones(50), np.zeros(70)])[np.argsort(-scores)]
    precision_at = np.cumsum(labels) / np.arange(1, labels.size + 1)
    assert average_precision(pos, neg) == pytest.approx(precision_at[labels == 1].mean(), abs=1e-12)


def test_equal_to_ogb_evaluator_formulas_on_random_scores():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    pos, neg = rng.standard_normal(200), rng.standard_normal(1000)
    for k in (1, 10, 50, 100):          # OGB _eval_hits, torch path
        kth = torch.topk(torch.from_numpy(neg), k)[0][-1]
        expected = float(torch.sum(torch.from_numpy(pos) > kth)) / len(pos)
        assert hits_at_k(pos, neg, k) == expected
    neg_rows = np.round(rng.standard_normal((200, 30)), 1)    # rounded: ties happen
    y_pos, y_neg = torch.from_numpy(np.round(pos, 1)).view(-1, 1), torch.from_numpy(neg_rows)
    ranking = 0.5 * ((y_neg > y_pos).sum(dim=1) + (y_neg >= y_pos).sum(dim=1)) + 1   # OGB _eval_mrr
    np.testing.assert_array_equal(link_ranks(np.round(pos, 1), neg_rows), ranking.numpy())
    # OGB keeps the ranks (exact half-integers) in float32; the mean is taken in float64 here
    assert mrr(np.round(pos, 1), neg_rows) == pytest.approx(float((1.0 / ranking.double()).mean()), abs=1e-12)
    for k in (1, 3, 10):
        assert hits_at_k(np.round(pos, 1), neg_rows, k) == float((ranking <= k).double().mean())


def test_tensors_of_npgnn_and_torch_are_accepted():
    torch = pytest.importorskip("torch")
    assert roc_auc(Tensor(POS), torch.from_numpy(NEG)) == roc_auc(POS, NEG)


@pytest.mark.parametrize("call, error, match", [
    (lambda: roc_auc(POS[:, None], NEG), ValueError, r"pos_score: expected a 1-D array of scores, got shape \(3, 1\)"),
    (lambda: roc_auc(POS, []), ValueError, "neg_score: expected at least one score"),
    (lambda: roc_auc(POS, np.array([0.1, np.nan])), ValueError, "neg_score: scores must be finite, found 1"),
    (lambda: average_precision(np.array(["a"]), NEG), TypeError, "pos_score: expected real scores"),
    (lambda: link_ranks(POS, NEG_ROWS[:2]), ValueError, r"neg_score: expected one row of negatives per positive, shape \(3, M\)"),
    (lambda: mrr(POS, NEG), ValueError, "neg_score: expected a 2-D array"),
    (lambda: hits_at_k(POS, NEG, 0), ValueError, "k: expected an int >= 1, got 0"),
    (lambda: hits_at_k(POS, NEG, 2.5), TypeError, "k: expected an int >= 1, got float"),
    (lambda: hits_at_k(POS, np.ones((2, 2, 2)), 1), ValueError, "neg_score: expected a 1-D or 2-D array"),
])
def test_bad_inputs_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
