"""The project's own code is ruff- and mypy --strict-clean (configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extra: pip install -e '.[test]'")
    return found


@pytest.mark.slow
def test_ruff_check_and_format() -> None:
    ruff = _tool("ruff")
    lint = subprocess.run([ruff, "check", "src", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    style = subprocess.run(
        [ruff, "format", "--check", "src", "tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert style.returncode == 0, style.stdout + style.stderr


@pytest.mark.slow
def test_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
