"""``.to(device)``: the CPU is a no-op, any other device raises; ``.to(dtype)`` casts."""
import numpy as np
import pytest

import npgnn
from npgnn import Tensor
from npgnn.nn import BatchNorm1d, Linear, Sequential

torch = pytest.importorskip("torch")
CPU = ["cpu", "cpu:0", npgnn.device("cpu"), npgnn.device("cpu", 0), torch.device("cpu"),
       torch.device("cpu:0")]
OTHER = ["cuda", "cuda:1", "mps", npgnn.device("cuda"), torch.device("cuda:0"), "cpu:1"]


@pytest.mark.parametrize("dev", CPU, ids=str)
def test_cpu_is_a_no_op(dev):
    model = Sequential(Linear(3, 2, rng=0), BatchNorm1d(2))
    before = [p.data for p in model.parameters()]
    assert model.to(dev) is model and model.cpu() is model
    assert all(p.data is b for p, b in zip(model.parameters(), before))
    t = Tensor(np.ones(2, dtype=np.float32))
    assert t.to(dev) is t and t.cpu() is t and t.to(device=dev) is t


@pytest.mark.parametrize("dev", OTHER, ids=str)
def test_other_devices_raise(dev):
    with pytest.raises(RuntimeError, match=r"Sequential.to: npgnn runs on the CPU only .* use 'cpu'"):
        Sequential(Linear(3, 2, rng=0)).to(dev)
    with pytest.raises(RuntimeError, match=r"Tensor.to: npgnn runs on the CPU only"):
        Tensor(np.ones(2)).to(dev)


def test_cuda_calls_raise_and_cuda_is_unavailable():
    assert not npgnn.cuda.is_available() and npgnn.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match=r"Tensor.cuda: npgnn runs on the CPU only"):
        Tensor(np.ones(2)).cuda()
    with pytest.raises(RuntimeError, match=r"Linear.cuda: npgnn runs on the CPU only"):
        Linear(2, 2, rng=0).cuda()
    dev = npgnn.device("cuda" if npgnn.cuda.is_available() else "cpu")
    assert dev.type == "cpu" and str(dev) == "cpu" and dev == npgnn.device("cpu")


def test_to_dtype_is_unchanged_and_combines_with_a_device():
    model = Sequential(Linear(3, 2, rng=0), BatchNorm1d(2))
    assert model.to(np.float64) is model
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model[1].running_mean.dtype == np.float64
    model.to("cpu", np.float32)
    assert all(p.dtype == np.float32 for p in model.parameters())
    model.to(torch.float64)
    assert all(p.dtype == np.float64 for p in model.parameters())
    t = Tensor(np.ones(2), requires_grad=True)
    assert t.to(torch.float32).dtype == np.float32 and t.to("cpu", dtype="float32").dtype == np.float32
    assert t.to(Tensor(np.ones(1, dtype=np.float32))).dtype == np.float32


def test_bad_to_arguments_name_what_was_expected():
    with pytest.raises(TypeError, match=r"Tensor.to: expected a device \('cpu'\) or a dtype .* got 'gpu0'"):
        Tensor(np.ones(2)).to("gpu0")
    with pytest.raises(TypeError, match=r"Linear.to: unexpected keyword argument\(s\) \['devcie'\]"):
        Linear(2, 2, rng=0).to(devcie="cpu")
    with pytest.raises(ValueError, match=r"device: expected 'type' or 'type:index', got 'cpu:x'"):
        npgnn.device("cpu:x")
