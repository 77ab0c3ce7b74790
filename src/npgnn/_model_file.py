"""Bounded reading of npgnn model files: the mechanics of ``npgnn.io``'s trust model.

:func:`read_index` opens a file, checks that it is a regular file, and reads only its *index*:
the names, dtypes and shapes of its arrays and the npgnn JSON header, each within a fixed size
and nesting depth. :meth:`FileIndex.read_arrays` then reads the arrays, exactly the bytes the
index announced. Nothing here allocates more than the file's size, waits on a FIFO, reads
forever from a device, inflates a compressed entry, or recurses on deep JSON.

safetensors files are parsed here rather than with the ``safetensors`` package (which
``npgnn.io`` still uses to *write* them): the package reads every array before its caller can
look at the header, and it opens files by name, so the regular-file check could be raced.
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

__all__ = [
    "MAX_ARRAYS", "MAX_HEADER_BYTES", "MAX_JSON_DEPTH", "FileIndex", "ModelFileError",
    "parse_json", "read_index",
]

MAX_HEADER_BYTES = 16 * 2**20   # the safetensors index / the npgnn JSON header
MAX_JSON_DEPTH = 64             # nesting of any JSON npgnn reads (configs are 2-3 deep)
MAX_ARRAYS = 100_000            # arrays in one file
_NPZ_KEY = "__npgnn__"
_FIX = "save it again, or restore it from a copy"

# safetensors' dtype names -> little-endian NumPy dtypes (BF16 and the F8 kinds have none)
_ST_DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "U16": "<u2", "I16": "<i2", "U32": "<u4",
              "I32": "<i4", "U64": "<u8", "I64": "<i8", "F16": "<f2", "F32": "<f4", "F64": "<f8"}


class ModelFileError(ValueError):
    """A file that cannot be read as an npgnn model or weights file; the message says why."""


Entry = tuple[np.dtype, tuple[int, ...]]


@dataclass
class FileIndex:
    """What a model file holds, read without reading its arrays."""

    path: str
    backend: str                          # "safetensors" or "npz"
    entries: OrderedDict[str, Entry]      # name -> (dtype, shape), in file order
    header_text: str | None               # the npgnn JSON header, or None (a foreign file)
    _locations: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def total_values(self) -> int:
        """How many numbers the file's arrays hold together."""
        return sum(math.prod(shape) for _, shape in self.entries.values())

    def read_arrays(self, caller: str) -> OrderedDict[str, np.ndarray]:
        """Every array, as a writable array of native byte order (exactly the announced bytes)."""
        with _open_regular(self.path, caller) as (f, size):
            if self.backend == "safetensors":
                return self._read_safetensors(f, size, caller)
            return self._read_npz(f, caller)

    def _read_safetensors(self, f: IO[bytes], size: int, caller: str) -> OrderedDict[str, np.ndarray]:
        start, data_size = self._locations["__data__"]
        if start + data_size != size:
            raise ModelFileError(f"{caller}: {self.path!r} changed while it was being read; "
                                 "read it again")
        f.seek(start)
        buf = bytearray(data_size)
        if f.readinto(buf) != data_size:
            raise ModelFileError(f"{caller}: {self.path!r} is truncated: {_FIX}")
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        for name, (dtype, shape) in self.entries.items():
            begin = self._locations[name]
            count = math.prod(shape)
            a = np.frombuffer(buf, dtype=dtype, count=count, offset=begin).reshape(shape)
            if not a.dtype.isnative or begin % max(a.dtype.alignment, 1):
                a = a.astype(a.dtype.newbyteorder("="))
            out[name] = a
        return out

    def _read_npz(self, f: IO[bytes], caller: str) -> OrderedDict[str, np.ndarray]:
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        try:
            with zipfile.ZipFile(f) as z:
                for name, (dtype, shape) in self.entries.items():
                    info, offset, fortran = self._locations[name]
                    out[name] = _read_npy_body(z, info, offset, dtype, shape, fortran, self.path,
                                               caller)
        except ModelFileError:
            raise
        except Exception as e:  # noqa: BLE001  BadZipFile, CRC errors, EOFError...
            raise ModelFileError(f"{caller}: {self.path!r} is truncated or corrupted: not a "
                                 f"readable npz zip ({e}); {_FIX}") from None
        return out


# ---------------------------------------------------------------------- opening
class _open_regular:  # a context manager used like a function
    """Open ``path`` for reading without blocking, and refuse anything but a regular file.

    O_NONBLOCK makes opening a FIFO return at once (instead of waiting for a writer); fstat on
    the open descriptor (not stat on the name, which could be swapped in between) then tells a
    FIFO, a device (``/dev/zero``), a socket or a folder from a regular file.
    """

    def __init__(self, path: str, caller: str):
        self.path, self.caller = path, caller

    def __enter__(self) -> tuple[IO[bytes], int]:
        path, caller = self.path, self.caller
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            raise FileNotFoundError(f"{caller}: no file {path!r}; check the path (and the "
                                    f"working directory {os.getcwd()!r})") from None
        except IsADirectoryError:
            raise IsADirectoryError(f"{caller}: {path!r} is a directory, not a saved model "
                                    "file") from None
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(f"{caller}: {path!r} is a directory, not a saved model file")
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else
                    "a character device" if stat.S_ISCHR(mode) else
                    "a block device" if stat.S_ISBLK(mode) else
                    "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
            raise ModelFileError(
                f"{caller}: {path!r} is {kind}; npgnn reads models only from regular files (a "
                "pipe could make it wait, a device such as /dev/zero read forever). Copy the "
                "data into a file first")
        self.file = os.fdopen(fd, "rb")
        return self.file, os.fstat(fd).st_size

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def _read_exact(f: IO[bytes], n: int, path: str, caller: str, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise ModelFileError(f"{caller}: {path!r} is truncated: {what} announces {n} bytes, "
                             f"{len(data)} follow; {_FIX}")
    return data


# ---------------------------------------------------------------------- JSON
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(text: bytes) -> int:
    """Deepest nesting of ``[``/``{`` in a JSON text, counted without recursion (strings skipped)."""
    bare = _STRING.sub(b"", text)
    b = np.frombuffer(bare, dtype=np.uint8)
    step = (np.isin(b, (ord("["), ord("{"))).astype(np.int64)
            - np.isin(b, (ord("]"), ord("}"))).astype(np.int64))
    return int(np.cumsum(step).max(initial=0))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str | bytes, path: str, caller: str, what: str) -> Any:
    """``json.loads`` after checking the size and the nesting depth; NaN/Infinity refused."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(raw) > MAX_HEADER_BYTES:
        raise ModelFileError(f"{caller}: {path!r}: {what} has {len(raw)} bytes, more than the "
                             f"{MAX_HEADER_BYTES} npgnn reads; {_FIX}")
    depth = json_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise ModelFileError(f"{caller}: {path!r}: {what} is nested {depth} levels deep, more "
                             f"than the {MAX_JSON_DEPTH} npgnn accepts; the file is corrupted or "
                             f"hostile: {_FIX}")
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ModelFileError(f"{caller}: {path!r}: {what} is not valid JSON ({e}); the file is "
                             f"corrupted: {_FIX}") from None


# ---------------------------------------------------------------------- index
def read_index(path: str, caller: str) -> FileIndex:
    """The arrays' names, dtypes and shapes and the npgnn header of a safetensors or npz file.

    Raises:
        FileNotFoundError, IsADirectoryError; ModelFileError for anything else wrong.
    """
    with _open_regular(path, caller) as (f, size):
        if size == 0:
            raise ModelFileError(f"{caller}: {path!r} is empty (0 bytes): an interrupted copy? "
                                 f"{_FIX}")
        head = f.read(9)
        if head[:2] == b"PK":
            f.seek(0)
            return _npz_index(f, path, caller)
        if len(head) == 9 and head[8:9] == b"{":
            return _safetensors_index(f, size, head, path, caller)
        raise ModelFileError(
            f"{caller}: {path!r} is neither a safetensors nor an npz file (it starts with "
            f"{head!r}); it is corrupted or was not written by npgnn.io: {_FIX}")


def _is_size(v: Any) -> bool:
    return type(v) is int and v >= 0


def _safetensors_index(f: IO[bytes], size: int, head: bytes, path: str, caller: str) -> FileIndex:
    n = int.from_bytes(head[:8], "little")
    if n > MAX_HEADER_BYTES:
        raise ModelFileError(f"{caller}: {path!r}: its safetensors header announces {n} bytes, "
                             f"more than the {MAX_HEADER_BYTES} npgnn reads; {_FIX}")
    if 8 + n > size:
        raise ModelFileError(f"{caller}: {path!r} is truncated or corrupted: its safetensors "
                             f"header announces {n} bytes but only {size - 8} follow; {_FIX}")
    f.seek(8)
    raw = _read_exact(f, n, path, caller, "the safetensors header")
    index = parse_json(raw, path, caller, "the safetensors header")
    bad = f"{caller}: {path!r} is corrupted: its safetensors header"
    if not isinstance(index, dict):
        raise ModelFileError(f"{bad} is not a JSON object of tensors; {_FIX}")
    meta = index.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict)
                                 and all(isinstance(v, str) for v in meta.values())):
        raise ModelFileError(f"{bad} has a __metadata__ that is not an object of strings; {_FIX}")
    if len(index) > MAX_ARRAYS:
        raise ModelFileError(f"{bad} lists {len(index)} arrays, more than the {MAX_ARRAYS} npgnn "
                             "reads")
    data_size = size - 8 - n
    entries: OrderedDict[str, Entry] = OrderedDict()
    spans = []
    for name, spec in index.items():
        if not isinstance(spec, dict):
            raise ModelFileError(f"{bad}: entry {name!r} is not an object; {_FIX}")
        code, shape, offsets = spec.get("dtype"), spec.get("shape"), spec.get("data_offsets")
        if code not in _ST_DTYPES:
            raise ModelFileError(f"{caller}: {path!r}: array {name!r} has dtype {code!r}; npgnn "
                                 f"reads {', '.join(_ST_DTYPES)}")
        if not (isinstance(shape, list) and all(_is_size(d) for d in shape)):
            raise ModelFileError(f"{bad}: array {name!r} has shape {shape!r}; {_FIX}")
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(_is_size(o) for o in offsets) and offsets[0] <= offsets[1] <= data_size):
            raise ModelFileError(f"{bad}: array {name!r} has data_offsets {offsets!r} outside the "
                                 f"{data_size} data bytes (truncated?); {_FIX}")
        dtype = np.dtype(_ST_DTYPES[code])
        if math.prod(shape) * dtype.itemsize != offsets[1] - offsets[0]:
            raise ModelFileError(f"{bad}: array {name!r} of shape {tuple(shape)} and dtype {code} "
                                 f"needs {math.prod(shape) * dtype.itemsize} bytes, its offsets "
                                 f"span {offsets[1] - offsets[0]}; {_FIX}")
        entries[name] = (dtype, tuple(shape))
        spans.append((offsets[0], offsets[1], name))
    spans.sort()
    end = 0
    for begin, stop, name in spans:  # safetensors' own rule: contiguous, no holes, no overlaps
        if begin != end:
            raise ModelFileError(f"{bad}: array {name!r} starts at byte {begin}, expected {end} "
                                 f"(arrays overlap or leave holes); {_FIX}")
        end = stop
    if end != data_size:
        raise ModelFileError(f"{caller}: {path!r} is truncated or corrupted: its arrays span "
                             f"{end} bytes, the file holds {data_size} after the header; {_FIX}")
    text = (meta or {}).get("npgnn")
    locations: dict[str, Any] = {name: begin for begin, _, name in spans}
    locations["__data__"] = (8 + n, data_size)
    return FileIndex(path, "safetensors", entries, text, locations)


def _npz_index(f: IO[bytes], path: str, caller: str) -> FileIndex:
    try:
        z = zipfile.ZipFile(f)
    except Exception as e:  # noqa: BLE001  BadZipFile, OSError, ...
        raise ModelFileError(f"{caller}: {path!r} is truncated or corrupted: not a readable npz "
                             f"zip ({e}); {_FIX}") from None
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ARRAYS:
            raise ModelFileError(f"{caller}: {path!r} holds {len(infos)} entries, more than the "
                                 f"{MAX_ARRAYS} npgnn reads")
        entries: OrderedDict[str, Entry] = OrderedDict()
        locations: dict[str, Any] = {}
        text = None
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED:
                raise ModelFileError(
                    f"{caller}: {path!r}: the entry {info.filename!r} is compressed; npgnn reads "
                    "only uncompressed npz files (a compressed entry can inflate to any size: a "
                    "zip bomb). npgnn.io writes uncompressed ones; convert a trusted file with "
                    "np.savez(out, **np.load(path))")
            if info.flag_bits & 0x1:
                raise ModelFileError(f"{caller}: {path!r}: the entry {info.filename!r} is "
                                     "encrypted")
            if not info.filename.endswith(".npy"):
                raise ModelFileError(f"{caller}: {path!r}: the entry {info.filename!r} is no .npy "
                                     "array; this is not an npz file of arrays")
            name = info.filename[:-4]
            if name in entries or (name == _NPZ_KEY and text is not None):
                raise ModelFileError(f"{caller}: {path!r} holds the array {name!r} twice; {_FIX}")
            try:
                with z.open(info) as e:
                    dtype, shape, fortran, offset = _npy_header(e, path, caller, info.filename)
                    if info.file_size != offset + math.prod(shape) * dtype.itemsize:
                        raise ModelFileError(
                            f"{caller}: {path!r} is truncated or corrupted: the entry "
                            f"{info.filename!r} holds {info.file_size} bytes, its header "
                            f"announces {offset + math.prod(shape) * dtype.itemsize}; {_FIX}")
                    if name == _NPZ_KEY:
                        text = _npz_header_text(e, dtype, shape, path, caller)
                        continue
            except ModelFileError:
                raise
            except Exception as e:  # noqa: BLE001
                raise ModelFileError(f"{caller}: {path!r} is truncated or corrupted: not a "
                                     f"readable npz zip ({e}); {_FIX}") from None
            entries[name] = (dtype, shape)
            locations[name] = (info, offset, fortran)
    return FileIndex(path, "npz", entries, text, locations)


def _npy_header(e: IO[bytes], path: str, caller: str, entry: str
                ) -> tuple[np.dtype, tuple[int, ...], bool, int]:
    fmt = np.lib.format
    try:
        version = fmt.read_magic(e)
        reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, fortran, dtype = reader(e)
    except ValueError as err:
        raise ModelFileError(f"{caller}: {path!r}: the entry {entry!r} is no readable .npy array "
                             f"({err}); {_FIX}") from None
    if dtype.hasobject or dtype.kind not in "biufc":
        why = ("it holds object arrays, which need pickle to load; npgnn never unpickles "
               "(unpickling can run arbitrary code). Re-save the arrays as numbers" if dtype.hasobject else
               "npgnn reads bool, integer, float and complex arrays only")
        raise ModelFileError(f"{caller}: {path!r}: the entry {entry!r} has dtype {dtype}; {why}")
    return dtype, tuple(shape), bool(fortran), e.tell()


def _npz_header_text(e: IO[bytes], dtype: np.dtype, shape: tuple[int, ...], path: str,
                     caller: str) -> str:
    if dtype != np.uint8 or len(shape) != 1:
        raise ModelFileError(f"{caller}: {path!r}: the {_NPZ_KEY!r} entry must be uint8 bytes, "
                             f"got dtype {dtype} shape {shape}; {_FIX}")
    if shape[0] > MAX_HEADER_BYTES:
        raise ModelFileError(f"{caller}: {path!r}: the npgnn header has {shape[0]} bytes, more "
                             f"than the {MAX_HEADER_BYTES} npgnn reads; {_FIX}")
    raw = e.read(shape[0])
    if len(raw) != shape[0]:
        raise ModelFileError(f"{caller}: {path!r} is truncated: {_FIX}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ModelFileError(f"{caller}: {path!r}: the npgnn header is not UTF-8 ({err}); "
                             f"{_FIX}") from None


def _read_npy_body(z: zipfile.ZipFile, info: zipfile.ZipInfo, offset: int, dtype: np.dtype,
                   shape: tuple[int, ...], fortran: bool, path: str, caller: str) -> np.ndarray:
    nbytes = math.prod(shape) * dtype.itemsize
    with z.open(info) as e:
        e.read(offset)  # the .npy header, already parsed
        buf = bytearray(nbytes)
        view = memoryview(buf)
        got = 0
        while got < nbytes:
            k = e.readinto(view[got:]) if hasattr(e, "readinto") else 0
            if not k:
                break
            got += k
    if got != nbytes:
        raise ModelFileError(f"{caller}: {path!r} is truncated: the entry {info.filename!r} "
                             f"stops after {got} of {nbytes} bytes; {_FIX}")
    a = np.frombuffer(buf, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    return np.ascontiguousarray(a) if a.ndim else a
