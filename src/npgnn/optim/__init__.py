"""Optimizers: update parameters in place from their ``.grad``."""
from npgnn.optim.optimizer import Optimizer
from npgnn.optim.sgd import SGD

__all__ = ["Optimizer", "SGD"]
