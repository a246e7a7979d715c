"""``fix --unsafe-fixes`` over every realistic fixture file: what it writes compiles,
is a fixed point, never adds a finding, and leaves the negatives alone."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from llmbase_migrate.config import Settings
from llmbase_migrate.engine.api import fix_source
from llmbase_migrate.engine.fixer import compile_error
from llmbase_migrate.engine.outcome import Clean, Fixed, HasFindings, Outcome

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    path.relative_to(ROOT).as_posix()
    for corpus in ("fixtures/demo", "fixtures/corpus", "fixtures/negatives", "fixtures/project")
    for path in (ROOT / corpus).rglob("*.py")
)
SETTINGS = Settings(project_root=ROOT, model_map={"gpt-4o-mini": "deepseek/deepseek-v4-flash"})
_COMMENT = re.compile(r"#[^\n]*")


def findings_of(outcome: Outcome) -> int:
    if isinstance(outcome, (HasFindings, Fixed)):
        return len(outcome.findings)
    return 0


@pytest.mark.parametrize("name", FILES)
def test_fixing_a_realistic_file_is_safe(name: str) -> None:
    raw = (ROOT / name).read_bytes()
    outcome = fix_source(raw, SETTINGS, display=name, unsafe=True)
    assert not (isinstance(outcome, HasFindings) and outcome.fix_error), outcome
    if name.startswith("fixtures/negatives/"):
        assert isinstance(outcome, Clean), "nothing to fix in code that is not ours"
        return
    if not isinstance(outcome, Fixed):
        return
    text = outcome.new_source.decode()
    assert compile_error(text, name) is None
    again = fix_source(outcome.new_source, SETTINGS, display=name, unsafe=True)
    assert not isinstance(again, Fixed), "a second run must change nothing"
    assert findings_of(again) == len(outcome.findings)
    # The "# expect:" annotations survive: comments of untouched lines are kept.
    lost = Counter(_COMMENT.findall(raw.decode())) - Counter(_COMMENT.findall(text))
    assert all(
        "expect:" not in comment or _on_fixed_line(comment, raw.decode(), outcome)
        for comment in lost
    ), lost


def _on_fixed_line(comment: str, original: str, outcome: Fixed) -> bool:
    """A comment may go only with a line that a fix removed."""
    removed = set(original.splitlines()) - set(outcome.new_source.decode().splitlines())
    return any(comment in line for line in removed)


def test_the_corpus_is_mostly_fixable() -> None:
    """A figure to watch, not a tuned target: most findings in realistic code go away."""
    before = after = 0
    for name in FILES:
        raw = (ROOT / name).read_bytes()
        outcome = fix_source(raw, SETTINGS, display=name, unsafe=True)
        if isinstance(outcome, Fixed):
            before += len(outcome.fixed) + len(outcome.findings)
            after += len(outcome.findings)
        else:
            count = findings_of(outcome)
            before += count
            after += count
    assert before > 150
    assert after < before
