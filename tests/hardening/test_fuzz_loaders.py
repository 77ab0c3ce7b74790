"""Property suite: npgnn.loader.DataLoader and NeighborLoader built and iterated with malformed
datasets and options. Either a clear npgnn error, or batches that are right: every graph once
(DataLoader), seeds first and every edge inside the batch (NeighborLoader)."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from npgnn import Graph
from npgnn.loader import DataLoader, NeighborLoader

from ._fuzz import FUZZ, Refused, arrays, junk, outcome


def _graph(n: int, seed: int, *, x: bool = True, y: bool = True) -> Graph:
    rng = np.random.default_rng(seed)
    e = 2 * n
    ei = rng.integers(0, n, (2, e)) if n else np.empty((2, 0), np.int64)
    return Graph(edge_index=ei, num_nodes=n, x=rng.standard_normal((n, 3)).astype(np.float32)
                 if x else None, y=rng.integers(0, 2, n) if y else None)


@st.composite
def datasets(draw):
    kind = draw(st.sampled_from(["graphs", "graphs", "mixed_fields", "with_junk", "junk"]))
    if kind == "junk":
        return draw(junk())
    sizes = draw(st.lists(st.integers(0, 4), max_size=6))
    graphs = [_graph(n, i) for i, n in enumerate(sizes)]
    if kind == "mixed_fields" and graphs:
        graphs[-1] = _graph(sizes[-1], 99, x=False)
    if kind == "with_junk":
        graphs.insert(draw(st.integers(0, len(graphs))), draw(junk()))
    return graphs


@FUZZ
@given(datasets(), st.one_of(st.integers(-1, 4), junk()), st.booleans(), st.booleans(),
       st.one_of(st.none(), st.integers(0, 3), junk()))
def test_data_loader(dataset, batch_size, shuffle, drop_last, seed):
    out = outcome(lambda: list(DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                                          drop_last=drop_last, seed=seed)))
    if isinstance(out, Refused):
        return
    n, b = len(dataset), batch_size
    assert len(out) == (n // b if drop_last else -(-n // b))
    got = sorted(int(s) for batch in out for s in np.diff(batch.ptr))
    if not drop_last:
        assert got == sorted(g.num_nodes for g in dataset)
    for batch in out:
        assert batch.num_nodes == batch.batch.shape[0]
        assert batch.x is None or batch.x.shape[0] == batch.num_nodes
        assert not batch.num_edges or batch.edge_index.max() < batch.num_nodes


@st.composite
def neighbor_options(draw, n: int):
    num_neighbors = draw(st.one_of(
        st.lists(st.integers(-2, 3), max_size=3), st.just([2.5]), st.just([True]),
        st.just((1, 1)), st.just(np.array([2, 1])), junk()))
    input_nodes = draw(st.one_of(
        st.none(), st.lists(st.integers(-1, n + 1), max_size=4).map(np.array),
        arrays((n,), dtypes=[np.bool_, np.int64, np.float64, np.uint8], ints=(0, 1)), junk()))
    batch_size = draw(st.one_of(st.integers(-1, 4), junk()))
    subgraph_type = draw(st.sampled_from(["directional", "induced", "bidirectional", 3]))
    replace = draw(st.booleans())
    return dict(num_neighbors=num_neighbors, input_nodes=input_nodes, batch_size=batch_size,
                subgraph_type=subgraph_type, replace=replace, seed=0)


@FUZZ
@given(st.data())
def test_neighbor_loader(data):
    n = data.draw(st.integers(0, 6), label="n")
    graph = data.draw(st.one_of(st.just(_graph(n, 0)), junk()), label="data")
    options = data.draw(neighbor_options(n), label="options")
    out = outcome(lambda: list(NeighborLoader(graph, **options)))
    if isinstance(out, Refused):
        return
    for batch in out:
        bs = batch.batch_size
        assert batch.n_id.dtype == np.int64 and batch.n_id.shape == (batch.num_nodes,)
        assert len(np.unique(batch.n_id)) == batch.num_nodes           # each node once
        assert 1 <= bs <= batch.num_nodes
        np.testing.assert_array_equal(batch.x, graph.x[batch.n_id])
        if batch.num_edges:
            assert batch.edge_index.min() >= 0 and batch.edge_index.max() < batch.num_nodes
            np.testing.assert_array_equal(batch.n_id[batch.edge_index],
                                          graph.edge_index[:, batch.e_id])
