"""The code keeps the style in pyproject.toml: `ruff check` finds nothing and `ruff format` would change nothing."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The ruff that the test extras install into the same environment as pytest.
RUFF = Path(sys.executable).with_name("ruff")


def test_ruff_finds_nothing_to_fix():
    assert RUFF.is_file(), f"{RUFF} is missing: install the test extras (pip install -e '.[test]')"
    failures = []
    for arguments in (["check", "--output-format", "concise", "."], ["format", "--check", "."]):
        run = subprocess.run([RUFF, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            failures.append(f"$ ruff {' '.join(arguments)}\n{run.stdout}{run.stderr}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
