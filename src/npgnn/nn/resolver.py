"""Activations and normalisations by name, as PyG's ``torch_geometric.nn.resolver``.

PyG resolves a name by comparing it, lower-cased and without '-', '_' and spaces, with the class
names (``'leaky_relu'`` -> ``LeakyReLU``, ``'batch_norm'`` -> ``BatchNorm``, ``'layer_norm'`` ->
PyG's ``LayerNorm``, whose default mode is 'graph'); npgnn does the same over its own classes.
Anything that is not a string is returned as given (a Module or a callable), as in PyG.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.nn.activation import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Tanh
from npgnn.nn.layer_norm import LayerNorm
from npgnn.nn.module import Module
from npgnn.nn.norm import BatchNorm

ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU, "leakyrelu": LeakyReLU, "elu": ELU, "gelu": GELU, "tanh": Tanh,
    "sigmoid": Sigmoid,
}
NORMALIZATIONS: dict[str, type[Module]] = {"batchnorm": BatchNorm, "layernorm": LayerNorm}


def normalize_string(s: str) -> str:
    """PyG's key of a name: lower case, without '-', '_' and spaces."""
    return s.lower().replace("-", "").replace("_", "").replace(" ", "")


def activation_resolver(query: Any = "relu", *, where: str = "", name: str = "act",
                        **kwargs: Any) -> Any:
    """The activation Module named ``query`` built with ``kwargs`` (e.g. ``negative_slope``), or
    ``query`` itself when it is a Module or a callable; None stays None.

    Raises:
        ValueError: an unknown name (the message lists the known ones).
        TypeError: ``query`` is neither a string, a callable nor None; or ``kwargs`` do not fit.
    """
    if query is None:
        return None
    if isinstance(query, str):
        cls = ACTIVATIONS.get(normalize_string(query))
        if cls is None:
            raise ValueError(f"{where}{name} must be one of {sorted(ACTIVATIONS)} (any spelling "
                             f"PyG accepts, e.g. 'leaky_relu'), a callable or None, got {query!r}")
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise TypeError(f"{where}{name}_kwargs={kwargs!r} do not fit {cls.__name__}: "
                            f"{exc}") from None
    if not callable(query):
        raise TypeError(f"{where}{name} must be a name, a Module, a callable or None, got "
                        f"{type(query).__name__}")
    return query


def normalization_resolver(query: Any, channels: int, *, dtype: Any = np.float32, where: str = "",
                           name: str = "norm", **kwargs: Any) -> Module | None:
    """The normalisation Module named ``query`` for ``channels`` features, built with ``kwargs``
    (e.g. ``eps``, ``momentum``, ``mode``), or ``query`` itself when it is a Module; None stays
    None.

    Raises:
        ValueError: an unknown name (the message lists the known ones).
        TypeError: ``query`` is neither a string, a Module nor None; or ``kwargs`` do not fit.
    """
    if query is None:
        return None
    if isinstance(query, str):
        cls = NORMALIZATIONS.get(normalize_string(query))
        if cls is None:
            raise ValueError(f"{where}{name} must be 'batch_norm', 'layer_norm', a Module or None, "
                             f"got {query!r} (PyG's other norms are not in npgnn yet)")
        try:
            return cls(channels, **kwargs, dtype=dtype)
        except TypeError as exc:
            raise TypeError(f"{where}{name}_kwargs={kwargs!r} do not fit {cls.__name__}: "
                            f"{exc}") from None
    if not isinstance(query, Module):
        raise TypeError(f"{where}{name} must be a name, an npgnn Module or None, got "
                        f"{type(query).__name__}")
    return query
