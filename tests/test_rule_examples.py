"""Each rule's inline examples are its specification: every one becomes a test."""

from __future__ import annotations

import re
import textwrap

import pytest
from _pytest.mark import ParameterSet

from catalog_fixture import load_catalog
from llmbase_migrate.engine.fixer import compile_error, fix_bytes
from llmbase_migrate.engine.outcome import Clean, Fixed, HasFindings
from llmbase_migrate.engine.runner import analyze_bytes
from llmbase_migrate.rules import all_rules
from llmbase_migrate.rules.base import Invalid, Rule, RuleContext, Valid

CONTEXT = RuleContext(
    base_url="https://api.llmbase.ai/v1",
    api_key_env="LLMBASE_API_KEY",
    model_map={"gpt-4o-mini": "deepseek/deepseek-v4-flash", "openai/gpt-4o": "z-ai/glm-5.1"},
    path="app/example.py",
    # Every example sees the small catalog kept with the tests (never the network);
    # rules that do not read it are unaffected.
    catalog=load_catalog(),
)


def _source(example: Valid | Invalid) -> str:
    return textwrap.dedent(example.code).lstrip("\n")


def _cases() -> list[ParameterSet]:
    cases = []
    for rule in all_rules():
        counters = {"valid": 0, "invalid": 0}
        for example in rule.examples:
            kind = "valid" if isinstance(example, Valid) else "invalid"
            counters[kind] += 1
            label = f"{rule.code}-{kind}-{counters[kind]}"
            if example.title:
                label += "-" + re.sub(r"\W+", "-", example.title).strip("-")
            cases.append(pytest.param(rule, example, id=label))
    return cases


@pytest.mark.parametrize(("rule", "example"), _cases())
def test_example(rule: Rule, example: Valid | Invalid) -> None:
    analysis = analyze_bytes("example.py", _source(example).encode(), [rule], CONTEXT)
    outcome = analysis.outcome
    if isinstance(example, Valid):
        assert isinstance(outcome, Clean), outcome
        return
    assert isinstance(outcome, HasFindings), outcome
    findings = outcome.findings
    assert len(findings) == example.count, [f.message for f in findings]
    assert all(finding.code == rule.code for finding in findings)
    if example.line is not None:
        assert findings[0].span.line == example.line, findings[0]
    if example.message is not None:
        assert example.message in findings[0].message
    for finding in findings:
        assert finding.fix is None or finding.fix.edits, "a fix must edit something"
    if example.applicability is not None:
        assert findings[0].fix is not None, "an applicability is given: a fix is expected"
        assert findings[0].fix.applicability is example.applicability, findings[0].fix
    if example.fixed is None:
        assert all(finding.fix is None for finding in findings), "no fix is specified"
        return
    assert rule.spec.fix is not None, "a rule whose examples fix must declare its fix"
    _assert_fixes_to(rule, _source(example), textwrap.dedent(example.fixed).lstrip("\n"))


def _assert_fixes_to(rule: Rule, before: str, expected: str) -> None:
    """The rule's fixes (unsafe ones included) turn ``before`` into ``expected``,
    which compiles and which a second run leaves alone."""
    assert compile_error(expected, "expected.py") is None, "the expected code must compile"
    outcome = fix_bytes("example.py", before.encode(), [rule], CONTEXT, unsafe=True)
    assert isinstance(outcome, Fixed), outcome
    assert outcome.new_source.decode() == expected
    again = fix_bytes("example.py", outcome.new_source, [rule], CONTEXT, unsafe=True)
    assert not isinstance(again, Fixed), "a second run must change nothing"


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in all_rules()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"LB\d{3}", code) for code in codes)
    names = [rule.name for rule in all_rules()]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


def test_the_issue_rule_table_is_complete() -> None:
    expected = {
        "LB001": "syntax-error",
        "LB101": "base-url",
        "LB102": "api-key-source",
        "LB103": "hardcoded-api-key",
        "LB104": "chat-agent-key",
        "LB105": "openai-only-option",
        "LB106": "azure-client",
        "LB107": "non-llmbase-host",
        "LB201": "vendor-routing-field",
        "LB202": "service-tier",
        "LB203": "top-level-cache-control",
        "LB204": "param-outside-extra-body",
        "LB205": "undocumented-parameter",
        "LB206": "missing-max-tokens",
        "LB301": "unknown-model",
        "LB302": "unsupported-capability",
        "LB303": "unverifiable-model",
        "LB401": "unsupported-endpoint",
        "LB501": "legacy-sdk-call",
    }
    assert {rule.code: rule.name for rule in all_rules()} == expected
    off_by_default = {rule.code for rule in all_rules() if not rule.spec.default_enabled}
    assert off_by_default == {"LB107", "LB206", "LB303"}


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_rule_is_documented_with_both_kinds_of_example(rule: Rule) -> None:
    assert len(rule.docs.splitlines()[0]) > 10, "the docstring opens with a summary line"
    assert any(isinstance(example, Valid) for example in rule.examples)
    assert any(isinstance(example, Invalid) for example in rule.examples)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_triggers_cover_every_invalid_example(rule: Rule) -> None:
    """A trigger that missed an invalid example would make the pre-filter hide it."""
    for example in rule.examples:
        if isinstance(example, Invalid):
            source = _source(example).encode()
            assert any(trigger in source for trigger in rule.spec.triggers), example.title


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_rule_says_how_safe_its_fix_is(rule: Rule) -> None:
    paragraphs = [part.strip() for part in rule.docs.split("\n\n")]
    assert any(part.startswith("Fix safety:") for part in paragraphs), rule.code
    if rule.spec.fix is None:
        # a rule without a fix says so, rather than describing one
        (safety,) = [part for part in paragraphs if part.startswith("Fix safety:")]
        assert "no fix" in safety, rule.code
