"""One local Dask cluster (2 worker processes, one thread each, no dashboard, 127.0.0.1 only)
shared by the Dask tests of a session, always closed at the end; tests that need a cluster of
their own (the CLI's --workers) start and close it themselves."""
from __future__ import annotations

import json
from typing import Any

import pytest


@pytest.fixture(scope="session")
def client():
    from npgnn.distributed import connect

    with connect(n_workers=2) as dask_client:  # LocalCluster(processes=True, dashboard_address=None)
        yield dask_client


def without_seconds(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics as JSON would hold them, minus the wall-clock ``seconds`` of every run."""
    copy = json.loads(json.dumps(metrics))
    stack = [copy]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            item.pop("seconds", None)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return copy
