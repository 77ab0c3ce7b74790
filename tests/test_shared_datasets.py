"""How the tests find the real datasets (README, "Setup"): ``$NPGNN_SHARED_DATASETS``, else
``../shared/datasets``; every test that builds that path honours the override."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_reads_the_shared_datasets_through_the_override() -> None:
    """A test that builds the ../shared/datasets path itself must honour NPGNN_SHARED_DATASETS."""
    for path in (ROOT / "tests").rglob("*.py"):
        text = path.read_text()
        if re.search(r'"shared"\s*/\s*"datasets"', text):
            assert "NPGNN_SHARED_DATASETS" in text, path
