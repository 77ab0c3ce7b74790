"""Modules: the base class, parameters, and layers."""
from npgnn.nn.activation import ELU, Dropout, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from npgnn.nn.linear import Linear
from npgnn.nn.module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "Dropout", "ELU", "LeakyReLU", "Linear", "LogSoftmax", "Module", "ModuleList", "Parameter",
    "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh",
]
