"""The attention-weighted sum."""
import numpy as np
import pytest

from npgnn import gradcheck, ops


def test_weighted_sum_forward_and_gradients():
    rng = np.random.default_rng(2)
    hs, a = rng.standard_normal((3, 4, 5)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(ops.weighted_sum(hs, a).data, (hs * a[:, :, None]).sum(axis=1))
    gradcheck(ops.weighted_sum, hs, a)


@pytest.mark.parametrize("hs_shape,a_shape,match", [
    ((2, 3), (2, 3), r"hs must be 3-D \(N, T, H\), got shape \(2, 3\)"),
    ((2, 3, 4), (2, 4), r"a must have shape \(N, T\) = \(2, 3\) to match hs \(2, 3, 4\), got \(2, 4\)"),
])
def test_weighted_sum_shape_errors(hs_shape, a_shape, match):
    with pytest.raises(ValueError, match=match):
        ops.weighted_sum(np.ones(hs_shape), np.ones(a_shape))
