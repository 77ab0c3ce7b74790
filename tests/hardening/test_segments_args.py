"""segment ops refuse a negative or non-integer num_segments naming it (issue 9, kind 5)."""
from __future__ import annotations

import numpy as np
import pytest

from npgnn.ops.graph import segment_max, segment_mean, segment_softmax, segment_sum


@pytest.mark.parametrize("op", [segment_sum, segment_mean, segment_max, segment_softmax])
@pytest.mark.parametrize("num, error, match", [
    (-1, ValueError, r"index: num_segments must be an int >= 0, got -1"),
    (3.5, TypeError, r"index: num_segments must be an int >= 0, got float 3\.5"),
    ("3", TypeError, r"index: num_segments must be an int >= 0, got str '3'"),
    (True, TypeError, r"got bool True"),
])
def test_num_segments_is_a_count(op, num, error, match):
    with pytest.raises(error, match=match):
        op(np.ones((2, 1)), np.array([0, 1]), num)


def test_numpy_integer_num_segments():
    assert segment_sum(np.ones((2, 1)), np.array([0, 1]), np.int64(3)).shape == (3, 1)
