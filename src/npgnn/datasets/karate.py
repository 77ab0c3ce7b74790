"""Zachary's karate club, built from ``networkx.karate_club_graph()`` (no download)."""
from __future__ import annotations

import numpy as np

from npgnn.graph import Graph

#: The two leaders: the instructor 'Mr. Hi' (node 0, class 0) and the administrator (node 33,
#: 'Officer', class 1).
KARATE_LEADERS = (0, 33)
_SPLITS = ("leaders", "all")


def karate_club(split: str = "leaders") -> Graph:
    """Zachary's karate club: 34 members, 78 friendships, the two clubs after the split.

    - ``edge_index`` (2, 156) int64: each of the 78 undirected edges in both directions,
      sorted by (source, target). The networkx edge weights are not used (unweighted graph).
    - ``x`` (34, 34) float32 identity: a one-hot node id, as in Kipf & Welling's karate demo.
    - ``y`` (34,) int64: 0 for 'Mr. Hi', 1 for 'Officer' (the ``club`` attribute; 17 / 17).
      PyG's ``KarateClub`` instead uses 4 classes from a modularity-based community split; we
      keep the two real clubs, the ground truth of Zachary's study.

    Masks (34,) bool, chosen by ``split``:
        - ``"leaders"`` (default, semi-supervised as in Kipf's demo): ``train_mask`` holds one
          labelled node per class, the two leaders 0 ('Mr. Hi') and 33 ('Officer');
          ``test_mask`` the other 32 nodes; ``val_mask`` is empty.
        - ``"all"``: all three masks select every node (fit and report on the whole graph).

    Args:
        split: ``"leaders"`` or ``"all"``.

    Returns:
        The ``Graph``; the number of classes is 2.

    Example:
        >>> g = karate_club()
        >>> g.num_nodes, g.edge_index.shape, int(g.train_mask.sum())
        (34, (2, 156), 2)
    """
    import networkx as nx  # here, not at import: `import npgnn.datasets` stays fast

    if split not in _SPLITS:
        raise ValueError(f"karate_club: split must be one of {_SPLITS}, got {split!r}")
    nxg = nx.karate_club_graph()
    n = nxg.number_of_nodes()
    und = np.array(sorted(nxg.edges()), dtype=np.int64).T            # (2, 78)
    both = np.concatenate([und, und[::-1]], axis=1)
    order = np.lexsort((both[1], both[0]))                             # by source, then target
    edge_index = np.ascontiguousarray(both[:, order])
    clubs = nx.get_node_attributes(nxg, "club")
    y = np.array([0 if clubs[i] == "Mr. Hi" else 1 for i in range(n)], dtype=np.int64)
    if split == "all":
        train, val, test = (np.ones(n, dtype=bool) for _ in range(3))
    else:
        train = np.zeros(n, dtype=bool)
        train[list(KARATE_LEADERS)] = True
        val = np.zeros(n, dtype=bool)
        test = ~train
    return Graph(edge_index=edge_index, num_nodes=n, x=np.eye(n, dtype=np.float32), y=y,
                 train_mask=train, val_mask=val, test_mask=test)
