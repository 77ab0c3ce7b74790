"""available_datasets(): what is under a root and in the cache."""
from __future__ import annotations

import shutil
from pathlib import Path

from npgnn.datasets import available_datasets


def test_shared_root(planetoid_dir: Path, tu_dir: Path) -> None:
    found = {(d.kind, d.name): d for d in available_datasets(planetoid_dir.parent)}
    cora = found["planetoid", "cora"]
    assert cora.location == "root" and cora.path == planetoid_dir and cora.complete
    pubmed = found["planetoid", "pubmed"]
    assert not pubmed.complete and pubmed.missing == ("ind.pubmed.allx",)
    for name in ("MUTAG", "PROTEINS", "IMDB-BINARY", "NCI1"):
        info = found["tu", name]
        assert info.complete and info.path == tu_dir / name
    assert found["builtin", "karate"].path is None


def test_cache_and_pyg_layout(isolated_cache: Path, tu_dir: Path, tmp_path: Path) -> None:
    assert [(d.name, d.location) for d in available_datasets()] == [("karate", "builtin")]
    shutil.copytree(tu_dir / "MUTAG", isolated_cache / "tu" / "MUTAG")
    (isolated_cache / "planetoid").mkdir()
    (isolated_cache / "planetoid" / "ind.cora.x").write_bytes(b"")
    raw = tmp_path / "PTC_MR" / "raw"
    shutil.copytree(tu_dir / "PTC_MR", raw)
    got = {(d.name, d.location): d for d in available_datasets(tmp_path)}
    assert got["MUTAG", "cache"].complete
    assert len(got["cora", "cache"].missing) == 7
    assert got["PTC_MR", "root"].path == raw and got["PTC_MR", "root"].complete


def test_docstring_examples() -> None:
    import doctest

    from npgnn.datasets import _listing, karate
    for module in (karate, _listing):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
