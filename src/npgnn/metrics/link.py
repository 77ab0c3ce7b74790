"""Link-prediction metrics: ROC-AUC and average precision (scikit-learn), Hits@K and MRR (OGB).

Every function takes the scores of the positive pairs and of the negative pairs separately, as
OGB's ``Evaluator`` does (``y_pred_pos``, ``y_pred_neg``); higher means "more likely an edge".
Scores may be ndarrays, npgnn Tensors or CPU torch tensors, probabilities or logits alike.

Definitions (the source of each):
    roc_auc, average_precision: ``sklearn.metrics.roc_auc_score`` / ``average_precision_score``
        on labels 1 for positives, 0 for negatives (PyG's ``GAE.test``; OGB's ``rocauc``).
    hits_at_k with 1-D negatives (ogbl-collab, -ddi, -ppa): the fraction of positives that score
        strictly above the K-th highest negative score; 1.0 when there are fewer than K
        negatives (OGB ``Evaluator._eval_hits``).
    link_ranks / mrr / hits_at_k with 2-D negatives (ogbl-citation2, -wikikg2): positive i is
        ranked against its own row of negatives; rank_i = 1 + (#{neg > pos} + #{neg >= pos}) / 2,
        i.e. ties count half; MRR is the mean of 1 / rank_i and Hits@K the fraction with
        rank_i <= K (OGB ``Evaluator._eval_mrr``).
    OGB: ogb/linkproppred/evaluate.py, https://github.com/snap-stanford/ogb.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np


def _scores(name: str, value: Any, ndims: tuple[int, ...]) -> np.ndarray:
    """``value`` as a finite float64 array with ``ndim`` in ``ndims``; ValueError/TypeError naming ``name``."""
    value = getattr(value, "data", value)                      # an npgnn Tensor
    if hasattr(value, "detach"):                               # a torch tensor
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected real scores, got dtype {array.dtype}")
    if array.ndim not in ndims:
        expected = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name}: expected a {expected} array of scores, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name}: expected at least one score, got none")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: scores must be finite, found {int((~np.isfinite(array)).sum())} "
                         f"NaN/inf value(s); did the model diverge?")
    return array


def _labelled(pos_score: Any, neg_score: Any) -> tuple[np.ndarray, np.ndarray]:
    pos = _scores("pos_score", pos_score, (1,))
    neg = _scores("neg_score", neg_score, (1,))
    y = np.concatenate([np.ones(pos.size), np.zeros(neg.size)])
    return y, np.concatenate([pos, neg])


def roc_auc(pos_score: Any, neg_score: Any) -> float:
    """Area under the ROC curve of positives (label 1) against negatives (label 0).

    Args:
        pos_score: (P,) scores of the positive pairs. neg_score: (M,) scores of the negatives.

    Returns:
        The probability that a random positive outscores a random negative (ties count half),
        computed by ``sklearn.metrics.roc_auc_score``.

    Raises:
        TypeError: non-numeric scores. ValueError: not 1-D, empty, or not finite.
    """
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(*_labelled(pos_score, neg_score)))


def average_precision(pos_score: Any, neg_score: Any) -> float:
    """Average precision (area under the precision-recall curve, step-wise) of positives
    against negatives, by ``sklearn.metrics.average_precision_score``.

    Args and raises as :func:`roc_auc`.
    """
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(*_labelled(pos_score, neg_score)))


def link_ranks(pos_score: Any, neg_score: Any) -> np.ndarray:
    """(P,) float64 rank of each positive among its own negatives, ties counted half (OGB).

    Args:
        pos_score: (P,) scores of the positives. neg_score: (P, M) scores; row i holds the
            negatives positive i is ranked against.

    Returns:
        rank_i = 1 + (#{j : neg[i, j] > pos[i]} + #{j : neg[i, j] >= pos[i]}) / 2.

    Raises:
        TypeError, ValueError: as :func:`roc_auc`; ValueError if neg_score is not (P, M).
    """
    pos = _scores("pos_score", pos_score, (1,))
    neg = _scores("neg_score", neg_score, (2,))
    if neg.shape[0] != pos.size:
        raise ValueError(f"neg_score: expected one row of negatives per positive, shape "
                         f"({pos.size}, M), got {neg.shape}")
    above = (neg > pos[:, None]).sum(axis=1)
    at_least = (neg >= pos[:, None]).sum(axis=1)
    return 1.0 + 0.5 * (above + at_least)


def mrr(pos_score: Any, neg_score: Any) -> float:
    """Mean reciprocal rank, ``mean(1 / link_ranks(pos_score, neg_score))`` (OGB's
    ogbl-citation2 metric). Args and raises as :func:`link_ranks`."""
    return float(np.mean(1.0 / link_ranks(pos_score, neg_score)))


def hits_at_k(pos_score: Any, neg_score: Any, k: int) -> float:
    """Hits@K, OGB's definition.

    Args:
        pos_score: (P,) scores of the positives.
        neg_score: (M,) scores of negatives shared by every positive: the fraction of positives
            scoring strictly above the K-th highest negative (1.0 if M < K), as ogbl-collab;
            or (P, M), one row per positive: the fraction with ``link_ranks <= k``, as
            ogbl-citation2's ``hits@K_list``.
        k: K >= 1.

    Raises:
        TypeError: ``k`` is not an int, or non-numeric scores. ValueError: ``k`` < 1, or bad
            score shapes or values (see :func:`link_ranks`).
    """
    if isinstance(k, (bool, np.bool_)):
        raise TypeError(f"k: expected an int >= 1, got bool {k!r}")
    try:
        k = operator.index(k)
    except TypeError:
        raise TypeError(f"k: expected an int >= 1, got {type(k).__name__} {k!r}") from None
    if k < 1:
        raise ValueError(f"k: expected an int >= 1, got {k}")
    neg_array = _scores("neg_score", neg_score, (1, 2))
    if neg_array.ndim == 2:
        return float(np.mean(link_ranks(pos_score, neg_array) <= k))
    pos = _scores("pos_score", pos_score, (1,))
    if neg_array.size < k:
        return 1.0
    kth_highest = np.partition(neg_array, neg_array.size - k)[neg_array.size - k]
    return float(np.mean(pos > kth_highest))
