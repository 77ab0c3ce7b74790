"""npgnn.utils.to_networkx / from_networkx equal PyG's."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from npgnn import Graph, utils

from ._helpers import random_edges, same, t


def _graph(seed=0):
    rng = np.random.default_rng(seed)
    ei = random_edges(seed)
    e = ei.shape[1]
    return Graph(ei, num_nodes=12, x=rng.standard_normal((12, 2)), y=rng.integers(0, 3, 12),
                 edge_weight=rng.random(e), edge_attr=rng.standard_normal((e, 2)))


def _data(torch, g):
    from torch_geometric.data import Data

    return Data(edge_index=t(torch, g.edge_index), x=t(torch, g.x), y=t(torch, g.y),
                edge_weight=t(torch, g.edge_weight), edge_attr=t(torch, g.edge_attr),
                num_nodes=g.num_nodes)


@pytest.mark.parametrize("to_undirected", [False, True, "upper", "lower"])
@pytest.mark.parametrize("to_multi", [False, True])
@pytest.mark.parametrize("remove_self_loops", [False, True])
def test_to_networkx_equals_pyg(torch, to_undirected, to_multi, remove_self_loops):
    from torch_geometric.utils import to_networkx

    g = _graph()
    kwargs = {"node_attrs": ["x", "y"], "edge_attrs": ["edge_weight", "edge_attr"],
                  "to_undirected": to_undirected, "to_multi": to_multi,
                  "remove_self_loops": remove_self_loops}
    ours, theirs = utils.to_networkx(g, **kwargs), to_networkx(_data(torch, g), **kwargs)
    assert type(ours) is type(theirs)
    assert list(ours.nodes(data=True)) == list(theirs.nodes(data=True))
    assert list(ours.edges(data=True)) == list(theirs.edges(data=True))
    plain = utils.to_networkx(g)
    assert list(plain.edges) == list(to_networkx(_data(torch, g)).edges)


def _nx_graph(directed):
    rng = np.random.default_rng(1)
    G = nx.DiGraph() if directed else nx.Graph()
    for node in ["c", "a", "b", "d"]:
        G.add_node(node, x=rng.random(2).tolist(), y=int(rng.integers(0, 3)), feat=1.5)
    for u, v in [("a", "c"), ("c", "b"), ("b", "b"), ("d", "a")]:
        G.add_edge(u, v, edge_weight=float(rng.random()), w2=int(rng.integers(0, 9)))
    return G


@pytest.mark.parametrize("directed", [True, False])
def test_from_networkx_equals_pyg(torch, directed):
    from torch_geometric.utils import from_networkx

    G = _nx_graph(directed)
    for node_group, edge_group in ((["x", "feat"], ["w2"]), ("all", "all"), (["feat"], None)):
        H = G.copy()
        if edge_group is None:  # the rest must land on Graph fields: keep only those
            for _, _, d in H.edges(data=True):
                d.pop("w2")
        ours = utils.from_networkx(H, node_group, edge_group)
        theirs = from_networkx(H, node_group, edge_group)
        assert ours.num_nodes == theirs.num_nodes
        for key in ("edge_index", "x", "y", "edge_weight", "edge_attr"):
            if getattr(theirs, key, None) is not None or getattr(ours, key) is not None:
                same(getattr(ours, key), getattr(theirs, key))


def test_from_networkx_errors():
    G = _nx_graph(True)
    G.nodes["a"]["extra"] = 1
    with pytest.raises(ValueError, match="not all nodes contain the same attributes"):
        utils.from_networkx(G)
    G = nx.path_graph(3)
    nx.set_edge_attributes(G, 1.0, "weight")
    g = utils.from_networkx(G)                     # an extra Graph attribute, as in PyG
    assert g.weight.tolist() == [1.0] * 4 and g.is_edge_attr("weight")
    assert utils.from_networkx(G, group_edge_attrs=["weight"]).edge_attr.shape == (4, 1)


def test_to_networkx_errors():
    g = _graph()
    with pytest.raises(ValueError, match="attribute 'foo': the Graph has no such attribute"):
        utils.to_networkx(g, node_attrs=["foo"])
    with pytest.raises(ValueError, match="node_attrs: attribute 'edge_attr' has shape"):
        utils.to_networkx(g, node_attrs=["edge_attr"])
    with pytest.raises(ValueError, match="to_undirected: expected a bool, 'upper' or 'lower'"):
        utils.to_networkx(g, to_undirected="both")
