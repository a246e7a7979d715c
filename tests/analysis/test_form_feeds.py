"""Form feeds in indentation (a page break before a statement, as in much of the
standard library): LibCST's columns mapped back to the text (bug 8 in
tests/test_fuzz.py) and the text LibCST is given to parse (bug 7)."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from llmbase_migrate.analysis.collector import collect_facts
from llmbase_migrate.analysis.facts import Span
from llmbase_migrate.analysis.source_map import positions_in_text, text_for_libcst
from llmbase_migrate.config import Settings
from llmbase_migrate.engine.api import check_source, fix_source
from llmbase_migrate.engine.outcome import Fixed, HasFindings, Outcome
from llmbase_migrate.fixes.edit import source_lines

# Bug 7's work-around reaches ``check`` and ``fix`` once engine/runner.py and
# fixes/apply.py give LibCST ``text_for_libcst(text)``: then flip this.
BUG_7_WORKAROUND_IN_ENGINE = True
needs_bug_7_workaround = pytest.mark.skipif(
    not BUG_7_WORKAROUND_IN_ENGINE,
    reason="bug 7: engine/runner.py and fixes/apply.py do not parse text_for_libcst(text) yet",
)

FIXED_CALL = 'OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])'

# Layouts LibCST parses as they are (its columns on the form feed line are off).
PARSED_AS_IS = [
    pytest.param("\x0cclient = OpenAI()\n", id="module-level"),
    pytest.param("\x0c\x0cclient = OpenAI()\n", id="two-form-feeds"),
    pytest.param(" \t\x0cclient = OpenAI()\n", id="blanks-then-form-feed"),
    pytest.param("if True:\n\x0c    client = OpenAI()\n", id="only-line-of-a-block"),
    pytest.param("if True:\n    x = 1\n\x0c    client = OpenAI()\n", id="later-line-of-a-block"),
    pytest.param("if True:\n    x = 1\n \t\x0c    client = OpenAI()\n", id="blanks-around"),
    pytest.param(
        "if True:\n\x0c    x = 1\n    client = OpenAI()\n", id="after-a-first-line-with-one"
    ),
    pytest.param("if True:\n    x = 1\n    \x0cclient = OpenAI()\n", id="dedent-to-module"),
    pytest.param("if True:\r\n    x = 1\r\n\x0c    client = OpenAI()\r\n", id="crlf"),
    pytest.param("if True:\r    x = 1\r\x0c\x0c    client = OpenAI()\r", id="cr"),
]

# Layouts LibCST rejects ("no matching outer block for dedent") unless given
# ``text_for_libcst(text)``.
NEEDS_WORKAROUND = [
    pytest.param("def f():\n\x0c    if True:\n        client = OpenAI()\n", id="outer-block"),
    pytest.param(
        "class C:\n\n    def f(self):\n\n\x0c        self.client = OpenAI()\n\n"
        "    def g(self):\n        pass\n",
        id="method-body",
    ),
    pytest.param(
        "def f():\n    if True:\n\x0c        client = OpenAI()\n    return 1\n", id="inner-block"
    ),
    pytest.param(
        "def f():\r\n\x0c\t\x0c    if True:\r\n        client = OpenAI(\r\n            timeout=3)\r\n",
        id="crlf-tab-and-form-feeds",
    ),
]


def module_text(body: str) -> str:
    return "import os\nfrom openai import OpenAI\n" + body


def text_at(text: str, span: Span) -> str:
    starts = [0]
    for line in source_lines(text):
        starts.append(starts[-1] + len(line))
    return text[
        starts[span.line - 1] + span.column - 1 : starts[span.end_line - 1] + span.end_column - 1
    ]


def assert_names_in_place(module: cst.Module, text: str) -> None:
    """Every name and number is where its mapped position says, in ``text``."""
    raw_positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = positions_in_text(module, text, raw_positions)
    checked = 0
    for node in raw_positions:
        if isinstance(node, (cst.Name, cst.Integer)):
            where = positions[node]
            span = Span(
                where.start.line, where.start.column + 1, where.end.line, where.end.column + 1
            )
            assert text_at(text, span) == node.value, (node.value, span)
            checked += 1
    assert checked


def call_findings(raw: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """The code and text of each finding on ``OpenAI()``."""
    outcome = check_source(raw, Settings.model_validate({"project_root": tmp_path})).outcome
    assert isinstance(outcome, HasFindings), outcome
    text = raw.decode()
    return [(finding.code, text_at(text, finding.span)) for finding in outcome.findings]


def assert_fixed(outcome: Outcome, expected: str) -> None:
    assert isinstance(outcome, Fixed), outcome
    fixed = outcome.new_source.decode()
    compile(fixed, "<fixed>", "exec", dont_inherit=True)
    assert fixed == expected


# -------------------------------------------------------------------------------------
# What LibCST does, which the mapping takes back


def test_libcst_drops_a_form_feed_starting_a_statement_line() -> None:
    module = cst.parse_module("\x0cx = f(1)\n")
    assert module.code == "x = f(1)\n"
    positions = MetadataWrapper(module).resolve(PositionProvider)
    call = next(node for node in positions if isinstance(node, cst.Call))
    assert positions[call].start.column == 4  # "f" is the text's 6th character


def test_libcst_copies_the_first_indentation_of_a_block_to_its_lines() -> None:
    module = cst.parse_module("if a:\n\x0c    x\n    y\n")
    assert module.code == "if a:\n\x0c    x\n\x0c    y\n"


def test_libcst_rejects_a_form_feed_in_a_block_holding_a_block() -> None:
    with pytest.raises(cst.ParserSyntaxError, match="no matching outer block for dedent"):
        cst.parse_module("def f():\n\x0c    if x:\n        pass\n")


# -------------------------------------------------------------------------------------
# Bug 8: positions in the text


@pytest.mark.parametrize("body", PARSED_AS_IS)
def test_names_are_where_the_positions_say(body: str) -> None:
    text = module_text(body)
    assert_names_in_place(cst.parse_module(text), text)
    assert_names_in_place(cst.parse_module(text_for_libcst(text)), text)


@pytest.mark.parametrize("body", PARSED_AS_IS)
def test_findings_span_the_call(body: str, tmp_path: Path) -> None:
    findings = call_findings(module_text(body).encode(), tmp_path)
    assert [code for code, _ in findings] == ["LB101", "LB102"]
    assert {text for _, text in findings} == {"OpenAI()"}


@pytest.mark.parametrize("body", PARSED_AS_IS)
def test_the_fix_edits_the_call(body: str, tmp_path: Path) -> None:
    text = module_text(body)
    outcome = fix_source(text.encode(), Settings.model_validate({"project_root": tmp_path}))
    assert_fixed(outcome, text.replace("OpenAI()", FIXED_CALL))


def test_a_fix_adding_an_import_keeps_the_page_break(tmp_path: Path) -> None:
    text = "from openai import OpenAI\n\x0cclient = OpenAI()\n"
    outcome = fix_source(text.encode(), Settings.model_validate({"project_root": tmp_path}))
    expected = "from openai import OpenAI\nimport os\n\n\x0cclient = " + FIXED_CALL + "\n"
    assert_fixed(outcome, expected)


def test_a_legacy_setting_after_a_page_break(tmp_path: Path) -> None:
    """The minimized input of bug 8 (tests/test_fuzz.py)."""
    text = 'import openai\n\x0copenai.api_base = "https://openrouter.ai/api/v1"\n'
    settings = Settings.model_validate({"project_root": tmp_path})
    outcome = check_source(text.encode(), settings).outcome
    assert isinstance(outcome, HasFindings)
    assert [text_at(text, finding.span) for finding in outcome.findings] == [
        'openai.api_base = "https://openrouter.ai/api/v1"'
    ]
    # Unsafe: the module client's key, set elsewhere, is replaced as its URL moves.
    assert_fixed(
        fix_source(text.encode(), settings, unsafe=True),
        "import openai\nimport os\n\n"
        '\x0copenai.base_url = "https://api.llmbase.ai/v1/"\n'
        'openai.api_key = os.environ["LLMBASE_API_KEY"]\n',
    )


def test_text_without_code_after_a_form_feed_keeps_libcst_positions() -> None:
    text = "import openai\n\x0c\n# \x0c\nx = (1,\n\x0c  2)\n"
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert positions_in_text(module, text, positions) is positions


# -------------------------------------------------------------------------------------
# Bug 7: the text LibCST parses


@pytest.mark.parametrize("body", NEEDS_WORKAROUND)
def test_libcst_parses_the_text_for_it(body: str) -> None:
    text = module_text(body)
    with pytest.raises(cst.ParserSyntaxError):
        cst.parse_module(text)
    for_libcst = text_for_libcst(text)
    assert len(for_libcst) == len(text)
    for line in source_lines(for_libcst):
        code = line.lstrip(" \t\x0c")
        if code.strip() and not code.startswith("#"):
            assert "\x0c" not in line[: len(line) - len(code)], line
    assert ast.dump(ast.parse(for_libcst)) == ast.dump(ast.parse(text))
    assert_names_in_place(cst.parse_module(for_libcst), text)


@pytest.mark.parametrize("body", NEEDS_WORKAROUND)
def test_facts_of_the_text_for_libcst_span_the_real_text(body: str) -> None:
    text = module_text(body)
    facts = collect_facts(cst.parse_module(text_for_libcst(text)), text)
    (client,) = facts.clients
    call = ast.parse(text_at(text, client.span), mode="eval")
    assert ast.dump(call) == ast.dump(
        ast.parse(cst.Module([]).code_for_node(client.node), mode="eval")
    )


def test_the_page_break_goes_to_the_end_of_the_line_above() -> None:
    text = "def f():\n    x = 1  # c\n\x0c\x0c  \x0c    if x:\n        pass\n"
    assert text_for_libcst(text) == (
        "def f():\n    x = 1  # c\x0c\x0c  \x0c\n    if x:\n        pass\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("def f():\n    if x:\n        pass\n", id="no-form-feed"),
        pytest.param("import os\n\x0c\nx = 1\n\x0cy = 2\n", id="module-level"),
        pytest.param("def f():\n    x = (1,\n\x0c    2)\n", id="in-brackets"),
        pytest.param("def f():\n    x = 1; \\\n\x0c    y = 2\n", id="line-continued"),
        pytest.param("def f():\n    s = '''\n\x0c    '''\n", id="in-a-string"),
        pytest.param("def f():\n    x = 1\n\x0c    # c\n    y = 2\n", id="comment-line"),
        pytest.param("def f(:\n\x0c    pass\n", id="no-module"),
    ],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert text_for_libcst(text) is text


# -------------------------------------------------------------------------------------
# Bug 7 through the engine


@needs_bug_7_workaround
@pytest.mark.parametrize("body", NEEDS_WORKAROUND)
def test_check_reports_the_call_not_lb001(body: str, tmp_path: Path) -> None:
    findings = call_findings(module_text(body).encode(), tmp_path)
    assert [code for code, _ in findings] == ["LB101", "LB102"]
    assert all(text.startswith("OpenAI(") for _, text in findings)


@needs_bug_7_workaround
@pytest.mark.parametrize("body", NEEDS_WORKAROUND[:3])
def test_fix_in_a_block_holding_a_block(body: str, tmp_path: Path) -> None:
    text = module_text(body)
    outcome = fix_source(text.encode(), Settings.model_validate({"project_root": tmp_path}))
    assert_fixed(outcome, text.replace("OpenAI()", FIXED_CALL))


@needs_bug_7_workaround
def test_fix_adding_an_import_to_a_module_libcst_rejects(tmp_path: Path) -> None:
    text = "import openai\n\ndef f():\n\x0c    if True:\n        c = openai.OpenAI()\n"
    outcome = fix_source(text.encode(), Settings.model_validate({"project_root": tmp_path}))
    assert_fixed(
        outcome,
        "import openai\nimport os\n\ndef f():\n\x0c    if True:\n        c = openai."
        + FIXED_CALL
        + "\n",
    )
