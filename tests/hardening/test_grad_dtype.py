"""Integer and bool data never take gradients: Parameter and Tensor(requires_grad=True) refuse
them as torch does (issue 9, kind 4: an integer Parameter used to become float64 silently)."""
import numpy as np
import pytest

from npgnn import Tensor
from npgnn.nn import Parameter

torch = pytest.importorskip("torch")

INT_LIKE = [np.int8, np.int32, np.int64, np.uint8, np.bool_]


def message(name, dtype):
    return (rf"{name}: dtype {np.dtype(dtype)} is not supported; npgnn computes in float32 or "
            r"float64, and only floating-point data can require gradients \(as in torch")


@pytest.mark.parametrize("dtype", INT_LIKE, ids=lambda d: np.dtype(d).name)
def test_parameter_refuses_integer_and_bool_data_like_torch(dtype):
    data = np.ones(3, dtype=dtype)
    with pytest.raises(RuntimeError, match="floating point"):     # torch refuses the same
        torch.nn.Parameter(torch.from_numpy(data.copy()))
    with pytest.raises(TypeError, match=message("Parameter data", dtype)):
        Parameter(data)
    with pytest.raises(TypeError, match=message("Parameter data", dtype)):
        Parameter(Tensor(data))
    with pytest.raises(TypeError, match=message("Tensor data", dtype)):
        Tensor(data, requires_grad=True)
    assert data.dtype == dtype                                      # nothing was converted


@pytest.mark.parametrize("dtype", INT_LIKE, ids=lambda d: np.dtype(d).name)
def test_integer_data_without_gradients_is_kept_as_is(dtype):
    p = Parameter(np.arange(3).astype(dtype), requires_grad=False)  # torch allows this too
    assert p.dtype == dtype and not p.requires_grad
    assert Tensor(np.ones(2, dtype)).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_parameters_are_wrapped_without_a_copy(dtype):
    data = np.ones(3, dtype)
    p = Parameter(data)
    assert p.data is data and p.requires_grad
