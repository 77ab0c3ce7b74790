"""Differentiable operations on Tensors (each a Function with a hand-written backward)."""
from npgnn.ops.adjacency import Adjacency
from npgnn.ops.attention import weighted_sum
from npgnn.ops.graph import (
    edge_spmm, gather, segment_max, segment_mean, segment_softmax, segment_sum, spmm,
)
from npgnn.ops.math import (
    abs, add, argmax, argmin, astype, cat, concatenate, div, exp, getitem, log, matmul, max, maximum,
    mean, min, minimum, mul, neg, pow, reshape, sqrt, squeeze, stack, sub, sum, transpose, unsqueeze,
    where,
)
from npgnn.ops.nn import (
    cross_entropy, dropout, elu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh,
)
from npgnn.ops.segments import Segments

__all__ = [
    "Adjacency", "Segments", "abs", "add", "argmax", "argmin", "astype", "cat", "concatenate", "cross_entropy", "div", "dropout",
    "edge_spmm", "elu", "exp", "gather", "getitem", "leaky_relu", "log", "log_softmax", "matmul", "max",
    "maximum", "mean", "min", "minimum", "mul", "neg", "pow", "relu", "reshape", "segment_max", "segment_mean",
    "segment_softmax", "segment_sum", "sigmoid", "softmax", "spmm", "sqrt", "squeeze", "stack",
    "sub", "sum", "tanh", "transpose", "unsqueeze", "weighted_sum", "where",
]
