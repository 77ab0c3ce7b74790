"""The restricted unpickler: admits numpy/scipy-CSR/defaultdict, refuses everything else."""
from __future__ import annotations

import collections
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from npgnn.datasets._safe_pickle import restricted_load


class _Evil:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, ("echo pwned > /dev/null",))


class _EvilSubprocess:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (subprocess.call, (["true"],))


@pytest.mark.parametrize("payload, name", [(_Evil(), "system"),
                                           (_EvilSubprocess(), r"(subprocess|commands)\.call"),
                                           ({"f": eval}, r"(builtins|__builtin__)\.eval")])
def test_refuses_code_execution(payload: object, name: str) -> None:
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        data = pickle.dumps(payload, protocol=protocol)
        with pytest.raises(pickle.UnpicklingError, match=rf"refusing.*{name}") as info:
            restricted_load(data, "evil.pkl")
        assert "evil.pkl" in str(info.value)


def test_refuses_handcrafted_global() -> None:
    # A protocol-0 GLOBAL opcode for os.system followed by REDUCE: the classic exploit.
    data = b"cos\nsystem\n(S'echo pwned'\ntR."
    with pytest.raises(pickle.UnpicklingError, match="'os.system'"):
        restricted_load(data, "evil.pkl")


def test_loads_allowed_objects() -> None:
    # Python 3 pickles of bytes at protocol 2 need _codecs.encode, which the Planetoid files
    # (Python 2 str) never use, so these fixtures use protocol 4.
    arr = np.arange(12, dtype=np.int32).reshape(3, 4)
    np.testing.assert_array_equal(restricted_load(pickle.dumps(arr, protocol=4)), arr)
    d = collections.defaultdict(list, {0: [1, 2], 1: [0]})
    out = restricted_load(pickle.dumps(d, protocol=2))
    assert isinstance(out, collections.defaultdict) and dict(out) == {0: [1, 2], 1: [0]}
    m = sp.random(5, 7, density=0.3, format="csr", dtype=np.float32, random_state=0)
    got = restricted_load(pickle.dumps(sp.csr_matrix(m), protocol=4))
    assert isinstance(got, sp.csr_matrix)
    np.testing.assert_array_equal(got.toarray(), m.toarray())


def test_malformed_csr_is_rejected() -> None:
    m = sp.csr_matrix(np.eye(3, dtype=np.float32))
    m.indices[0] = 99                                   # column out of range
    with pytest.raises(pickle.UnpicklingError, match="malformed CSR"):
        restricted_load(pickle.dumps(m, protocol=4), "bad.pkl")


def test_truncated_pickle(planetoid_dir: Path) -> None:
    data = (planetoid_dir / "ind.cora.x").read_bytes()
    with pytest.raises(pickle.UnpicklingError, match="not a readable pickle"):
        restricted_load(data[: len(data) // 2], "ind.cora.x")


def test_genuine_planetoid_pickles(planetoid_dir: Path) -> None:
    x = restricted_load((planetoid_dir / "ind.cora.allx").read_bytes())
    assert isinstance(x, sp.csr_matrix) and x.shape == (1708, 1433)
    g = restricted_load((planetoid_dir / "ind.cora.graph").read_bytes())
    assert isinstance(g, collections.defaultdict) and len(g) == 2708
