"""PyG's ``softmax``: a softmax over each group of rows sharing an index (differentiable)."""
from __future__ import annotations

from typing import Any

import numpy as np

from npgnn.autodiff.tensor import Tensor
from npgnn.graph._checks import as_count, as_ptr
from npgnn.ops.graph import segment_softmax
from npgnn.ops.math import transpose
from npgnn.ops.segments import Segments
from npgnn.utils._args import index_arg


def softmax(src: Any, index: Any = None, ptr: Any = None, num_nodes: int | None = None,
            dim: int = 0) -> np.ndarray | Tensor:
    """Softmax of ``src`` within each group of slices along ``dim`` (PyG's utils.softmax).

    ``out[e] = exp(src[e] - m_s) / sum_{e': index[e'] = s} exp(src[e'] - m_s)`` with s =
    index[e] and m_s the group's maximum (no gradient flows through the shift). Used for
    attention over each node's incoming edges (Velickovic et al., GAT, eq. 2).

    Args:
        src: (..., E, ...) ndarray or npgnn Tensor.
        index: (E,) group ids in [0, num_nodes); or
        ptr: (G+1,) offsets, group g being the slices ptr[g]:ptr[g+1] (contiguous groups);
            used when given, as in PyG.
        num_nodes: number of groups for ``index`` (default max id + 1).
        dim: the axis the groups run along.

    Returns:
        Same shape as ``src``: an ndarray for an ndarray, a Tensor (recorded for autodiff) for
        a Tensor. PyG adds 1e-16 to each denominator; here a group's denominator is at least 1
        (its maximum contributes exp(0)), so no epsilon is needed: outputs agree to ~1e-16.
        A −inf entry gets 0; a group whose entries are all −inf gets zeros (PyG: NaN), the rule
        torch uses for fully masked rows in ``scaled_dot_product_attention``.

    Raises:
        ValueError: neither ``index`` nor ``ptr`` (PyG raises NotImplementedError), ``dim`` out of
            range, or a length that does not match ``src.shape[dim]``. TypeError / IndexError:
            malformed ``index`` or ``ptr``.
    """
    as_tensor = isinstance(src, Tensor)
    x = src if as_tensor else np.asarray(src)
    if x.dtype.kind != "f":
        raise TypeError(f"src: expected floating-point scores, got dtype {x.dtype}")
    if x.ndim == 0:
        raise ValueError(f"src: expected an array with the groups along dim, got a scalar "
                         f"({x.dtype})")
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"dim: expected an axis of src (shape {tuple(x.shape)}), got {dim}")
    dim = dim % x.ndim
    if ptr is not None:
        ptr = as_ptr(ptr, x.shape[dim])
        groups = ptr.size - 1
        index = np.repeat(np.arange(groups, dtype=np.int64), np.diff(ptr))
    elif index is not None:
        if num_nodes is None:
            index = index_arg("index", index)
            groups = int(index.max()) + 1 if index.size else 0
        else:
            groups = as_count("num_nodes", num_nodes)
            index = index_arg("index", index, groups)
    else:
        raise ValueError("softmax: pass index (the group of each slice) or ptr (group offsets)")
    if index.size != x.shape[dim]:
        raise ValueError(f"index: expected {x.shape[dim]} ids (src.shape[{dim}]), got "
                         f"{index.size}")
    if dim != 0:
        axes = (dim, *range(dim), *range(dim + 1, x.ndim))
        x = transpose(x, axes)
    out = segment_softmax(x, Segments(index, groups, validate=False))
    if dim != 0:
        out = transpose(out, tuple(np.argsort(axes)))
    return out if as_tensor else out.data
