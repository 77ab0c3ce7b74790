"""Weights to and from PyTorch Geometric: a name-for-name copy of ``state_dict`` entries.

npgnn layers use PyG's parameter names and layouts (``GCNConv``: ``lin.weight`` (out, in) and
``bias``; ``SAGEConv``: ``lin_l.*``, ``lin_r.weight``; ``GINConv``: ``nn.*`` and ``eps``;
``BatchNorm1d``: ``weight``, ``bias``, ``running_mean``, ``running_var``,
``num_batches_tracked``), so moving weights is a copy by dotted name, nested modules included
(``GINConv(Sequential(Linear, ReLU, Linear))`` <-> PyG's ``GINConv(torch.nn.Sequential(...))``).

Where a module's names or layouts differ from PyG's, it declares so with two optional class
attributes, applied to the names local to that module:

* ``_pyg_rename: ClassVar[dict[str, str | None]]``: npgnn's local name (a parameter, a buffer or a child
  module, e.g. ``"att"`` or ``"lins.0"``) -> PyG's; None leaves the entry out of PyG's dict.
* ``_pyg_layout: ClassVar[dict[str, tuple[to_pyg, from_pyg]]]``: for a parameter or buffer, two functions
  converting npgnn's array to PyG's layout and back (e.g. ``(lambda a: a[None], lambda a: a[0])``
  for PyG's leading axis of size 1).
* ``_pyg_aliases: dict[str, str]``: child modules that PyG lists twice because they are one
  shared module (``GATv2Conv(share_weights=True)``: ``{"lin_r": "lin_l"}``). npgnn holds the
  module once; its entries are written under both names, and a load checks the copies agree.

Example:
    >>> from npgnn.nn.conv.gcn import GCNConv
    >>> sorted(to_pyg_state_dict(GCNConv(3, 2, rng=0)))
    ['bias', 'lin.weight']
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from npgnn.nn.module import Module


def _entries(module: Module) -> dict[str, tuple[str, np.ndarray, Callable | None, Callable | None]]:
    """PyG name -> (npgnn name, the live array, to_pyg, from_pyg) for every parameter and buffer."""
    if not isinstance(module, Module):
        raise TypeError(f"module: expected an npgnn Module, got {type(module).__name__}")
    modules = dict(module.named_modules())
    arrays: dict[str, np.ndarray] = {name: p.data for name, p in module.named_parameters()}
    arrays.update(module.named_buffers())
    out: dict[str, tuple[str, np.ndarray, Callable | None, Callable | None]] = {}
    for name, array in arrays.items():
        translated = _translate(name, modules)
        if translated is None:
            continue
        pyg_name, layout = translated
        if pyg_name in out:
            raise ValueError(f"module: two entries map to PyG's name {pyg_name!r} "
                             f"({out[pyg_name][0]!r} and {name!r}); check _pyg_rename")
        to_pyg, from_pyg = layout if layout is not None else (None, None)
        out[pyg_name] = (name, array, to_pyg, from_pyg)
    for mod_name, mod in modules.items():
        for alias, primary in getattr(mod, "_pyg_aliases", {}).items():
            shared = f"{mod_name}.{primary}." if mod_name else f"{primary}."
            for pyg_name, entry in list(out.items()):
                if entry[0].startswith(shared):
                    out[pyg_name.replace(f"{primary}.", f"{alias}.", 1)] = entry
    return out


def _translate(name: str, modules: dict[str, Module]) -> tuple[str, Any] | None:
    """PyG's name of the dotted npgnn ``name`` (and its layout hook), or None to leave it out.

    The name is cut at the module boundaries; each piece is renamed by the module owning it.
    """
    parts = name.split(".")
    owner, prefix, start, out = modules[""], "", 0, []
    while start < len(parts):
        stop = start + 1
        while stop < len(parts) and ".".join(parts[:stop]) not in modules:
            stop += 1
        local = ".".join(parts[start:stop])
        renamed = getattr(owner, "_pyg_rename", {}).get(local, local)
        if renamed is None:
            return None
        out.append(renamed)
        if stop == len(parts):
            return ".".join(out), getattr(owner, "_pyg_layout", {}).get(local)
        prefix = ".".join(parts[:stop])
        owner, start = modules[prefix], stop
    raise ValueError(f"module: empty parameter name {name!r}")  # unreachable for real modules


def _as_array(value: Any, key: str) -> np.ndarray:
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor (or Parameter)
        value = value.detach().cpu().numpy()
    elif hasattr(value, "data") and isinstance(value.data, np.ndarray):
        value = value.data  # an npgnn Tensor
    try:
        return np.asarray(value)
    except Exception as exc:  # report which entry could not be read
        raise TypeError(f"state_dict[{key!r}]: expected an array or torch tensor, got "
                        f"{type(value).__name__}") from exc


def to_pyg_state_dict(module: Module) -> dict[str, np.ndarray]:
    """Every parameter and buffer of ``module`` as fresh ndarrays under PyG's names and layouts.

    Load it into the PyG twin with
    ``pyg_model.load_state_dict({k: torch.from_numpy(v) for k, v in d.items()})``.

    Raises:
        TypeError: ``module`` is not an npgnn Module.
    """
    out = {}
    for pyg_name, (_, array, to_pyg, _) in _entries(module).items():
        value = to_pyg(array) if to_pyg is not None else array
        out[pyg_name] = np.array(value, copy=True)
    return out


def load_pyg_state_dict(module: Module, state_dict: Mapping[str, Any], strict: bool = True) -> None:
    """Copy a PyG ``state_dict`` (torch tensors or arrays, PyG's names) into ``module`` in place.

    Values are cast to the dtype of the npgnn parameter or buffer they replace (a float32 model
    stays float32), so the same dict loads into ``module.to(np.float64)``.

    Args:
        module: the npgnn model (any nesting of Modules).
        state_dict: e.g. ``pyg_model.state_dict()``.
        strict: missing and unexpected keys are errors (shapes must always match).
    Raises:
        KeyError: with ``strict``, listing the missing and the unexpected keys.
        ValueError: a shape differs, naming the key, the expected and the given shape.
        TypeError: a value is not an array or tensor.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict: expected a mapping of names to tensors, got "
                        f"{type(state_dict).__name__}")
    entries = _entries(module)
    missing = [k for k in entries if k not in state_dict]
    unexpected = [k for k in state_dict if k not in entries]
    if strict and (missing or unexpected):
        raise KeyError(f"load_pyg_state_dict: missing keys {missing}, unexpected keys "
                       f"{unexpected} (for {type(module).__name__}); is it the same architecture? "
                       "pass strict=False to load the common entries only")
    staged, written = [], {}
    for key, (name, target, _, from_pyg) in entries.items():
        if key not in state_dict:
            continue
        value = _as_array(state_dict[key], key)
        if from_pyg is not None:
            value = np.asarray(from_pyg(value))
        if value.shape != target.shape:
            where = key if key == name else f"{key} (npgnn {name!r})"
            raise ValueError(f"load_pyg_state_dict: {where} expects shape {target.shape}, got "
                             f"{value.shape}")
        if id(target) in written and not np.array_equal(written[id(target)][1], value):
            raise ValueError(f"load_pyg_state_dict: {key!r} and {written[id(target)][0]!r} are one "
                             "shared weight in npgnn but differ in the state_dict")
        written[id(target)] = (key, value)
        staged.append((target, value))
    for target, value in staged:  # write only once every entry has been checked
        target[...] = value.astype(target.dtype, copy=False)
