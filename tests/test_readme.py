"""Every Python block of the README runs as written, and its CLI block runs top to bottom."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
CLI_BLOCK = next(b for b in re.findall(r"```bash\n(.*?)```", README, re.S) if "npgnn eval" in b)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_readme_cli_block_runs_top_to_bottom(tmp_path, shared_datasets, monkeypatch, capsys, cli_commands):
    pytest.importorskip("matplotlib")  # --plot
    from npgnn.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NPGNN_CACHE", str(tmp_path / "cache"))  # every dataset comes from --root
    for argv in cli_commands(CLI_BLOCK, shared_datasets):
        assert main(argv) == 0, (argv, capsys.readouterr().err)
    assert {"gcn.safetensors", "gcn.json", "karate.png"} <= {p.name for p in tmp_path.iterdir()}
