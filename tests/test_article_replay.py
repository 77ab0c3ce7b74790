"""examples/article_replay.py reproduces the article's OWN printed trace, digit for digit, and
shows npgnn.gradcheck rejecting its diagonal-only softmax Jacobian."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "article_replay.py"

# the article's printed output, verbatim (REPRODUCE.md section 5)
ARTICLE_TRACE = [
    "[[9.99882931e-01 1.17068837e-04] [9.99882862e-01 1.17138203e-04]]",
    "[[2.09556970e-08 9.99999979e-01] [3.65517109e-09 9.99999996e-01]]",
    "[[9.99966650e-01 3.33497863e-05] [1.24346800e-12 1.00000000e+00]]",
    "[[1.00000000e+00 1.81375702e-28] [1.59424189e-14 1.00000000e+00]]",
    "[[1.00000000e+00 1.22993158e-51] [1.62446544e-16 1.00000000e+00]]",
]
ARTICLE_LOGITS = "[[ 58.68030203 -58.54451771]]"
ARTICLE_PROBS = "[[1.00000000e+00 1.23000717e-51]]"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("article_replay", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def printed(a: np.ndarray) -> str:
    """What the article's ``print(...)`` shows, whitespace-normalised."""
    return " ".join(str(a).split())


def test_replay_matches_every_printed_digit(example) -> None:
    trace, logits = example.replay()
    assert [printed(p) for p in trace] == ARTICLE_TRACE
    assert printed(logits) == ARTICLE_LOGITS
    from npgnn.article import softmax
    assert printed(softmax(logits)) == ARTICLE_PROBS
    np.testing.assert_allclose(logits, [[58.68030203, -58.54451771]], rtol=1e-9)


def test_gradcheck_rejects_the_diagonal_jacobian(example) -> None:
    message = example.gradcheck_message()
    assert message.startswith("gradcheck failed for DiagonalSoftmax: input 0")
    assert "finite differences give" in message


def test_main_prints_the_trace_and_the_verdict() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    for line in [*ARTICLE_TRACE, ARTICLE_LOGITS, ARTICLE_PROBS]:
        assert line in text
    assert "gradcheck failed for DiagonalSoftmax" in text


def test_example_is_short_and_uses_the_public_api() -> None:
    source = EXAMPLE.read_text()
    assert len(source.splitlines()) <= 100
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert all("._" not in line and "npgnn.autodiff" not in line for line in imports), imports
