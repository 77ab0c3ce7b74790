"""How values appear in error messages: Python's repr, never NumPy 2's ``np.float64(0.5)``."""
from __future__ import annotations

from typing import Any

import numpy as np


def show(value: Any) -> str:
    """``repr(value)`` with NumPy scalars as plain Python numbers (``0.5``, not
    ``np.float64(0.5)``), also inside small tuples and lists, and small arrays as lists."""
    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.ndarray) and value.size <= 10:
        return f"array({value.tolist()!r})" if value.ndim else show(value.item())
    elif isinstance(value, (tuple, list)) and len(value) <= 10:
        body = ", ".join(show(v) for v in value)
        return f"({body},)" if isinstance(value, tuple) and len(value) == 1 else (
            f"({body})" if isinstance(value, tuple) else f"[{body}]")
    return repr(value)


def number(value: Any) -> str:
    """A computed float for a message: 6 significant digits (``0.0258301``), never a NumPy repr."""
    return f"{float(value):.6g}"
