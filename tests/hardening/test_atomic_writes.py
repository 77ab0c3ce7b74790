"""Atomic writes (issue 9, kind 3): no temp file left by SIGTERM, stale ones from SIGKILL cleaned,
the target's permissions kept, read-only targets and empty paths refused, check_writable."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from npgnn.io import check_writable, save, save_state_dict
from npgnn.models import GCN


def temp_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".npgnn-tmp"))


def test_existing_target_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.safetensors"
    save(GCN(4, 2, seed=0), path)
    os.chmod(path, 0o640)
    save(GCN(4, 2, seed=1), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_read_only_target_is_refused_and_kept(tmp_path):
    path = tmp_path / "m.npz"
    save(GCN(4, 2, seed=0), path, backend="npz")
    before = path.read_bytes()
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=r"save: .*m\.npz' exists and is read-only; choose "
                                              r"another name or make it writable"):
        save(GCN(4, 2, seed=1), path, backend="npz")
    with pytest.raises(PermissionError, match="read-only"):
        save_state_dict({"a": [1.0]}, path)
    assert path.read_bytes() == before
    assert temp_files(tmp_path) == []


def test_empty_path_and_folders_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"save: the path is empty; give a file name"):
        save(GCN(4, 2, seed=0), "")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        save(GCN(4, 2, seed=0), tmp_path)
    with pytest.raises(FileNotFoundError, match=r"the directory .*nodir.* does not exist"):
        save(GCN(4, 2, seed=0), tmp_path / "nodir" / "m.safetensors")
    with pytest.raises(TypeError, match=r"save: path must be a str or os.PathLike, got int"):
        save(GCN(4, 2, seed=0), 3)


def test_check_writable(tmp_path):
    assert check_writable(tmp_path / "new.json") == str(tmp_path / "new.json")
    with pytest.raises(FileNotFoundError, match=r"--save: cannot write .*does not exist"):
        check_writable(tmp_path / "a" / "b.json", caller="--save")
    assert check_writable(tmp_path / "a" / "b.json", create_dirs=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match=r"'.*file' is a file, not a folder"):
        check_writable(tmp_path / "file" / "m.json", create_dirs=True)
    os.chmod(tmp_path / "file", 0o444)
    with pytest.raises(PermissionError, match=r"exists and is read-only"):
        check_writable(tmp_path / "file")
    with pytest.raises(ValueError, match=r"metrics: the path is empty"):
        check_writable("", caller="metrics")
    assert not (tmp_path / "a").exists()  # nothing is created


def test_stale_temp_files_of_a_killed_save_are_removed_by_the_next(tmp_path):
    path = tmp_path / "m.safetensors"
    stale = tmp_path / ".m.safetensors.0123456789ab.npgnn-tmp"
    young = tmp_path / ".m.safetensors.ba9876543210.npgnn-tmp"   # another writer, right now
    other = tmp_path / ".other.safetensors.0123456789ab.npgnn-tmp"
    for p in (stale, young, other):
        p.write_bytes(b"half a file")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    save(GCN(4, 2, seed=0), path)
    assert temp_files(tmp_path) == sorted([young.name, other.name])


_SLOW_SAVE = r"""
import os, sys, time
import numpy as np
from npgnn.io import save_state_dict
import npgnn._atomic as atomic

real = atomic.os.fsync
def slow_fsync(fd):                       # the write is under way: tell the parent, then wait
    print("writing", flush=True)
    time.sleep(30)
    real(fd)
atomic.os.fsync = slow_fsync
save_state_dict({"w": np.zeros(1000)}, sys.argv[1])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_a_save_removes_the_temp_file(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"the old file")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_SAVE, str(path)], stdout=subprocess.PIPE,
                            text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "writing"
        assert len(temp_files(tmp_path)) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == -signal.SIGTERM   # still dies of SIGTERM, as before
    finally:
        proc.kill()
    assert temp_files(tmp_path) == []
    assert path.read_bytes() == b"the old file"
