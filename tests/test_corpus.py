"""The annotated fixture corpus: realistic code with ``# expect: CODE`` on each line
that must be reported. Any difference is a miss or a false alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_oracle import compare
from llmbase_migrate.catalog.source import load_catalog
from llmbase_migrate.config import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ["fixtures/demo", "fixtures/corpus", "fixtures/negatives", "fixtures/project"]


@pytest.mark.parametrize("corpus", CORPORA)
def test_findings_match_annotations(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo is checked as README's command checks it, with the bundled snapshot as
    the catalog; the corpora without one (their model IDs are OpenAI's and vendors')."""
    monkeypatch.chdir(ROOT)
    catalog = (
        load_catalog("offline", base_url=DEFAULT_BASE_URL, api_key_env=DEFAULT_API_KEY_ENV).index
        if corpus == "fixtures/demo"
        else None
    )
    mismatches, expected, found = compare(ROOT / corpus, ROOT, catalog)
    assert not mismatches, "\n".join(str(mismatch) for mismatch in mismatches)
    if corpus == "fixtures/negatives":
        assert found == 0
    else:
        assert expected > 0 and found == expected


def test_the_oracle_notices_a_miss(tmp_path: Path) -> None:
    """The oracle itself can fail: an annotation the tool does not produce is a miss."""
    (tmp_path / "app.py").write_text(
        "import openai\nclient = openai.OpenAI(base_url='https://api.llmbase.ai/v1')  "
        "# expect: LB105\n"
    )
    mismatches, _, _ = compare(tmp_path, tmp_path)
    kinds = sorted(mismatch.kind for mismatch in mismatches)
    assert kinds == ["false alarm", "miss"]
