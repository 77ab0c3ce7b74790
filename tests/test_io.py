"""npgnn.io: one pickle-free file per model (safetensors or npz), atomic writes, clear errors."""
from __future__ import annotations

import doctest
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

import npgnn.io
from npgnn import ops
from npgnn.io import (
    ModelFileError,
    load,
    load_state_dict_file,
    register_model,
    registered_models,
    save,
    save_state_dict,
)
from npgnn.nn import Linear, Module

BACKENDS = ["safetensors", "npz"]


@register_model("test-io-tiny")
class TinyNet(Module):
    """Two Linear layers, a float buffer and an int buffer; ``extra`` adds a third layer."""

    def __init__(self, in_dim: int = 4, hidden: int = 8, out_dim: int = 3, dtype: str = "float32",
                 seed: int = 0, extra: bool = False):
        if hidden < 1:
            raise ValueError(f"TinyNet: hidden must be >= 1, got {hidden}")
        rng = np.random.default_rng(seed)
        self.config = {"in_dim": in_dim, "hidden": hidden, "out_dim": out_dim, "dtype": dtype,
                       "seed": seed, "extra": extra}
        self.lin1 = Linear(in_dim, hidden, rng=rng, dtype=np.dtype(dtype))
        self.lin2 = Linear(hidden, out_dim, rng=rng, dtype=np.dtype(dtype))
        self.lin3 = Linear(out_dim, out_dim, rng=rng, dtype=np.dtype(dtype)) if extra else None
        self.register_buffer("shift", rng.standard_normal(hidden).astype(dtype))
        self.register_buffer("updates", np.array(0, dtype=np.int64))

    def get_config(self) -> dict:
        return dict(self.config)

    def forward(self, x):
        y = self.lin2(ops.relu(self.lin1(x)) - self.shift)
        return self.lin3(y) if self.lin3 is not None else y


def trained(dtype: str = "float32", **kwargs) -> TinyNet:
    """A TinyNet whose weights and buffers differ from what its config would build."""
    model = TinyNet(dtype=dtype, **kwargs)
    rng = np.random.default_rng(123)
    for p in model.parameters():
        p.data += rng.standard_normal(p.shape).astype(p.dtype)
    model.shift += 1.5
    model.updates[...] = 41
    return model


def assert_same_model(a: Module, b: Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        assert sa[k].dtype == sb[k].dtype, k
        np.testing.assert_array_equal(sa[k], sb[k], err_msg=k)
    x = np.random.default_rng(7).standard_normal((5, 4)).astype(sa["lin1.weight"].dtype)
    ya, yb = a.forward(x), b.forward(x)
    assert ya.dtype == yb.dtype and np.array_equal(ya, yb)          # bit-identical outputs


@pytest.fixture
def saved(tmp_path):
    """(path, model) of a float32 TinyNet saved with each backend, by name."""
    def make(backend: str, name: str = "model.bin", **kwargs):
        model = trained(**kwargs)
        path = tmp_path / name
        save(model, path, backend=backend)
        return path, model
    return make


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_bit_identical(tmp_path, backend, dtype):
    model = trained(dtype=dtype, extra=True)
    path = tmp_path / "m.npgnn"
    save(model, path, backend=backend)
    loaded = load(path)
    assert type(loaded) is TinyNet and loaded.get_config() == model.get_config()
    assert loaded.lin1.weight.dtype == np.dtype(dtype)
    assert_same_model(model, loaded)


@pytest.mark.parametrize("backend", BACKENDS)
def test_model_cast_after_construction_loads_with_its_dtype(tmp_path, backend):
    model = trained().to(np.float64)              # config still says float32
    save(model, tmp_path / "m", backend=backend)
    loaded = load(tmp_path / "m")
    assert loaded.lin1.weight.dtype == np.float64
    assert_same_model(model, loaded)


def test_auto_backend_is_safetensors_when_installed_else_npz(tmp_path, monkeypatch):
    pytest.importorskip("safetensors")
    model = trained()
    save(model, tmp_path / "a")
    assert (tmp_path / "a").read_bytes()[8:9] == b"{"          # safetensors: length + JSON
    monkeypatch.setattr(npgnn.io, "_safetensors", lambda: None)  # as if not installed
    save(model, tmp_path / "b")
    assert (tmp_path / "b").read_bytes()[:2] == b"PK"           # npz is a zip
    assert_same_model(model, load(tmp_path / "b"))
    assert_same_model(model, load(tmp_path / "a"))  # reading needs no package: npgnn parses it
    with pytest.raises(ImportError, match=r"backend='safetensors' needs the safetensors package"):
        save(model, tmp_path / "c", backend="safetensors")


def test_header_is_json_metadata_in_the_file(saved):
    st = pytest.importorskip("safetensors")
    path, model = saved("safetensors")
    with st.safe_open(str(path), framework="np") as f:
        header = json.loads(f.metadata()["npgnn"])
        assert set(f.keys()) == set(model.state_dict())
    assert header["format"] == "npgnn" and header["version"] == 1
    assert header["class"] == "test-io-tiny" and header["config"] == model.get_config()
    assert header["dtype"] == "float32" and header["keys"] == list(model.state_dict())
    path, _ = saved("npz", name="m.npz")
    with np.load(path, allow_pickle=False) as z:
        assert json.loads(z["__npgnn__"].tobytes().decode())["class"] == "test-io-tiny"


@pytest.mark.parametrize("backend", BACKENDS)
def test_state_dict_file_round_trip(tmp_path, backend):
    state = {
        "w": np.arange(6, dtype=np.float32).reshape(2, 3), "scalar": np.array(2.5),
        "empty": np.zeros((0, 4)), "ids": np.array([3, -1], dtype=np.int64),
        "mask": np.array([True, False]), "half": np.ones(3, dtype=np.float16),
        "file": np.ones(1), "allow_pickle": np.zeros(1),         # np.savez keyword names
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    }
    path = tmp_path / "w.bin"
    save_state_dict(state, path, metadata={"epoch": 12, "acc": 0.815}, backend=backend)
    loaded, meta = load_state_dict_file(path, with_metadata=True)
    assert list(loaded) == list(state) and meta == {"epoch": 12, "acc": 0.815}
    for k, v in state.items():
        assert loaded[k].dtype == v.dtype and loaded[k].shape == v.shape
        np.testing.assert_array_equal(loaded[k], v)
        assert loaded[k].flags.writeable
    assert load_state_dict_file(path).keys() == state.keys()


def test_metadata_with_tuples_and_int_keys_round_trips(tmp_path):
    # the digest is taken after a JSON round trip, or {2, 10} would sort differently on reading
    save_state_dict({"w": np.ones(1)}, tmp_path / "w",
                    metadata={"sizes": (2, 10), "by_epoch": {2: "a", 10: "b"}})
    _, meta = load_state_dict_file(tmp_path / "w", with_metadata=True)
    assert meta == {"sizes": [2, 10], "by_epoch": {"2": "a", "10": "b"}}


def test_state_dict_file_of_a_model_and_back(tmp_path, saved):
    path, model = saved("npz")
    state, meta = load_state_dict_file(path, with_metadata=True)
    assert meta == {"class": "test-io-tiny", "config": model.get_config(), "dtype": "float32"}
    fresh = TinyNet()
    fresh.load_state_dict(state)
    assert_same_model(model, fresh)
    save_state_dict(model.state_dict(), tmp_path / "w")
    fresh = TinyNet()
    fresh.load_state_dict(load_state_dict_file(tmp_path / "w"))
    assert_same_model(model, fresh)


def test_foreign_files_load_as_weights_but_not_as_models(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    st.save_file({"a": np.ones(2, dtype=np.float32)}, str(tmp_path / "hub.safetensors"))
    np.savez(tmp_path / "plain.npz", a=np.ones(2))
    for name in ("hub.safetensors", "plain.npz"):
        np.testing.assert_array_equal(load_state_dict_file(tmp_path / name)["a"], [1, 1])
        with pytest.raises(ModelFileError,
                           match=rf"{name}'.*no npgnn header.*load_state_dict_file"):
            load(tmp_path / name)


@pytest.mark.parametrize("dtype", [np.complex128, np.longdouble])
def test_dtypes_safetensors_lacks_go_to_npz(tmp_path, dtype):
    pytest.importorskip("safetensors")
    z = {"ok": np.ones(2), "z": np.array([1.5, 2.0], dtype=dtype)}
    if np.dtype(dtype) == np.float64:            # long double is double on some platforms
        pytest.skip("long double is float64 here")
    with pytest.raises(TypeError, match=r"safetensors cannot store these arrays \{'z': .*"
                                        r"use backend='npz'"):
        save_state_dict(z, tmp_path / "z", backend="safetensors")
    assert not (tmp_path / "z").exists()
    save_state_dict(z, tmp_path / "z", backend="npz")
    np.testing.assert_array_equal(load_state_dict_file(tmp_path / "z")["z"], z["z"])


# ---------------------------------------------------------------------- atomic writes
@pytest.mark.parametrize("backend", BACKENDS)
def test_write_is_atomic_and_fsynced(tmp_path, monkeypatch, backend):
    path = tmp_path / "m"
    old = trained(seed=1)
    save(old, path, backend=backend)
    before = path.read_bytes()
    real_fsync, calls = os.fsync, []
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd)))
    save(trained(seed=2), path, backend=backend)             # overwrite: fine
    assert len(calls) >= 1 and path.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]   # no temporary left behind

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    current = path.read_bytes()
    with pytest.raises(OSError, match="disk full"):
        save(trained(seed=3), path, backend=backend)
    assert path.read_bytes() == current                       # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_file_gets_ordinary_permissions(tmp_path):
    save(trained(), tmp_path / "m")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "m").stat().st_mode) == 0o666 & ~umask


def test_write_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"directory .*nowhere.* does not exist; create it"):
        save(trained(), tmp_path / "nowhere" / "m")
    with pytest.raises(IsADirectoryError, match=r"is a directory; give a file name"):
        save(trained(), tmp_path)
    with pytest.raises(ValueError,
                       match=r"backend must be 'auto', 'safetensors' or 'npz', got 'pickle'"):
        save(trained(), tmp_path / "m", backend="pickle")


# ---------------------------------------------------------------------- save / register errors
def test_save_errors():
    class Unregistered(Module):
        def get_config(self):
            return {}

    with pytest.raises(TypeError, match=r"Unregistered is not a registered model class; "
                                        r"decorate it with @register_model"):
        save(Unregistered(), "never-written")
    with pytest.raises(TypeError, match=r"model must be an npgnn Module, got dict"):
        save({}, "never-written")
    model = trained()
    model.get_config = lambda: {"dtype": np.dtype("float32")}
    with pytest.raises(TypeError, match=r"get_config\(\) must return JSON-serialisable values"):
        save(model, "never-written")
    model.get_config = lambda: [4, 8]
    with pytest.raises(TypeError, match=r"must return a dict of keyword arguments"):
        save(model, "never-written")
    with pytest.raises(TypeError, match=r"'w' has dtype object; .*no pickle"):
        save_state_dict({"w": np.array([{}], dtype=object)}, "never-written")
    with pytest.raises(ValueError, match=r"'__npgnn__' is reserved"):
        save_state_dict({"__npgnn__": np.ones(1)}, "never-written")
    with pytest.raises(TypeError, match=r"metadata must be JSON-serialisable"):
        save_state_dict({"w": np.ones(1)}, "never-written", metadata={"f": print})
    assert not os.path.exists("never-written")


def test_register_model_errors():
    with pytest.raises(TypeError, match=r"expected a Module subclass"):
        register_model("test-io-bad")(dict)

    class NoConfig(Module):
        pass

    with pytest.raises(TypeError, match=r"NoConfig has no get_config\(\)"):
        register_model("test-io-bad")(NoConfig)

    class Other(Module):
        def get_config(self):
            return {}

    with pytest.raises(ValueError, match=r"'test-io-tiny' is already taken by .*TinyNet"):
        register_model("test-io-tiny")(Other)
    with pytest.raises(TypeError, match=r"name must be a non-empty string"):
        register_model("")
    assert register_model("test-io-tiny")(TinyNet) is TinyNet        # re-registering is fine
    assert registered_models()["test-io-tiny"] is TinyNet


# ---------------------------------------------------------------------- load errors
def test_missing_and_empty_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load: no file '.*absent.npgnn'; check the path"):
        load(tmp_path / "absent.npgnn")
    with pytest.raises(FileNotFoundError, match=r"load_state_dict_file: no file"):
        load_state_dict_file(tmp_path / "absent.npgnn")
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ModelFileError, match=r"'.*empty' is empty \(0 bytes\)"):
        load(tmp_path / "empty")
    with pytest.raises(IsADirectoryError, match=r"is a directory"):
        load(tmp_path)
    (tmp_path / "text").write_text("hello, this is not a model")
    with pytest.raises(ModelFileError, match=r"neither a safetensors nor an npz file"):
        load(tmp_path / "text")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file(saved, backend, keep):
    path, _ = saved(backend)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(ModelFileError, match=rf"'{path}'.*(truncated|corrupted)"):
        load(path)
    with pytest.raises(ModelFileError):
        load_state_dict_file(path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_flipped_byte_is_caught_or_harmless(saved, backend):
    """Flip each byte in turn: load must fail with ModelFileError, or give the very same model.

    (Some zip fields, e.g. timestamps, do not affect the content: those flips load fine.)
    """
    path, model = saved(backend)
    data = path.read_bytes()
    harmless = 0
    for i in range(len(data)):
        for mask in (0x01, 0xFF):
            damaged = bytearray(data)
            damaged[i] ^= mask
            path.write_bytes(bytes(damaged))
            try:
                loaded = load(path)
            except ModelFileError:
                continue
            harmless += 1
            assert loaded.get_config() == model.get_config(), f"byte {i} ^ {mask:#x}"
            assert_same_model(model, loaded)
    if backend == "safetensors":
        assert harmless == 0                     # every byte of it is content or checked
    else:
        assert harmless < len(data) // 2         # out of 2 * len(data) flips


def test_safetensors_header_garbage(saved):
    path, _ = saved("safetensors")
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[:8], "little")
    data[9:9 + 20] = b"\x00garbage!garbage!\xff\xfe"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"safetensors header is not valid JSON"):
        load(path)
    data[:8] = (size + 10**6).to_bytes(8, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"header announces \d+ bytes but only \d+ follow"):
        load(path)


def test_npz_bad_zip_and_pickled_objects(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04" + b"garbage" * 20)
    with pytest.raises(ModelFileError,
                       match=r"bad.npz' is truncated or corrupted: not a readable npz zip"):
        load(tmp_path / "bad.npz")
    np.savez(tmp_path / "obj.npz", a=np.array([{"x": 1}], dtype=object))    # needs pickle
    with pytest.raises(ModelFileError, match=r"object arrays, which need pickle.*never unpickles"):
        load_state_dict_file(tmp_path / "obj.npz")


def _write_header(path: Path, header: dict, backend: str) -> None:
    """A file with the given header and TinyNet's weights, checksummed like a real one."""
    arrays = npgnn.io._as_arrays(trained().state_dict(), "test")
    npgnn.io._write(path, arrays, header, backend, "test")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("header", "match"),
    [
        ({"format": "keras", "version": 1},
         r"is not an npgnn file: expected format 'npgnn'.*got 'keras'"),
        ({"format": "npgnn", "version": 2},
         r"format version 2, this npgnn reads version 1; .*upgrade npgnn"),
        ({"format": "npgnn", "version": "one"}, r"format version 'one'.*the header is damaged"),
        ({"format": "npgnn", "version": 1, "kind": "model", "class": 3, "config": {}},
         r"the header needs 'class' \(a string\) and 'config'"),
        ({"format": "npgnn", "version": 1, "kind": "state_dict", "metadata": {}},
         r"holds weights only \(written by save_state_dict\)"),
    ],
)
def test_other_format_or_version(tmp_path, backend, header, match):
    path = tmp_path / "m"
    _write_header(path, header, backend)
    with pytest.raises(ModelFileError, match=match):
        load(path)


def test_other_format_written_by_safetensors_itself(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "m.safetensors"
    header = json.dumps({"format": "npgnn", "version": 9})
    st.save_file({"a": np.ones(1)}, str(path), metadata={"npgnn": header})
    with pytest.raises(ModelFileError,
                       match=r"m.safetensors' has npgnn format version 9.*newer npgnn"):
        load(path)
    st.save_file({"a": np.ones(1)}, str(path), metadata={"npgnn": "{not json"})
    with pytest.raises(ModelFileError, match=r"npgnn header is not valid JSON"):
        load(path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_unknown_class_lists_the_known_ones(tmp_path, monkeypatch, backend):
    path = tmp_path / "m"
    save(trained(), path, backend=backend)
    monkeypatch.delitem(npgnn.io._REGISTRY, "test-io-tiny")
    with pytest.raises(ModelFileError, match=r"class 'test-io-tiny', which is not registered "
                                             r"\(known: .*\); import the module"):
        load(path)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"hidden": 0}, (r"TinyNet\(\*\*config\) rejected the saved config "
                         r".*ValueError: TinyNet: hidden must be >= 1")),
        ({"width": 8},
         r"rejected the saved config .*TypeError: .*unexpected keyword argument 'width'"),
    ],
)
def test_config_the_class_rejects(tmp_path, backend, config, match):
    model = trained()
    model.get_config = lambda: config
    save(model, tmp_path / "m", backend=backend)
    with pytest.raises(ModelFileError, match=match) as info:
        load(tmp_path / "m")
    assert "'" + str(tmp_path / "m") + "'" in str(info.value)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("saved_kwargs", "config", "match"),
    [
        ({}, {"hidden": 5}, r"'lin1.weight' has shape \(8, 4\) in the file, \(5, 4\) in the model"),
        ({}, {"extra": True}, r"missing keys \['lin3.weight', 'lin3.bias'\]"),
        ({"extra": True}, {"extra": False}, r"unexpected keys \['lin3.weight', 'lin3.bias'\]"),
    ],
)
def test_weights_that_do_not_match_the_architecture(tmp_path, backend, saved_kwargs, config, match):
    model = trained(**saved_kwargs)
    model.get_config = lambda: config
    save(model, tmp_path / "m", backend=backend)
    with pytest.raises(ModelFileError, match=match) as info:
        load(tmp_path / "m")
    msg = str(info.value)
    assert str(tmp_path / "m") in msg and "test-io-tiny" in msg and "fix get_config()" in msg


def test_doctests():
    result = doctest.testmod(npgnn.io)
    assert result.attempted > 0 and result.failed == 0
