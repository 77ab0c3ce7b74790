"""npgnn: attention and graph neural networks on NumPy and SciPy, with its own reverse-mode autodiff."""
from npgnn import _cli_guard

_cli_guard.install()  # the npgnn command only: Ctrl-C during these imports -> one line, exit 130

from npgnn import nn, ops, optim  # noqa: E402
from npgnn.io import load, save  # noqa: E402
from npgnn.autodiff import (  # noqa: E402
    Function, GradcheckError, Tensor, as_tensor, detect_anomaly, enable_grad, gradcheck,
    is_grad_enabled, no_grad, tensor,
)
from npgnn.device import cuda, device  # noqa: E402
from npgnn.graph import Graph  # noqa: E402
from npgnn.kernels.threads import apply_blas_policy as _apply_blas_policy  # noqa: E402
from npgnn.kernels.threads import get_num_threads, set_num_threads  # noqa: E402
from npgnn.ops import cat, stack  # noqa: E402
from npgnn.random import manual_seed, seed_everything  # noqa: E402

__version__ = "0.1.0"

# BLAS on one thread for the whole process unless the user set its threads (npgnn.kernels.threads).
_apply_blas_policy()

__all__ = [
    "Function", "GradcheckError", "Graph", "Tensor", "as_tensor", "cat", "cuda", "detect_anomaly", "device",
    "enable_grad", "get_num_threads", "gradcheck", "is_grad_enabled", "load", "manual_seed", "nn",
    "no_grad", "ops", "optim", "save", "seed_everything", "set_num_threads", "stack", "tensor",
]
