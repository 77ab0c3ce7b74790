"""Ctrl-C during a run on a local cluster: the tasks are cancelled, the cluster closed, one line
on stderr and exit status 130, as the in-process run; no worker process is left behind."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

# The CLI in a child process; once its tasks are submitted, Ctrl-C as a terminal sends it: SIGINT
# to the whole process group (the client and every worker).
SCRIPT = """
import os, signal, threading, sys
import npgnn.distributed as nd
from npgnn.cli import main

submit = nd.run_tasks

def run_tasks(client, tasks, **kw):
    def press_ctrl_c():
        while not client.processing() or not any(client.processing().values()):
            threading.Event().wait(0.05)
        print("workers", *client.run(os.getpid).values(), file=sys.stdout, flush=True)
        os.killpg(os.getpgrp(), signal.SIGINT)
    threading.Thread(target=press_ctrl_c, daemon=True).start()
    return submit(client, tasks, **kw)

nd.run_tasks = run_tasks
sys.exit(main(["train", "--dataset", "karate", "--epochs", "100000", "--stopping", "none",
               "--runs", "2", "--workers", "1", "--quiet"]))
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_ctrl_c_cancels_the_tasks_and_closes_the_cluster():
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env,
                          timeout=120, start_new_session=True)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "npgnn: interrupted\n"
    workers = [int(p) for p in done.stdout.split()[1:]]
    assert workers
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)
