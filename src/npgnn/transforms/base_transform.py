"""PyG's ``BaseTransform`` and ``Compose``: callables that map a Graph to a new Graph."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any


class BaseTransform(ABC):
    """A transform: ``transform(graph)`` returns a new Graph and leaves its input untouched.

    As PyG's ``BaseTransform``: subclasses implement ``forward``. PyG shallow-copies the Data
    before ``forward`` edits it in place; npgnn transforms build their result with
    ``Graph.replace`` instead, so no copy is needed and the input is never modified.
    """

    def __call__(self, data: Any) -> Any:
        return self.forward(data)

    @abstractmethod
    def forward(self, data: Any) -> Any:
        """Return the transformed Graph."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Compose(BaseTransform):
    """Apply ``transforms`` in order; a list (or tuple) of graphs is transformed item by item.

    Raises:
        TypeError: an item of ``transforms`` is not callable.
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]):
        transforms = list(transforms)
        for k, transform in enumerate(transforms):
            if not callable(transform):
                raise TypeError(f"transforms[{k}]: expected a callable transform, got "
                                f"{type(transform).__name__}")
        self.transforms = transforms

    def forward(self, data: Any) -> Any:
        for transform in self.transforms:
            if isinstance(data, (list, tuple)):
                data = [transform(d) for d in data]
            else:
                data = transform(data)
        return data

    def __repr__(self) -> str:
        args = ",\n".join(f"  {transform}" for transform in self.transforms)
        return f"{type(self).__name__}([\n{args}\n])"
