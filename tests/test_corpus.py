"""The annotated fixture corpus: realistic code with ``# expect: CODE`` on each line
that must be reported. Any difference is a miss or a false alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_oracle import compare

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ["fixtures/demo", "fixtures/corpus", "fixtures/negatives"]


@pytest.mark.parametrize("corpus", CORPORA)
def test_findings_match_annotations(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    mismatches, expected, found = compare(ROOT / corpus, ROOT)
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
