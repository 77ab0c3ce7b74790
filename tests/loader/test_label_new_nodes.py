"""label_new_nodes: first-appearance relabelling, compiled and NumPy paths agree."""
import numpy as np
import pytest

from npgnn.kernels.sampling import label_new_nodes


@pytest.mark.parametrize("disable", ["0", "1"])
def test_first_appearance_order_and_labels(monkeypatch, disable):
    monkeypatch.setenv("NPGNN_DISABLE_NUMBA", disable)
    local = np.full(10, -1, dtype=np.int64)
    local[[4, 7]] = [0, 1]                               # already in the batch
    new = label_new_nodes(np.array([3, 4, 9, 3, 7, 0, 9, 5]), local, 2)
    assert new.tolist() == [3, 9, 0, 5] and new.dtype == np.int64
    assert local.tolist() == [4, -1, -1, 2, 0, 5, -1, 1, -1, 3]
    assert label_new_nodes(np.array([], dtype=np.int64), local, 6).size == 0


def test_paths_agree_on_random_ids(monkeypatch):
    ids = np.random.default_rng(0).integers(0, 500, 3000)
    results = []
    for disable in ("0", "1"):
        monkeypatch.setenv("NPGNN_DISABLE_NUMBA", disable)
        local = np.full(500, -1, dtype=np.int64)
        local[:50] = np.arange(50)
        results.append((label_new_nodes(ids, local, 50), local.copy()))
    assert np.array_equal(results[0][0], results[1][0])
    assert np.array_equal(results[0][1], results[1][1])
