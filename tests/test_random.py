"""Global seeding: npgnn.manual_seed / seed_everything make init and dropout reproducible."""
import random

import numpy as np
import pytest

import npgnn
from npgnn.graph import DataLoader, Graph
from npgnn.nn import Dropout, GATConv, GCNConv, Linear, SAGEConv
from npgnn.ops import dropout
from npgnn.utils import negative_sampling

EI = np.array([[0, 1, 2, 3, 1], [1, 2, 3, 0, 0]])


def draws():
    """Everything that used to draw OS entropy: inits, dropout masks, attention dropout, loaders."""
    gcn, sage, lin = GCNConv(4, 3), SAGEConv(4, 3), Linear(4, 2)
    gat = GATConv(4, 2, heads=2, dropout=0.5)
    x = np.ones((4, 4))
    gat_out = gat(x, EI).data
    masks = dropout(np.ones((3, 5)), 0.5).data, Dropout(0.3)(np.ones(6)).data
    order = [int(g.num_nodes) for g in DataLoader([Graph(EI, n) for n in (4, 5, 6, 7)], 1, shuffle=True)]
    neg = negative_sampling(EI, num_nodes=4, num_neg_samples=3)
    return [gcn.lin.weight.data, sage.lin_l.weight.data, lin.weight.data, gat_out, *masks,
            np.array(order), np.asarray(neg)]


def test_manual_seed_makes_every_default_draw_reproducible():
    npgnn.manual_seed(123)
    first = draws()
    npgnn.manual_seed(123)
    second = draws()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    npgnn.manual_seed(124)
    assert not np.array_equal(draws()[0], first[0])


def test_layers_built_before_seeding_draw_dropout_from_the_reseeded_stream():
    layer = Dropout(0.5)
    npgnn.manual_seed(7)
    a = layer(np.ones(20)).data
    npgnn.manual_seed(7)
    np.testing.assert_array_equal(layer(np.ones(20)).data, a)


def test_explicit_rng_wins_and_leaves_the_global_stream_alone():
    npgnn.manual_seed(0)
    expected = Linear(4, 2).weight.data
    npgnn.manual_seed(0)
    a = Linear(4, 2, rng=5).weight.data
    b = Linear(4, 2, rng=np.random.default_rng(5)).weight.data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Linear(4, 2).weight.data, expected)   # global stream untouched


def test_seed_everything_also_seeds_numpy_and_python():
    npgnn.seed_everything(3)
    a = (Linear(3, 3).weight.data, np.random.rand(3), random.random())
    npgnn.seed_everything(3)
    b = (Linear(3, 3).weight.data, np.random.rand(3), random.random())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2] and npgnn.random.initial_seed() == 3


def test_rng_state_round_trips_and_negative_seeds_work():
    npgnn.manual_seed(-1)
    state = npgnn.random.get_rng_state()
    a = npgnn.random.default_generator().random(3)
    npgnn.random.set_rng_state(state)
    np.testing.assert_array_equal(npgnn.random.default_generator().random(3), a)


@pytest.mark.parametrize("fn", [npgnn.manual_seed, npgnn.seed_everything])
def test_seed_must_be_an_int(fn):
    with pytest.raises(TypeError, match=rf"{fn.__name__}: seed must be an int, got float 1.5"):
        fn(1.5)
