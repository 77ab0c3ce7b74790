"""A restricted unpickler for the Planetoid files (Python 2 pickles of numpy/scipy objects).

Unpickling can call any importable function, so ``pickle.load`` on a file from the internet is
remote code execution waiting to happen. ``RestrictedUnpickler.find_class`` resolves only the
globals the Planetoid release needs, from a fixed table and without importing anything:

    numpy.core.multiarray._reconstruct (and numpy._core...), numpy.ndarray, numpy.dtype
    scipy.sparse.csr.csr_matrix (and scipy.sparse._csr, scipy.sparse)  -> a passive stub
    collections.defaultdict, __builtin__.list / builtins.list

Anything else raises ``pickle.UnpicklingError`` naming the global. The scipy class is mapped to a
stub that only stores the pickled state; ``restricted_load`` then rebuilds a real CSR matrix from
its arrays with a full format check, so no scipy code runs on unvalidated state.
"""
from __future__ import annotations

import collections
import io
import os
import pickle
from typing import Any

import numpy as np
import scipy.sparse as sp

# The array reconstructor, taken from numpy itself so the numpy 1.x / 2.x module move is moot.
_reconstruct = np.empty(0).__reduce__()[0]


class _PickledCSR:
    """Stand-in for ``scipy.sparse.csr_matrix`` during unpickling: keeps the state dict only."""

    def __setstate__(self, state: Any) -> None:
        self.state = state


_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("scipy.sparse.csr", "csr_matrix"): _PickledCSR,
    ("scipy.sparse._csr", "csr_matrix"): _PickledCSR,
    ("scipy.sparse", "csr_matrix"): _PickledCSR,
    ("collections", "defaultdict"): collections.defaultdict,
    ("__builtin__", "list"): list,
    ("builtins", "list"): list,
}


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` whose ``find_class`` admits only the globals in ``_ALLOWED``.

    Args:
        file: a binary file object.
        source: a name for the data (a path), used in error messages.
    """

    def __init__(self, file: io.BufferedIOBase | io.BytesIO, source: str = "<pickle>"):
        super().__init__(file, encoding="latin1")
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"{self.source}: refusing to unpickle global '{module}.{name}': only numpy "
                f"arrays, scipy CSR matrices and defaultdict(list) are allowed in dataset files. "
                f"The file is not a genuine Planetoid file; delete it."
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError(f"{self.source}: persistent ids are not allowed")


def _to_csr(stub: _PickledCSR, source: str) -> sp.csr_matrix:
    state = getattr(stub, "state", None)
    if not isinstance(state, dict):
        raise pickle.UnpicklingError(f"{source}: CSR matrix without a state dict")
    try:
        data, indices, indptr = state["data"], state["indices"], state["indptr"]
        shape = state.get("_shape", state.get("shape"))
        if not all(isinstance(a, np.ndarray) for a in (data, indices, indptr)):
            raise TypeError("data/indices/indptr are not arrays")
        if not (isinstance(shape, tuple) and len(shape) == 2):
            raise TypeError(f"shape is {shape!r}")
        m = sp.csr_matrix((data, indices, indptr), shape=(int(shape[0]), int(shape[1])))
        m.check_format(full_check=True)
    except (KeyError, TypeError, ValueError) as err:
        raise pickle.UnpicklingError(f"{source}: malformed CSR matrix: {err}") from err
    return m


def restricted_load(data: bytes, source: str | os.PathLike = "<pickle>") -> Any:
    """Unpickle ``data`` (latin1 for Python 2 strings) with the restricted unpickler.

    Returns:
        The object; a pickled ``csr_matrix`` comes back as a validated ``scipy.sparse.csr_matrix``.

    Raises:
        pickle.UnpicklingError: a disallowed global, or a malformed object.
    """
    src = str(source)
    try:
        obj = RestrictedUnpickler(io.BytesIO(data), src).load()
    except pickle.UnpicklingError as err:
        if str(err).startswith(src):
            raise
        raise pickle.UnpicklingError(f"{src}: not a readable pickle ({err}); delete the file "
                                     f"and download it again") from err
    except Exception as err:  # truncated streams raise EOFError, bad opcodes ValueError, ...
        raise pickle.UnpicklingError(f"{src}: not a readable pickle ({type(err).__name__}: "
                                     f"{err}); delete the file and download it again") from err
    if isinstance(obj, _PickledCSR):
        obj = _to_csr(obj, src)
    return obj
