"""Random edge lists and PyG comparison helpers for the transform tests (as tests/utils)."""
from __future__ import annotations

import numpy as np
import pytest


def random_edges(seed: int = 0, num_nodes: int = 12, num_edges: int = 40) -> np.ndarray:
    """(2, E) edges among nodes 0..num_nodes-3 (the last two isolated), with 4 duplicate
    edges and 3 unique self-loops, shuffled."""
    rng = np.random.default_rng(seed)
    active = num_nodes - 2
    src = rng.integers(0, active, num_edges)
    dst = rng.integers(0, active, num_edges)
    dst = np.where(src == dst, (dst + 1) % active, dst)
    src[:4], dst[:4] = src[4:8], dst[4:8]
    loops = rng.choice(active, size=3, replace=False)
    ei = np.concatenate([np.stack([src, dst]), np.stack([loops, loops])], axis=1)
    return ei[:, rng.permutation(ei.shape[1])]


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def pyg():
    return pytest.importorskip("torch_geometric.utils")


def t(torch, a):
    """A torch tensor holding a copy of the NumPy array ``a`` (None stays None)."""
    return None if a is None else torch.from_numpy(np.array(a))


def same(ours, theirs, rtol: float = 1e-12) -> None:
    """Arrays (or None, or tuples/lists of them) equal to PyG's tensors; dtypes of the same kind."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, type(theirs)) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            same(a, b, rtol)
        return
    if theirs is None:
        assert ours is None
        return
    if isinstance(theirs, (bool, int, float)):
        assert ours == theirs and type(ours) is type(theirs)
        return
    b = theirs.detach().numpy()
    a = np.asarray(getattr(ours, "data", ours))
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype.kind == b.dtype.kind, (a.dtype, b.dtype)
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-15)
    else:
        np.testing.assert_array_equal(a, b)
