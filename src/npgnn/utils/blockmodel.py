"""Degree-corrected stochastic block model graphs, sampled in O(N + E) (no N x N probabilities).

PyG's ``stochastic_blockmodel_graph`` draws a Bernoulli for each of the N(N-1)/2 node pairs,
which stops being usable at a few ten thousand nodes. The degree-corrected model of Karrer &
Newman ("Stochastic blockmodels and community structure in networks", Phys. Rev. E 83, 016107,
2011) is a Poisson multigraph: the number of edges between i and j is
Poisson(theta_i theta_j omega_{g_i g_j}). Conditioned on the number of edges it is a sequence of
independent draws, so it is sampled edge by edge from per-node weights: O(N + E) time and
memory, the Chung-Lu sampling scheme (Chung & Lu, "Connected components in random graphs with
given expected degree sequences", Annals of Combinatorics 6, 2002) applied inside and across
blocks.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from npgnn.graph._checks import as_count
from npgnn.random import default_generator


def degree_corrected_blockmodel_graph(blocks: Any, num_edges: int, homophily: float = 0.8,
                                      degree_exponent: float = 2.5,
                                      max_degree: float | None = None, *,
                                      seed: int | np.random.Generator | None = None,
                                      ) -> np.ndarray:
    """The ``edge_index`` of an undirected degree-corrected stochastic block model graph.

    The model (Karrer & Newman 2011, eq. 8, with their planted-partition mixture of Sec. IV):
    node i in block g_i has a weight w_i drawn from a power law P(w > t) = t^-(gamma - 1),
    t >= 1 (``degree_exponent`` gamma, the exponent of the degree distribution's tail), capped
    at ``max_degree`` times mean(w) / mean degree. With kappa_r the total weight of block r and
    W = sum(w), the expected number of edges between i and j is proportional to

        w_i w_j (lambda delta(g_i, g_j) / kappa_{g_i} + (1 - lambda) / W),

    i.e. omega_rs = lambda delta_rs kappa_r + (1 - lambda) kappa_r kappa_s / W: a fraction lambda
    of the edges is planted inside blocks, the rest placed as in a configuration model that
    ignores blocks. lambda is chosen so that the expected fraction of edges inside blocks is
    ``homophily``: lambda = (h - s) / (1 - s) with s = sum_r (kappa_r / W)^2, the fraction the
    block-blind part alone puts inside blocks. Degrees follow the weights: node i's expected
    degree is about ``num_edges`` * w_i / W.

    Sampling: num_edges // 2 undirected draws, Binomial-split between the planted and the
    random part; each part draws its endpoint counts per node from a multinomial over the
    weights (inside each block for the planted part) and pairs them by a random shuffle, so the
    whole cost is O(N + E + number of blocks) time and O(N + E) memory. The multigraph is then
    made simple: self-loops and repeated pairs are dropped, each pair is stored in both
    directions, and the edges are sorted by target, then source, with one sort and a
    neighbour-comparison mask (no ``np.unique``).

    Args:
        blocks: (N,) integer block (community) id of each node, ids >= 0; N = len(blocks).
        num_edges: the number of directed edges to aim for (each undirected draw gives two);
            the result has at most this many: dropping self-loops and repeats costs a few
            percent, more for a heavy tail (many draws between the same hubs).
        homophily: expected fraction of the draws that join two nodes of one block, in
            [s, 1] with s as above (about 1 / number of blocks for equal blocks; a smaller
            value would need lambda < 0, a disassortative graph, which this model does not
            make).
        degree_exponent: gamma > 2 (a finite mean degree); real networks have 2 < gamma < 3,
            larger values give a less skewed degree distribution.
        max_degree: cap on a node's expected degree; None uses the structural cutoff
            sqrt(N * mean degree) (Boguna, Pastor-Satorras & Vespignani, "Cut-offs and
            finite size effects in scale-free networks", Eur. Phys. J. B 38, 2004), above
            which a simple graph cannot hold the degrees the weights ask for.
        seed: an int or a ``np.random.Generator``; None draws from npgnn's global generator
            (``npgnn.manual_seed``). The same seed and arguments give the same graph.

    Returns:
        (2, E) int64 ``edge_index``, E <= ``num_edges`` and even: symmetric (j -> i present
        iff i -> j), no self-loops, no duplicates, sorted by target then source.

    Raises:
        TypeError: ``blocks`` not 1-D integers; ``num_edges`` not an int; ``homophily``,
            ``degree_exponent`` or ``max_degree`` not a real number; ``seed`` of another type.
        ValueError: ``blocks`` empty or with a negative id, ``homophily`` outside [s, 1],
            ``degree_exponent`` <= 2, ``max_degree`` < 1, N * N beyond int64.

    Example:
        >>> import numpy as np
        >>> blocks = np.repeat(np.arange(4), 250)
        >>> ei = degree_corrected_blockmodel_graph(blocks, 10_000, homophily=0.9, seed=0)
        >>> ei.shape[0], bool((blocks[ei[0]] == blocks[ei[1]]).mean() > 0.85)
        (2, True)
    """
    blocks = _blocks_arg(blocks)
    num_edges = as_count("degree_corrected_blockmodel_graph: num_edges", num_edges)
    h = _real("homophily", homophily)
    gamma = _real("degree_exponent", degree_exponent)
    if gamma <= 2:
        raise ValueError(f"degree_corrected_blockmodel_graph: degree_exponent must be > 2 (a "
                         f"finite mean degree), got {gamma}")
    n = blocks.size
    if n > math.isqrt(np.iinfo(np.int64).max):
        raise ValueError(f"degree_corrected_blockmodel_graph: N = {n} nodes is too many (the "
                         f"edge sort keys target * N + source must fit int64)")
    mean_degree = num_edges / n
    cutoff = math.sqrt(n * max(mean_degree, 1.0))
    if max_degree is not None:
        cutoff = _real("max_degree", max_degree)
        if cutoff < 1:
            raise ValueError(f"degree_corrected_blockmodel_graph: max_degree must be >= 1, got "
                             f"{cutoff}")
    rng = generator_arg("degree_corrected_blockmodel_graph", seed)

    w = _power_law_weights(n, gamma, cutoff, mean_degree, rng)
    kappa = np.bincount(blocks, weights=w)
    total = float(kappa.sum())
    share = kappa / total
    s = float(np.dot(share, share))
    if not s - 1e-12 <= h <= 1:
        raise ValueError(f"degree_corrected_blockmodel_graph: homophily must lie in "
                         f"[{s:.4g}, 1] for these blocks (the fraction of edges a block-blind "
                         f"placement already puts inside blocks is {s:.4g}), got {h}")
    lam = min(max((h - s) / (1 - s), 0.0), 1.0) if s < 1 else 1.0

    pairs = num_edges // 2
    planted = int(rng.binomial(pairs, lam))
    src_p, dst_p = _planted_pairs(blocks, w, kappa, planted, rng)
    src_r = np.repeat(np.arange(n, dtype=np.int64), rng.multinomial(pairs - planted, w / total))
    dst_r = src_r.copy()
    rng.shuffle(dst_r)
    return _simple_symmetric(np.concatenate([src_p, src_r]), np.concatenate([dst_p, dst_r]), n)


def _power_law_weights(n: int, gamma: float, cutoff: float, mean_degree: float,
                       rng: np.random.Generator) -> np.ndarray:
    """(N,) float64 Pareto weights, P(w > t) = t^-(gamma-1) for t >= 1, capped so that no
    expected degree (mean_degree * w / mean(w)) exceeds ``cutoff``."""
    w = (1.0 - rng.random(n)) ** (-1.0 / (gamma - 1.0))
    scale = max(mean_degree, 1e-300)
    for _ in range(4):                   # capping lowers the mean, which raises the cap: settle
        np.minimum(w, cutoff * w.mean() / scale, out=w)
    return w


def _planted_pairs(blocks: np.ndarray, w: np.ndarray, kappa: np.ndarray, count: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` pairs inside blocks: block r gets Multinomial(count, kappa / W) of them, both
    endpoints drawn from r's nodes in proportion to w. One pass per block (not per node/edge)."""
    per_block = rng.multinomial(count, kappa / kappa.sum())
    order = np.argsort(blocks, kind="stable")
    bounds = np.zeros(kappa.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(blocks, minlength=kappa.size), out=bounds[1:])
    src = np.empty(count, dtype=np.int64)
    dst = np.empty(count, dtype=np.int64)
    at = 0
    for r in np.flatnonzero(per_block):
        members = order[bounds[r]:bounds[r + 1]]
        m = int(per_block[r])
        p = w[members] / kappa[r]
        src[at:at + m] = np.repeat(members, rng.multinomial(m, p))
        part = np.repeat(members, rng.multinomial(m, p))
        rng.shuffle(part)
        dst[at:at + m] = part
        at += m
    return src, dst


def _simple_symmetric(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    """Both directions of every non-loop pair, each once, sorted by (target, source)."""
    keep = src != dst
    src, dst = src[keep], dst[keep]
    keys = np.empty(2 * src.size, dtype=np.int64)
    np.multiply(dst, n, out=keys[:src.size])
    keys[:src.size] += src
    np.multiply(src, n, out=keys[src.size:])
    keys[src.size:] += dst
    del src, dst, keep
    keys.sort()
    first = np.empty(keys.size, dtype=bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    keys = keys[first]
    out = np.empty((2, keys.size), dtype=np.int64)
    np.floor_divide(keys, n, out=out[1])
    np.subtract(keys, out[1] * n, out=out[0])
    return out


def _blocks_arg(blocks: Any) -> np.ndarray:
    arr = np.asarray(blocks)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"degree_corrected_blockmodel_graph: blocks must be a 1-D integer "
                        f"array (the block of each node), got dtype {arr.dtype} shape "
                        f"{arr.shape}")
    if arr.size == 0:
        raise ValueError("degree_corrected_blockmodel_graph: blocks must hold at least one node")
    if arr.min() < 0:
        raise ValueError(f"degree_corrected_blockmodel_graph: block ids must be >= 0, found "
                         f"{int(arr.min())}")
    return arr.astype(np.int64, copy=False)


def _real(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"degree_corrected_blockmodel_graph: {name} must be a real number, got "
                        f"{type(value).__name__} {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"degree_corrected_blockmodel_graph: {name} must be finite, got {out}")
    return out


def generator_arg(where: str, seed: Any) -> np.random.Generator:
    """``seed`` (an int, a Generator, or None for npgnn's global generator) as a Generator.

    Raises:
        TypeError: any other type, the message starting with ``where``.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return default_generator()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        return np.random.default_rng(int(seed))
    raise TypeError(f"{where}: seed must be an int, a numpy Generator or None, got "
                    f"{type(seed).__name__} {seed!r}")
