"""Weight initialisers; each draws from the ``np.random.Generator`` it is given.

Without one (``rng=None``) a layer draws from npgnn's global generator (``npgnn.manual_seed``).
"""
from __future__ import annotations

import math

import numpy as np

from npgnn.random import default_generator

RngLike = np.random.Generator | int | None


def make_rng(rng: RngLike) -> np.random.Generator:
    """A Generator from a Generator (used as is), a seed (a new Generator), or None: npgnn's
    global generator, which ``npgnn.manual_seed`` seeds (fresh OS entropy until then)."""
    if rng is None:
        return default_generator()
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """U(−a, a) with a = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010; GCN, GAT)."""
    fan_out, fan_in = shape[-2], shape[-1]
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def kaiming_uniform(
    shape: tuple[int, ...], rng: np.random.Generator, dtype=np.float32, rows_only: bool = False
) -> np.ndarray:
    """U(−1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for Linear (kaiming, a = sqrt(5)).

    With ``rows_only`` it draws one value per row (shape[:-1]): PyTorch's bias initialisation.
    """
    bound = 1.0 / math.sqrt(shape[-1]) if shape[-1] else 0.0
    size = shape[:-1] if rows_only else shape
    return rng.uniform(-bound, bound, size=size).astype(dtype)
