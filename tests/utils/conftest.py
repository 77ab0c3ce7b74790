from ._helpers import pyg, torch  # noqa: F401  (fixtures)
