"""Conversions between index arrays and boolean masks (PyG's index_to_mask, mask_to_index)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph._checks import as_count
from npgnn.utils._args import index_arg


def index_to_mask(index: Any, size: int | None = None) -> np.ndarray:
    """(size,) bool mask, True at each id of ``index`` (size default max id + 1).

    Raises:
        TypeError: ``index`` not integers. IndexError: an id outside [0, size).
    """
    index = np.asarray(index)
    flat = index.reshape(-1) if index.dtype.kind in "iu" else index  # PyG flattens
    if size is None:
        flat = index_arg("index", flat)
        size = int(flat.max()) + 1 if flat.size else 0
    else:
        size = as_count("size", size)
        flat = index_arg("index", flat, size)
    mask = np.zeros(size, dtype=bool)
    mask[flat] = True
    return mask


def mask_to_index(mask: Any) -> np.ndarray:
    """(K,) int64 positions of the True entries of a 1-D boolean mask.

    Raises:
        TypeError: ``mask`` is not a 1-D bool array.
    """
    mask = np.asarray(mask)
    if mask.dtype != np.bool_ or mask.ndim != 1:
        raise TypeError(f"mask: expected a 1-D bool array, got dtype={mask.dtype} "
                        f"shape={mask.shape}")
    return np.flatnonzero(mask).astype(np.int64)
