"""Save and load models and weights: one pickle-free file holding the architecture and the arrays.

File format (version 1). The arrays of ``model.state_dict()`` (parameters and buffers, by dotted
name) go into one file:

* a **safetensors** file (``safetensors.numpy``) when that package is installed: a JSON index
  plus raw little-endian bytes, nothing executable;
* otherwise a NumPy **.npz** (an uncompressed zip of ``.npy`` files), read back with
  ``allow_pickle=False``.

Beside the arrays sits a JSON header, in the safetensors ``__metadata__`` under the key
``"npgnn"``, or as the npz entry ``"__npgnn__"`` (the UTF-8 JSON bytes as a uint8 array)::

    {"format": "npgnn", "version": 1, "kind": "model" | "state_dict",
     "class": "<registered name>", "config": {...constructor kwargs...}, "dtype": "float32",
     "keys": [names in state_dict order], "sha256": "<digest of the arrays>", "metadata": {...}}

(``class``/``config``/``dtype`` for models, ``metadata`` for weights). The SHA-256 of the
header and of every array's name, dtype, shape and bytes is checked on load: safetensors has no
checksum of its own, so without it a flipped byte in the weights or the config would load
silently. ``load`` finds the backend from
the file's first bytes, whatever its name.

A model class is saved by name: decorate it with ``@register_model("name")`` and give it
``get_config()``, which returns the JSON-serialisable keyword arguments that rebuild it;
``load`` calls ``cls(**config)``, then ``load_state_dict``.

Writes are atomic: a temporary file in the same directory, flushed and fsync'ed, then
``os.replace`` (an interrupted save leaves the old file intact, never half a file).
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import io as _bytes_io
import json
import os
import secrets
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal, TypeVar

import numpy as np

from npgnn.nn.module import Module

__all__ = [
    "FORMAT", "FORMAT_VERSION", "ModelFileError", "load", "load_state_dict_file", "register_model",
    "registered_models", "save", "save_state_dict",
]

FORMAT = "npgnn"
FORMAT_VERSION = 1
_SAFETENSORS_KEY = "npgnn"      # key of the JSON header in safetensors' __metadata__
_NPZ_KEY = "__npgnn__"          # npz entry holding the JSON header as uint8 bytes
_FIX = "save it again, or restore it from a copy"

Backend = Literal["auto", "safetensors", "npz"]
PathLike = str | os.PathLike
M = TypeVar("M", bound=type)
_Arrays = OrderedDict[str, np.ndarray]


class ModelFileError(ValueError):
    """A file that cannot be read as an npgnn model or weights file; the message says why."""


# ---------------------------------------------------------------------- model registry
_REGISTRY: dict[str, type[Module]] = {}
_NAMES: dict[type, str] = {}
#: Built-in model names -> the module whose import registers the class. Imported on first use
#: (``load``, ``registered_models``), so ``import npgnn`` stays light and ``npgnn.load`` still
#: finds them without ``import npgnn.models``.
_BUILTIN: dict[str, str] = {name: f"npgnn.models.{name}" for name in ("gat", "gcn", "gin", "mlp",
                                                                      "sage")}


def _lookup(name: str) -> type[Module] | None:
    """The class registered as ``name``, importing its built-in module if needed."""
    cls = _REGISTRY.get(name)
    if cls is None and name in _BUILTIN:
        importlib.import_module(_BUILTIN[name])
        cls = _REGISTRY.get(name)
    return cls


def register_model(name: str) -> Callable[[M], M]:
    """Class decorator: make a Module subclass savable under ``name``.

    The class must implement ``get_config() -> dict``: the JSON-serialisable keyword arguments
    with which ``cls(**config)`` rebuilds the same architecture (weights are saved separately).

    Example:
        >>> from npgnn.nn import Linear, Module
        >>> @register_model("doc-mlp")
        ... class MLP(Module):
        ...     def __init__(self, dims: int):
        ...         self.dims, self.lin = dims, Linear(dims, dims)
        ...     def get_config(self) -> dict:
        ...         return {"dims": self.dims}
        ...     def forward(self, x):
        ...         return self.lin(x)
        >>> registered_models()["doc-mlp"] is MLP
        True

    Raises:
        TypeError if the class is no Module or lacks ``get_config``; ValueError if ``name`` is
        taken by another class (re-registering the same class, e.g. on a module reload, is fine).
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"register_model: name must be a non-empty string, got {name!r}")

    def decorate(cls: M) -> M:
        if not (isinstance(cls, type) and issubclass(cls, Module)):
            raise TypeError(f"register_model({name!r}): expected a Module subclass, got {cls!r}")
        if not callable(getattr(cls, "get_config", None)):
            raise TypeError(
                f"register_model({name!r}): {cls.__name__} has no get_config(); add a method "
                "returning the constructor's keyword arguments as a JSON-serialisable dict"
            )
        old = _REGISTRY.get(name)
        if old is not None and old is not cls and _qualname(old) != _qualname(cls):
            raise ValueError(
                f"register_model: the name {name!r} is already taken by {_qualname(old)}; "
                f"choose another name for {_qualname(cls)}"
            )
        if old is not None:
            _NAMES.pop(old, None)
        _REGISTRY[name] = cls
        _NAMES[cls] = name
        return cls

    return decorate


def registered_models() -> dict[str, type[Module]]:
    """A copy of the registry: name → class, sorted by name (built-in models included)."""
    for name in _BUILTIN:
        _lookup(name)
    return dict(sorted(_REGISTRY.items()))


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# ---------------------------------------------------------------------- public API
def save(model: Module, path: PathLike, *, backend: Backend = "auto",
         metadata: Mapping[str, Any] | None = None) -> None:
    """Write ``model``'s registered class name, ``get_config()`` and ``state_dict()`` to ``path``.

    Args:
        model: an instance of a class decorated with ``@register_model``.
        path: the file to write (replaced atomically if it exists; its directory must exist).
            The name is free; ``.safetensors`` or ``.npz`` tell others what is inside.
        backend: "auto" (safetensors if installed, else npz), "safetensors" or "npz".
        metadata: JSON-serialisable information kept with the model (``npgnn train --save``
            records the dataset it was trained on); read it back with
            ``load_state_dict_file(path, with_metadata=True)[1]["metadata"]``.

    Raises:
        TypeError for an unregistered class or a config that JSON cannot hold; ImportError for
        backend="safetensors" without the package; OSError from the file system.
    """
    if not isinstance(model, Module):
        raise TypeError(f"save: model must be an npgnn Module, got {type(model).__name__}")
    cls = type(model)
    name = _NAMES.get(cls)
    if name is None:
        raise TypeError(
            f"save: {cls.__name__} is not a registered model class; decorate it with "
            f"@register_model('some-name') and give it get_config(), or save the weights alone "
            "with save_state_dict(model.state_dict(), path)"
        )
    config = model.get_config()  # type: ignore[attr-defined]
    if not isinstance(config, dict) or not all(isinstance(k, str) for k in config):
        raise TypeError(
            f"save: {cls.__name__}.get_config() must return a dict of keyword arguments with "
            f"string keys, got {type(config).__name__}"
        )
    try:
        json.dumps(config, sort_keys=True)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"save: {cls.__name__}.get_config() must return JSON-serialisable values (numbers, "
            f"strings, bools, None, lists, dicts); {e}. Convert e.g. a dtype to its name "
            "(np.dtype(d).name) and an array to a list"
        ) from e
    arrays = _as_arrays(model.state_dict(), "save")
    dtypes = {a.dtype.name for a in arrays.values() if np.issubdtype(a.dtype, np.floating)}
    header = {
        "format": FORMAT, "version": FORMAT_VERSION, "kind": "model", "class": name,
        "config": config, "dtype": dtypes.pop() if len(dtypes) == 1 else None,
    }
    if metadata is not None:
        try:
            header["metadata"] = json.loads(json.dumps(dict(metadata), sort_keys=True))
        except (TypeError, ValueError) as e:
            raise TypeError(f"save: metadata must be JSON-serialisable; {e}") from e
    _write(path, arrays, header, backend, "save")


def load(path: PathLike) -> Module:
    """Rebuild the model saved in ``path``: ``cls(**config)``, then ``load_state_dict``.

    The class must be registered under the saved name in this process (import the module that
    defines it first). If the file's floats have another dtype than the rebuilt model's, the
    model is cast to it (``model.to(dtype)``), so outputs are bit-identical to the saved model's.
    Like a freshly built model it is in training mode: call ``.eval()`` for inference.

    Raises:
        FileNotFoundError for a missing file. ModelFileError (a ValueError) for a truncated or
        corrupted file, another format or version, an unknown class, a config the class rejects,
        or weights that do not fit the rebuilt model. Each message names the file, what was
        expected, what was found, and what to do.
    """
    arrays, header, path_s = _read(path, "load")
    if header is None:
        raise ModelFileError(
            f"load: {path_s!r} has no npgnn header, so it was not written by npgnn.io.save and "
            "holds no architecture; for plain weights use load_state_dict_file(path) and "
            "model.load_state_dict(...)"
        )
    _check_header(header, arrays, path_s, "load")
    if header.get("kind") == "state_dict":
        raise ModelFileError(
            f"load: {path_s!r} holds weights only (written by save_state_dict), no architecture; "
            "build the model yourself and call model.load_state_dict(load_state_dict_file(path))"
        )
    name, config = header.get("class"), header.get("config")
    if not isinstance(name, str) or not isinstance(config, dict):
        raise ModelFileError(
            f"load: {path_s!r}: the header needs 'class' (a string) and 'config' (an object), got "
            f"class={name!r}, config of type {type(config).__name__}; the file is damaged: {_FIX}"
        )
    cls = _lookup(name)
    if cls is None:
        known = ", ".join(sorted(set(_REGISTRY) | set(_BUILTIN))) or "none"
        raise ModelFileError(
            f"load: {path_s!r} holds a model of class {name!r}, which is not registered (known: "
            f"{known}); import the module that defines it (its @register_model({name!r}) runs "
            "on import) before calling load"
        )
    try:
        model = cls(**config)
    except Exception as e:  # any constructor error: the saved config no longer fits the class
        raise ModelFileError(
            f"load: {path_s!r}: {cls.__name__}(**config) rejected the saved config {config}: "
            f"{type(e).__name__}: {e}. The class's constructor changed since the file was "
            "saved? Rebuild the model by hand and load the weights with load_state_dict_file"
        ) from e
    dtype = header.get("dtype")
    if dtype is not None:
        try:
            dt = np.dtype(dtype)
        except (TypeError, ValueError):
            dt = None
        if dt is None or dt.kind != "f":
            raise ModelFileError(
                f"load: {path_s!r}: the header's dtype must name a float dtype, got {dtype!r}; "
                f"{_FIX}"
            )
        current = {p.dtype for p in model.parameters()}
        if current and current != {dt}:
            model.to(dt)
    _check_weights(model, arrays, path_s, name)
    model.load_state_dict(arrays)
    return model


def save_state_dict(
    state: Mapping[str, Any], path: PathLike, metadata: Mapping[str, Any] | None = None, *,
    backend: Backend = "auto",
) -> None:
    """Write plain named arrays (e.g. ``model.state_dict()``) and optional JSON metadata.

    Args:
        state: name → ndarray (or Tensor/Parameter); names are non-empty strings.
        path: the file to write (atomically; its directory must exist).
        metadata: JSON-serialisable information kept with the arrays (epoch, accuracy, ...).
        backend: "auto" (safetensors if installed, else npz), "safetensors" or "npz".
    """
    arrays = _as_arrays(state, "save_state_dict")
    meta = dict(metadata) if metadata is not None else {}
    try:
        json.dumps(meta, sort_keys=True)
    except (TypeError, ValueError) as e:
        raise TypeError(f"save_state_dict: metadata must be JSON-serialisable; {e}") from e
    header = {"format": FORMAT, "version": FORMAT_VERSION, "kind": "state_dict", "metadata": meta}
    _write(path, arrays, header, backend, "save_state_dict")


def load_state_dict_file(
    path: PathLike, *, with_metadata: bool = False,
) -> OrderedDict[str, np.ndarray] | tuple[OrderedDict[str, np.ndarray], dict[str, Any]]:
    """Read the named arrays of a file written by ``save_state_dict`` or ``save``.

    Plain safetensors and npz files from elsewhere (without an npgnn header) are read too.
    Arrays are fresh, writable copies, in the saved order.

    Returns:
        The state dict, or ``(state, metadata)`` with ``with_metadata=True`` (the metadata given
        to ``save_state_dict``; for a model file, its ``class``/``config``/``dtype``, and the
        ``metadata`` given to ``save`` if any).

    Raises:
        FileNotFoundError; ModelFileError for a truncated, corrupted or foreign-format file.
    """
    arrays, header, path_s = _read(path, "load_state_dict_file")
    meta: dict[str, Any] = {}
    if header is not None:
        _check_header(header, arrays, path_s, "load_state_dict_file")
        if header.get("kind") == "model":
            meta = {k: header.get(k) for k in ("class", "config", "dtype")}
            if "metadata" in header:
                meta["metadata"] = header["metadata"]
        else:
            meta = dict(header.get("metadata") or {})
    return (arrays, meta) if with_metadata else arrays


# ---------------------------------------------------------------------- arrays and checks
def _as_arrays(state: Mapping[str, Any], caller: str) -> OrderedDict[str, np.ndarray]:
    if not isinstance(state, Mapping):
        raise TypeError(
            f"{caller}: state must be a dict of name -> array, got {type(state).__name__}"
        )
    out: OrderedDict[str, np.ndarray] = OrderedDict()
    for key, value in state.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"{caller}: state names must be non-empty strings, got {key!r}")
        if key in (_NPZ_KEY, "__metadata__"):
            raise ValueError(
                f"{caller}: the name {key!r} is reserved by the file format; rename it"
            )
        array = np.asarray(getattr(value, "data", value))
        if array.dtype.kind not in "biufc":
            raise TypeError(
                f"{caller}: {key!r} has dtype {array.dtype}; only bool, integer, float and "
                "complex arrays can be saved (no objects: the format holds no pickle)"
            )
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        # (not np.ascontiguousarray: it turns a 0-d array into shape (1,))
        out[key] = array if array.flags.c_contiguous else np.array(array, order="C")
    return out


def _digest(arrays: Mapping[str, np.ndarray], header: Mapping[str, Any]) -> str:
    """SHA-256 of the header (canonical JSON, without "sha256") and of every array's name, dtype,
    shape and little-endian bytes, by sorted name."""
    h = hashlib.sha256()
    rest = {k: v for k, v in header.items() if k != "sha256"}
    h.update(json.dumps(rest, sort_keys=True, separators=(",", ":")).encode())
    for key in sorted(arrays):
        a = arrays[key]
        h.update(json.dumps([key, a.dtype.name, list(a.shape)]).encode())
        h.update(np.asarray(a, dtype=a.dtype.newbyteorder("<")).tobytes(order="C"))
    return h.hexdigest()


def _check_header(header: Any, arrays: Mapping[str, np.ndarray], path: str, caller: str) -> None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        got = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise ModelFileError(
            f"{caller}: {path!r} is not an npgnn file: expected format {FORMAT!r} in its header, "
            f"got {got!r}; was it written by another program?"
        )
    version = header.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        if type(version) is int and version > FORMAT_VERSION:
            hint = "it was written by a newer npgnn: upgrade npgnn to read it"
        else:
            hint = f"the header is damaged: {_FIX}"
        raise ModelFileError(
            f"{caller}: {path!r} has npgnn format version {version!r}, this npgnn reads version "
            f"{FORMAT_VERSION}; {hint}"
        )
    keys = header.get("keys")
    if keys is not None and (not isinstance(keys, list) or not all(isinstance(k, str) for k in keys)
                             or sorted(keys) != sorted(arrays)):
        raise ModelFileError(
            f"{caller}: {path!r} is corrupted: the header lists arrays {keys!r}, the file "
            f"holds {sorted(arrays)}; {_FIX}"
        )
    digest = header.get("sha256")
    if not isinstance(digest, str):  # npgnn.io always writes it: its absence is damage too
        raise ModelFileError(
            f"{caller}: {path!r} is corrupted: its npgnn header has no 'sha256' checksum; {_FIX}"
        )
    if digest != _digest(arrays, header):
        raise ModelFileError(
            f"{caller}: {path!r} is corrupted: the SHA-256 of its header and arrays differs from "
            f"the one recorded when it was saved (damaged bytes on disk or in transfer); {_FIX}"
        )


def _check_weights(model: Module, arrays: Mapping[str, np.ndarray], path: str, name: str) -> None:
    """Compare the file's arrays with the rebuilt model's entries: names, shapes, dtypes."""
    expected = {k: p.data for k, p in model.named_parameters()}
    expected.update((k, np.asarray(b)) for k, b in model.named_buffers())
    problems = []
    missing = [k for k in expected if k not in arrays]
    unexpected = [k for k in arrays if k not in expected]
    if missing:
        problems.append(f"missing keys {missing}")
    if unexpected:
        problems.append(f"unexpected keys {unexpected}")
    for k, target in expected.items():
        got = arrays.get(k)
        if got is not None and got.shape != target.shape:
            problems.append(f"{k!r} has shape {got.shape} in the file, {target.shape} in the model")
        elif got is not None and got.dtype != target.dtype:
            problems.append(f"{k!r} has dtype {got.dtype} in the file, {target.dtype} in the model")
    if problems:
        raise ModelFileError(
            f"load: {path!r}: the weights do not match the {name!r} model built from the saved "
            f"config: {'; '.join(problems)}. The class changed since the file was saved, or "
            "get_config() misses a constructor argument; fix get_config(), or rebuild the model "
            "by hand and use load_state_dict_file with model.load_state_dict(..., strict=False)"
        )


# ---------------------------------------------------------------------- backends
def _safetensors() -> Any:
    """The ``safetensors.numpy`` module, or None if the package is not installed."""
    try:
        import safetensors.numpy as st
    except ImportError:
        return None
    return st


def _write(path: PathLike, arrays: OrderedDict[str, np.ndarray], header: dict[str, Any],
           backend: Backend, caller: str) -> None:
    if backend not in ("auto", "safetensors", "npz"):
        raise ValueError(
            f"{caller}: backend must be 'auto', 'safetensors' or 'npz', got {backend!r}"
        )
    st = _safetensors()
    if backend == "safetensors" and st is None:
        raise ImportError(f"{caller}: backend='safetensors' needs the safetensors package: "
                          "pip install safetensors (or use backend='npz')")
    use_st = st is not None and backend != "npz"
    # through JSON and back, so that the digest is computed on what a reader will parse
    # (tuples become lists, int keys of nested dicts become strings)
    header = json.loads(json.dumps({**header, "keys": list(arrays)}))
    header["sha256"] = _digest(arrays, header)
    text = json.dumps(header, separators=(",", ":"))
    if use_st:
        try:
            blob = st.save(dict(arrays), metadata={_SAFETENSORS_KEY: text})
        except Exception as e:  # noqa: BLE001  SafetensorError: e.g. complex128, float128
            common = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                      "uint64", "float16", "float32", "float64"}
            odd = {k: a.dtype.name for k, a in arrays.items() if a.dtype.name not in common}
            raise TypeError(
                f"{caller}: safetensors cannot store these arrays {odd} ({e}); use "
                "backend='npz', or cast them"
            ) from None
        _atomic_write(path, lambda f: f.write(blob), caller)
    else:
        def write_npz(f: IO[bytes]) -> None:
            # np.savez's **kwds would clash with names such as "file": write the zip directly
            with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
                entries = [*arrays.items(), (_NPZ_KEY, np.frombuffer(text.encode(), np.uint8))]
                for key, array in entries:
                    with z.open(key + ".npy", "w", force_zip64=True) as entry:
                        np.lib.format.write_array(entry, array, allow_pickle=False)

        _atomic_write(path, write_npz, caller)


def _atomic_write(path: PathLike, write: Callable[[IO[bytes]], Any], caller: str) -> None:
    """Write through a temporary file in the target's directory, fsync, then ``os.replace``."""
    path_s = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path_s))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"{caller}: cannot write {path_s!r}: the directory {directory!r} does not exist; "
            "create it first (os.makedirs)"
        )
    if os.path.isdir(path_s):
        raise IsADirectoryError(f"{caller}: {path_s!r} is a directory; give a file name inside it")
    base = os.path.basename(path_s)
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:  # 0o666 & ~umask: the same permissions as a plainly created file
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path_s)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # persist the rename too (POSIX; not possible on Windows)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _read(path: PathLike, caller: str) -> tuple[_Arrays, Any, str]:
    """(arrays, parsed JSON header or None, path as str) from a safetensors or npz file."""
    path_s = os.fspath(path)
    if not os.path.exists(path_s):
        raise FileNotFoundError(f"{caller}: no file {path_s!r}; check the path (and the working "
                                f"directory {os.getcwd()!r})")
    if os.path.isdir(path_s):
        raise IsADirectoryError(f"{caller}: {path_s!r} is a directory, not a saved model file")
    with open(path_s, "rb") as f:
        data = f.read()
    if not data:
        raise ModelFileError(
            f"{caller}: {path_s!r} is empty (0 bytes): an interrupted copy? {_FIX}"
        )
    if data[:2] == b"PK":
        arrays, text = _read_npz(data, path_s, caller)
    elif len(data) >= 9 and data[8:9] == b"{":
        arrays, text = _read_safetensors(data, path_s, caller)
    else:
        raise ModelFileError(
            f"{caller}: {path_s!r} is neither a safetensors nor an npz file (it starts with "
            f"{data[:12]!r}); it is corrupted or was not written by npgnn.io: {_FIX}"
        )
    if text is None:
        return arrays, None, path_s
    try:
        header = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{caller}: {path_s!r}: the npgnn header is not valid JSON ({e}); "
                             f"the file is corrupted: {_FIX}") from None
    if isinstance(header, dict) and isinstance(header.get("keys"), list):
        order = [k for k in header["keys"] if k in arrays]
        rest = [k for k in arrays if k not in order]
        arrays = OrderedDict((k, arrays[k]) for k in [*order, *rest])
    return arrays, header, path_s


def _read_safetensors(data: bytes, path: str, caller: str) -> tuple[_Arrays, str | None]:
    size = int.from_bytes(data[:8], "little")
    if 8 + size > len(data):
        raise ModelFileError(
            f"{caller}: {path!r} is truncated or corrupted: its safetensors header announces "
            f"{size} bytes but only {len(data) - 8} follow; {_FIX}"
        )
    try:
        index = json.loads(data[8:8 + size])
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(
            f"{caller}: {path!r} is corrupted: its safetensors header is not valid JSON "
            f"({e}); {_FIX}"
        ) from None
    meta = index.get("__metadata__") if isinstance(index, dict) else None
    if not isinstance(index, dict) or not isinstance(meta, (dict, type(None))):
        raise ModelFileError(f"{caller}: {path!r} is corrupted: its safetensors header is not a "
                             f"JSON object of tensors; {_FIX}")
    st = _safetensors()
    if st is None:
        raise ModelFileError(
            f"{caller}: {path!r} is a safetensors file, but the safetensors package is not "
            "installed: pip install safetensors"
        )
    try:
        loaded = st.load(data)
    except Exception as e:  # noqa: BLE001  SafetensorError (no stable name), dtype errors
        raise ModelFileError(
            f"{caller}: {path!r} is truncated or corrupted: safetensors cannot read it ({e}); "
            f"{_FIX}"
        ) from None
    arrays = OrderedDict((k, np.array(v, copy=True)) for k, v in loaded.items())
    text = (meta or {}).get(_SAFETENSORS_KEY)
    return arrays, text if isinstance(text, str) else None


def _read_npz(data: bytes, path: str, caller: str) -> tuple[_Arrays, str | None]:
    try:
        with np.load(_bytes_io.BytesIO(data), allow_pickle=False) as z:
            arrays = OrderedDict((k, z[k]) for k in z.files)
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ModelFileError(
                f"{caller}: {path!r} holds object arrays, which need pickle to load; npgnn never "
                "unpickles (unpickling can run arbitrary code). Re-save the arrays as numbers"
            ) from None
        raise ModelFileError(f"{caller}: {path!r} is truncated or corrupted: {e}; {_FIX}") from None
    except Exception as e:  # noqa: BLE001  BadZipFile, zlib.error, EOFError, NotImplementedError...
        raise ModelFileError(
            f"{caller}: {path!r} is truncated or corrupted: not a readable npz zip ({e}); {_FIX}"
        ) from None
    raw = arrays.pop(_NPZ_KEY, None)
    if raw is None:
        return arrays, None
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(f"{caller}: {path!r}: the {_NPZ_KEY!r} entry must be uint8 bytes, got "
                             f"dtype {raw.dtype} shape {raw.shape}; {_FIX}")
    try:
        return arrays, raw.tobytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelFileError(
            f"{caller}: {path!r}: the npgnn header is not UTF-8 ({e}); {_FIX}"
        ) from None
