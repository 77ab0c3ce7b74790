"""Fixtures: an isolated cache per test, the shared raw files, and a local HTTP server."""
from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

# ../shared/datasets beside the project's root, or $NPGNN_SHARED_DATASETS.
SHARED = Path(os.environ.get("NPGNN_SHARED_DATASETS",
                             Path(__file__).resolve().parents[2].parent / "shared" / "datasets"))
PLANETOID_DIR = SHARED / "planetoid"
TU_DIR = SHARED / "tu"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty cache: never read or write ~/.cache/npgnn."""
    cache = tmp_path_factory.mktemp("npgnn-cache")
    monkeypatch.setenv("NPGNN_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def planetoid_dir() -> Path:
    if not (PLANETOID_DIR / "ind.cora.x").is_file():
        pytest.skip(f"shared Planetoid files not found in {PLANETOID_DIR}")
    return PLANETOID_DIR


@pytest.fixture(scope="session")
def tu_dir() -> Path:
    if not (TU_DIR / "MUTAG" / "MUTAG_A.txt").is_file():
        pytest.skip(f"shared TU files not found in {TU_DIR}")
    return TU_DIR


def _copy_raw(src: Path, dest: Path, pattern: str) -> Path:
    """Copy the files of ``src`` matching ``pattern`` into ``dest`` (created); return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.glob(pattern):
        shutil.copy(f, dest / f.name)
    return dest


@pytest.fixture(scope="session")
def copy_raw():
    """``copy_raw(src, dest, pattern) -> dest``: copy raw files (tests import nothing from here,
    since several conftest.py modules share the name)."""
    return _copy_raw


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class LocalServer:
    """A static file server on 127.0.0.1 serving ``root``; ``requests`` counts GETs by path."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        outer = self

        class Handler(_QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                super().do_GET()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                         functools.partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[LocalServer]:
    """A local HTTP server over an empty ``tmp_path / "www"``, stopped after the test."""
    www = tmp_path / "www"
    www.mkdir()
    with LocalServer(www) as server:
        yield server
