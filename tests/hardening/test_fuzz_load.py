"""Property suite: npgnn.load and load_state_dict_file on random bytes and on truncated or
byte-mutated valid files (both backends). Each either refuses with npgnn's ModelFileError (a
ValueError) or another clear npgnn error, or, when the damage missed everything the checksum
covers, returns the model that was saved."""
from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npgnn import Tensor
from npgnn.io import load, load_state_dict_file, save, save_state_dict
from npgnn.models import GCN

from ._fuzz import FUZZ, Refused, outcome

BACKENDS = ["safetensors", "npz"]
X = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
EI = np.array([[0, 1, 2], [1, 2, 3]])


def _saved() -> dict[str, bytes]:
    """One small model per backend, and a state dict, as bytes."""
    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        model = GCN(3, 4, hidden_channels=8, dropout=0.0, seed=0)
        for backend in BACKENDS:
            path = os.path.join(tmp, f"m.{backend}")
            save(model, path, backend=backend)
            with open(path, "rb") as f:
                files[backend] = f.read()
        path = os.path.join(tmp, "w.safetensors")
        save_state_dict(model.state_dict(), path)
        with open(path, "rb") as f:
            files["state_dict"] = f.read()
    files["expected"] = model(Tensor(X), EI).data.tobytes()
    return files


FILES = _saved()


def _load_bytes(data: bytes, which: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.bin")
        with open(path, "wb") as f:
            f.write(data)
        if which == "state_dict":
            return outcome(lambda: load_state_dict_file(path))
        return outcome(lambda: load(path))


def _check_loaded(result, which: str) -> None:
    if isinstance(result, Refused):
        return
    if which == "state_dict":
        assert isinstance(result, dict) and set(result) == set(GCN(3, 4, hidden_channels=8, dropout=0.0, seed=0).state_dict())
        return
    # the damage missed everything the file's checksum covers: the same model came back
    assert result(Tensor(X), EI).data.tobytes() == FILES["expected"]


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(["model", "state_dict"]))
def test_random_bytes(data, which):
    result = _load_bytes(data, which)
    assert isinstance(result, Refused), "random bytes loaded as a model"


@FUZZ
@given(st.sampled_from(BACKENDS + ["state_dict"]), st.data())
def test_truncated_files(which, data):
    blob = FILES[which]
    cut = data.draw(st.integers(0, len(blob) - 1))
    result = _load_bytes(blob[:cut], which)
    assert isinstance(result, Refused), f"a file cut at {cut} of {len(blob)} bytes loaded"


@FUZZ
@given(st.sampled_from(BACKENDS + ["state_dict"]), st.data())
def test_mutated_files(which, data):
    blob = bytearray(FILES[which])
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(blob) - 1))
        blob[pos] = data.draw(st.integers(0, 255))
    _check_loaded(_load_bytes(bytes(blob), which), "model" if which != "state_dict" else which)


@pytest.mark.parametrize("which", BACKENDS)
def test_the_unmutated_files_load(which):
    _check_loaded(_load_bytes(FILES[which], which), "model")
