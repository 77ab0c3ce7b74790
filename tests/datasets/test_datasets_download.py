"""download(): atomic writes, checksums, errors; cache_dir(); safe zip extraction."""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from npgnn.datasets import ChecksumError, DownloadError, cache_dir, download
from npgnn.datasets._download import check_bytes, extract_zip


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_cache_dir_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NPGNN_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("NPGNN_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "npgnn"


def test_download_verified(http_server, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 1000
    (http_server.root / "blob.bin").write_bytes(payload)
    dest = tmp_path / "out" / "blob.bin"
    digest = download(f"{http_server.url}/blob.bin", dest,
                      sha256=hashlib.sha256(payload).hexdigest(), progress=True)
    assert dest.read_bytes() == payload
    assert digest == hashlib.sha256(payload).hexdigest()
    assert _leftovers(dest.parent) == []


def test_download_checksum_mismatch_leaves_nothing(http_server, tmp_path: Path) -> None:
    (http_server.root / "blob.bin").write_bytes(b"tampered content")
    dest = tmp_path / "blob.bin"
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as info:
        download(f"{http_server.url}/blob.bin", dest, sha256=wrong, progress=False)
    msg = str(info.value)
    assert str(dest) in msg and wrong in msg
    assert hashlib.sha256(b"tampered content").hexdigest() in msg
    assert "trusted copy" in msg
    assert not dest.exists() and _leftovers(tmp_path) == []


def test_download_keeps_old_file_on_failure(http_server, tmp_path: Path) -> None:
    dest = tmp_path / "blob.bin"
    dest.write_bytes(b"old")
    with pytest.raises(DownloadError, match="404"):
        download(f"{http_server.url}/missing.bin", dest, progress=False)
    assert dest.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_download_connection_refused(tmp_path: Path) -> None:
    # Port 9 on 127.0.0.1 (discard) is essentially never open; no external network involved.
    with pytest.raises(DownloadError, match="could not download"):
        download("http://127.0.0.1:9/x", tmp_path / "x", progress=False, timeout=2)
    assert list(tmp_path.iterdir()) == []


def test_download_refuses_other_schemes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="http"):
        download("file:///etc/passwd", tmp_path / "x")


def test_check_bytes_reports_truncation(tmp_path: Path) -> None:
    data = b"abcdef"
    good = hashlib.sha256(data).hexdigest()
    check_bytes(data, tmp_path / "f", (6, good))
    with pytest.raises(ChecksumError, match=r"truncated.*expected 6 bytes, found 3") as info:
        check_bytes(data[:3], tmp_path / "f", (6, good))
    assert good in str(info.value) and "delete it" in str(info.value)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_extract_zip_ok(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"D/D_A.txt": b"1, 2\n", "D/README.txt": b"hi"})
    files = extract_zip(archive, tmp_path / "out")
    assert sorted(f.name for f in files) == ["D_A.txt", "README.txt"]
    assert (tmp_path / "out" / "D" / "D_A.txt").read_bytes() == b"1, 2\n"


@pytest.mark.parametrize("evil", ["../evil.txt", "/abs/evil.txt", "D/../../evil.txt",
                                  "C:/evil.txt", "..\\evil.txt"])
def test_extract_zip_rejects_escapes(tmp_path: Path, evil: str) -> None:
    archive = _zip(tmp_path / "a.zip", {"D/ok.txt": b"ok", evil: b"pwned"})
    with pytest.raises(ValueError, match="refusing to extract"):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()      # checked before anything is written
    assert not (tmp_path / "evil.txt").exists()


def test_extract_zip_size_limit(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"big.txt": b"0" * 10_000})
    with pytest.raises(ValueError, match="exceeds the limit"):
        extract_zip(archive, tmp_path / "out", max_bytes=1000)
