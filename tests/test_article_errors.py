"""Bad input to the article's layers: each error names the argument, what was expected and what
came. NaN/inf policy: IEEE propagation like NumPy; ``npgnn.detect_anomaly()`` names the first op."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import npgnn
from npgnn.article import (
    Affine,
    Aggregate,
    GNN_Layer,
    MessagePassing,
    Softmax,
    SoftmaxWithLoss,
    TwoLayerGNN,
    WeightSum,
    cross_entropy_error,
    softmax,
    softmax_3D,
)
from npgnn.demo import ADJ  # the article's 5-node graph


def test_weight_sum_shapes() -> None:
    with pytest.raises(ValueError, match=r"WeightSum.forward: a must have shape \(N, T\) = \(2, 2\) "
                                         r"to match hs \(2, 2, 3\), got \(2, 3\)"):
        WeightSum().forward(np.ones((2, 2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"WeightSum.forward: hs must be 3-D \(N, T, H\), got shape \(2, 3\)"):
        WeightSum().forward(np.ones((2, 3)), np.ones((2, 3)))


def test_adjacency_not_square() -> None:
    with pytest.raises(ValueError, match=r"MessagePassing: adj_mat must be a square \(T, T\) matrix.*"
                                         r"got shape \(3, 4\)"):
        MessagePassing(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"adj_mat must be a square.*got shape \(5,\)"):
        MessagePassing(np.ones(5))
    with pytest.raises(ValueError, match=r"TwoLayerGNN: adj_mat must be a square.*got shape \(2, 3\)"):
        TwoLayerGNN(2, 2, 2, sp.csr_matrix(np.ones((2, 3))))


def test_adjacency_not_matching_t() -> None:
    with pytest.raises(ValueError, match=r"MessagePassing.forward: h must have shape \(N, T, H\) with "
                                         r"T = 5 nodes to match adj_mat \(5, 5\), got \(2, 4, 3\)"):
        MessagePassing(ADJ).forward(np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match=r"h must have shape \(N, T, H\) with T = 5.*got \(5, 3\)"):
        MessagePassing(ADJ).forward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"TwoLayerGNN: x must have shape \(N, T, D\) = \(N, 5, 2\), "
                                         r"got \(2, 4, 2\)"):
        TwoLayerGNN(2, 2, 2, ADJ).predict(np.ones((2, 4, 2)))


def test_weights_against_features() -> None:
    with pytest.raises(ValueError, match=r"GNN_Layer.forward: h must have shape \(N, T, D\) with "
                                         r"D = W.shape\[0\] = 3, got \(2, 5, 4\)"):
        GNN_Layer(np.ones((3, 3)), np.ones(3), ADJ).forward(np.ones((2, 5, 4)))
    with pytest.raises(ValueError, match=r"Affine.forward: x must have last dimension D = W.shape\[0\] "
                                         r"= 3, got shape \(4, 2\)"):
        Affine(np.ones((3, 2)), np.ones(2)).forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"Affine: b must have shape \(H,\) = \(2,\) to match W "
                                         r"\(3, 2\), got \(3,\)"):
        GNN_Layer(np.ones((3, 2)), np.ones(3), ADJ)
    with pytest.raises(ValueError, match=r"Affine: W must be 2-D \(D, H\), got shape \(3,\)"):
        Affine(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"TwoLayerGNN: x must have shape \(N, T, D\) = \(N, 5, 2\), "
                                         r"got \(2, 5, 3\)"):
        TwoLayerGNN(2, 2, 2, ADJ).calc_gradient(np.ones((2, 5, 3)), np.eye(2))


@pytest.mark.parametrize("call", [
    lambda bad: WeightSum().forward(bad, np.ones((2, 2))),
    lambda bad: MessagePassing(ADJ).forward(bad),
    lambda bad: GNN_Layer(np.ones((3, 3)), np.ones(3), ADJ).forward(bad),
    lambda bad: Softmax().forward(bad),
    lambda bad: Aggregate().forward(bad),
], ids=["WeightSum", "MessagePassing", "GNN_Layer", "Softmax", "Aggregate"])
def test_non_numeric_inputs(call) -> None:
    for bad in (np.full((2, 5, 3), "x"), np.ones((2, 5, 3), dtype=complex)):
        with pytest.raises(TypeError, match=r"\.forward: \w+ must be a real numeric array .*got dtype="):
            call(bad)


def test_non_numeric_constructor_and_function_arguments() -> None:
    with pytest.raises(TypeError, match=r"MessagePassing: adj_mat must be a real numeric array.*<U1"):
        MessagePassing(np.full((2, 2), "a"))
    with pytest.raises(TypeError, match=r"Affine: W must be a real numeric array.*object"):
        Affine(np.array([[None]]), np.zeros(1))
    with pytest.raises(TypeError, match=r"softmax: a must be a real numeric array"):
        softmax(np.array([["a"]]))
    with pytest.raises(TypeError, match=r"TwoLayerGNN: x must be a real numeric array"):
        TwoLayerGNN(2, 2, 2, ADJ).predict(np.full((1, 5, 2), "1"))
    with pytest.raises(TypeError, match=r"SoftmaxWithLoss.forward: t must be a real numeric array"):
        SoftmaxWithLoss().forward(np.ones((2, 2)), np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(TypeError, match=r"params: W1 must be a real numeric array"):
        TwoLayerGNN(2, 2, 2, ADJ).params["W1"] = np.full((2, 2), "x")


def test_function_shapes() -> None:
    with pytest.raises(ValueError, match=r"softmax: a must be 2-D, got shape \(2, 5, 3\)"):
        softmax(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"softmax_3D: a must be 3-D, got shape \(2, 3\)"):
        softmax_3D(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"cross_entropy_error: t must be one-hot \(2, 3\) or integer "
                                         r"labels \(2,\) to match y, got \(3, 2\)"):
        cross_entropy_error(np.ones((2, 3)) / 3, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss.forward: t must be one-hot \(N, C\) = \(2, 2\) "
                                         r"or integer labels \(N,\) = \(2,\) to match x, got shape \(3,\)"):
        SoftmaxWithLoss().forward(np.ones((2, 2)), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss.forward: x must be 2-D scores"):
        SoftmaxWithLoss().forward(np.ones((2, 2, 2)), np.eye(2))
    with pytest.raises(ValueError, match=r"Aggregate.forward: h must be 3-D \(N, T, H\), got shape \(5, 3\)"):
        Aggregate().forward(np.ones((5, 3)))


@pytest.mark.parametrize("layer", [
    WeightSum(), MessagePassing(ADJ), Affine(np.ones((2, 2)), np.ones(2)),
    GNN_Layer(np.ones((2, 2)), np.ones(2), ADJ), Softmax(), Aggregate(), SoftmaxWithLoss(),
    TwoLayerGNN(2, 2, 2, ADJ, rng=np.random.RandomState(0)),
], ids=lambda v: type(v).__name__)
def test_backward_before_forward(layer) -> None:
    with pytest.raises(RuntimeError, match=rf"{type(layer).__name__}.backward\(\): call forward\(\) "
                                           r"with ndarray inputs first"):
        layer.backward(np.ones((2, 5, 2)))


def test_backward_twice_after_one_forward_gives_the_same_gradients() -> None:
    """Book style (issue 7 item 7): the article's layers keep their cache, so a second backward
    on the same forward works and gives the same gradients (not a sum, not an error)."""
    layer = Aggregate()
    layer.forward(np.random.default_rng(0).standard_normal((2, 5, 3)))
    dout = np.random.default_rng(1).standard_normal((2, 3))
    first = layer.backward(dout)
    np.testing.assert_array_equal(layer.backward(dout), first)


def test_gradient_of_the_wrong_shape() -> None:
    mp = MessagePassing(ADJ)
    mp.forward(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"MessagePassing.backward: dout must have the output's shape "
                                         r"\(N, T, H\) = \(2, 5, 3\), or \(N, H\) = \(2, 3\) for the same "
                                         r"gradient on every node, got \(5, 3\)"):
        mp.backward(np.ones((5, 3)))
    ws = WeightSum()
    ws.forward(np.ones((2, 2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"WeightSum.backward\(\): dout must have the forward output's "
                                         r"shape \(2, 3\), got \(2, 2\)"):
        ws.backward(np.ones((2, 2)))
    layer = GNN_Layer(np.ones((3, 2)), np.ones(2), ADJ)
    layer.forward(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"GNN_Layer.backward\(\): dout must have the forward output's "
                                         r"shape \(2, 5, 2\), got \(2, 5, 3\)"):
        layer.backward(np.ones((2, 5, 3)))


# ---------------------------------------------------------------------------- NaN and inf
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NumPy's own
def test_nan_and_inf_propagate_like_numpy() -> None:
    h = np.ones((2, 5, 3))
    h[0, 0, 0] = np.nan
    h[1, 1, 1] = np.inf
    mp = MessagePassing(ADJ)
    m = mp.forward(h)  # no exception: IEEE arithmetic
    expected = np.einsum("ij,njh->nih", ADJ.astype(float), h)
    np.testing.assert_array_equal(np.isnan(m), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(m), np.isinf(expected))
    g = np.ones((2, 5, 3))
    g[0, 2, 0] = np.nan
    # dense A: 0 · NaN = NaN, so the NaN reaches every node, exactly as NumPy's Aᵀ @ g does
    np.testing.assert_array_equal(np.isnan(mp.backward(g)), np.isnan(ADJ.T.astype(float) @ g))
    # sparse A multiplies stored edges only: the NaN reaches exactly node 2's in-neighbours
    sparse = MessagePassing(sp.csr_matrix(ADJ))
    sparse.forward(h)
    assert np.flatnonzero(np.isnan(sparse.backward(g)[0, :, 0])).tolist() == [0, 1, 2, 4]
    network = TwoLayerGNN(2, 2, 2, ADJ, rng=np.random.RandomState(0))
    x = np.ones((2, 5, 2))
    x[0, 0, 0] = np.nan
    grads = network.calc_gradient(x, np.eye(2))
    assert np.isnan(grads["W1"]).any() and np.isnan(network.predict(x)[0]).all()
    assert np.isfinite(network.predict(x)[1]).all()  # the other graph is untouched


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_detect_anomaly_names_the_first_op() -> None:
    h = np.ones((2, 5, 3))
    h[0, 0, 0] = np.inf
    with npgnn.detect_anomaly(), pytest.raises(FloatingPointError,
                                               match=r"SpMM.forward output holds a non-finite value"):
        MessagePassing(ADJ).forward(h)
    # overflow inside the model: finite input, the Affine's matmul produces inf
    layer = GNN_Layer(np.full((3, 3), 1e308), np.zeros(3), ADJ)
    with npgnn.detect_anomaly(), np.errstate(over="ignore"), pytest.raises(
            FloatingPointError, match=r"MatMul.forward output holds a non-finite value"):
        layer.forward(np.ones((2, 5, 3)))
    # a NaN gradient is caught on the way back too
    mp = MessagePassing(ADJ)
    mp.forward(np.ones((2, 5, 3)))
    with npgnn.detect_anomaly(), pytest.raises(FloatingPointError,
                                               match=r"SpMM.backward gradient for input 0"):
        mp.backward(np.full((2, 5, 3), np.nan))
