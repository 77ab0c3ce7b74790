"""PyG's RandomNodeSplit: random train/val/test node masks, seeded."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.graph._checks import as_count
from npgnn.graph.graph import Graph
from npgnn.nn.init import make_rng
from npgnn.transforms.base_transform import BaseTransform

_SPLITS = ("train_rest", "test_rest", "random")


class RandomNodeSplit(BaseTransform):
    """Add random ``train_mask``, ``val_mask`` and ``test_mask`` (PyG's RandomNodeSplit).

    Splits (as PyG):
        'train_rest': ``num_val`` and ``num_test`` random nodes; the rest train.
        'test_rest': ``num_train_per_class`` random nodes of each class (of ``data.<key>``)
            train, ``num_val`` random others validate, the rest test.
        'random': as 'test_rest', but ``num_test`` random remaining nodes test.
    ``num_val`` / ``num_test`` as floats are fractions of N, rounded. A class with fewer nodes
    than ``num_train_per_class`` gives all of them. Without ``data.<key>`` (e.g. no y) the graph
    is returned unchanged, as PyG. Draws come from ``rng`` (a Generator or a seed; None: npgnn's
    global generator, seeded by ``npgnn.manual_seed``), so they never equal torch's
    ``randperm``; only the sizes and rules match PyG.
    ``num_splits > 1`` gives (N, num_splits) masks as PyG, where the Graph accepts them.

    Raises:
        ValueError: unknown ``split``; ``num_val``/``num_test`` negative or (fractions) outside
            [0, 1]; more validation + test nodes than nodes ('train_rest') or than nodes left
            after training (PyG silently gives fewer). TypeError: a count is not an int.
    """

    def __init__(self, split: str = "train_rest", num_splits: int = 1,
                 num_train_per_class: int = 20, num_val: float = 500,
                 num_test: float = 1000, key: str | None = "y", *, rng: Any = None):
        if split not in _SPLITS:
            raise ValueError(f"split: expected one of {list(_SPLITS)}, got {split!r}")
        if split != "train_rest" and key is None:
            raise ValueError(f"key: split={split!r} needs the name of the label attribute")
        self.split = split
        self.num_splits = as_count("num_splits", num_splits, minimum=1)
        self.num_train_per_class = as_count("num_train_per_class", num_train_per_class)
        self.num_val, self.num_test = _size("num_val", num_val), _size("num_test", num_test)
        self.key = key
        self.rng = make_rng(rng)

    def forward(self, data: Graph) -> Graph:
        if self.key is not None and getattr(data, self.key, None) is None:
            return data.replace()
        masks = [self._split(data) for _ in range(self.num_splits)]
        train, val, test = (np.stack(m, axis=-1) if self.num_splits > 1 else m[0]
                            for m in zip(*masks))
        try:
            return data.replace(train_mask=train, val_mask=val, test_mask=test)
        except ValueError as err:
            if self.num_splits == 1:
                raise
            raise ValueError(f"num_splits={self.num_splits}: this Graph holds only (N,) masks; "
                             f"use num_splits=1 ({err})") from None

    def _split(self, data: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = data.num_nodes
        num_val, num_test = _count(self.num_val, n), _count(self.num_test, n)
        train, val, test = (np.zeros(n, dtype=bool) for _ in range(3))
        if self.split == "train_rest":
            if num_val + num_test > n:
                raise ValueError(f"num_val + num_test = {num_val + num_test} exceeds the "
                                 f"{n} nodes")
            perm = self.rng.permutation(n)
            val[perm[:num_val]] = True
            test[perm[num_val:num_val + num_test]] = True
            train[perm[num_val + num_test:]] = True
            return train, val, test
        y = np.asarray(getattr(data, self.key)).reshape(n, -1)[:, 0] if n else np.empty(0, int)
        perm = self.rng.permutation(n)
        by_class = perm[np.argsort(y[perm], kind="stable")]       # each class in random order
        labels = y[by_class]
        starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]]) if n else np.empty(0, int)
        rank = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
        train[by_class[rank < self.num_train_per_class]] = True
        remaining = np.flatnonzero(~train)
        remaining = remaining[self.rng.permutation(remaining.size)]
        wanted = num_val + (num_test if self.split == "random" else 0)
        if wanted > remaining.size:
            raise ValueError(f"num_val{' + num_test' if self.split == 'random' else ''} = "
                             f"{wanted} exceeds the {remaining.size} nodes left after training")
        val[remaining[:num_val]] = True
        if self.split == "test_rest":
            test[remaining[num_val:]] = True
        else:
            test[remaining[num_val:num_val + num_test]] = True
        return train, val, test

    def __repr__(self) -> str:
        return f"{type(self).__name__}(split={self.split})"


def _size(name: str, value: Any) -> int | float:
    if isinstance(value, float):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}: a fraction must lie in [0, 1], got {value}")
        return value
    return as_count(name, value)


def _count(value: float, n: int) -> int:
    return round(n * value) if isinstance(value, float) else value
