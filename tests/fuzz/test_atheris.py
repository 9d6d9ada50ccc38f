"""The atheris targets run: a few hundred inputs each here, hours in a fuzzing session (docs/security.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["parser", "letter", "pdf"])
def test_target_runs_clean(target):
    pytest.importorskip("atheris")
    result = subprocess.run(
        [sys.executable, "-m", f"tests.fuzz.atheris_{target}", "-runs=300", "-timeout=20", "-seed=1"],
        cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 300 runs" in result.stderr
