"""Optimizers (update parameters in place from their ``.grad``), gradient clipping, lr schedules."""
from npgnn.optim.adam import Adam, AdamW
from npgnn.optim.clip import clip_grad_norm_, clip_grad_value_
from npgnn.optim.lr_scheduler import LRScheduler, StepLR
from npgnn.optim.optimizer import Optimizer
from npgnn.optim.sgd import SGD

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "LRScheduler",
    "Optimizer",
    "StepLR",
    "clip_grad_norm_",
    "clip_grad_value_",
]
