"""A generated node-classification graph of any size: a degree-corrected block model with
features correlated to the blocks (ogbn-products' shape by default, without a download)."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from npgnn.datasets._base import GraphDataset, Transform
from npgnn.graph import Graph
from npgnn.graph._checks import as_count
from npgnn.utils.blockmodel import degree_corrected_blockmodel_graph, generator_arg

#: ogbn-products (Hu et al., "Open Graph Benchmark", NeurIPS 2020): nodes, features, classes,
#: and its split's train / validation fractions (196,615 and 39,323 of 2,449,029 nodes).
PRODUCTS_NUM_NODES = 2_449_029
PRODUCTS_TRAIN_FRACTION = 196_615 / PRODUCTS_NUM_NODES
PRODUCTS_VAL_FRACTION = 39_323 / PRODUCTS_NUM_NODES

_NAME = "DegreeCorrectedBlockModelDataset"
_ROWS = 1 << 18                         # feature rows filled per step (bounds the temporaries)


class DegreeCorrectedBlockModelDataset(GraphDataset):
    """One generated graph for node classification: classes are the blocks of a
    degree-corrected stochastic block model, features are noisy class centroids.

    PyG's ``StochasticBlockModelDataset`` draws a Bernoulli per node pair (O(N^2)) and gives
    every node of a block the same expected degree; this one samples Karrer & Newman's
    degree-corrected model in O(N + E) (see
    :func:`npgnn.utils.degree_corrected_blockmodel_graph`), so it reaches ogbn-products' size
    (2.4M nodes) in seconds, with a power-law degree tail and communities denser inside than
    across. ``len(ds) == 1``; ``ds.graph`` is the stored graph; ``ds[0]`` a fresh copy with
    ``transform`` applied (at millions of nodes prefer ``ds.graph``: the copy doubles memory).

    The graph (N = ``num_nodes``, C = ``num_classes``, F = ``num_channels``):
        - ``y`` (N,) int64: node i's class, drawn i.i.d. with probabilities proportional to
          ``class_weights`` (default 1 / (c + 1), Zipf's law: a few large classes and a long
          tail of small ones, as in ogbn-products);
        - ``edge_index`` (2, E) int64, symmetric, no self-loops or duplicates, sorted by target
          then source, E <= N * ``avg_degree`` (a few percent below: repeated draws are
          merged); the degree tail has exponent ``degree_exponent``; a fraction ``homophily``
          of the edges joins two nodes of one class (in expectation, before merging);
        - ``x`` (N, F) float32: ``class_sep`` * mu_{y_i} + eps_i with class centroids
          mu_c ~ N(0, I_F) and noise eps_i ~ N(0, I_F): informative, but not separable alone,
          so neighbours help;
        - ``train_mask`` / ``val_mask`` / ``test_mask`` (N,) bool: a random partition with
          round(N * ``train_fraction``) and round(N * ``val_fraction``) nodes in the first two
          (default: ogbn-products' split sizes, 8.0% / 1.6% / 90.4%; its split is by sales
          rank, ours uniform).

    Defaults other than ``num_nodes`` follow ogbn-products: 100 features, 47 classes, edge
    homophily 0.81; ``avg_degree`` 25 gives about 60M directed edges at 2.4M nodes (the real
    graph stores 61.9M undirected edges, 123.7M directed: pass ``avg_degree=50.5`` for that).

    Memory: the graph itself is 16 E + 4 F N bytes (E = 60M, N = 2.4M: 1.9 GB); generation
    peaks at about twice that.

    Args:
        num_nodes: N >= 1 (ogbn-products: ``PRODUCTS_NUM_NODES`` = 2,449,029).
        avg_degree: directed edges per node to aim for (> 0).
        num_channels: F >= 1.
        num_classes: C >= 1 (the blocks).
        homophily, degree_exponent, max_degree: see
            :func:`npgnn.utils.degree_corrected_blockmodel_graph`.
        class_sep: scale of the class centroids against unit noise (>= 0; 0: features carry
            no class information).
        class_weights: (C,) non-negative class probabilities up to scale, or None for Zipf.
        train_fraction, val_fraction: in [0, 1], summing to at most 1.
        seed: an int or a ``np.random.Generator``; None draws from npgnn's global generator
            (``npgnn.manual_seed``). The same seed and arguments give the same graph.
        transform, pre_transform: Graph -> Graph callables, on access / once.

    Raises:
        TypeError: an argument of the wrong type (named in the message).
        ValueError: an argument out of range (named, with the range), see also the edge
            function's errors.

    Example:
        >>> ds = DegreeCorrectedBlockModelDataset(2000, num_channels=8, num_classes=4, seed=0)
        >>> g = ds.graph
        >>> g.x.shape, ds.num_classes, bool(g.train_mask.sum() == round(2000 * 196615 / 2449029))
        ((2000, 8), 4, True)
    """

    def __init__(self, num_nodes: int, avg_degree: float = 25.0, num_channels: int = 100,
                 num_classes: int = 47, homophily: float = 0.81, degree_exponent: float = 2.5,
                 max_degree: float | None = None, class_sep: float = 0.2,
                 class_weights: Any = None, train_fraction: float = PRODUCTS_TRAIN_FRACTION,
                 val_fraction: float = PRODUCTS_VAL_FRACTION, *,
                 seed: int | np.random.Generator | None = None,
                 transform: Transform | None = None,
                 pre_transform: Transform | None = None) -> None:
        n = as_count(f"{_NAME}: num_nodes", num_nodes, minimum=1)
        f = as_count(f"{_NAME}: num_channels", num_channels, minimum=1)
        c = as_count(f"{_NAME}: num_classes", num_classes, minimum=1)
        degree = _real("avg_degree", avg_degree, low=0.0, open_low=True)
        sep = _real("class_sep", class_sep, low=0.0)
        train = _real("train_fraction", train_fraction, low=0.0, high=1.0)
        val = _real("val_fraction", val_fraction, low=0.0, high=1.0)
        if train + val > 1:
            raise ValueError(f"{_NAME}: train_fraction + val_fraction must be <= 1, got "
                             f"{train} + {val}")
        weights = _class_weights(class_weights, c)
        rng = generator_arg(_NAME, seed)

        y = rng.choice(c, size=n, p=weights).astype(np.int64)
        edge_index = degree_corrected_blockmodel_graph(
            y, round(n * degree), homophily, degree_exponent, max_degree, seed=rng)
        x = _features(y, f, c, sep, rng)
        order = rng.permutation(n)
        n_train, n_val = round(n * train), round(n * val)
        masks = []
        for lo, hi in ((0, n_train), (n_train, n_train + n_val), (n_train + n_val, n)):
            mask = np.zeros(n, dtype=bool)
            mask[order[lo:hi]] = True
            masks.append(mask)
        graph = Graph(edge_index=edge_index, num_nodes=n, x=x, y=y, train_mask=masks[0],
                      val_mask=masks[1], test_mask=masks[2])
        self.name = _NAME
        self._num_classes = c
        self._setup([graph], transform, pre_transform, None)

    @property
    def graph(self) -> Graph:
        """The stored graph (after ``pre_transform``; ``transform`` not applied), no copy."""
        return self._stored[0]

    @property
    def num_classes(self) -> int:
        """C as given (also when a small graph leaves a class without nodes)."""
        return self._num_classes

    @property
    def num_node_features(self) -> int:
        """F, read without copying the graph when there is no ``transform``."""
        if self.transform is None:
            return int(self.graph.x.shape[1])
        return super().num_node_features

    def __repr__(self) -> str:
        g = self.graph
        return f"{type(self).__name__}(num_nodes={g.num_nodes}, num_edges={g.num_edges})"


def _features(y: np.ndarray, f: int, c: int, sep: float, rng: np.random.Generator) -> np.ndarray:
    centroids = (sep * rng.standard_normal((c, f))).astype(np.float32)
    x = rng.standard_normal((y.size, f), dtype=np.float32)
    for lo in range(0, y.size, _ROWS):           # blocks of rows: O(_ROWS * F) temporaries
        x[lo:lo + _ROWS] += centroids[y[lo:lo + _ROWS]]
    return x


def _class_weights(value: Any, c: int) -> np.ndarray:
    if value is None:
        w = 1.0 / np.arange(1, c + 1, dtype=np.float64)
    else:
        w = np.asarray(value)
        if w.shape != (c,) or w.dtype.kind not in "biuf":
            raise TypeError(f"{_NAME}: class_weights must be ({c},) real numbers (one per "
                            f"class), got dtype {w.dtype} shape {w.shape}")
        w = w.astype(np.float64)
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"{_NAME}: class_weights must be finite, >= 0 and not all 0, got "
                             f"{w.tolist()}")
    return w / w.sum()


def _real(name: str, value: Any, low: float, high: float = np.inf,
          open_low: bool = False) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_NAME}: {name} must be a real number, got {type(value).__name__} "
                        f"{value!r}")
    out = float(value)
    below = out <= low if open_low else out < low
    if not np.isfinite(out) or below or out > high:
        bracket = "(" if open_low else "["
        top = "inf)" if high == np.inf else f"{high}]"
        raise ValueError(f"{_NAME}: {name} must lie in {bracket}{low}, {top}, got {out}")
    return out
