"""`npgnn demo`: the article's walk-through and the side-by-side replay."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import numpy as np
from numpy.testing import assert_allclose

from npgnn import demo

CORRECT_LAST = np.array([[9.9294274935e-01, 7.0572506517e-03], [2.5120418294e-10, 9.9999999975e-01]])


def run(**kwargs) -> str:
    out = io.StringIO()
    demo.run(out=out, **kwargs)
    return out.getvalue()


def test_walkthrough_shows_every_step_with_an_explanation() -> None:
    text = run()
    for needle in [
        "c = [[1.5 1.5 1.5] [0.7 0.7 0.7]]",
        "m[0] = [[7. 3. 3.] [3. 3. 3.] [8. 4. 4.] [7. 3. 3.] [4. 4. 4.]]",
        "h'[0] = [[10. 10. 10.] [10. 10. 10.] [13. 13. 13.] [10. 10. 10.] [13. 13. 13.]]",
        "dh[0] = [[ 9. 9. 9.] [ 9. 9. 9.] [12. 12. 12.] [ 9. 9. 9.] [12. 12. 12.]]",
        "y[0,0] = [0.21194156 0.57611688 0.21194156]",
        "targets t = [[1. 0.] [0. 1.]]",
        "loss at step 0 = 0.70863194",
        "the article prints the sum, 1.41726347",
        "step 10 p = [[9.92942749e-01 7.05725065e-03] [2.51204183e-10 1.00000000e+00]]",
        "logits = [[ 2.55736473 -2.42114885]]",
    ]:
        assert needle in text, needle
    losses = re.findall(r"(?:loss at step 0 = |mean loss )(\d+\.\d+)", text)
    assert len(losses) == 6 and all(len(v.split(".")[1]) == 8 for v in losses)  # one convention
    results = [line for line in text.splitlines() if re.match(r"  \S.* = ", line)]
    assert len(results) >= 15
    lines = text.splitlines()
    for line in results:  # each result is followed by its one-line explanation
        follow = lines[lines.index(line) + 1]
        assert follow.startswith("      ") and len(follow.strip()) > 10, line


def test_demo_loads_nothing_heavy() -> None:
    """The demo stays instant by never loading torch, PyG, matplotlib, numba or networkx (what made
    it slow before); checked in a fresh interpreter rather than timed, so load cannot flake it."""
    code = ("import sys, io; from npgnn import demo; out = io.StringIO(); demo.run(out=out); "
            "demo.run(out=out, article_replay=True); "
            "print(sorted(m for m in ('torch', 'torch_geometric', 'matplotlib', 'numba', 'networkx') "
            "if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"


def test_traces() -> None:
    ours = demo.correct_trace()
    assert len(ours["probs"]) == 5
    assert_allclose(ours["probs"][-1], CORRECT_LAST, rtol=1e-8)
    assert_allclose(ours["logits"], [[2.5573647308, -2.4211488547]], rtol=1e-8)
    theirs = demo.article_trace()
    assert " ".join(str(theirs["probs"][-1]).split()) == \
        "[[1.00000000e+00 1.22993158e-51] [1.62446544e-16 1.00000000e+00]]"
    assert_allclose(theirs["logits"], [[58.68030203, -58.54451771]], rtol=1e-9)


def test_demo_leaves_the_global_rng_alone() -> None:
    state = np.random.get_state()
    run()
    run(article_replay=True)
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(state, after))


def test_article_replay_side_by_side_with_the_reason() -> None:
    text = run(article_replay=True)
    assert "[9.99882931e-01 1.17068837e-04]" in text and "[9.99992652e-01 7.34789352e-06]" in text
    assert "[1.00000000e+00 1.22993158e-51]" in text and "[9.92942749e-01 7.05725065e-03]" in text
    assert "[[ 58.68030203 -58.54451771]]" in text and "[[ 2.55736473 -2.42114885]]" in text
    row = next(line for line in text.splitlines() if "1.17068837e-04" in line)
    assert "7.34789352e-06" in row  # the two traces share a line: beside each other
    assert "diagonal y(1-y)" in text and "never" in text and "resets" in text
    assert max(len(line) for line in text.splitlines()) <= 80  # an 80-column terminal
