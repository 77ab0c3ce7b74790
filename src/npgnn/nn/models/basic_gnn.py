"""PyG's ``BasicGNN`` family: GCN, GraphSAGE, GIN, GAT and EdgeCNN with PyG's signatures.

``GCN(in_channels, hidden_channels, num_layers, out_channels=None, dropout=0.0, act='relu',
act_first=False, act_kwargs=None, norm=None, norm_kwargs=None, jk=None, **kwargs)`` builds the
same layers, in the same order, under the same parameter names as
``torch_geometric.nn.models.GCN`` (so ``npgnn.interop.load_pyg_state_dict(model,
pyg_model.state_dict())`` copies a trained PyG model), and computes the same function.
"""
from __future__ import annotations

import copy
import numbers
import warnings
from typing import Any

import numpy as np

from npgnn._format import show
from npgnn.autodiff.tensor import Tensor
from npgnn.nn import init
from npgnn.nn.activation import Dropout
from npgnn.nn.conv.edge_conv import EdgeConv
from npgnn.nn.conv.gat import GATConv
from npgnn.nn.conv.gatv2 import GATv2Conv
from npgnn.nn.conv.gcn import GCNConv
from npgnn.nn.conv.gin import GINConv
from npgnn.nn.conv.sage import SAGEConv
from npgnn.nn.linear import Linear
from npgnn.nn.mlp import MLP, Identity, accepts_batch
from npgnn.nn.models import layerwise
from npgnn.nn.models.jumping_knowledge import JumpingKnowledge
from npgnn.nn.models.trimmed import trimmed_conv
from npgnn.nn.module import Module, ModuleList
from npgnn.nn.resolver import activation_resolver, normalization_resolver
from npgnn.utils.trim_to_layer import Trimming, edge_array

JK_MODES = (None, "last", "cat", "max")


class BasicGNN(Module):
    r"""``num_layers`` convolutions, each but the last followed by act → norm → dropout (norm
    before act unless ``act_first``), as PyG's ``BasicGNN``.

    Layer by layer (L = ``num_layers``, H = ``hidden_channels``)::

        x ← conv_k(x, edge_index, ...)                     k = 1 .. L
        x ← dropout(act(norm_k(x)))                        k < L, or every k when jk is set
        jk = None:   out = x                               conv_L maps to out_channels (or H)
        jk = 'last': out = lin(x)                          every conv maps to H
        jk = 'cat':  out = lin(x_1 ‖ … ‖ x_L)              lin: L·H -> out_channels (or H)
        jk = 'max':  out = lin(max(x_1, …, x_L))

    Args:
        in_channels: input features F (an int; PyG's lazy -1 and bipartite pairs are refused).
        hidden_channels: H.
        num_layers: L >= 1.
        out_channels: output size; None keeps H (and without jk the last conv maps to H).
        dropout: drop probability after each hidden layer (training mode only; masks drawn
            from the model's ``rng``, so they differ from torch's draws).
        act: a name PyG accepts ('relu', 'elu', 'leaky_relu', 'gelu', 'tanh', 'sigmoid'), a callable
            or None. act_first: act before norm. act_kwargs: arguments of a named act.
        norm: 'batch_norm', 'layer_norm' (PyG's LayerNorm, mode 'graph' unless
            ``norm_kwargs={'mode': 'node'}``), an npgnn Module (deep-copied per layer) or None.
        jk: None, 'last', 'cat' or 'max' (PyG's 'lstm' is refused: npgnn has no LSTM).
        rng: Generator or seed for every initial weight and dropout mask. dtype: parameters.
        kwargs: passed to each convolution (e.g. ``cached=True`` for GCN, ``aggr='max'`` for
            GraphSAGE, ``heads=4`` for GAT).

    Call: ``model(x, edge_index, edge_weight=None, edge_attr=None, batch=None, batch_size=None)``
        x: (N, F) Tensor, ndarray (or scipy sparse where the first conv accepts it);
        edge_index: (2, E) ints or an :class:`npgnn.Graph`; edge_weight: (E,) for convs that use
        it (GCN); edge_attr: (E, D) for convs that use it (GAT with ``edge_dim``); batch /
        batch_size: graph ids for norms that use them (layer_norm). Returns (N, out_channels).
        An ``edge_weight`` or ``edge_attr`` the convolution does not use is ignored, as in PyG,
        with a warning. ``num_sampled_nodes_per_hop`` / ``num_sampled_edges_per_hop``: a
        ``NeighborLoader`` batch's ``num_sampled_nodes`` / ``num_sampled_edges``; layer k then
        runs on the nodes and edges within L - k hops of the seeds only (PyG's
        ``trim_to_layer``, see ``npgnn.utils.trim_to_layer``), and the output has the rows of
        the seeds and their 1-hop nodes, as in PyG. Where PyG differs: a SAGEConv layer
        without norm computes only the rows the next layer keeps (the same values, less
        work), and jk 'cat' / 'max' combine the rows every layer kept (PyG fails on the
        differing row counts).

    Parameters (PyG's names): ``convs.<k>.*``, ``norms.<k>.*``, and with jk ``lin.weight``,
    ``lin.bias``.

    Raises:
        ValueError / TypeError naming the argument for a bad size, dropout, act, norm or jk.
    """

    supports_edge_weight = False
    supports_edge_attr = False

    def __init__(
        self, in_channels: int, hidden_channels: int, num_layers: int,
        out_channels: int | None = None, dropout: float = 0.0, act: Any = "relu",
        act_first: bool = False, act_kwargs: dict[str, Any] | None = None, norm: Any = None,
        norm_kwargs: dict[str, Any] | None = None, jk: str | None = None, *,
        rng: init.RngLike = None, dtype: Any = np.float32, **kwargs: Any,
    ):
        name = f"{type(self).__name__}: "
        _check_size(name, "in_channels", in_channels, " (PyG's lazy -1 and bipartite (F_src, "
                    "F_dst) pairs are not supported)")
        _check_size(name, "hidden_channels", hidden_channels)
        _check_size(name, "num_layers", num_layers)
        if out_channels is not None:
            _check_size(name, "out_channels", out_channels)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) \
                or not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"{name}dropout must be a float in [0, 1), got {show(dropout)}")
        if jk == "lstm":
            raise ValueError(f"{name}jk='lstm' is not supported (npgnn has no LSTM); use None, "
                             "'last', 'cat' or 'max'")
        if jk not in JK_MODES:
            raise ValueError(f"{name}jk must be None, 'last', 'cat' or 'max', got {jk!r}")
        self.in_channels, self.hidden_channels = int(in_channels), int(hidden_channels)
        self.num_layers = int(num_layers)
        self.out_channels = self.hidden_channels if out_channels is None else int(out_channels)
        self.rng = init.make_rng(rng)
        self.dtype = np.dtype(dtype)
        self.dropout = Dropout(float(dropout), rng=self.rng)
        self.act = activation_resolver(act, where=name, **(act_kwargs or {}))
        self.act_first = bool(act_first)
        self.jk_mode = jk
        self.norm = norm if isinstance(norm, str) else None
        self.norm_kwargs = norm_kwargs

        self.convs = ModuleList()
        c_in = self.in_channels
        for _ in range(self.num_layers - 1):
            self.convs.append(self.init_conv(c_in, self.hidden_channels, **kwargs))
            c_in = self.hidden_channels
        if out_channels is not None and jk is None:
            self._is_conv_to_out = True
            self.convs.append(self.init_conv(c_in, self.out_channels, **kwargs))
        else:
            self.convs.append(self.init_conv(c_in, self.hidden_channels, **kwargs))

        if isinstance(norm, Module):
            norm_layer = norm
        else:
            norm_layer = normalization_resolver(norm, self.hidden_channels, dtype=dtype,
                                                where=name, **(norm_kwargs or {})) or Identity()
        self.supports_norm_batch = accepts_batch(norm_layer)
        self.norms = ModuleList([copy.deepcopy(norm_layer) for _ in range(self.num_layers - 1)])
        self.norms.append(copy.deepcopy(norm_layer) if jk is not None else Identity())
        if jk is not None and jk != "last":
            self.jk = JumpingKnowledge(jk, self.hidden_channels, self.num_layers)
        if jk is not None:
            width = self.num_layers * self.hidden_channels if jk == "cat" else self.hidden_channels
            self.lin = Linear(width, self.out_channels, rng=self.rng, dtype=dtype)

    def init_conv(self, in_channels: int, out_channels: int, **kwargs: Any) -> Module:
        """The convolution of one layer (each subclass builds its own)."""
        raise NotImplementedError(f"{type(self).__name__} must implement init_conv")

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Redraw every convolution and the final ``lin``; reset the norms."""
        rng = self.rng if rng is None else init.make_rng(rng)
        for module in [*self.convs, *self.norms, getattr(self, "lin", None)]:
            reset = getattr(module, "reset_parameters", None)
            if reset is not None:
                reset(rng)

    def forward(
        self, x: Any, edge_index: Any, edge_weight: Any = None, edge_attr: Any = None,
        batch: Any = None, batch_size: int | None = None,
        num_sampled_nodes_per_hop: Any = None, num_sampled_edges_per_hop: Any = None,
    ) -> Tensor:
        self._warn_unused(edge_weight, edge_attr)
        trim = None
        if num_sampled_nodes_per_hop is not None or num_sampled_edges_per_hop is not None:
            trim = self._trimming(x, edge_index, edge_weight, edge_attr,
                                  num_sampled_nodes_per_hop, num_sampled_edges_per_hop)
        extra: dict[str, Any] = {}
        if self.supports_edge_weight:
            extra["edge_weight"] = edge_weight
        if self.supports_edge_attr:
            extra["edge_attr"] = edge_attr
        xs = []
        for k, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            if trim is None:
                x = conv(x, edge_index, **extra)
            else:
                x, edge_index, extra = trimmed_conv(trim, k, conv, x, edge_index, extra,
                                                    rows_only=isinstance(norm, Identity))
            if k < self.num_layers - 1 or self.jk_mode is not None:
                if self.act is not None and self.act_first:
                    x = self.act(x)
                x = norm(x, batch, batch_size) if self.supports_norm_batch else norm(x)
                if self.act is not None and not self.act_first:
                    x = self.act(x)
                x = self.dropout(x)
                xs.append(x)
        if hasattr(self, "jk"):
            x = self.jk(xs if trim is None else [h[:x.shape[0]] for h in xs])
        if hasattr(self, "lin"):
            x = self.lin(x)
        return x

    def _trimming(self, x: Any, edge_index: Any, edge_weight: Any, edge_attr: Any,
                  nodes: Any, edges: Any) -> Trimming:
        name = type(self).__name__
        if edge_weight is not None and edge_attr is not None:
            raise NotImplementedError(f"{name}: trimming (num_sampled_nodes_per_hop) with both "
                                      "edge_weight and edge_attr is not supported (nor in PyG)")
        rows = x.shape[0] if hasattr(x, "shape") else np.shape(x)[0]
        return Trimming(name, self.num_layers, nodes, edges, rows,
                        edge_array(edge_index).shape[1])

    def inference_per_layer(self, layer: int, x: Any, edge_index: Any,
                            batch_size: int) -> Tensor:
        """PyG's ``inference_per_layer``: see ``npgnn.nn.models.layerwise``."""
        return layerwise.inference_per_layer(self, layer, x, edge_index, batch_size)

    def inference(self, loader: Any, device: Any = None, embedding_device: Any = "cpu",
                  progress_bar: bool = False, cache: bool = False) -> Tensor:
        """PyG's layer-wise full-graph ``inference`` over a ``NeighborLoader`` with
        ``num_neighbors=[-1]`` (see ``npgnn.nn.models.layerwise.inference``); ``device``,
        ``embedding_device``, ``progress_bar`` and ``cache`` are accepted and ignored (CPU)."""
        return layerwise.inference(self, loader)

    def _warn_unused(self, edge_weight: Any, edge_attr: Any) -> None:
        for value, name, used in ((edge_weight, "edge_weight", self.supports_edge_weight),
                                  (edge_attr, "edge_attr", self.supports_edge_attr)):
            if value is not None and not used:
                warnings.warn(f"{type(self).__name__}: {name} is ignored (its convolution does "
                              "not use it; PyG ignores it too)", UserWarning, stacklevel=3)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"num_layers={self.num_layers})")

    def _conv_options(self) -> dict[str, Any]:
        return {"rng": self.rng, "dtype": self.dtype}


class GCN(BasicGNN):
    """PyG's ``GCN``: :class:`BasicGNN` over :class:`~npgnn.nn.conv.GCNConv` (Kipf & Welling,
    2017); ``edge_weight`` is used. ``kwargs`` go to GCNConv (``improved``, ``cached``,
    ``add_self_loops``, ``normalize``, ``bias``).

    Example:
        >>> import numpy as np
        >>> model = GCN(3, 16, num_layers=2, out_channels=2, rng=0)
        >>> model(np.ones((4, 3), np.float32), np.array([[0, 1, 2], [1, 2, 3]])).shape
        (4, 2)
    """

    supports_edge_weight = True

    def init_conv(self, in_channels: int, out_channels: int, **kwargs: Any) -> Module:
        return GCNConv(in_channels, out_channels, **self._conv_options(), **kwargs)


class GraphSAGE(BasicGNN):
    """PyG's ``GraphSAGE``: :class:`BasicGNN` over :class:`~npgnn.nn.conv.SAGEConv` (Hamilton
    et al., 2017). ``kwargs`` go to SAGEConv (``aggr``, ``normalize``, ``root_weight``,
    ``project``, ``bias``). Not :class:`npgnn.models.GraphSAGE` (the CLI's paper model, whose
    arguments are ``(in_channels, out_channels, hidden_channels=64, num_layers=2, dropout=0.5)``).
    """

    def init_conv(self, in_channels: int, out_channels: int, **kwargs: Any) -> Module:
        return SAGEConv(in_channels, out_channels, **self._conv_options(), **kwargs)


class GIN(BasicGNN):
    """PyG's ``GIN``: :class:`BasicGNN` over :class:`~npgnn.nn.conv.GINConv` (Xu et al., 2019),
    each with ``MLP([in, out, out], act=act, act_first=act_first, norm=norm,
    norm_kwargs=norm_kwargs)`` (a named ``norm`` also goes inside the MLPs, as in PyG).
    ``kwargs`` go to GINConv (``eps``, ``train_eps``).
    """

    def init_conv(self, in_channels: int, out_channels: int, **kwargs: Any) -> Module:
        mlp = MLP([in_channels, out_channels, out_channels], act=self.act,
                  act_first=self.act_first, norm=self.norm, norm_kwargs=self.norm_kwargs,
                  **self._conv_options())
        return GINConv(mlp, dtype=self.dtype, **kwargs)


class GAT(BasicGNN):
    """PyG's ``GAT``: :class:`BasicGNN` over :class:`~npgnn.nn.conv.GATConv`, or
    :class:`~npgnn.nn.conv.GATv2Conv` with ``v2=True`` (Veličković et al., 2018; Brody et al.,
    2022). ``edge_attr`` is used (with ``edge_dim``).

    Keyword arguments as PyG's: ``v2`` (False), ``heads`` (1), ``concat`` (True): with concat,
    each hidden conv has ``hidden_channels // heads`` channels per head (``hidden_channels``
    must be divisible by ``heads``); the conv that maps to ``out_channels`` (jk None) averages
    its heads. The attention dropout is ``dropout``. Other ``kwargs`` go to the conv
    (``negative_slope``, ``add_self_loops``, ``edge_dim``, ``fill_value``, ``bias``,
    ``residual``, ``share_weights`` for v2).
    """

    supports_edge_attr = True

    def init_conv(self, in_channels: int, out_channels: int, **kwargs: Any) -> Module:
        v2 = kwargs.pop("v2", False)
        heads = kwargs.pop("heads", 1)
        concat = kwargs.pop("concat", True)
        if getattr(self, "_is_conv_to_out", False):
            concat = False  # the conv mapping to out_channels averages its heads
        if isinstance(heads, bool) or not isinstance(heads, numbers.Integral) or heads < 1:
            raise ValueError(f"{type(self).__name__}: heads must be a positive int, got {show(heads)}")
        if concat and out_channels % heads != 0:
            raise ValueError(f"{type(self).__name__}: the output channels of a GATConv "
                             f"({out_channels}) must be divisible by heads ({heads}) with "
                             "concat=True")
        if concat:
            out_channels //= heads
        conv = GATv2Conv if v2 else GATConv
        return conv(in_channels, out_channels, heads=heads, concat=concat,
                    dropout=self.dropout.p, **self._conv_options(), **kwargs)


class EdgeCNN(BasicGNN):
    """PyG's ``EdgeCNN``: :class:`BasicGNN` over :class:`~npgnn.nn.conv.EdgeConv` (Wang et al.,
    2019), each with ``MLP([2 * in, out, out], act=act, act_first=act_first, norm=norm,
    norm_kwargs=norm_kwargs)``. ``kwargs`` go to EdgeConv (``aggr``, 'max' by default).
    """

    def init_conv(self, in_channels: int, out_channels: int, **kwargs: Any) -> Module:
        mlp = MLP([2 * in_channels, out_channels, out_channels], act=self.act,
                  act_first=self.act_first, norm=self.norm, norm_kwargs=self.norm_kwargs,
                  **self._conv_options())
        return EdgeConv(mlp, **kwargs)


def _check_size(where: str, name: str, value: Any, hint: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{where}{name} must be a positive int{hint}, got {show(value)}")
