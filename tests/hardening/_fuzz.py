"""Shared pieces of the malformed-input property suite (issue 9, "What to build", last bullet).

``outcome(fn)`` runs one call and accepts exactly two results: a value (the caller then checks
it is right), or a *clear* error: a ValueError / TypeError / IndexError (KeyError for a missing
field) raised by npgnn's own code, with a message. An exception whose raising frame lies in
NumPy, SciPy, numba or the standard library is an internal error leaking out, and fails; so does
any other exception type, and a NumPy RuntimeWarning (overflow, invalid value) from finite
inputs. Hangs are
caught by hypothesis' per-example ``deadline``.
"""
from __future__ import annotations

import os
import traceback
import warnings
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import npgnn

NPGNN_DIR = os.path.dirname(npgnn.__file__)
CLEAR = (ValueError, TypeError, IndexError, KeyError)

# fast, bounded: every property of the suite runs with these unless it says otherwise
FUZZ = settings(max_examples=int(os.environ.get("NPGNN_FUZZ_EXAMPLES", "40")), deadline=4000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much],
                derandomize=not os.environ.get("NPGNN_FUZZ_EXPLORE"),
                database=None)


class Refused(Exception):
    """Marker result: the call raised a clear error (held in ``error``)."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


def _raised_in_npgnn(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and os.path.abspath(frames[-1].filename).startswith(NPGNN_DIR)


def finite(*values: Any) -> bool:
    """Whether no float array among ``values`` (ndarray, sparse, Tensor) holds NaN or inf."""
    for v in values:
        if sp.issparse(v) or isinstance(v, npgnn.Tensor):
            v = v.data
        if isinstance(v, np.ndarray) and v.dtype.kind in "fc" and not np.isfinite(v).all():
            return False
    return True


def outcome(fn: Callable[[], Any], *inputs: Any) -> Any:
    """``fn()``'s value, or a :class:`Refused` for a clear npgnn error; anything else fails.

    A NumPy RuntimeWarning fails too unless one of ``inputs`` holds NaN or inf (then NaN in
    the result is IEEE's and torch's answer, and NumPy may say so)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error" if finite(*inputs) else "ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        try:
            return fn()
        except CLEAR as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            assert _raised_in_npgnn(exc), (
                f"internal error leaked: {type(exc).__name__}: {exc} (raised in "
                f"{where.filename}:{where.lineno})")
            assert str(exc).strip(), f"{type(exc).__name__} without a message"
            return Refused(exc)


# ---------------------------------------------------------------------------- value strategies
DTYPES = [np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_, np.float16,
          np.complex128, object, "U2"]


def _array(shape: tuple[int, ...], dtype: Any, fill: Any) -> np.ndarray:
    if dtype == object:
        out = np.empty(shape, dtype=object)
        out[...] = fill
        return out
    if dtype == "U2":
        return np.full(shape, "ab")
    with np.errstate(all="ignore"):
        return np.full(shape, fill).astype(dtype)


@st.composite
def arrays(draw, shape: tuple[int, ...], *, dtypes=None, ints=(-3, 12)) -> np.ndarray:
    """Small arrays of ``shape`` (or a nearby wrong shape), of any dtype, with nasty values."""
    if draw(st.booleans()):
        shape = draw(st.sampled_from([(), (0,), (1,), (3,), (2, 3), (3, 2), (0, 0), (1, 1, 1),
                                      tuple(s + 1 for s in shape),
                                      tuple(max(s - 1, 0) for s in shape), shape[::-1],
                                      (*shape, 1)]))
    dtype = draw(st.sampled_from(dtypes or DTYPES))
    if dtype in ("U2", object):
        return _array(shape, dtype, draw(st.sampled_from(["ab", None, 1])))
    size = int(np.prod(shape, dtype=np.int64))
    if np.dtype(dtype).kind in "fc":
        vals = draw(st.lists(st.one_of(st.floats(-1e3, 1e3, width=32), st.sampled_from(
            [np.nan, np.inf, -np.inf, 0.0])), min_size=size, max_size=size))
        base = np.array(vals, dtype=np.float64)
    else:
        base = np.array(draw(st.lists(st.integers(*ints), min_size=size, max_size=size)),
                        dtype=np.int64)
    with np.errstate(all="ignore"):
        return base.reshape(shape).astype(dtype)


def junk() -> st.SearchStrategy:
    """Values of the wrong kind entirely."""
    return st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                     st.text(max_size=3), st.just([]), st.just([[0, 1]]), st.just({"a": 1}),
                     st.just([[0, 1], [1]]), st.just(sp.csr_matrix(np.eye(2))), st.just(object()))


@st.composite
def edge_indices(draw, n: int, e: int = 4) -> Any:
    """A valid (2, e) edge list over n nodes, or a malformed one."""
    ids = np.array(draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=2 * e, max_size=2 * e)),
                   dtype=np.int64).reshape(2, e) if n else np.empty((2, 0), np.int64)
    kind = draw(st.sampled_from(["valid", "valid", "valid", "array", "junk", "out_of_range",
                                 "transposed", "list", "huge"]))
    if kind == "valid":
        return ids
    if kind == "array":
        return draw(arrays((2, e), ints=(-2, n + 2)))
    if kind == "junk":
        return draw(junk())
    if kind == "out_of_range":
        bad = ids.copy() if ids.size else np.zeros((2, 1), np.int64)
        bad[draw(st.integers(0, 1)), 0] = draw(st.sampled_from([-1, n, n + 5, 2**62, -(2**62)]))
        return bad
    if kind == "transposed":
        return ids.T
    if kind == "list":
        return ids.tolist()
    return ids.astype(np.uint64)
