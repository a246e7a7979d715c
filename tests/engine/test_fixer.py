"""Fix mode's guarantees, each with a test: fixed code compiles, converges, keeps every
byte outside the edits, and a file is either fully fixed or left untouched."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from llmbase_migrate.analysis.facts import ModuleFacts, Span
from llmbase_migrate.config import Settings
from llmbase_migrate.engine import api
from llmbase_migrate.engine.api import FixOptions, RunOptions, fix_paths
from llmbase_migrate.engine.fixer import MAX_ROUNDS, fix_bytes
from llmbase_migrate.engine.outcome import Fixed, HasFindings, Outcome, Skipped
from llmbase_migrate.fixes.apply import apply_round
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix, ImportChange
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import Report, Rule, RuleContext, RuleSpec, Severity

CONTEXT = RuleContext(base_url="https://api.llmbase.ai/v1", api_key_env="LLMBASE_API_KEY")
LB201 = rules_by_code()["LB201"]

ROUTED = (
    "import os\n"
    "from openai import OpenAI\n"
    'client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])\n'
    "client.chat.completions.create(\n"
    '    model="m",  # the model\n'
    "    messages=[],\n"
    '    extra_body={"provider": {"order": ["x"]}},\n'
    ")\n"
)
ROUTED_FIXED = (
    "import os\n"
    "from openai import OpenAI\n"
    'client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])\n'
    "client.chat.completions.create(\n"
    '    model="m",  # the model\n'
    "    messages=[],\n"
    ")\n"
)


def fake_rule(
    code: str, check: Callable[[ModuleFacts], Iterator[Report]], *, fix: Applicability
) -> Rule:
    """A rule for testing the engine alone (real rules are tested by their examples)."""
    spec = RuleSpec(code, f"fake-{code.lower()}", "a test rule", Severity.ERROR, fix=fix)
    return Rule(spec, lambda facts, ctx: check(facts), "A rule used by the engine's tests.")


def insert_at_top(line: str) -> Callable[[ModuleFacts], Iterator[Report]]:
    """Reports until ``line`` opens the file; its fix inserts it there."""

    def check(facts: ModuleFacts) -> Iterator[Report]:
        assert facts.source is not None
        if line not in facts.source.text:
            fix = Fix(Applicability.SAFE, f"add {line}", (Edit(1, 1, 1, 1, line + "\n"),))
            yield Report(Span(1, 1, 1, 1), f"missing {line}", fix)

    return check


def test_fixes_of_one_call_apply_together_and_keep_comments() -> None:
    outcome = fix_bytes("a.py", ROUTED.encode(), [LB201], CONTEXT, unsafe=False)
    assert isinstance(outcome, Fixed)
    assert outcome.new_source.decode() == ROUTED_FIXED
    assert [finding.code for finding in outcome.fixed] == ["LB201"]
    assert outcome.findings == ()


def test_colliding_fixes_wait_for_the_next_round() -> None:
    rules = [
        fake_rule("LB901", insert_at_top("first = 1"), fix=Applicability.SAFE),
        fake_rule("LB902", insert_at_top("second = 2"), fix=Applicability.SAFE),
    ]
    # (a client is constructed: only such files reach the rules, see engine.candidates)
    source = b"from openai import OpenAI\nOpenAI()\n"
    outcome = fix_bytes("a.py", source, rules, CONTEXT, unsafe=False)
    assert isinstance(outcome, Fixed)
    # Both insert at 1:1: LB901 wins round one, LB902 applies in round two.
    assert outcome.new_source == b"second = 2\nfirst = 1\n" + source
    assert sorted(finding.code for finding in outcome.fixed) == ["LB901", "LB902"]


def test_a_fix_that_does_not_compile_leaves_the_file_untouched() -> None:
    def returns_at_module_level(facts: ModuleFacts) -> Iterator[Report]:
        fix = Fix(Applicability.SAFE, "break it", (Edit(2, 1, 2, 9, "return "),))
        yield Report(Span(2, 1, 2, 6), "x", fix)

    rule = fake_rule("LB903", returns_at_module_level, fix=Applicability.SAFE)
    outcome = fix_bytes(
        "a.py", b"from openai import OpenAI\nvalue = 1\nOpenAI()\n", [rule], CONTEXT, unsafe=False
    )
    assert isinstance(outcome, HasFindings)
    assert outcome.fix_error is not None
    assert "LB903" in outcome.fix_error and "would not compile" in outcome.fix_error
    assert "'return' outside function" in outcome.fix_error


def test_fixes_that_never_converge_are_not_applied() -> None:
    def always(facts: ModuleFacts) -> Iterator[Report]:
        fix = Fix(Applicability.SAFE, "grow", (Edit(1, 1, 1, 1, "#\n"),))
        yield Report(Span(1, 1, 1, 1), "again", fix)

    rule = fake_rule("LB904", always, fix=Applicability.SAFE)
    source = b"from openai import OpenAI\nOpenAI()\n"
    outcome = fix_bytes("a.py", source, [rule], CONTEXT, unsafe=False)
    assert isinstance(outcome, HasFindings)
    assert outcome.fix_error == f"not fixed: fixes did not converge in {MAX_ROUNDS} rounds (LB904)"


def test_unsafe_fixes_only_on_request() -> None:
    def unsafe(facts: ModuleFacts) -> Iterator[Report]:
        assert facts.source is not None
        if "x = 2" not in facts.source.text:
            fix = Fix(Applicability.UNSAFE, "set", (Edit(2, 5, 2, 6, "2"),))
            yield Report(Span(2, 1, 2, 6), "x", fix)

    rule = fake_rule("LB905", unsafe, fix=Applicability.UNSAFE)
    source = b"from openai import OpenAI\nx = 1\nOpenAI()\n"
    safe_only = fix_bytes("a.py", source, [rule], CONTEXT, unsafe=False)
    assert isinstance(safe_only, HasFindings) and safe_only.fix_error is None
    with_unsafe = fix_bytes("a.py", source, [rule], CONTEXT, unsafe=True)
    assert (
        isinstance(with_unsafe, Fixed)
        and with_unsafe.new_source == b"from openai import OpenAI\nx = 2\nOpenAI()\n"
    )


def test_a_file_that_does_not_parse_is_never_modified() -> None:
    source = b"from openai import OpenAI\nclient = OpenAI(\n"
    outcome = fix_bytes("a.py", source, [rules_by_code()["LB001"], LB201], CONTEXT, unsafe=True)
    assert isinstance(outcome, HasFindings)
    assert [finding.code for finding in outcome.findings] == ["LB001"]


def test_a_file_that_does_not_compile_before_fixing_is_not_fixed() -> None:
    # It parses, but CPython's compiler rejects it: LB001, like a parse failure.
    source = ROUTED + "return 1\n"
    rules = [rules_by_code()["LB001"], LB201]
    outcome = fix_bytes("a.py", source.encode(), rules, CONTEXT, unsafe=False)
    assert isinstance(outcome, HasFindings)
    assert [finding.code for finding in outcome.findings] == ["LB001"]
    assert "'return' outside function" in outcome.findings[0].message
    assert outcome.findings[0].span.line == 9


def test_imports_are_added_once_and_removed_only_when_unused() -> None:
    fix = Fix(
        Applicability.SAFE,
        "m",
        (Edit(2, 5, 2, 6, 'os.environ["K"]'),),
        add_imports=(ImportChange("os"),),
        remove_imports=(ImportChange("json"),),
    )
    result = apply_round('"""Doc."""\nx = 1\nimport json\n', [fix, fix])
    assert result.text == '"""Doc."""\nimport os\n\nx = os.environ["K"]\n'
    assert result.applied == (0, 1)
    kept = apply_round("import json\nx = 1\njson.dumps(x)\n", [fix])
    assert "import json" in kept.text and "import os" in kept.text


@pytest.mark.parametrize(
    ("label", "encode"),
    [
        ("crlf", lambda text: text.replace("\n", "\r\n").encode()),
        ("bom", lambda text: b"\xef\xbb\xbf" + text.encode()),
        ("no final newline", lambda text: text.rstrip("\n").encode()),
        (
            "latin-1 cookie",
            lambda text: ("# -*- coding: latin-1 -*-\n# café\n" + text).encode("latin-1"),
        ),
    ],
)
def test_bytes_outside_the_edits_are_kept(label: str, encode: Callable[[str], bytes]) -> None:
    outcome = fix_bytes("a.py", encode(ROUTED), [LB201], CONTEXT, unsafe=False)
    assert isinstance(outcome, Fixed), label
    assert outcome.new_source == encode(ROUTED_FIXED)


def settings_for(root: Path) -> Settings:
    return Settings(project_root=root)


def test_fix_paths_writes_atomically_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "routed.py"
    target.write_text(ROUTED)
    target.chmod(0o751)
    untouched = tmp_path / "clean.py"
    untouched.write_text("import openai\n")
    os.utime(untouched, (1_000_000, 1_000_000))
    result = fix_paths([tmp_path], settings_for(tmp_path), cwd=tmp_path)
    by_path = {outcome.path: outcome for outcome in result.outcomes}
    fixed = by_path["routed.py"]
    assert isinstance(fixed, Fixed) and fixed.written
    assert target.read_text() == ROUTED_FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert untouched.stat().st_mtime == 1_000_000, "unchanged files are not rewritten"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clean.py", "routed.py"]


def test_diff_mode_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "routed.py"
    target.write_text(ROUTED)
    result = fix_paths(
        [tmp_path], settings_for(tmp_path), cwd=tmp_path, fix=FixOptions(write=False)
    )
    (outcome,) = result.outcomes
    assert isinstance(outcome, Fixed) and not outcome.written
    assert target.read_text() == ROUTED


def test_a_read_only_file_keeps_its_findings(tmp_path: Path) -> None:
    target = tmp_path / "routed.py"
    target.write_text(ROUTED)
    target.chmod(0o444)
    (outcome,) = fix_paths([tmp_path], settings_for(tmp_path), cwd=tmp_path).outcomes
    assert isinstance(outcome, HasFindings)
    assert outcome.fix_error == "not fixed: the file is read-only"
    assert [finding.code for finding in outcome.findings] == ["LB201"]
    assert target.read_text() == ROUTED


def test_a_file_changed_during_the_run_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "routed.py"
    target.write_text(ROUTED)

    def fix_then_edit(*args: object, **kwargs: object) -> Outcome:
        outcome = fix_bytes(*args, **kwargs)  # type: ignore[arg-type]
        target.write_text(ROUTED + "# edited meanwhile\n")
        return outcome

    monkeypatch.setattr(api, "fix_bytes", fix_then_edit)
    (outcome,) = fix_paths(
        [tmp_path], settings_for(tmp_path), cwd=tmp_path, options=RunOptions(jobs=1)
    ).outcomes
    assert outcome == Skipped("routed.py", "not fixed: the file changed while it was being fixed")
    assert target.read_text().endswith("# edited meanwhile\n")
