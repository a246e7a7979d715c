from __future__ import annotations

import sys
from pathlib import Path

# Test helpers shared by modules (corpus_oracle) live beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))


import pytest

from cli_runner import Runner, make_runner


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run ``llmbase-migrate ARGS`` in-process in a directory; exit code and output."""
    return make_runner(capsys, monkeypatch)
