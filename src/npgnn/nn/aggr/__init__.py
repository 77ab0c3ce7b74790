"""Readouts (PyG's ``torch_geometric.nn.aggr``): ``aggr(x, index, ptr=None, dim_size=None)``.

The global pools (``npgnn.nn.global_add_pool`` ...) are the same reductions as functions.
"""
from npgnn.nn.aggr.attention import AttentionalAggregation
from npgnn.nn.aggr.base import Aggregation
from npgnn.nn.aggr.basic import MaxAggregation, MeanAggregation, SumAggregation
from npgnn.nn.aggr.set2set import Set2Set

__all__ = ["Aggregation", "AttentionalAggregation", "MaxAggregation", "MeanAggregation",
           "Set2Set", "SumAggregation"]
