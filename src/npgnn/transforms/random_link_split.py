"""``RandomLinkSplit``: train/validation/test graphs for link prediction (PyG's transform)."""
from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from npgnn.graph import Graph
from npgnn.nn.init import RngLike, make_rng
from npgnn.transforms.base_transform import BaseTransform
from npgnn.utils.negative_sampling import negative_sampling

_EDGE_FIELDS = ("edge_weight", "edge_attr")


class RandomLinkSplit(BaseTransform):
    r"""Split a graph's edges into training, validation and test links (PyG's
    ``RandomLinkSplit``, same arguments, defaults and results).

    ``train, val, test = RandomLinkSplit(...)(graph)`` returns three Graphs. Each keeps the
    nodes, features and labels of ``graph``; its ``edge_index`` (with ``edge_weight`` and
    ``edge_attr`` and every other edge-level attribute) is the *message-passing* graph of that
    split, and ``edge_label_index``
    (2, P + M) / ``edge_label`` (P + M,) hold the links to predict: the split's P positive edges
    first (label 1), then M sampled non-edges (label 0). As in PyG:

    * the edges are shuffled and cut into train | val | test (the last ``num_val + num_test``
      go to validation, then test);
    * train passes messages over the training edges (minus the supervision edges when
      ``disjoint_train_ratio`` > 0), validation over all training edges, test over training and
      validation edges: no split ever passes messages over the edges it predicts, and
      validation/test messages never use test edges;
    * negatives are drawn once, with ``negative_sampling`` over the whole graph (so they are
      never edges of any split), ``int(neg_sampling_ratio · P)`` per split: the first for
      validation, the next for test, the rest for training (none with
      ``add_negative_train_samples=False``).

    Args:
        num_val, num_test: validation / test edges: an int count, or a float fraction in [0, 1]
            of the edges (of the pairs i <= j when ``is_undirected``), rounded down.
        is_undirected: the graph holds each undirected edge in both directions; only the edges
            with i <= j are split and labelled, and each message graph gets both directions
            back (a self-loop appears twice, as in PyG), so a pair and its reverse never fall
            in different splits.
        key: name of the label attribute (``edge_label``; also ``<key>_index``). If the graph
            already has this attribute (one int class 0..C-1 per edge), positives get
            ``label + 1`` and negatives 0 (PyG's rule); else positives get 1.0 and negatives 0.0
            (float32).
        split_labels: store ``pos_<key>``, ``pos_<key>_index``, ``neg_<key>``,
            ``neg_<key>_index`` instead of the concatenated ``<key>`` / ``<key>_index``.
        add_negative_train_samples: sample negatives for the training split too (set False when
            the model samples fresh negatives every epoch).
        neg_sampling_ratio: negatives per positive.
        disjoint_train_ratio: an int count or a float fraction of the training edges used only
            as supervision (labels), not for message passing, in the training split.
        rng: npgnn addition: a Generator, a seed, or None (npgnn's global generator, which
            ``npgnn.manual_seed`` seeds) for the shuffle and the negatives. A seed gives the same
            split at every call; a Generator advances. PyG draws from torch's and Python's
            global generators instead.

    Raises (when called, before any sampling):
        TypeError: ``graph`` is not a Graph; a count is neither an int nor a float.
        ValueError: a fraction outside [0, 1] or a negative count; no edge left for training
            ("Insufficient number of edges for training", PyG's message, with the counts);
            an existing ``key`` attribute that is not one integer class per edge.

    Warns:
        UserWarning: fewer non-edges exist than negatives were requested; the negatives found
            are shared out in proportion (PyG's rule and message).
    """

    def __init__(self, num_val: float = 0.1, num_test: float = 0.2, is_undirected: bool = False,
                 key: str = "edge_label", split_labels: bool = False, add_negative_train_samples: bool = True,
                 neg_sampling_ratio: float = 1.0, disjoint_train_ratio: float = 0.0, *,
                 rng: RngLike = None):
        for name, value in (("num_val", num_val), ("num_test", num_test),
                            ("disjoint_train_ratio", disjoint_train_ratio)):
            _check_amount(name, value)
        if isinstance(neg_sampling_ratio, bool) or not isinstance(neg_sampling_ratio, numbers.Real) \
                or not np.isfinite(neg_sampling_ratio) or neg_sampling_ratio < 0:
            raise ValueError(f"neg_sampling_ratio: expected a finite number >= 0, got {neg_sampling_ratio!r}")
        if not isinstance(key, str) or not key:
            raise TypeError(f"key: expected a non-empty attribute name, got {key!r}")
        self.num_val, self.num_test = num_val, num_test
        self.is_undirected = bool(is_undirected)
        self.key = key
        self.split_labels = bool(split_labels)
        self.add_negative_train_samples = bool(add_negative_train_samples)
        self.neg_sampling_ratio = float(neg_sampling_ratio)
        self.disjoint_train_ratio = disjoint_train_ratio
        self.rng = rng

    def forward(self, graph: Graph) -> tuple[Graph, Graph, Graph]:
        """(train, val, test) Graphs; ``graph`` is not modified."""
        if not isinstance(graph, Graph):
            raise TypeError(f"graph: expected an npgnn Graph, got {type(graph).__name__}")
        ei = graph.edge_index
        labels = _existing_labels(graph, self.key)
        rng = make_rng(self.rng)

        candidates = np.flatnonzero(ei[0] <= ei[1]) if self.is_undirected else np.arange(ei.shape[1])
        perm = candidates[rng.permutation(candidates.size)]
        num_val, num_test = _amount(self.num_val, perm.size), _amount(self.num_test, perm.size)
        num_train = perm.size - num_val - num_test
        if num_train <= 0:
            raise ValueError(f"Insufficient number of edges for training: {perm.size} edges to split, "
                             f"{num_val} for validation and {num_test} for test leave {num_train}")
        train, val, test = perm[:num_train], perm[num_train:num_train + num_val], perm[num_train + num_val:]
        num_disjoint = _amount(self.disjoint_train_ratio, train.size)
        if num_train - num_disjoint <= 0:
            raise ValueError(f"Insufficient number of edges for training: disjoint_train_ratio takes "
                             f"{num_disjoint} of the {num_train} training edges for supervision, "
                             f"leaving none for message passing")

        ratio = self.neg_sampling_ratio
        num_neg_train = 0
        if self.add_negative_train_samples:
            num_neg_train = int((num_disjoint if num_disjoint > 0 else num_train) * ratio)
        num_neg_val, num_neg_test = int(num_val * ratio), int(num_test * ratio)
        num_neg = num_neg_train + num_neg_val + num_neg_test
        neg = negative_sampling(ei, graph.num_nodes, num_neg_samples=num_neg, rng=rng)
        if neg.shape[1] < num_neg:
            found = neg.shape[1]
            warnings.warn(f"There are not enough negative edges to satisfy the provided sampling "
                          f"ratio. The ratio will be adjusted to {found / num_neg:.2f}.", stacklevel=3)
            num_neg_train = int(num_neg_train / num_neg * found)
            num_neg_val = int(num_neg_val / num_neg * found)
            num_neg_test = found - num_neg_train - num_neg_val

        supervision = train[:num_disjoint] if num_disjoint > 0 else train
        splits = (
            (train[num_disjoint:], supervision, neg[:, num_neg_val + num_neg_test:]),
            (train, val, neg[:, :num_neg_val]),
            (perm[:num_train + num_val], test, neg[:, num_neg_val:num_neg_val + num_neg_test]),
        )
        return tuple(self._split(graph, labels, *split) for split in splits)

    def _split(self, graph: Graph, labels: np.ndarray | None, message: np.ndarray,
               positive: np.ndarray, negative: np.ndarray) -> Graph:
        # every edge-level attribute follows the message edges (PyG's is_edge_attr); the label
        # attribute itself is replaced below, as PyG deletes it from the split
        edge_keys = [k for k in graph.keys() if k != "edge_index" and graph.is_edge_attr(k)]
        fields = {k: np.asarray(getattr(graph, k))[message] for k in edge_keys if k != self.key}
        ei = graph.edge_index[:, message]
        if self.is_undirected:
            ei = np.concatenate([ei, ei[::-1]], axis=1)
            fields = {k: np.concatenate([v, v]) for k, v in fields.items()}
        out = graph.replace(**{k: None for k in edge_keys if k not in _EDGE_FIELDS})
        core = {k: fields.pop(k) for k in _EDGE_FIELDS if k in fields}
        out.update(edge_index=ei, **core)

        pos_index = graph.edge_index[:, positive]
        if labels is not None:
            pos_label = labels[positive] + (1 if negative.shape[1] else 0)
        else:
            pos_label = np.ones(positive.size, dtype=np.float32)
        neg_label = np.zeros((negative.shape[1], *pos_label.shape[1:]), dtype=pos_label.dtype)
        key = self.key
        if self.split_labels:
            extras = {f"pos_{key}": pos_label, f"pos_{key}_index": pos_index}
            if negative.shape[1]:
                extras.update({f"neg_{key}": neg_label, f"neg_{key}_index": negative})
        else:
            extras = {key: np.concatenate([pos_label, neg_label]),
                      f"{key}_index": np.concatenate([pos_index, negative], axis=1)}
        return out.update(fields, **extras)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_val={self.num_val}, num_test={self.num_test})"


def _check_amount(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected an int count or a float fraction, got "
                        f"{type(value).__name__} {value!r}")
    if isinstance(value, numbers.Integral):
        if value < 0:
            raise ValueError(f"{name}: expected a count >= 0, got {value}")
    elif not 0.0 <= value <= 1.0:
        raise ValueError(f"{name}: expected a fraction in [0, 1], got {value}")


def _amount(value: float, total: int) -> int:
    """PyG's rule: a float is a fraction of ``total`` (rounded down), an int a count."""
    return int(value) if isinstance(value, numbers.Integral) else int(value * total)


def _existing_labels(graph: Graph, key: str) -> np.ndarray | None:
    labels = getattr(graph, key, None)
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.ndim < 1 or labels.shape[0] != graph.num_edges:
        raise ValueError(f"{key}: an existing edge label must be one integer class per edge, shape "
                         f"({graph.num_edges}, ...), got dtype {labels.dtype} shape {labels.shape}")
    return labels.astype(np.int64, copy=False)
