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

Writes are atomic (:func:`atomic_write`, public for any other file a program writes, e.g. the
CLI's metrics JSON): a temporary file
``.<name>.<random>.npgnn-tmp`` in the same folder, flushed and fsync'ed, then ``os.replace``; an
interrupted save leaves the old file intact, never half a file. SIGTERM and Ctrl-C remove the
temporary file; after a SIGKILL the next save to the same name removes it. An existing target
keeps its permissions; a read-only target, a folder, a missing folder and an empty path are
refused before anything is written. :func:`check_writable` runs those checks alone, so that a
program can test an output path before hours of training.

Trust model: what a hostile file can and cannot do
--------------------------------------------------
A model file is data, never code: nothing in it is unpickled, imported or evaluated, and
``load`` only builds classes registered in this process with ``@register_model``. Reading is
bounded by the file itself (:mod:`npgnn._model_file`):

* only a *regular* file is read: a FIFO, ``/dev/zero`` (or a symlink to it), a socket or a
  folder is refused at once (opened with O_NONBLOCK, then ``fstat`` on the open descriptor), so
  ``load`` never waits or reads forever;
* the JSON headers (the safetensors index and npgnn's own) are capped at 16 MiB and 64 levels
  of nesting, checked without recursion before parsing; NaN and Infinity are refused;
* the header and the arrays' names, dtypes and shapes are read and checked *before* any array:
  every safetensors array must lie inside the file, contiguously; a compressed npz entry is
  refused (npgnn writes stored ones; a deflated entry can inflate to any size: a zip bomb);
  an object array is refused (it would need pickle);
* the checksum (SHA-256 of the header and the arrays) catches accidental damage; it is not a
  signature: anyone can edit a config and recompute it. So the *config* is bounded by the
  file's arrays before a model is built: every integer in it (seeds aside) must be at most the
  number of values the file holds (a wider layer or more layers could not match the file), and
  the constructors check types and ranges (``npgnn._validate``). While the model is built,
  every new parameter and buffer is matched against the file's array shapes, and the build
  stops at the first one the file cannot fill, before its weights are drawn;
* finally every name, shape and dtype must equal the rebuilt model's.

So a hostile file can make ``load`` spend time and memory proportional to its own size, and
can give a registered model any weights and any config values its constructor accepts (the
checksum does not prove who wrote it: load files from sources you trust, as with any model).
It cannot run code, hang, exhaust memory beyond its size, or crash the interpreter with a
RecursionError. ``npgnn.interop`` reads no files: it copies in-memory state dicts.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal, TypeVar

import numpy as np

from npgnn._atomic import atomic_write, check_writable
from npgnn._model_file import (
    MAX_JSON_DEPTH,
    FileIndex,
    ModelFileError,
    json_depth,
    parse_json,
    read_index,
)
from npgnn.nn.module import Module, new_array_hook

__all__ = [
    "FORMAT", "FORMAT_VERSION", "ModelFileError", "atomic_write", "check_writable", "load", "load_state_dict_file", "register_model",
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
    check_writable(path, caller="save")
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
        _check_json_text(json.dumps(config, sort_keys=True, allow_nan=False), "config")
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"save: {cls.__name__}.get_config() must return JSON-serialisable values (numbers, "
            f"strings, bools, None, lists, dicts; finite numbers); {e}. Convert e.g. a dtype to its name "
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
    built: dict[str, Any] = {}

    def check_before_arrays(header: Any, index: FileIndex) -> None:
        built.update(_model_class_and_config(header, index))

    arrays, header, path_s = _read(path, "load", check_before_arrays)
    cls, config, name = built["cls"], built["config"], built["name"]
    budget = _BuildBudget(path_s, name, arrays)
    token = new_array_hook.set(budget)
    try:
        model = cls(**config)
    except ModelFileError:
        raise
    except MemoryError:
        raise ModelFileError(
            f"load: {path_s!r}: {cls.__name__}(**config) with the saved config {config} needs "
            "more memory than there is; the config was edited or damaged: " + _FIX) from None
    except Exception as e:  # any constructor error: the saved config no longer fits the class
        raise ModelFileError(
            f"load: {path_s!r}: {cls.__name__}(**config) rejected the saved config {config}: "
            f"{type(e).__name__}: {e}. The class's constructor changed since the file was "
            "saved? Rebuild the model by hand and load the weights with load_state_dict_file"
        ) from e
    finally:
        new_array_hook.reset(token)
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
    arrays, header, _ = _read(path, "load_state_dict_file")
    meta: dict[str, Any] = {}
    if header is not None:
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


def _check_json_text(text: str, what: str) -> None:
    """What a reader will accept: npgnn reads JSON nested at most MAX_JSON_DEPTH levels."""
    if json_depth(text.encode()) > MAX_JSON_DEPTH - 2:  # (the header wraps it in two levels)
        raise ValueError(f"the {what} is nested more than {MAX_JSON_DEPTH - 2} levels deep")


def _check_header(header: Any, names: list[str], path: str, caller: str) -> None:
    """The header's fields, checked before any array is read."""
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
                             or sorted(keys) != sorted(names)):
        shown = keys if isinstance(keys, list) and len(keys) <= 50 else type(keys).__name__
        raise ModelFileError(
            f"{caller}: {path!r} is corrupted: the header lists arrays {shown!r}, the file "
            f"holds {sorted(names)[:50]}; {_FIX}"
        )
    if not isinstance(header.get("sha256"), str):  # npgnn.io always writes it
        raise ModelFileError(
            f"{caller}: {path!r} is corrupted: its npgnn header has no 'sha256' checksum; {_FIX}"
        )


def _check_digest(header: dict[str, Any], arrays: Mapping[str, np.ndarray], path: str,
                  caller: str) -> None:
    if header["sha256"] != _digest(arrays, header):
        raise ModelFileError(
            f"{caller}: {path!r} is corrupted: the SHA-256 of its header and arrays differs from "
            f"the one recorded when it was saved (damaged bytes on disk or in transfer); {_FIX}"
        )


def _model_class_and_config(header: dict[str, Any], index: FileIndex) -> dict[str, Any]:
    """The registered class and the config of a model file, bounded by the file's arrays."""
    path = index.path
    if header.get("kind") == "state_dict":
        raise ModelFileError(
            f"load: {path!r} holds weights only (written by save_state_dict), no architecture; "
            "build the model yourself and call model.load_state_dict(load_state_dict_file(path))"
        )
    name, config = header.get("class"), header.get("config")
    if not isinstance(name, str) or not isinstance(config, dict):
        raise ModelFileError(
            f"load: {path!r}: the header needs 'class' (a string) and 'config' (an object), got "
            f"class={name!r}, config of type {type(config).__name__}; the file is damaged: {_FIX}"
        )
    cls = _lookup(name)
    if cls is None:
        known = ", ".join(sorted(set(_REGISTRY) | set(_BUILTIN))) or "none"
        raise ModelFileError(
            f"load: {path!r} holds a model of class {name!r}, which is not registered (known: "
            f"{known}); import the module that defines it (its @register_model({name!r}) runs "
            "on import) before calling load"
        )
    limit = max(index.total_values, 1024)
    for where, value in _integers(config):
        if value > limit and "seed" not in where.lower():
            raise ModelFileError(
                f"load: {path!r}: config{where} = {value} exceeds the {index.total_values} values "
                f"the file's {len(index.entries)} arrays hold, so a {name!r} model built from it "
                "could not match the file's weights; the config was edited or damaged (the "
                "checksum does not prove who wrote a file): " + _FIX)
    return {"cls": cls, "config": config, "name": name}


def _integers(config: Any) -> list[tuple[str, int]]:
    """Every integer in a JSON value, with its path (``['hidden_channels']``, ``['sizes'][2]``)."""
    out, stack = [], [("", config)]
    while stack:  # iterative: the depth is bounded already, but recursion is not needed
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{where}[{k!r}]", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(value))
        elif type(value) is int:
            out.append((where, value))
    return out


class _BuildBudget:
    """The hook ``load`` sets while building a model: every new parameter or buffer must match
    an array of the file by shape; unmatched ones may not add up to more values (or more
    arrays) than the file holds. Stops a hostile config before its weights are drawn."""

    def __init__(self, path: str, name: str, arrays: Mapping[str, np.ndarray]):
        self.path, self.name = path, name
        self.free = Counter(tuple(a.shape) for a in arrays.values())
        self.values = sum(a.size for a in arrays.values())
        self.count = len(arrays)
        self.extra_values = self.extra_count = 0

    def __call__(self, array: np.ndarray) -> None:
        shape = tuple(array.shape)
        if self.free[shape] > 0:
            self.free[shape] -= 1
            return
        self.extra_values += math.prod(shape)
        self.extra_count += 1
        if self.extra_values > self.values or self.extra_count > self.count + 64:
            raise ModelFileError(
                f"load: {self.path!r}: the saved config of {self.name!r} builds a parameter of "
                f"shape {shape} that the file's {self.count} arrays ({self.values} values) "
                "cannot fill; the config was edited or damaged (the checksum does not prove who "
                "wrote a file): " + _FIX)


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
        atomic_write(path, lambda f: f.write(blob), caller=caller)
    else:
        def write_npz(f: IO[bytes]) -> None:
            # np.savez's **kwds would clash with names such as "file": write the zip directly
            with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
                entries = [*arrays.items(), (_NPZ_KEY, np.frombuffer(text.encode(), np.uint8))]
                for key, array in entries:
                    with z.open(key + ".npy", "w", force_zip64=True) as entry:
                        np.lib.format.write_array(entry, array, allow_pickle=False)

        atomic_write(path, write_npz, caller=caller)


def _read(path: PathLike, caller: str,
          before_arrays: Callable[[dict[str, Any], FileIndex], None] | None = None,
          ) -> tuple[_Arrays, Any, str]:
    """(arrays, parsed JSON header or None, path as str) from a safetensors or npz file.

    The header is parsed and checked (and ``before_arrays(header, index)`` run) before any
    array is read; the checksum is verified after.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{caller}: path must be a str or os.PathLike, got {type(path).__name__}")
    path_s = os.fspath(path)
    if not path_s:
        raise FileNotFoundError(f"{caller}: the path is empty; give the file's name")
    index = read_index(path_s, caller)
    header = None
    if index.header_text is not None:
        header = parse_json(index.header_text, path_s, caller, "the npgnn header")
        _check_header(header, list(index.entries), path_s, caller)
        if before_arrays is not None:
            before_arrays(header, index)
    elif before_arrays is not None:
        raise ModelFileError(
            f"{caller}: {path_s!r} has no npgnn header, so it was not written by npgnn.io.save "
            "and holds no architecture; for plain weights use load_state_dict_file(path) and "
            "model.load_state_dict(...)"
        )
    arrays = index.read_arrays(caller)
    if header is not None:
        _check_digest(header, arrays, path_s, caller)
        if isinstance(header.get("keys"), list):
            arrays = OrderedDict((k, arrays[k]) for k in header["keys"])
    return arrays, header, path_s
