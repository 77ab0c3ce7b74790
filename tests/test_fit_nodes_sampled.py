"""fit_nodes with batch_size: GraphSAGE trained over NeighborLoader, evaluated layer-wise."""
import numpy as np
import pytest

import npgnn
import npgnn.transforms as T
from npgnn.datasets import Planetoid
from npgnn.graph.graph import Graph
from npgnn.nn.models import GraphSAGE
from npgnn.optim import Adam
from npgnn.training.node import fit_nodes


def _train(graph, init_seed, **kw):
    npgnn.manual_seed(init_seed)
    model = GraphSAGE(graph.num_features, 64, 2, int(graph.y.max()) + 1, dropout=0.5)
    opt = Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    return fit_nodes(model, graph, opt, progress=False, **kw)


def test_sampled_graphsage_matches_full_batch_on_cora(shared_datasets):
    g = Planetoid(shared_datasets, "Cora", transform=T.NormalizeFeatures())[0]
    full = [_train(g, s, epochs=50).test_accuracy for s in (0, 1)]
    sampled = [_train(g, s, epochs=10, batch_size=32, num_neighbors=[15, 10], seed=s)
               for s in (0, 1)]
    assert all(len(r.history) == 10 for r in sampled)
    got = np.mean([r.test_accuracy for r in sampled])
    assert got > 0.75 and abs(got - np.mean(full)) < 0.015, (full, got)


def test_sampled_training_is_deterministic_for_a_seed():
    rng = np.random.default_rng(0)
    n = 60
    g = Graph(edge_index=rng.integers(0, n, (2, 300)), num_nodes=n,
              x=rng.random((n, 6)).astype(np.float32), y=rng.integers(0, 3, n),
              train_mask=np.arange(n) < 30, val_mask=(np.arange(n) >= 30) & (np.arange(n) < 45),
              test_mask=np.arange(n) >= 45)
    a, b = (_train(g, 3, epochs=3, batch_size=8, num_neighbors=[4, 2], seed=5) for _ in range(2))
    assert [h["train_loss"] for h in a.history] == [h["train_loss"] for h in b.history]
    assert a.test_accuracy == b.test_accuracy


def test_sampling_arguments_are_checked():
    g = Graph(edge_index=np.zeros((2, 0), dtype=np.int64), num_nodes=4,
              x=np.ones((4, 2), np.float32), y=np.zeros(4, np.int64),
              train_mask=np.ones(4, bool), val_mask=np.ones(4, bool), test_mask=np.ones(4, bool))
    with pytest.raises(ValueError, match=r"num_neighbors=\[2\] needs batch_size"):
        _train(g, 0, epochs=1, num_neighbors=[2])
    with pytest.raises(ValueError, match="batch_size"):
        _train(g, 0, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="num_neighbors entries must be >= -1"):
        _train(g, 0, epochs=1, batch_size=2, num_neighbors=[-3])


@pytest.mark.parametrize("jk", [None, "last"])
def test_trimmed_batches_train_as_the_untrimmed_ones(monkeypatch, jk):
    """fit_nodes trims each sampled batch layer by layer when the seeds' outputs stay the same
    (SAGE without norm): without dropout the losses and weights follow the untrimmed run."""
    import npgnn.training.sampled as sampled

    rng = np.random.default_rng(1)
    n = 80
    g = Graph(edge_index=rng.integers(0, n, (2, 500)), num_nodes=n, x=rng.random((n, 6)),
              y=rng.integers(0, 3, n), train_mask=np.arange(n) < 40,
              val_mask=(np.arange(n) >= 40) & (np.arange(n) < 60), test_mask=np.arange(n) >= 60)
    runs = []
    for trim in (True, False):
        monkeypatch.setattr(sampled, "trims_exactly", lambda model, trim=trim: trim)
        npgnn.manual_seed(0)
        model = GraphSAGE(6, 16, 3, 3, jk=jk).double()
        opt = Adam(model.parameters(), lr=0.01)
        result = fit_nodes(model, g, opt, progress=False, epochs=3, batch_size=8,
                           num_neighbors=[4, 3, 2], seed=2)
        runs.append((result, [p.data.copy() for p in model.parameters()]))
    (trimmed, w_trimmed), (full, w_full) = runs
    np.testing.assert_allclose([h["train_loss"] for h in trimmed.history],
                               [h["train_loss"] for h in full.history], rtol=1e-10)
    for a, b in zip(w_trimmed, w_full):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_training_trims_only_where_the_seeds_outputs_stay_the_same():
    from npgnn import models as paper
    from npgnn.nn.models import GCN
    from npgnn.nn.models.trimmed import trims_exactly

    assert trims_exactly(GraphSAGE(4, 8, 2, 3)) and trims_exactly(paper.GraphSAGE(4, 3))
    assert not trims_exactly(GraphSAGE(4, 8, 2, 3, norm="batch_norm"))
    assert not trims_exactly(GCN(4, 8, 2, 3)) and not trims_exactly(paper.GCN(4, 3))
