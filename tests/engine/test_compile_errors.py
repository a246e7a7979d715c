"""LB001 is what CPython cannot compile: also the errors its compiler raises after
parsing, which LibCST's grammar accepts; and the analysed code's warnings are
neither errors nor printed."""

from __future__ import annotations

import warnings
from typing import Literal

import pytest

from llmbase_migrate.analysis.facts import Span
from llmbase_migrate.engine.fixer import compile_error, fix_bytes
from llmbase_migrate.engine.outcome import Clean, HasFindings
from llmbase_migrate.engine.runner import analyze_bytes, analyze_text
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import RuleContext

CONTEXT = RuleContext(base_url="https://api.llmbase.ai/v1", api_key_env="LLMBASE_API_KEY")
RULES = list(rules_by_code().values())
HEAD = "import openai\n"


@pytest.mark.parametrize(
    ("body", "message", "span"),
    [
        ("return 1\n", "'return' outside function", (2, 1)),
        ("x = 1\nfrom __future__ import annotations\n", "from __future__ imports must", (3, 1)),
        ("def f(a, b, a):\n    pass\n", "duplicate argument 'a'", (2, 13)),
        ("nonlocal x\n", "nonlocal declaration not allowed at module level", (2, 1)),
        ("def f():\n    await g()\n", "'await' outside async function", (3, 5)),
        ("yield 1\n", "'yield' outside function", (2, 1)),
        ("for x in y:\n    pass\nbreak\n", "'break' outside loop", (4, 1)),
        ("def f():\n    from os import *\n", "import * only allowed at module level", (3, 20)),
        ("def f():\n    x = 1\n    global x\n", "assigned to before global declaration", (4, 5)),
        # The compiler counts columns in UTF-8 bytes; positions here are characters.
        ("s = 'éé'; return s\n", "'return' outside function", (2, 11)),
    ],
)
def test_a_compile_time_error_is_lb001(body: str, message: str, span: tuple[int, int]) -> None:
    text = HEAD + body
    with pytest.raises(SyntaxError):
        compile(text, "<test>", "exec", dont_inherit=True)
    analysis = analyze_text("a.py", text, RULES, CONTEXT)
    outcome = analysis.outcome
    assert isinstance(outcome, HasFindings)
    assert [finding.code for finding in outcome.findings] == ["LB001"]
    assert message in outcome.findings[0].message
    line, column = span
    assert outcome.findings[0].span == Span(line, column, line, column)
    assert analysis.module is None  # LibCST never ran: nothing can be fixed


def test_a_compile_time_error_leaves_the_file_alone() -> None:
    raw = b"from openai import OpenAI\nc = OpenAI()\nreturn c\n"
    assert isinstance(analyze_bytes("a.py", raw, RULES, CONTEXT).outcome, HasFindings)
    outcome = fix_bytes("a.py", raw, RULES, CONTEXT, unsafe=True)
    assert isinstance(outcome, HasFindings)
    assert [finding.code for finding in outcome.findings] == ["LB001"]


def test_our_future_imports_do_not_leak_into_the_compile() -> None:
    # runner.py has "from __future__ import annotations"; inherited, it would make
    # this annotation an error ("'yield expression' can not be used within an
    # annotation"). Only the analysed module's own __future__ imports count.
    body = "def f():\n    x: (yield)\n"
    outcome = analyze_text("a.py", HEAD + body, RULES, CONTEXT).outcome
    assert isinstance(outcome, Clean)
    future = "from __future__ import annotations\n" + HEAD + body
    outcome = analyze_text("a.py", future, RULES, CONTEXT).outcome
    assert isinstance(outcome, HasFindings)
    assert [finding.code for finding in outcome.findings] == ["LB001"]
    assert "can not be used within an annotation" in outcome.findings[0].message


@pytest.mark.parametrize("action", ["error", "always"])
def test_warnings_of_the_code_are_neither_errors_nor_shown(
    action: Literal["error", "always"], capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEAD + 'if 1 is 1:\n    p = "\\d"\nassert (1, "x")\n'
    with warnings.catch_warnings(record=action == "always") as caught:
        warnings.simplefilter(action)
        assert compile_error(text, "a.py") is None
        outcome = analyze_text("a.py", text, RULES, CONTEXT).outcome
        assert not isinstance(outcome, HasFindings) or all(
            finding.code != "LB001" for finding in outcome.findings
        )
        client = text + "c = openai.OpenAI()\n"
        outcome = analyze_bytes("a.py", client.encode(), RULES, CONTEXT).outcome
        assert isinstance(outcome, HasFindings)
        assert {finding.code for finding in outcome.findings} == {"LB101", "LB102"}
    assert not caught
    assert capsys.readouterr().err == ""
