"""``SumAggregation``, ``MeanAggregation``, ``MaxAggregation``: the global pools as modules."""
from __future__ import annotations

from npgnn.autodiff.tensor import Tensor
from npgnn.nn.aggr.base import Aggregation
from npgnn.ops.graph import segment_max, segment_mean, segment_sum
from npgnn.ops.segments import Segments


class SumAggregation(Aggregation):
    """``out[g] = Σ_{n in g} x[n]`` (PyG's ``SumAggregation``; :func:`global_add_pool`)."""

    def reduce(self, x: Tensor, segments: Segments) -> Tensor:
        return segment_sum(x, segments)


class MeanAggregation(Aggregation):
    """The mean of each group's rows; 0 for an empty group (PyG's ``MeanAggregation``)."""

    def reduce(self, x: Tensor, segments: Segments) -> Tensor:
        return segment_mean(x, segments)


class MaxAggregation(Aggregation):
    """The elementwise max of each group's rows; 0 for an empty group; tied maxima share the
    gradient (PyG's ``MaxAggregation``)."""

    def reduce(self, x: Tensor, segments: Segments) -> Tensor:
        return segment_max(x, segments)
