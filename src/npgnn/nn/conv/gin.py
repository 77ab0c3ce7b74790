"""``GINConv``: the Graph Isomorphism Network layer (Xu et al., 2019), numerically PyG's."""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from npgnn._validate import check_float_dtype, check_real, check_supported_dtype
from npgnn.autodiff.tensor import Tensor, as_tensor
from npgnn.nn import init
from npgnn.nn.conv._structure import as_graph, bipartite_edges, pair_features
from npgnn.nn.conv.message_passing import MessagePassing
from npgnn.nn.module import Module, Parameter
from npgnn.ops.adjacency import bipartite_aggregation
from npgnn.ops.graph import spmm


class GINConv(MessagePassing):
    r"""GIN: ``x'_i = h_Θ((1 + ε) · x_i + Σ_{j -> i} x_j)``.

    The sum runs over the incoming edges of i: duplicate edges count once per copy, an existing
    self-loop i -> i adds x_i once more (no self-loop is added: the (1 + ε) x_i term plays that
    role), and an isolated node gives h_Θ((1 + ε) x_i). Edge weights are not used (as in PyG).

    Args:
        nn: the network h_Θ mapping (N, F_in) to (N, F_out), e.g.
            ``Sequential(Linear(F_in, H), ReLU(), Linear(H, F_out))`` or an :class:`npgnn.nn.mlp.MLP`
            (the GIN paper uses 2-layer MLPs with batch norm).
        eps: initial ε.
        train_eps: learn ε (a Parameter of shape (1,)); otherwise ε is a (1,) buffer. Both are
            saved under PyG's name ``eps``.

    Shapes:
        x: (N, F_in); edge_index: (2, E) or a Graph; output: what ``nn`` returns, (N, F_out).
        PyG's bipartite pair ``x = (x_src, x_dst)``, (N_src, F_in) and (N_dst, F_in): edges
        j -> i go from row j of x_src to row i of x_dst, the output has N_dst rows (``x_dst``
        None is not supported); IndexError for a source >= N_src or a target >= N_dst.

    Parameters: ``nn.<...>`` (those of ``nn``) and ``eps`` (1,).

    Example:
        >>> import numpy as np
        >>> from npgnn.nn import Linear, ReLU, Sequential
        >>> conv = GINConv(Sequential(Linear(3, 8, rng=0), ReLU(), Linear(8, 2, rng=1)))
        >>> conv(np.ones((4, 3), np.float32), np.array([[0, 1, 2], [1, 2, 3]])).shape
        (4, 2)
    """

    def __init__(self, nn: Module, eps: float = 0.0, train_eps: bool = False, *,
                 dtype: Any = np.float32):
        super().__init__(aggr="sum")
        if not callable(nn):
            raise TypeError(f"GINConv: nn must be a Module (or callable), got {type(nn).__name__}")
        self.nn = nn
        self.initial_eps = check_real("GINConv", "eps", eps)
        dtype = check_float_dtype("GINConv", "dtype", dtype)
        self.train_eps = bool(train_eps)
        value = np.full(1, self.initial_eps, dtype=dtype)
        if self.train_eps:
            self.eps = Parameter(value)
        else:
            self.register_buffer("eps", value)

    def reset_parameters(self, rng: init.RngLike = None) -> None:
        """Reset ``nn`` (when it has ``reset_parameters``) and set ε back to its initial value."""
        reset = getattr(self.nn, "reset_parameters", None)
        if reset is not None:
            reset(init.make_rng(rng))
        eps = self.eps.data if isinstance(self.eps, Tensor) else self.eps
        eps[...] = self.initial_eps

    def forward(self, x: Any, edge_index: Any) -> Tensor:
        if isinstance(x, tuple):
            return self._forward_pair(x, edge_index)
        if sp.issparse(x):  # constant features (no gradient): sum the sparse rows, then densify
            if x.ndim != 2:
                raise ValueError(f"GINConv: x must have shape (N, F), got {x.shape}")
            x = x.tocsr()
            check_supported_dtype("GINConv: x", x.dtype)
            if x.dtype.kind != "f":
                x = x.astype(np.float32)
            g = as_graph(edge_index, x.shape[0])
            src, dst = g.edge_index
            adj = sp.csr_matrix((np.ones(src.shape[0], x.dtype), (dst, src)), shape=(x.shape[0],) * 2)
            agg, x = Tensor(np.asarray((adj @ x).todense())), Tensor(x.toarray())
        else:
            x = as_tensor(x)
            if x.ndim != 2:
                raise ValueError(f"GINConv: x must have shape (N, F), got {x.shape}")
            g = as_graph(edge_index, x.shape[0])
            agg = self.propagate(g, x=x)
        eps = self.eps if isinstance(self.eps, Tensor) else np.asarray(self.eps, x.dtype)
        return self.nn(agg + (1 + eps) * x)

    def _forward_pair(self, x: tuple, edge_index: Any) -> Tensor:
        """PyG's bipartite form ``conv((x_src, x_dst), edge_index)``: h_Θ((1 + ε) x_dst[i] +
        Σ_{j -> i} x_src[j]) for every row i of x_dst, from an (N_dst, N_src) matrix built in
        O(E + N_dst) (so ``(x, x[:b])`` computes only the first b rows)."""
        x_src, x_dst = pair_features("GINConv", x)
        if x_src.ndim != 2 or x_dst.ndim != 2 or x_src.shape[1] != x_dst.shape[1]:
            raise ValueError(f"GINConv: x_src and x_dst must be (N_src, F) and (N_dst, F) with "
                             f"the same F, got {x_src.shape} and {x_dst.shape}")
        n_src, n_dst = x_src.shape[0], x_dst.shape[0]
        src, dst = bipartite_edges("GINConv", edge_index, n_src, n_dst)
        dtype = x_src.dtype if np.issubdtype(x_src.dtype, np.floating) else np.float64
        agg = spmm(bipartite_aggregation(src, dst, n_src, n_dst, mean=False, dtype=dtype), x_src)
        eps = self.eps if isinstance(self.eps, Tensor) else np.asarray(self.eps, x_dst.dtype)
        return self.nn(agg + (1 + eps) * x_dst)

    def __repr__(self) -> str:
        return f"GINConv(nn={self.nn})"

    def extra_repr(self) -> str:
        return f"eps={self.initial_eps}, train_eps={self.train_eps}"
