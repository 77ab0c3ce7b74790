"""Input-feature dropout that keeps a sparse feature matrix sparse."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.ops import nn as F


def feature_dropout(x: Any, p: float, training: bool, rng: np.random.Generator) -> Any:
    """Dropout on node features; for a scipy sparse x it drops *stored* values (Kipf's sparse dropout).

    ``npgnn.ops.dropout`` does both: a sparse x stays sparse (a constant input, no gradient), a
    dense x goes through the differentiable dropout op.
    """
    return F.dropout(x, p, training, rng)
