"""Devices: npgnn runs on the CPU, so torch's ``.to(device)`` calls are accepted for the CPU only.

A ported script keeps its ``model.to(device)`` / ``x.to(device)`` lines: ``"cpu"``, ``"cpu:0"``,
``npgnn.device("cpu")`` and anything with ``.type == "cpu"`` (a ``torch.device``) are no-ops;
any other device raises a ``RuntimeError`` saying that npgnn runs on the CPU.
``npgnn.cuda.is_available()`` is False, so torch's usual
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")`` picks the CPU.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class device:  # noqa: N801 - torch's name
    """torch.device's look-alike: ``device("cpu")``, ``device("cpu:0")``, ``device("cuda", 0)``.

    Constructing any device works (as in torch); moving data to a device other than the CPU
    raises (see :func:`check_device`).

    Attributes:
        type: the device type, e.g. ``"cpu"``. index: the device index or None.
    """

    def __init__(self, type: str | device, index: int | None = None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if idx:
            if index is not None:
                raise ValueError(f"device: the index is given twice: {type!r} and index={index}")
            if not idx.isdigit():
                raise ValueError(f"device: expected 'type' or 'type:index', got {type!r}")
            index = int(idx)
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        return f"device(type={self.type!r}" + ("" if self.index is None else f", index={self.index}") + ")"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (other.type, other.index) == (self.type, self.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


_DEVICE_TYPES = frozenset({
    "cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "ipu", "hpu", "mtia", "privateuseone",
    "vulkan", "opengl", "opencl", "ideep", "mkldnn", "ve", "lazy", "fpga", "maia",
})  # torch's device types: a string naming one is a device, not a dtype


def is_device(value: Any) -> bool:
    """True if ``value`` names a device (a device string such as 'cpu' or 'cuda:1', a
    :class:`device`, or an object with a string ``.type`` such as ``torch.device``), as opposed
    to a dtype."""
    if isinstance(value, device):
        return True
    if isinstance(value, str):
        return value.split(":")[0] in _DEVICE_TYPES
    # a torch.device, not a torch.dtype (which has no .type attribute of type str)
    return isinstance(getattr(value, "type", None), str) and not isinstance(value, (np.dtype, type))


def check_device(value: Any, where: str) -> None:
    """Accept a CPU device; raise for anything else.

    Raises:
        RuntimeError: the device is not the CPU ("npgnn runs on the CPU ...").
        TypeError: ``value`` is neither a device string nor a device object.
    """
    if not is_device(value):
        raise TypeError(f"{where}: expected a device ('cpu') or a dtype, got {value!r}")
    kind = value.split(":")[0] if isinstance(value, str) else value.type
    index = value.partition(":")[2] if isinstance(value, str) else getattr(value, "index", None)
    if kind != "cpu" or (index not in (None, "", 0, "0")):
        raise RuntimeError(
            f"{where}: npgnn runs on the CPU only (NumPy/SciPy), got device {str(value)!r}; use "
            "'cpu' (a no-op) or drop the .to(device) call"
        )


def as_dtype(value: Any) -> np.dtype | None:
    """``value`` as a NumPy dtype (also a torch dtype such as ``torch.float64``), else None."""
    if value is None or is_device(value):
        return None
    try:
        return np.dtype(value)
    except TypeError:
        pass
    text = str(value)
    if text.startswith("torch."):
        try:
            return np.dtype(text[len("torch."):])
        except TypeError:
            return None
    return None


def parse_to(where: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.dtype | None:
    """The dtype asked for by torch's ``.to(...)`` arguments, after checking any device.

    Accepts ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)`` (its dtype) and
    the keywords ``device=``, ``dtype=``, ``non_blocking=``, ``copy=`` (the last two are ignored:
    there is nothing to copy between devices).

    Raises:
        RuntimeError for a device other than the CPU, TypeError for an argument that is neither.
    """
    from npgnn.autodiff.tensor import Tensor

    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"{where}: unexpected keyword argument(s) {sorted(unknown)}")
    dtype = None
    for value in (*args, kwargs.get("device"), kwargs.get("dtype")):
        if value is None:
            continue
        if isinstance(value, Tensor):
            dtype = value.dtype
        elif is_device(value):
            check_device(value, where)
        else:
            dt = as_dtype(value)
            if dt is None:
                raise TypeError(f"{where}: expected a device ('cpu') or a dtype (np.float32, "
                                f"'float64'), got {value!r}")
            dtype = dt
    return dtype


class cuda:  # noqa: N801 - torch's module name
    """``torch.cuda`` as npgnn sees it: no GPU."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0
