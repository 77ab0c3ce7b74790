"""npgnn: attention and graph neural networks on NumPy and SciPy, with its own reverse-mode autodiff."""
from npgnn import nn, ops, optim
from npgnn.io import load, save
from npgnn.autodiff import (
    Function, GradcheckError, Tensor, as_tensor, detect_anomaly, enable_grad, gradcheck,
    is_grad_enabled, no_grad, tensor,
)
from npgnn.device import cuda, device
from npgnn.graph import Graph
from npgnn.ops import cat, stack
from npgnn.random import manual_seed, seed_everything

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Graph", "Tensor", "as_tensor", "cat", "cuda", "detect_anomaly", "device",
    "enable_grad", "gradcheck", "is_grad_enabled", "load", "manual_seed", "nn", "no_grad", "ops",
    "optim", "save", "seed_everything", "stack", "tensor",
]
