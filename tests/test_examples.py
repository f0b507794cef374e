"""Every example runs (in its --quick form, a few seconds each)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


def test_examples_exist():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path):
    argv = [sys.executable, str(script), "--quick"]
    if "--output-dir" in script.read_text():
        argv += ["--output-dir", str(tmp_path)]
    # plt.show() at the end of an example must not wait for a window to close.
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                            env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()
