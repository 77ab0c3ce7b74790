"""One global random generator, torch's ``manual_seed`` for npgnn.

Every random draw npgnn makes without an explicit ``rng=`` (or ``seed=``) argument (parameter
initialisation, dropout masks, attention dropout, shuffling loaders, negative sampling, fold
splits) comes from the single ``np.random.Generator`` returned by :func:`default_generator`.
Unseeded it starts from fresh OS entropy, as ``np.random.default_rng()`` and torch do;
``manual_seed(s)`` reseeds it *in place*, so layers built earlier (which keep a reference to it
for their dropout) draw from the reseeded stream too. An explicit ``rng=`` / ``seed=`` argument
always wins and leaves the global generator untouched.

    npgnn.manual_seed(0)         # like torch.manual_seed(0)
    npgnn.seed_everything(0)     # also NumPy's legacy global RNG and Python's random, like PyG's
"""
from __future__ import annotations

import numbers
import random as _py_random

import numpy as np

_GENERATOR = np.random.Generator(np.random.PCG64())
_INITIAL_SEED: int | None = None


def default_generator() -> np.random.Generator:
    """The global generator (one object for the whole process; reseeded in place)."""
    return _GENERATOR


def _check_seed(where: str, seed: object) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{where}: seed must be an int, got {type(seed).__name__} {seed!r}")
    return int(seed)


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator (torch.manual_seed); returns it.

    Negative seeds are accepted (as torch does) and taken modulo 2**64.

    Raises:
        TypeError: ``seed`` is not an int.
    """
    global _INITIAL_SEED
    seed = _check_seed("manual_seed", seed)
    _INITIAL_SEED = seed
    _GENERATOR.bit_generator.state = np.random.PCG64(seed % 2**64).state
    return _GENERATOR


def seed_everything(seed: int) -> None:
    """Seed npgnn's global generator, NumPy's legacy global RNG (``np.random.seed``) and Python's
    ``random``, as PyG's ``torch_geometric.seed_everything`` does for torch.

    Raises:
        TypeError: ``seed`` is not an int.
    """
    seed = _check_seed("seed_everything", seed)
    manual_seed(seed)
    np.random.seed(seed % 2**32)
    _py_random.seed(seed)


def initial_seed() -> int | None:
    """The last seed given to :func:`manual_seed`, or None while the generator is unseeded."""
    return _INITIAL_SEED


def get_rng_state() -> dict:
    """The global generator's state (a dict), for :func:`set_rng_state`."""
    return _GENERATOR.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state from :func:`get_rng_state`."""
    _GENERATOR.bit_generator.state = state
