"""``npgnn.load`` finds the built-in models right after ``import npgnn``, and that import stays
light (no torch, matplotlib or model modules loaded)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import npgnn
from npgnn.io import _BUILTIN, registered_models

SRC = str(Path(npgnn.__file__).resolve().parents[1])


def run_fresh(code: str) -> str:
    """Run ``code`` in a new interpreter with this checkout's sources first."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=False, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("name, cls, args", [
    ("gcn", "GCN", "4, 3"), ("gin", "GIN", "4, 3"), ("mlp", "MLPClassifier", "4, 3"),
])
def test_load_right_after_import(tmp_path, name, cls, args):
    path = tmp_path / f"{name}.safetensors"
    run_fresh(f"import npgnn.models as m, npgnn; npgnn.save(m.{cls}({args}), {str(path)!r})")
    out = run_fresh(
        "import sys, json, npgnn\n"
        "before = [m for m in ('torch', 'matplotlib', 'npgnn.models') if m in sys.modules]\n"
        f"model = npgnn.load({str(path)!r})\n"
        "print(json.dumps([before, type(model).__name__]))")
    before, loaded = json.loads(out)
    assert before == [] and loaded == cls


def test_registered_models_lists_the_builtins():
    assert set(_BUILTIN) <= set(registered_models())
