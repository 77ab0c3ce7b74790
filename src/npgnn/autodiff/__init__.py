"""The autodiff core: Tensor, Function, the backward engine, grad modes and the gradient checker."""
# isort: off
# tensor first: its operators bind npgnn.ops, whose Functions import autodiff.function
from npgnn.autodiff.tensor import Tensor, as_tensor, tensor
from npgnn.autodiff.function import Function, unbroadcast
from npgnn.autodiff.grad_mode import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from npgnn.autodiff.gradcheck import GradcheckError, gradcheck
# isort: on

__all__ = [
    "Function", "GradcheckError", "Tensor", "as_tensor", "detect_anomaly", "enable_grad",
    "gradcheck", "is_grad_enabled", "no_grad", "tensor", "unbroadcast",
]
