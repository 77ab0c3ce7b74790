"""npgnn.load against hostile files (issue 9, kinds 1 and 2): each is refused quickly, in bounded
memory, with a message saying why; non-regular files never hang."""
from __future__ import annotations

import io as bytes_io
import json
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import npgnn.io
from npgnn.io import ModelFileError, load, load_state_dict_file, save
from npgnn.models import GCN

BACKENDS = ["safetensors", "npz"]
FAST = 5.0            # seconds: a hang detector with room for a loaded machine (refusals take ms);
                      # the traced peak below is what proves a refusal is cheap
SMALL = 32 * 2**20    # bytes: traced peak memory while refusing one


def refused(path, match, caller=load):
    """Assert that ``caller(path)`` raises ModelFileError matching ``match``, fast and small."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ModelFileError, match=match):
            caller(path)
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < FAST, f"took {elapsed:.2f} s"
    assert peak < SMALL, f"peak traced memory {peak / 2**20:.0f} MiB"


def resave(path, backend, **config_changes):
    """Edit the saved config and write the file again with a valid checksum (anyone can)."""
    arrays, meta = load_state_dict_file(path, with_metadata=True)
    header = {"format": "npgnn", "version": 1, "kind": "model", "class": meta["class"],
              "config": {**meta["config"], **config_changes}, "dtype": meta["dtype"]}
    npgnn.io._write(path, arrays, header, backend, "test")


@pytest.fixture(params=BACKENDS)
def gcn_file(request, tmp_path):
    path = tmp_path / f"gcn.{request.param}"
    save(GCN(34, 2, hidden_channels=16, seed=0), path, backend=request.param)
    return path, request.param


@pytest.mark.parametrize("change, match", [
    ({"hidden_channels": 30_000_000}, (r"config\['hidden_channels'\] = 30000000 exceeds the 594 "
                                       r"values the file's 4 arrays hold")),
    ({"num_layers": 200_000}, r"config\['num_layers'\] = 200000 exceeds"),
    ({"in_channels": 10**18}, r"config\['in_channels'\] = 1000000000000000000 exceeds"),
])
def test_config_asking_for_a_huge_model_is_refused_before_building(gcn_file, change, match):
    path, backend = gcn_file
    resave(path, backend, **change)
    refused(path, match)


def test_config_within_the_value_count_is_stopped_while_building(tmp_path):
    # 64 -> 64 -> 2: 4290 values; hidden 4000 passes the integer bound but its first weight
    # (4000, 64) is no array of the file: the build stops there, before drawing its weights
    path = tmp_path / "gcn.safetensors"
    save(GCN(64, 2, hidden_channels=64, seed=0), path)
    resave(path, "safetensors", hidden_channels=4000)
    refused(path, r"builds a parameter of shape \(4000, 64\) that the file's 4 arrays \(4290 "
                  r"values\) cannot fill")


def test_seed_is_not_bounded_by_the_file(tmp_path):
    path = tmp_path / "gcn.npz"
    save(GCN(8, 2, hidden_channels=4, seed=2**40), path, backend="npz")
    assert load(path).config["seed"] == 2**40


@pytest.mark.parametrize("change, match", [
    ({"dropout": "nan"}, r"GCN: dropout must be a real number"),
    ({"hidden_channels": 4.5}, r"GCN: hidden_channels must be a positive int, got float 4\.5"),
    ({"hidden_channels": True}, r"GCN: hidden_channels must be a positive int, got bool"),
    ({"num_layers": -2}, r"GCN: num_layers must be a positive int, got -2"),
])
def test_config_values_of_the_wrong_type_or_range(gcn_file, change, match):
    path, backend = gcn_file
    resave(path, backend, **change)
    refused(path, match)


def st_file(path, header_bytes: bytes, data: bytes = b""):
    path.write_bytes(len(header_bytes).to_bytes(8, "little") + header_bytes + data)


def test_nan_in_a_header_is_refused(tmp_path):
    path = tmp_path / "nan.safetensors"
    save(GCN(4, 2, hidden_channels=3, seed=0), path)
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    index = json.loads(raw[8:8 + n])
    meta = json.loads(index["__metadata__"]["npgnn"])
    text = json.dumps(meta).replace('"dropout": 0.5', '"dropout": NaN')
    assert "NaN" in text
    index["__metadata__"]["npgnn"] = text
    st_file(path, json.dumps(index).encode(), raw[8 + n:])
    refused(path, r"the npgnn header is not valid JSON \(NaN is not a number JSON allows")


def test_deeply_nested_headers_are_refused_without_recursion(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep-index.safetensors"
    st_file(path, ('{"a":' + deep + "}").encode())
    refused(path, r"the safetensors header is nested 100001 levels deep, more than the 64")
    # a valid safetensors file whose npgnn header (a string inside it) is deep
    text = ('{"format":"npgnn","version":1,"kind":"model","class":"gcn","config":' + deep + "}")
    index = {"__metadata__": {"npgnn": text}}
    path = tmp_path / "deep-header.safetensors"
    st_file(path, json.dumps(index).encode())
    refused(path, r"the npgnn header is nested 100001 levels deep")
    path = tmp_path / "deep-header.npz"
    with zipfile.ZipFile(path, "w") as z, z.open("__npgnn__.npy", "w") as e:
        np.lib.format.write_array(e, np.frombuffer(text.encode(), np.uint8))
    refused(path, r"the npgnn header is nested 100001 levels deep")


def test_header_size_is_capped(tmp_path):
    path = tmp_path / "huge-header.safetensors"
    path.write_bytes((2**40).to_bytes(8, "little") + b"{}")
    refused(path, r"its safetensors header announces 1099511627776 bytes, more than the 16777216")


def test_zip_bomb_npz_is_refused_without_inflating(tmp_path):
    path = tmp_path / "bomb.npz"
    buf = bytes_io.BytesIO()
    np.lib.format.write_array(buf, np.zeros(12_500_000))          # 100 MB of zeros
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.npy", buf.getvalue())
    assert path.stat().st_size < 2**20
    refused(path, r"the entry 'a.npy' is compressed; npgnn reads only uncompressed npz",
            caller=load_state_dict_file)
    refused(path, r"is compressed", caller=load)


def test_safetensors_offsets_outside_the_file(tmp_path):
    path = tmp_path / "offsets.safetensors"
    index = {"w": {"dtype": "F32", "shape": [10**6, 10**6], "data_offsets": [0, 4 * 10**12]}}
    st_file(path, json.dumps(index).encode(), b"\0" * 16)
    refused(path, r"array 'w' has data_offsets \[0, 4000000000000\] outside the 16 data bytes",
            caller=load_state_dict_file)
    index = {"w": {"dtype": "F32", "shape": [5], "data_offsets": [0, 16]}}
    st_file(path, json.dumps(index).encode(), b"\0" * 16)
    refused(path, r"array 'w' of shape \(5,\) and dtype F32 needs 20 bytes, its offsets span 16",
            caller=load_state_dict_file)
    index = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
             "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
    st_file(path, json.dumps(index).encode(), b"\0" * 12)
    refused(path, r"arrays overlap or leave holes", caller=load_state_dict_file)


@pytest.mark.parametrize("backend", BACKENDS)
def test_truncated_files(tmp_path, backend):
    path = tmp_path / f"m.{backend}"
    save(GCN(34, 2, hidden_channels=16, seed=0), path, backend=backend)
    raw = path.read_bytes()
    for keep in (1, 8, 9, 100, len(raw) // 2, len(raw) - 1):
        path.write_bytes(raw[:keep])
        refused(path, r"truncated|corrupted|neither a safetensors nor an npz")


def test_wrong_dtypes(tmp_path):
    path = tmp_path / "bf16.safetensors"
    st_file(path, json.dumps({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}
                             ).encode(), b"\0" * 4)
    refused(path, r"array 'w' has dtype 'BF16'; npgnn reads BOOL, U8", caller=load_state_dict_file)
    path = tmp_path / "strings.npz"
    np.savez(path, a=np.array(["x", "y"]))
    refused(path, r"the entry 'a.npy' has dtype <U1; npgnn reads bool, integer, float and complex",
            caller=load_state_dict_file)
    path = tmp_path / "objects.npz"
    np.savez(path, a=np.array([{"x": 1}], dtype=object))
    refused(path, r"has dtype object; it holds object arrays, which need pickle",
            caller=load_state_dict_file)
    # a model file whose weights were replaced by integers (checksum recomputed)
    path = tmp_path / "ints.npz"
    save(GCN(4, 2, hidden_channels=3, seed=0), path, backend="npz")
    arrays, meta = load_state_dict_file(path, with_metadata=True)
    arrays["convs.0.lin.weight"] = arrays["convs.0.lin.weight"].astype(np.int64)
    npgnn.io._write(path, arrays, {"format": "npgnn", "version": 1, "kind": "model",
                                   "class": "gcn", "config": meta["config"], "dtype": None},
                    "npz", "test")
    refused(path, r"'convs.0.lin.weight' has dtype int64 in the file, float32 in the model")


_NON_REGULAR = r"""
import os, sys, time
from npgnn.io import ModelFileError, load
start = time.perf_counter()
try:
    load(sys.argv[1])
except ModelFileError as e:
    print(f"{time.perf_counter() - start:.3f}", e)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_fifo_and_dev_zero_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    link = tmp_path / "zero.npz"
    link.symlink_to("/dev/zero")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for path, kind in ((fifo, "a FIFO (named pipe)"), (link, "a character device")):
        # in a subprocess with a timeout: a regression would hang this test, not the suite
        run = subprocess.run([sys.executable, "-c", _NON_REGULAR, str(path)], capture_output=True,
                             text=True, timeout=60, env=env, check=False)
        seconds, message = run.stdout.split(" ", 1)
        assert float(seconds) < FAST
        assert f"{str(path)!r} is {kind}; npgnn reads models only from regular files" in message


def test_folder_and_empty_path(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        load(tmp_path)
    with pytest.raises(FileNotFoundError, match="the path is empty"):
        load("")


def test_good_files_still_load(gcn_file):
    path, _ = gcn_file
    model = load(path)
    assert model.config["hidden_channels"] == 16
