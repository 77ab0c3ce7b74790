"""A tqdm progress bar that can be switched off (tests, --quiet) without changing the loop."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any


class _Silent:
    def __init__(self, iterable: Iterable[Any]):
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def set_postfix(self, **kwargs: Any) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(iterable: Iterable[Any] | None, desc: str = "", enabled: bool = True, **kwargs: Any) -> Any:
    """tqdm over ``iterable`` on stderr when enabled, else a silent stand-in with the same methods
    (``iterable=None`` with ``total=n``: a bar advanced by ``update()``)."""
    if not enabled:
        return _Silent(iterable)
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, leave=False, file=sys.stderr, dynamic_ncols=True, **kwargs)
