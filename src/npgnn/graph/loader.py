"""Mini-batches of graphs for training: PyG's ``DataLoader`` over a sequence of Graphs."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from npgnn._validate import check_seed
from npgnn.graph import _checks
from npgnn.graph.batch import Batch
from npgnn.graph.graph import Graph
from npgnn.graph.packed import PackedGraphs
from npgnn.random import default_generator

#: torch DataLoader options that have no meaning here (no worker processes, no devices).
_IGNORED = ("num_workers", "pin_memory", "persistent_workers", "prefetch_factor", "timeout",
            "worker_init_fn", "multiprocessing_context", "pin_memory_device")


class DataLoader:
    """Iterate over a dataset of Graphs in batches made by ``Batch.from_data_list``.

    PyG's ``torch_geometric.loader.DataLoader`` with the same arguments and defaults.

    Args:
        dataset: a sequence of Graphs (``len`` and integer indexing), e.g. a ``TUDataset``.
        batch_size: graphs per batch (PyG's default 1; the last batch may be smaller unless
            ``drop_last``).
        shuffle: a new permutation each epoch, drawn from the loader's own
            ``np.random.default_rng(seed)`` (deterministic for a given ``seed``), or with
            ``seed=None`` from npgnn's global generator (``npgnn.manual_seed``), as torch's.
        follow_batch, exclude_keys: passed to ``Batch.from_data_list``.
        drop_last: skip a final incomplete batch.
        seed: npgnn only, see ``shuffle``.
        num_workers, pin_memory, ...: torch's worker/device options, accepted and ignored
            (batches are built in this process, on the CPU).

    ``len(loader)`` is the number of batches per epoch.

    Raises:
        TypeError, ValueError: ``batch_size`` is not an int >= 1; ``dataset`` is no sequence;
        ``seed`` is not None, an int >= 0 or a Generator; an unknown keyword.
    """

    def __init__(self, dataset: Sequence[Graph], batch_size: int = 1, shuffle: bool = False,
                 follow_batch: Sequence[str] | None = None,
                 exclude_keys: Sequence[str] | None = None, *, drop_last: bool = False,
                 seed: int | None = None, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(_IGNORED))
        if unknown:
            raise TypeError(f"DataLoader: unexpected keyword argument {unknown[0]!r}")
        self.batch_size = _checks.as_count("batch_size", batch_size, minimum=1)
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")) \
                or isinstance(dataset, (str, bytes, dict)):
            raise TypeError(f"DataLoader: dataset must be a sequence of Graphs (len and integer "
                            f"indexing, e.g. a list or a TUDataset), got {type(dataset).__name__}")
        check_seed("DataLoader", "seed", seed)
        self.dataset = dataset
        self.shuffle = shuffle
        self.follow_batch = follow_batch
        self.exclude_keys = exclude_keys
        self.drop_last = drop_last
        self.rng = default_generator() if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Batch]:
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        packed = self._packed()
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            chunk = order[start:start + self.batch_size]
            if packed is not None:
                yield packed.batch(chunk)
            else:
                yield Batch.from_data_list([self.dataset[int(i)] for i in chunk],
                                           self.follow_batch, self.exclude_keys)

    def _packed(self) -> PackedGraphs | None:
        """The dataset packed once (a GraphDataset without transform, no ``follow_batch``):
        every batch is then gathered from it with a few vectorized index operations, the same
        Batch that ``from_data_list`` makes (``npgnn.graph.packed``). None: pack per batch."""
        if self.follow_batch:
            return None
        pack = getattr(self.dataset, "_packed_for_collate", None)
        return pack(self.exclude_keys) if pack is not None else None
