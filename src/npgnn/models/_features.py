"""Input-feature dropout that keeps a sparse feature matrix sparse."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn.ops import nn as F


def feature_dropout(x: Any, p: float, training: bool, rng: np.random.Generator) -> Any:
    """Dropout on node features; for a scipy sparse x it drops *stored* values (Kipf's sparse dropout).

    A sparse x is a constant input (no gradient), so the result is a new CSR matrix whose kept
    values are scaled by 1/(1-p); a dense x goes through the differentiable ``dropout`` op.
    """
    if not sp.issparse(x):
        return F.dropout(x, p, training, rng)
    if not training or p == 0.0:
        return x
    x = sp.csr_matrix(x, copy=True)
    keep = rng.random(x.nnz) >= p
    x.data = np.where(keep, x.data / x.data.dtype.type(1.0 - p), 0).astype(x.data.dtype)
    return x
