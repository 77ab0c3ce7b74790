"""Classification metrics on plain arrays: accuracy and macro-F1."""
from __future__ import annotations

from typing import Any

import numpy as np


def _predictions(scores: Any) -> np.ndarray:
    scores = np.asarray(getattr(scores, "data", scores))
    return scores.argmax(axis=-1) if scores.ndim == 2 else scores


def accuracy(scores: Any, y: Any) -> float:
    """Fraction of rows whose predicted class equals ``y``.

    Args:
        scores: (N, C) logits/probabilities (argmax is taken) or (N,) predicted ids.
        y: (N,) true class ids.
    """
    pred, y = _predictions(scores), np.asarray(y).reshape(-1)
    if pred.shape != y.shape:
        raise ValueError(f"accuracy: {pred.shape[0]} predictions for {y.shape[0]} labels")
    if y.size == 0:
        raise ValueError("accuracy: no labels to score (an empty mask?)")
    return float(np.mean(pred == y))


def macro_f1(scores: Any, y: Any, num_classes: int | None = None) -> float:
    """Unweighted mean over classes of F1 = 2 TP / (2 TP + FP + FN); a class absent from both
    predictions and labels is skipped (as scikit-learn's ``zero_division`` handling of empty classes)."""
    pred, y = _predictions(scores), np.asarray(y).reshape(-1)
    if pred.shape != y.shape:
        raise ValueError(f"macro_f1: {pred.shape[0]} predictions for {y.shape[0]} labels")
    c = int(num_classes if num_classes is not None else max(pred.max(initial=0), y.max(initial=0)) + 1)
    confusion = np.bincount(y * c + pred, minlength=c * c).reshape(c, c)
    tp = np.diag(confusion).astype(float)
    denominator = confusion.sum(axis=0) + confusion.sum(axis=1)  # 2TP + FP + FN
    present = denominator > 0
    return float(np.mean(2 * tp[present] / denominator[present])) if present.any() else 0.0
