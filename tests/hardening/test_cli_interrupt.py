"""Ctrl-C while ``npgnn`` is still importing prints one line and exits 130 (issue 9, kind 3):
as the console script pip generates, and as ``python -m npgnn``; a library user's
``import npgnn`` keeps Python's KeyboardInterrupt."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from npgnn._cli_guard import _runs_npgnn_module, running_as_cli

# Installed on the child's path as sitecustomize: the import of npgnn.nn (the first heavy import
# of ``import npgnn``) announces itself on stdout and then waits, so SIGINT lands inside it.
SLOW_IMPORT = '''
import sys, time

class _Slow:
    def find_spec(self, name, path=None, target=None):
        if name == "npgnn.nn":
            sys.meta_path.remove(self)
            print("importing", flush=True)
            time.sleep(120)
        return None

sys.meta_path.insert(0, _Slow())
'''

# The console script pip writes for [project.scripts] npgnn = "npgnn.cli:main"
CONSOLE_SCRIPT = '''import re
import sys
from npgnn.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
'''


def _interrupt_during_import(tmp_path: Path, argv: list[str]) -> subprocess.CompletedProcess:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_IMPORT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    env.pop("NPGNN_DEBUG", None)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=tmp_path,
                            # a background job inherits an ignored SIGINT: restore the default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert proc.stdout.readline() == "importing\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def test_console_script_interrupted_while_importing(tmp_path: Path) -> None:
    script = tmp_path / "npgnn"
    script.write_text(CONSOLE_SCRIPT)
    done = _interrupt_during_import(tmp_path, [sys.executable, str(script), "datasets"])
    assert (done.returncode, done.stderr, done.stdout) == (130, "npgnn: interrupted\n", "")


def test_python_dash_m_interrupted_while_importing(tmp_path: Path) -> None:
    done = _interrupt_during_import(tmp_path, [sys.executable, "-m", "npgnn", "datasets"])
    assert (done.returncode, done.stderr, done.stdout) == (130, "npgnn: interrupted\n", "")


def test_library_import_keeps_keyboard_interrupt(tmp_path: Path) -> None:
    done = _interrupt_during_import(tmp_path, [sys.executable, "-c", "import npgnn"])
    assert done.returncode != 130
    assert done.stderr.rstrip().endswith("KeyboardInterrupt")


@pytest.mark.parametrize("orig_argv, expected", [
    (["python", "-m", "npgnn", "train"], True),
    (["python", "-mnpgnn"], True),
    (["python", "-X", "importtime", "-u", "-m", "npgnn"], True),
    (["python", "-W", "error", "-m", "npgnn"], True),
    (["python", "-m", "pytest"], False),
    (["python", "-c", "import npgnn", "-m", "npgnn"], False),
    (["python", "script.py", "-m", "npgnn"], False),
    (["python"], False),
])
def test_dash_m_detection(orig_argv, expected):
    assert _runs_npgnn_module(orig_argv) is expected


def test_this_test_process_is_not_the_cli():
    assert not running_as_cli()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler \
        or signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def _child_view(queue) -> None:
    queue.put((sys.argv[0], running_as_cli()))


def test_worker_processes_of_the_command_are_not_the_cli(monkeypatch) -> None:
    """multiprocessing children (Dask workers of `npgnn train --workers`) inherit the command's
    sys.argv; they must keep Python's SIGINT handling (else every worker prints the line)."""
    import multiprocessing

    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/npgnn", "train"])
    assert running_as_cli()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_view, args=(queue,))
    child.start()
    argv0, is_cli = queue.get(timeout=120)
    child.join(timeout=60)
    assert argv0 == "/usr/local/bin/npgnn" and is_cli is False
