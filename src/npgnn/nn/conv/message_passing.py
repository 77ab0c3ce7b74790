"""``MessagePassing``: PyG's message / aggregate / update scheme over npgnn's graph kernels.

A layer computes, for every target node i over its incoming edges e = (j -> i)::

    m_e   = message(x_i, x_j, <per-edge arguments>)      (E, ...)   one message per edge
    a_i   = aggregate(m_e over the edges into i)          (N, ...)   sum, mean or max
    out_i = update(a_i, <node arguments>)                 (N, ...)

Subclasses override ``message`` (and optionally ``aggregate`` / ``update``) exactly as in PyTorch
Geometric: an argument of ``message`` named ``<name>_i`` or ``<name>_j`` is the node array
``<name>`` given to ``propagate`` gathered at the edges' targets i or sources j; any other
argument is looked up by name among ``propagate``'s keyword arguments (per-edge arrays such as
``edge_attr`` pass through unchanged) or is one of the special names ``edge_index``,
``edge_index_i``, ``edge_index_j``, ``index`` (= ``edge_index_i``), ``segments`` (the cached
:class:`npgnn.ops.Segments` of the edges grouped by target, which every segment op accepts in
place of ``index`` without sorting again), ``ptr`` (None), ``size``, ``size_i``, ``size_j`` and
``dim_size`` (the number of nodes). The signatures are inspected once per class.

When ``message`` and ``aggregate`` are not overridden, no (E, F) message array is built: sum and
mean are one sparse-dense product with the graph's cached CSR matrix (mean with its rows scaled
by 1 / in-degree), and max is a gather followed by ``segment_max``.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._format import show
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.graph import Graph
from npgnn.nn.conv._structure import as_graph, cached, source_segments, target_segments
from npgnn.nn.module import Module
from npgnn.ops import math as M
from npgnn.ops.adjacency import Adjacency
from npgnn.ops.graph import edge_spmm, gather, segment_max, segment_mean, segment_sum, spmm
from npgnn.ops.segments import Segments

AGGREGATIONS = ("sum", "mean", "max")
_ALIASES = {"add": "sum"}  # PyG's name for sum aggregation
_SPECIAL = ("edge_index", "edge_index_i", "edge_index_j", "index", "segments", "ptr", "size",
            "size_i", "size_j", "dim_size")
_EMPTY = inspect.Parameter.empty


@dataclass(frozen=True)
class _Signature:
    """Names (and defaults) of the extra arguments of message, aggregate and update."""

    message: tuple[tuple[str, Any], ...]
    aggregate: tuple[tuple[str, Any], ...]
    update: tuple[tuple[str, Any], ...]


def _arguments(fn: Any, skip: int) -> tuple[tuple[str, Any], ...]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    params = [p for p in inspect.signature(fn).parameters.values() if p.kind in kinds]
    return tuple((p.name, p.default) for p in params[skip:])


@functools.cache
def _signature(cls: type) -> _Signature:
    """Inspect ``message``/``aggregate``/``update`` of a class once (skipping self and the input)."""
    return _Signature(message=_arguments(cls.message, 1), aggregate=_arguments(cls.aggregate, 2),
                      update=_arguments(cls.update, 2))


def check_aggr(name: str, aggr: str) -> str:
    """Return the canonical aggregation name ('add' is PyG's alias of 'sum').

    Raises:
        ValueError: ``aggr`` is not one of 'sum' ('add'), 'mean', 'max'.
    """
    aggr = _ALIASES.get(aggr, aggr) if isinstance(aggr, str) else aggr
    if aggr not in AGGREGATIONS:
        raise ValueError(f"{name}: aggr must be one of 'sum' (or 'add'), 'mean', 'max', got {aggr!r}")
    return aggr


def _rows(x: Any) -> int | None:
    shape = getattr(x, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) > 0 else None


class MessagePassing(Module):
    """Base class of message-passing layers (PyG's interface).

    ``propagate(edge_index, x=x, ...)`` computes ``update(aggregate(message(...)))`` as described
    in the module docstring. ``MessagePassing(aggr='sum').propagate(edge_index, x=x)`` is plain
    aggregation: ``out_i = Σ_{e = (j -> i)} w_e x_j`` (w_e = 1 without ``edge_weight``).

    Args:
        aggr: 'sum' (alias 'add'), 'mean' or 'max'. Isolated nodes (no incoming edge) get 0 with
            every aggregation; duplicate edges count once per copy; a self-loop j = i is an
            ordinary edge.

    Shapes:
        x: (N, ...) node features; edge_index: (2, E) int (row 0 sources j, row 1 targets i) or an
        :class:`npgnn.Graph` with N nodes; edge_weight: (E,) (or (E, H) with x (N, H, C)).
        Output: (N, ...).

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0], [2.0], [4.0]])
        >>> ei = np.array([[0, 1, 2], [2, 2, 0]])        # 0 -> 2, 1 -> 2, 2 -> 0
        >>> MessagePassing(aggr="sum").propagate(ei, x=x).data.ravel().tolist()
        [4.0, 0.0, 3.0]
    """

    def __init__(self, aggr: str = "sum"):
        self.aggr = check_aggr(f"{type(self).__name__}", aggr)

    # ------------------------------------------------------------------ overridable steps
    def message(self, x_j: Tensor, edge_weight: Any = None) -> Tensor:
        """Message along each edge: ``x_j``, scaled by ``edge_weight`` (E,) when it is given."""
        if edge_weight is None:
            return x_j
        w = as_tensor(edge_weight)
        return x_j * w.reshape(w.shape + (1,) * (x_j.ndim - w.ndim))

    def aggregate(self, inputs: Tensor, segments: Segments, dim_size: int | None = None) -> Tensor:
        """Reduce the (E, ...) messages into their targets with ``self.aggr`` -> (N, ...)."""
        fn = {"sum": segment_sum, "mean": segment_mean, "max": segment_max}[self.aggr]
        return fn(inputs, segments, dim_size)

    def update(self, aggr_out: Tensor) -> Tensor:
        """Final node-wise step; the identity by default."""
        return aggr_out

    def forward(self, x: Any, edge_index: Any, edge_weight: Any = None) -> Tensor:
        """Plain aggregation of ``x`` over ``edge_index`` (see the class docstring)."""
        return self.propagate(edge_index, x=x, edge_weight=edge_weight)

    # ------------------------------------------------------------------ driver
    def propagate(self, edge_index: Any, size: Any = None, **kwargs: Any) -> Tensor:
        """Run message -> aggregate -> update over the edges.

        Args:
            edge_index: (2, E) integer array (or torch tensor), or a :class:`npgnn.Graph` (its
                cached CSR / segment views are reused across calls and layers). A Graph's own
                ``edge_weight`` is not used unless passed as ``edge_weight=``.
            size: number of nodes N (an int, or PyG's pair (N, N)); by default the Graph's
                node count, else the rows of ``x``, else of the first node array gathered.
            kwargs: the arguments of ``message``/``aggregate``/``update``: node arrays (N, ...)
                gathered as ``<name>_i`` / ``<name>_j``, per-edge arrays (E, ...) passed through,
                ``edge_weight`` (E,) for the default message: fixed weights (an array, or a Tensor
                without grad) aggregate by sparse matmul, learned ones (a Tensor requiring grad)
                by ``edge_spmm`` with gradients to the weights.
        Returns:
            (N, ...) Tensor.
        Raises:
            TypeError / ValueError / IndexError naming the argument: bad edge_index (shape, dtype,
            ids out of range), node arrays whose rows differ from N, edge arrays whose rows
            differ from E, a missing argument of ``message``.
        """
        sig = _signature(type(self))
        n = self._num_nodes(edge_index, size, sig, kwargs)
        g = as_graph(edge_index, n)
        ew = kwargs.get("edge_weight")
        if ew is not None and not isinstance(ew, (Tensor, np.ndarray)):
            ew = kwargs["edge_weight"] = np.asarray(ew.detach().cpu().numpy() if hasattr(
                ew, "detach") else ew)
        if ew is not None and (_rows(ew) != g.num_edges or np.ndim(getattr(ew, "data", ew)) > 2):
            raise ValueError(f"{type(self).__name__}.propagate: edge_weight must have shape "
                             f"(E,) = ({g.num_edges},), got {getattr(ew, 'shape', type(ew))}")
        fused = (type(self).message is MessagePassing.message
                 and type(self).aggregate is MessagePassing.aggregate and "x" in kwargs)
        if fused:
            out = self._fused(g, kwargs["x"], ew)
        else:
            msg_args = {k: self._resolve(k, d, g, kwargs, "message", gather_ok=True)
                        for k, d in sig.message}
            messages = self.message(**msg_args)
            if not isinstance(messages, Tensor) or messages.ndim == 0 \
                    or messages.shape[0] != g.num_edges:
                raise ValueError(
                    f"{type(self).__name__}.message must return a Tensor with one row per edge "
                    f"(E={g.num_edges}), got {getattr(messages, 'shape', type(messages).__name__)}")
            agg_args = {k: self._resolve(k, d, g, kwargs, "aggregate") for k, d in sig.aggregate}
            out = self.aggregate(messages, **agg_args)
        upd_args = {k: self._resolve(k, d, g, kwargs, "update") for k, d in sig.update}
        return self.update(out, **upd_args)

    def _num_nodes(self, edge_index: Any, size: Any, sig: _Signature, kwargs: dict) -> int:
        name = f"{type(self).__name__}.propagate"
        if size is not None:
            if isinstance(size, (tuple, list)):
                if len(size) != 2 or size[0] != size[1]:
                    raise ValueError(f"{name}: size must be N or (N, N) (bipartite graphs are not "
                                     f"supported), got {show(size)}")
                size = size[0]
            if isinstance(edge_index, Graph) and edge_index.num_nodes != size:
                raise ValueError(f"{name}: size={size} disagrees with the graph's "
                                 f"num_nodes={edge_index.num_nodes}")
        candidates = ["x"] + [k[:-2] for k, _ in sig.message if k.endswith(("_i", "_j"))]
        for key in candidates:
            value = kwargs.get(key)
            if isinstance(value, tuple):
                raise TypeError(f"{name}: {key} must be one (N, F) array; pairs (x_src, x_dst) "
                                "of bipartite graphs are not supported")
            if sp.issparse(value) and key == "x":
                raise TypeError(f"{name}: x must be a dense array or Tensor, got a scipy sparse "
                                "matrix; multiply it by a Linear layer first")
            rows = _rows(value)
            if rows is None:
                continue
            expected = size if size is not None else (
                edge_index.num_nodes if isinstance(edge_index, Graph) else rows)
            if rows != expected:
                raise ValueError(f"{name}: {key} must have one row per node ({expected}), got "
                                 f"shape {tuple(value.shape)}")
            return expected
        if size is not None:
            return int(size)
        if isinstance(edge_index, Graph):
            return edge_index.num_nodes
        raise ValueError(f"{name}: cannot tell the number of nodes: pass x=... or size=N, or a "
                         "Graph as edge_index")

    def _resolve(self, key: str, default: Any, g: Graph, kwargs: dict, where: str,
                 gather_ok: bool = False) -> Any:
        """The value of argument ``key`` of message/aggregate/update."""
        if key in kwargs:
            return kwargs[key]
        if gather_ok and key.endswith(("_i", "_j")) and key[:-2] in kwargs:
            value = kwargs[key[:-2]]
            if value is None:
                return None
            if _rows(value) != g.num_nodes:
                raise ValueError(f"{type(self).__name__}.propagate: {key[:-2]} must have one row "
                                 f"per node ({g.num_nodes}) to build {key}, got shape "
                                 f"{getattr(value, 'shape', type(value).__name__)}")
            by_target = key.endswith("_i")
            return gather(value, target_segments(g) if by_target else source_segments(g))
        if key in _SPECIAL:
            src, dst = g.edge_index
            return {
                "edge_index": g.edge_index, "edge_index_i": dst, "edge_index_j": src,
                "index": dst, "ptr": None, "size": (g.num_nodes, g.num_nodes),
                "size_i": g.num_nodes, "size_j": g.num_nodes, "dim_size": g.num_nodes,
            }.get(key) if key != "segments" else target_segments(g)
        if default is not _EMPTY:
            return default
        hint = (f" (or {key[:-2]}=... for a node array gathered as {key})"
                if where == "message" and key.endswith(("_i", "_j")) else "")
        raise TypeError(f"{type(self).__name__}.{where}() needs the argument {key!r}: pass "
                        f"{key}=... to propagate{hint}")

    # ------------------------------------------------------------------ fused sum/mean/max
    def _fused(self, g: Graph, x: Any, edge_weight: Any) -> Tensor:
        """The default message and aggregation without materialising (E, F) messages."""
        x = as_tensor(x)
        n = g.num_nodes
        if x.ndim == 0:
            raise ValueError(f"{type(self).__name__}.propagate: x must be (N, ...), got a scalar")
        if not np.issubdtype(x.dtype, np.floating):
            x = M.astype(x, np.float64)
        trailing = x.shape[1:]
        width = int(np.prod(trailing)) if trailing else 1
        learned = isinstance(edge_weight, Tensor) and edge_weight.requires_grad
        if self.aggr == "max":
            w = None if edge_weight is None else (
                edge_weight if learned else as_tensor(_fixed(edge_weight, x.dtype)))
            return self.aggregate(self.message(gather(x, source_segments(g)), w),
                                  target_segments(g), n)
        if edge_weight is not None and np.ndim(getattr(edge_weight, "data", edge_weight)) == 2:
            # per-head weights (E, H) with x (N, H, C): a weighted SpMM per head
            w = edge_weight if learned else _fixed(edge_weight, x.dtype)
            out = edge_spmm(w, x, g.edge_index, n, target_segments(g))
            return out if self.aggr == "sum" else out * _inv_in_degree(g, x.dtype, out.ndim)
        flat = x if x.ndim == 2 else M.reshape(x, (n, width))
        if learned:
            out = edge_spmm(edge_weight, flat, g.edge_index, n, target_segments(g))
            if self.aggr == "mean":
                out = out * _inv_in_degree(g, x.dtype, 2)
        else:
            out = spmm(self._matrix(g, edge_weight, x.dtype), flat)
        return out if x.ndim == 2 else M.reshape(out, (n,) + trailing)

    def _matrix(self, g: Graph, edge_weight: Any, dtype: np.dtype) -> Adjacency:
        """(N, N) aggregation matrix (with its cached transpose), kept on the graph's cache
        unless the weights are new (not the Graph's own ``edge_weight``)."""
        mean = self.aggr == "mean"
        dtype = np.dtype(dtype)
        own = edge_weight is None or (g.edge_weight is not None and edge_weight is g.edge_weight)

        def build() -> sp.csr_matrix:
            if edge_weight is None:
                a = (g.csr_by_target() if g.edge_weight is None
                     else g.csr_by_target(weight=np.ones(g.num_edges, dtype=dtype)))
            elif own:
                a = g.csr_by_target()
            else:
                a = g.csr_by_target(weight=_fixed(edge_weight, dtype))
            a = a.astype(dtype, copy=True) if (mean or a.dtype != dtype) else a
            if mean:  # row i scaled by 1 / (number of edges into i)
                a.data *= np.repeat(_inv_in_degree(g, dtype, 1), np.diff(a.indptr))
            return Adjacency(a)

        if own:
            key = ("message_passing", self.aggr, edge_weight is not None, dtype.str)
            return cached(g, key, build)
        return build()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return f"aggr={self.aggr!r}"


def _fixed(edge_weight: Any, dtype: np.dtype) -> np.ndarray:
    """Fixed edge weights as an ndarray of ``dtype`` (no gradient)."""
    return np.asarray(getattr(edge_weight, "data", edge_weight), dtype=dtype)


def _inv_in_degree(g: Graph, dtype: np.dtype, ndim: int) -> np.ndarray:
    """1 / max(in-degree, 1) per node, shaped (N, 1, ...) to broadcast over ``ndim`` dims."""
    def build() -> np.ndarray:
        return 1.0 / np.maximum(g.in_degree(), 1)

    inv = cached(g, "inv_in_degree", build).astype(dtype)
    return inv if ndim == 1 else inv.reshape((-1,) + (1,) * (ndim - 1))
