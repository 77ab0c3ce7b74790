"""float16, complex, object and string dtypes are refused with ONE message at every entry point."""
import numpy as np
import pytest
import scipy.sparse as sp

from npgnn import Graph, Tensor, optim
from npgnn.nn import GATConv, GCNConv, GINConv, Linear, Parameter, SAGEConv
from npgnn.nn import functional as F

BAD = [np.float16, np.complex64, np.complex128, object, "U3"]
IDS = ["float16", "complex64", "complex128", "object", "str"]
EI = np.array([[0, 1], [1, 2]])


def msg(name, dtype):
    return rf"{name}: dtype {np.dtype(dtype)} is not supported; npgnn computes in float32 or float64"


def arr(shape, dtype):
    return np.ones(shape, dtype=dtype)


@pytest.mark.parametrize("dtype", BAD, ids=IDS)
def test_tensor_parameter_and_graph_fields(dtype):
    for requires_grad in (False, True):
        with pytest.raises(TypeError, match=msg("Tensor data", dtype)):
            Tensor(arr((2, 2), dtype), requires_grad=requires_grad)
    with pytest.raises(TypeError, match=msg("Parameter data", dtype)):
        Parameter(arr(3, dtype))
    with pytest.raises(TypeError, match=msg("x", dtype)):
        Graph(x=arr((3, 2), dtype), edge_index=EI)
    with pytest.raises(TypeError, match=msg("edge_weight", dtype)):
        Graph(edge_index=EI, edge_weight=arr(2, dtype), num_nodes=3)
    with pytest.raises(TypeError, match=msg("edge_attr", dtype)):
        Graph(edge_index=EI, edge_attr=arr((2, 4), dtype), num_nodes=3)
    with pytest.raises(TypeError, match=msg("GCNConv: edge_weight", dtype)):
        GCNConv(2, 2, rng=0)(np.ones((3, 2), np.float32), EI, arr(2, dtype))


@pytest.mark.parametrize("dtype", BAD, ids=IDS)
def test_dense_x_into_layers(dtype):
    x = arr((3, 2), dtype)
    for layer in (GCNConv(2, 2, rng=0), SAGEConv(2, 2, rng=0), GATConv(2, 2, rng=0)):
        with pytest.raises(TypeError, match=msg("Tensor data", dtype)):
            layer(x, EI)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128], ids=["complex64", "complex128"])
def test_sparse_complex_x_is_refused_not_truncated(dtype):
    x = sp.csr_matrix(np.full((3, 2), 1 + 2j, dtype=dtype))
    with pytest.raises(TypeError, match=msg("x", dtype)):
        Graph(x=x, edge_index=EI)
    cases = [("Linear: x", lambda: Linear(2, 2, rng=0)(x)),
             ("Linear: x", lambda: GCNConv(2, 2, rng=0)(x, EI)),
             ("SAGEConv: x", lambda: SAGEConv(2, 2, rng=0)(x, EI)),
             ("GINConv: x", lambda: GINConv(Linear(2, 2, rng=0))(x, EI)),
             ("GATConv: x", lambda: GATConv(2, 2, rng=0)(x, EI)),
             ("dropout: x", lambda: F.dropout(x, 0.5))]
    for name, call in cases:
        with pytest.raises(TypeError, match=msg(name, dtype)):
            call()


@pytest.mark.parametrize("dtype", BAD, ids=IDS)
def test_backward_grad(dtype):
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * 2.0
    with pytest.raises(TypeError, match=msg(r"backward\(\): grad", dtype)):
        y.backward(arr(3, dtype))
    assert x.grad is None


def test_backward_integer_grad_is_converted():
    x = Tensor(np.ones(3), requires_grad=True)
    (x * 2.0).backward(np.array([1, 2, 3]))
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize("opt", [lambda p: optim.Adam([p]), lambda p: optim.SGD([p], lr=0.1)],
                         ids=["Adam", "SGD"])
def test_optimizer_refuses_complex_grad_or_data(opt):
    p = Parameter(np.ones(3, np.float32))
    p.grad = np.full(3, 1 + 1j)
    o = opt(p)
    name = type(o).__name__
    with pytest.raises(TypeError, match=msg(rf"{name}\.step\(\): Parameter\(shape=\(3,\), "
                                            r"dtype=float32\) grad", np.complex128)):
        o.step()
    assert p.data.tolist() == [1.0, 1.0, 1.0]
    p.data = np.ones(3, np.complex128)
    p.grad = np.ones(3)
    with pytest.raises(TypeError, match=msg(rf"{name}\.step\(\): Parameter\(shape=\(3,\), "
                                            r"dtype=complex128\) data", np.complex128)):
        o.step()


def test_optimizer_refuses_integer_parameter():
    p = Parameter(np.ones(3, np.float32))
    p.data = np.ones(3, np.int64)
    p.grad = np.ones(3)
    with pytest.raises(TypeError, match=r"Adam\.step\(\): Parameter\(shape=\(3,\), dtype=int64\) "
                                        r"has int64 data; optimizers update only float32 or float64"):
        optim.Adam([p]).step()
    assert p.data.dtype == np.int64 and p.data.tolist() == [1, 1, 1]


@pytest.mark.parametrize("dtype", [np.complex128, object, "U3"], ids=["complex", "object", "str"])
def test_load_state_dict_refuses_before_copying(dtype):
    m = Linear(2, 2, rng=0)
    before = m.bias.data.copy()
    state = {"bias": np.full(2, 7.0), "weight": arr((2, 2), dtype)}
    with pytest.raises(TypeError, match=msg("load_state_dict: 'weight'", dtype)):
        m.load_state_dict(state)
    np.testing.assert_array_equal(m.bias.data, before)   # nothing copied


def test_load_state_dict_accepts_float16_exactly():
    m = Linear(2, 2, rng=0)
    m.load_state_dict({"weight": np.full((2, 2), 0.5, np.float16), "bias": np.zeros(2, np.float16)})
    assert m.weight.dtype == np.float32 and (m.weight.data == 0.5).all()
