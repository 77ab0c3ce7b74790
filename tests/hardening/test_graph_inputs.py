"""Malformed graph inputs: empty edge_index of the wrong shape, negative GCN degrees."""
import numpy as np
import pytest

from npgnn import Graph, Tensor
from npgnn.graph.transforms import gcn_norm
from npgnn.nn import GCNConv, SAGEConv
from npgnn.utils import get_laplacian

X = np.ones((4, 3), np.float32)


@pytest.mark.parametrize("shape", [(3, 0), (1, 0), (0, 0), (0, 2), (4, 0)])
def test_empty_edge_index_of_wrong_shape_is_refused(shape):
    ei = np.zeros(shape, np.int64)
    match = rf"edge_index: expected shape \(2, E\).*got \({shape[0]}, {shape[1]}\)"
    with pytest.raises(ValueError, match=match):
        Graph(x=X, edge_index=ei)
    with pytest.raises(ValueError, match=match):
        GCNConv(3, 2, rng=0)(X, ei)
    with pytest.raises(ValueError, match=match):
        SAGEConv(3, 2, rng=0)(Tensor(X), ei)


@pytest.mark.parametrize("ei", [[], np.zeros(0, np.int64), np.zeros((2, 0), np.int64), [[], []]])
def test_empty_edge_index_means_no_edges(ei):
    assert Graph(x=X, edge_index=ei).num_edges == 0
    assert GCNConv(3, 2, rng=0)(X, ei).shape == (4, 2)


EI = np.array([[0, 1, 2], [1, 2, 3]])


def test_gcn_negative_degree_is_refused_naming_edge_weight():
    w = np.array([-3.0, 1.0, 1.0], np.float32)  # node 1: 1 (self-loop) - 3 = -2
    match = r"gcn_norm: edge_weight gives 1 node\(s\) a negative weighted in-degree.*node 1, " \
            r"degree -2\.0"
    with pytest.raises(ValueError, match=match):
        GCNConv(3, 2, rng=0)(X, EI, edge_weight=w)
    with pytest.raises(ValueError, match=match):
        gcn_norm(Graph(edge_index=EI, edge_weight=w, num_nodes=4))
    with pytest.raises(ValueError, match="negative weighted out-degree.*node 0"):
        get_laplacian(EI, w, "sym")


def test_gcn_negative_weight_with_nonnegative_degrees_is_finite():
    w = np.array([-0.5, 1.0, 1.0], np.float32)  # node 1: 1 - 0.5 = 0.5 >= 0
    out = GCNConv(3, 2, rng=0)(X, EI, edge_weight=w).data
    assert np.isfinite(out).all()
    # 'row' and 'col' divide by the degree: a negative one is finite, hence accepted
    g = gcn_norm(Graph(edge_index=EI, edge_weight=np.array([-3.0, 1, 1]), num_nodes=4), norm="row")
    assert np.isfinite(g.edge_weight).all()


# ---------------------------------------------------------------------------- y and mask dtypes
@pytest.mark.parametrize("name", ["train_mask", "val_mask", "test_mask"])
def test_float_masks_are_refused_not_rounded(name):
    with pytest.raises(TypeError, match=rf"{name}: expected a boolean mask \(bool, or 0/1 "
                                        r"integers\), got dtype float64; a float mask is refused"):
        Graph(edge_index=np.array([[0], [1]]), num_nodes=3, **{name: np.array([1.0, 0.0, 1.0])})
    g = Graph(edge_index=np.array([[0], [1]]), num_nodes=3)
    with pytest.raises(TypeError, match=rf"{name}: dtype complex128 is not supported"):
        setattr(g, name, np.array([1, 0, 1], dtype=complex))
    with pytest.raises(TypeError, match=rf"{name}: dtype object is not supported"):
        setattr(g, name, np.array([True, None, False], dtype=object))
    setattr(g, name, np.array([1, 0, 1], dtype=np.int8))                   # 0/1 ints: converted
    assert getattr(g, name).dtype == np.bool_ and getattr(g, name).tolist() == [True, False, True]
    with pytest.raises(TypeError, match=rf"{name}: expected a boolean mask"):
        setattr(g, name, np.array([0, 2, 1]))                                # ids, not a mask


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint8, np.float32, np.float64])
def test_y_keeps_class_ids_and_float_targets(dtype):
    g = Graph(edge_index=np.array([[0], [1]]), num_nodes=2, y=np.array([1, 0], dtype=dtype))
    assert g.y.dtype == dtype
    g.y = np.array([np.nan, 0.5])                                  # missing labels: allowed
    assert np.isnan(g.y[0])


@pytest.mark.parametrize("value, match", [
    (np.array([True, False]), r"y: expected integer class ids or float targets, got dtype bool"),
    (np.array([1 + 1j, 0]), r"y: dtype complex128 is not supported"),
    (np.array(["a", "b"]), r"y: dtype <U1 is not supported"),
    (np.array([1, None], dtype=object), r"y: dtype object is not supported"),
    (np.array([1, 0], dtype=np.float16), r"y: dtype float16 is not supported"),
])
def test_y_refuses_other_dtypes(value, match):
    with pytest.raises(TypeError, match=match):
        Graph(edge_index=np.array([[0], [1]]), num_nodes=2, y=value)
    g = Graph(edge_index=np.array([[0], [1]]), num_nodes=2)
    with pytest.raises(TypeError, match=match):
        g.y = value
