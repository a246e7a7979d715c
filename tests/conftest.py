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


@pytest.fixture(autouse=True)
def _no_catalog_from_the_machine(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never read the developer's catalog cache or key, nor reach the network."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for variable in ("LLMBASE_API_KEY", "LLMBASE_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
