"""The transform tests share tests/utils' random edge lists and PyG comparison helpers."""
from tests.utils._helpers import pyg, random_edges, same, t, torch  # noqa: F401
