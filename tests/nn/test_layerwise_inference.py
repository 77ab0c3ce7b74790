"""BasicGNN.inference: layer-wise full-graph inference over 1-hop NeighborLoader batches."""
import numpy as np
import pytest

from npgnn.graph.graph import Graph
from npgnn.loader import NeighborLoader
from npgnn.nn.models import GAT, GIN, GraphSAGE


def _graph(dtype=np.float64):
    rng = np.random.default_rng(0)
    ei = rng.integers(0, 35, (2, 260))                  # duplicates, self-loops, isolated 35..39
    return Graph(edge_index=ei, num_nodes=40, x=rng.random((40, 5)).astype(dtype))


@pytest.mark.parametrize("make", [
    lambda: GraphSAGE(5, 8, 3, 4, norm="batch_norm"),
    lambda: GraphSAGE(5, 8, 2, 4, jk="last", act_first=True),
    lambda: GraphSAGE(5, 3, 2, 2, aggr="sum", project=True),   # W_l before the aggregation
    lambda: GraphSAGE(5, 8, 2, 4, aggr="max"),                 # through the loader's batches
    lambda: GIN(5, 8, 2, 3),
    lambda: GAT(5, 8, 2, 3, heads=2),
])
@pytest.mark.parametrize("shuffle", [False, True])
def test_inference_equals_the_full_forward(make, shuffle):
    g = _graph()
    model = make().double()
    model.eval()
    want = model(g.x, g.edge_index).data
    got = model.inference(NeighborLoader(g, [-1], batch_size=7, shuffle=shuffle, seed=0)).data
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("aggr", ["mean", "sum"])
def test_sage_inference_reads_the_csr_not_the_loader_batches(aggr, monkeypatch):
    """Mean/sum SAGE layers run over blocks of target rows of the cached in-edge CSR: the
    loader's batches are never sampled, and the outputs equal the full forward."""
    g = _graph()
    model = GraphSAGE(5, 8, 2, 4, aggr=aggr).double().eval()
    loader = NeighborLoader(g, [-1], batch_size=6)
    monkeypatch.setattr(NeighborLoader, "_iter_structure",
                        lambda self: pytest.fail("sampled the loader's batches"))
    np.testing.assert_allclose(model.inference(loader).data, model(g.x, g.edge_index).data,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make", [lambda: GraphSAGE(5, 8, 2, 4), lambda: GIN(5, 8, 2, 3)])
@pytest.mark.parametrize("n", [0, 6])
def test_inference_on_a_graph_without_edges(make, n):
    g = Graph(edge_index=np.zeros((2, 0), np.int64), num_nodes=n,
              x=np.random.default_rng(1).random((n, 5)))
    model = make().double().eval()
    got = model.inference(NeighborLoader(g, [-1], batch_size=4)).data
    assert got.shape == (n, model.out_channels)
    np.testing.assert_allclose(got, model(g.x, g.edge_index).data, rtol=1e-12, atol=1e-12)


def test_inference_float32():
    g = _graph(np.float32)
    model = GraphSAGE(5, 8, 2, 4).eval()
    got = model.inference(NeighborLoader(g, [-1], batch_size=16)).data
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, model(g.x, g.edge_index).data, rtol=1e-5, atol=1e-6)


def test_inference_refuses_what_it_cannot_compute():
    g = _graph()
    loader = NeighborLoader(g, [-1], batch_size=8)
    with pytest.raises(ValueError, match=r"call model.eval\(\) first"):
        GraphSAGE(5, 8, 2, 3).train().inference(loader)
    with pytest.raises(ValueError, match="needs jk None or 'last', got jk='cat'"):
        GraphSAGE(5, 8, 2, 3, jk="cat").eval().inference(loader)
    model = GraphSAGE(5, 8, 2, 3).eval()
    with pytest.raises(ValueError, match=r"num_neighbors=\[-1\]\), got \[5\]"):
        model.inference(NeighborLoader(g, [5], batch_size=8))
    with pytest.raises(ValueError, match="must cover all 40 nodes"):
        model.inference(NeighborLoader(g, [-1], input_nodes=np.arange(10), batch_size=8))
    with pytest.raises(TypeError, match="loader must be a NeighborLoader, got list"):
        model.inference([g])
