"""Files over ``libcst-max-tokens``: parsed in pieces, analysed in part, or skipped
with the reason. A small limit makes small files large here."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from llmbase_migrate.config import Settings
from llmbase_migrate.engine import partial
from llmbase_migrate.engine.api import RunOptions, check_paths, check_source, fix_source
from llmbase_migrate.engine.candidates import ShapeScan, top_level_statements
from llmbase_migrate.engine.outcome import Clean, Finding, Fixed, HasFindings, Outcome, Skipped
from llmbase_migrate.engine.result_cache import ResultCache

ROOT = Path(__file__).resolve().parents[2]

# Statements whose lines, cut at column 0, do not parse or mean something else.
TRICKY = '''\
"""A docstring
def not_code():
    pass
"""
import os

@decorator
def f(
x,
):
    return """
class NotAClass:
"""

if os.name:
    pass
else:
    pass
try:
    pass
except ValueError:
    pass
finally:
    pass
x = 1 + \\
2
y = [
1,
]
\x0cz = 3
'''


def statements_of(pieces: list[partial.Piece]) -> list[str]:
    return [
        ast.dump(statement, include_attributes=True)
        for piece in pieces
        for statement in piece.tree.body
    ]


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_pieces_hold_the_modules_statements_where_they_are(line_break: str) -> None:
    source = TRICKY.replace("\n", line_break)
    pieces = list(partial.parse_in_pieces(source, 8))
    assert len(pieces) >= 4
    assert [piece.first for piece in pieces] == [True] + [False] * (len(pieces) - 1)
    assert statements_of(pieces) == statements_of([partial.Piece(ast.parse(source), "", True)])


@pytest.mark.parametrize(
    "broken",
    ["def g(:\n    pass\n", "print 'hello'\n", "class C:\npass\n", "x = (1,\n"],
)
def test_a_syntax_error_is_cpythons_for_the_whole_module(broken: str) -> None:
    source = TRICKY + broken + TRICKY.replace('"""A docstring', '"""Another')
    with pytest.raises(SyntaxError) as whole:
        ast.parse(source)
    with pytest.raises(partial.PieceError) as caught:
        list(partial.parse_in_pieces(source, 8))
    error = caught.value.syntax_error
    assert error is not None
    if broken.startswith("x = ("):
        # CPython tells of the bracket never closed once its tokenizer has read the
        # whole module; a piece tells of the first thing that cannot be in it.
        assert whole.value.lineno == 31 < (error.lineno or 0)
        return
    assert (error.msg, error.lineno, error.offset) == (
        whole.value.msg,
        whole.value.lineno,
        whole.value.offset,
    )


@pytest.mark.parametrize("at_the_end", ["x = (1,\n", "'''\n", "@decorator\n", "x = 1 + \\\n"])
def test_an_error_at_the_end_is_cpythons(at_the_end: str) -> None:
    source = TRICKY + at_the_end
    with pytest.raises(SyntaxError) as whole:
        ast.parse(source)
    with pytest.raises(partial.PieceError) as caught:
        list(partial.parse_in_pieces(source, 8))
    error = caught.value.syntax_error
    assert error is not None
    assert (error.msg, error.lineno, error.offset) == (
        whole.value.msg,
        whole.value.lineno,
        whole.value.offset,
    )


@pytest.mark.parametrize("indent", ["", "    "], ids=["at column 0", "indented"])
def test_a_statement_larger_than_a_piece_may_be_is_named(indent: str) -> None:
    source = "import os\n\nDATA = [\n" + f"{indent}1,\n" * 40 + "]\n"
    with pytest.raises(partial.PieceError) as caught:
        list(partial.parse_in_pieces(source, 8))
    assert caught.value.syntax_error is None
    assert caught.value.line == 3


def test_comments_count_once_a_line_in_a_piece() -> None:
    source = "import os\n" + "# many words in a comment, more than a piece may hold\n" * 20
    pieces = list(partial.parse_in_pieces(source + "x = 1\n", 8))
    assert statements_of(pieces) == statements_of(
        [partial.Piece(ast.parse(source + "x = 1\n"), "", True)]
    )


def test_tokens_are_words_and_marks_counted_up_to_a_bound() -> None:
    assert partial.count_tokens("x = f(1, 'a b')  # c") == 13
    assert partial.count_tokens("a b c d e", stop_after=2) == 3
    assert partial.count_tokens("") == 0


SELECTED = """\
import os
from openai import OpenAI

MODEL = "gpt-4o"
UNUSED = {
    "retries": 3,
    "timeout_seconds": 30,
    "log_level": "INFO",
}
client = OpenAI()
completions = client.chat.completions
params = {"model": MODEL}
params["provider"] = {"order": ["a"]}


class Base:
    timeout = 5


class Bot(Base):
    def ask(self):
        return completions.create(**params, messages=[])


def unrelated():
    return UNUSED
"""

# UNUSED and unrelated() are read by nothing that uses the SDK: blanked, the lines of
# each run of them one string literal.
KEPT = '''\
import os
from openai import OpenAI

MODEL = "gpt-4o"
"""



"""
client = OpenAI()
completions = client.chat.completions
params = {"model": MODEL}
params["provider"] = {"order": ["a"]}


class Base:
    timeout = 5


class Bot(Base):
    def ask(self):
        return completions.create(**params, messages=[])
"""


"""
'''


def kept_text(source: str) -> str:
    scan = ShapeScan()
    lines = source.splitlines(keepends=True)
    statements = top_level_statements(
        ast.parse(source), scan, lambda first, last: "".join(lines[first - 1 : last]), {}
    )
    kept = partial.select(statements, scan.bound_to_package())
    return partial.blank_others(source, partial.line_starts(source), statements, kept)


def test_only_uses_of_the_sdk_and_what_they_read_are_kept() -> None:
    assert kept_text(SELECTED) == KEPT


def test_short_statements_in_a_row_are_kept_together() -> None:
    # Described one by one, ``x = 1`` would cost more memory than LibCST would.
    with_short = SELECTED.replace("UNUSED = {", 'SHORT = "x"\nUNUSED = {')
    assert kept_text(with_short) == KEPT.replace(
        'MODEL = "gpt-4o"\n', 'MODEL = "gpt-4o"\nSHORT = "x"\n'
    )


# Code that mentions nothing of the SDK: what a large file is mostly made of.
FILLER = """

def filler_{n}(records, limit=10):
    lines = []
    for index, record in enumerate(records):
        if index >= limit:
            break
        lines.append(f"{{index}} {{record}}")
    return lines
"""


def padded(source: str, count: int = 4) -> str:
    """``source`` with unrelated functions before its first definition and after it."""
    filler = "".join(FILLER.format(n=n) for n in range(count))
    lines = source.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.startswith(("def ", "class ", "@", "async def ")):
            return "".join(lines[:number]) + filler + "\n\n" + "".join(lines[number:]) + filler
    return source + filler


def comparable(outcome: Outcome) -> tuple[type, list[Finding], int]:
    if not isinstance(outcome, HasFindings):
        return type(outcome), [], 0
    return (
        HasFindings,
        [dataclasses.replace(finding, fix=None) for finding in outcome.findings],
        outcome.suppressed,
    )


CORPUS = sorted((ROOT / "fixtures" / "corpus").glob("*.py"))


@pytest.mark.parametrize("path", CORPUS, ids=[path.stem for path in CORPUS])
def test_a_file_analysed_in_part_has_the_findings_of_the_whole(path: Path) -> None:
    source = padded(path.read_text())
    limit = partial.count_tokens(path.read_text()) + 50  # the file itself, not the filler
    assert partial.count_tokens(source) > limit
    settings = Settings(project_root=ROOT)
    whole = check_source(source.encode(), settings).outcome
    part = check_source(source.encode(), settings.with_overrides(libcst_max_tokens=limit)).outcome
    assert comparable(part) == comparable(whole)
    if isinstance(part, HasFindings):
        assert part.fix_error is not None and part.fix_error.startswith("analysed in part: the ")
        assert "than libcst-max-tokens" in part.fix_error


APP = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.getenv("OPENROUTER_API_KEY"))


def ask(text):
    return client.chat.completions.create(model="m", messages=[], provider={"order": ["x"]})
"""


def test_fix_leaves_a_file_analysed_in_part_alone_and_says_why() -> None:
    source = padded(APP, count=20).encode()
    settings = Settings(project_root=ROOT)
    assert isinstance(fix_source(source, settings), Fixed)  # whole: there is a fix
    small = settings.with_overrides(libcst_max_tokens=200)
    for outcome in (check_source(source, small).outcome, fix_source(source, small)):
        assert isinstance(outcome, HasFindings)
        assert {finding.code for finding in outcome.findings} >= {"LB101", "LB102", "LB201"}
        assert all(finding.fix is None for finding in outcome.findings)
        assert outcome.fix_error is not None
        assert outcome.fix_error.startswith(
            "analysed in part: the 4 of its 44 top-level statements that use the SDK"
        )


def test_too_many_uses_of_the_sdk_is_a_skip_with_the_reason() -> None:
    calls = "".join(
        f"def ask_{n}():\n    return client.chat.completions.create(model='m{n}')\n\n"
        for n in range(30)
    )
    source = f"from openai import OpenAI\nclient = OpenAI()\n\n{calls}".encode()
    outcome = check_source(source, Settings(project_root=ROOT, libcst_max_tokens=100)).outcome
    assert outcome == Skipped(
        "-",
        "too large to analyse: more than libcst-max-tokens (100) tokens, even in the 32 of "
        "its 32 top-level statements that use the SDK or are read by those",
    )


def test_a_large_file_without_a_shape_is_clean_unparsed() -> None:
    source = padded("from openai.types.chat import ChatCompletion\n", count=10).encode()
    outcome = check_source(source, Settings(project_root=ROOT, libcst_max_tokens=100)).outcome
    assert outcome == Clean("-", parsed=False)


def test_a_statement_too_large_for_a_piece_is_a_skip_with_the_reason() -> None:
    source = APP + "DATA = [\n" + "1,\n" * 500 + "]\n"
    outcome = check_source(
        source.encode(), Settings(project_root=ROOT, libcst_max_tokens=100)
    ).outcome
    assert outcome == Skipped(
        "-", "too large to analyse: the statement at line 9 does not end within 400 tokens"
    )


@pytest.mark.parametrize(
    ("tail", "message", "column"),
    [
        ("def g(:\n    pass\n", "invalid syntax", 7),
        ("return 1\n", "'return' outside function", 1),
        ("from __future__ import annotations\n", None, 1),
    ],
    ids=["syntax", "compile", "late future import"],
)
def test_errors_anywhere_in_a_large_file_are_lb001(
    tail: str, message: str | None, column: int
) -> None:
    source = padded(APP, count=10) + tail
    line = source.count("\n") - tail.count("\n") + 1
    settings = Settings(project_root=ROOT)
    whole = check_source(source.encode(), settings).outcome
    part = check_source(source.encode(), settings.with_overrides(libcst_max_tokens=100)).outcome
    assert isinstance(part, HasFindings)
    assert [(f.code, f.span.line, f.span.column) for f in part.findings] == [
        ("LB001", line, column)
    ]
    assert comparable(part) == comparable(whole)
    if message is not None:
        assert message in part.findings[0].message


def test_a_name_imported_further_down_is_seen_where_it_is_used() -> None:
    # The function's text holds no shape word: it is noted once the import is met.
    source = padded("X = 1\n", count=5) + (
        'def configure():\n    sdk.api_base = "https://openrouter.ai/api/v1"\n\n\n'
        "import openai as sdk\n"
    )
    settings = Settings(project_root=ROOT)
    whole = check_source(source.encode(), settings).outcome
    part = check_source(source.encode(), settings.with_overrides(libcst_max_tokens=60)).outcome
    assert isinstance(whole, HasFindings)
    assert comparable(part) == comparable(whole)


@pytest.mark.parametrize("line_break", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_positions_are_the_whole_files_whatever_the_line_breaks(line_break: str) -> None:
    source = padded(APP, count=10).replace("\n", line_break).encode()
    settings = Settings(project_root=ROOT)
    whole = check_source(source, settings).outcome
    part = check_source(source, settings.with_overrides(libcst_max_tokens=100)).outcome
    assert isinstance(part, HasFindings) and part.fix_error is not None
    assert comparable(part) == comparable(whole)


def test_short_statements_passed_over_are_described_32_at_a_time() -> None:
    source = "from openai import OpenAI\n" + "".join(f"x{n} = {n}\n" for n in range(3200))
    lines = source.splitlines(keepends=True)
    statements = top_level_statements(
        ast.parse(source), ShapeScan(), lambda first, last: "".join(lines[first - 1 : last]), {}
    )
    assert [statement.count for statement in statements] == [1] + [32] * 100
    assert (statements[1].first_line, statements[1].last_line) == (2, 33)
    assert statements[1].binds == frozenset(f"x{n}" for n in range(32))


def test_a_file_analysed_in_part_is_cached_under_its_limit(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(padded(APP, count=20))
    cache = ResultCache(tmp_path / "cache")
    settings = Settings(project_root=tmp_path)
    small = settings.with_overrides(libcst_max_tokens=200)

    def outcome(settings: Settings) -> Outcome:
        options = RunOptions(cache=cache)
        [result] = check_paths(
            [tmp_path / "app.py"], settings, cwd=tmp_path, options=options
        ).outcomes
        return result

    part = outcome(small)
    assert isinstance(part, HasFindings) and part.fix_error is not None
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1
    assert outcome(small) == part
    whole = outcome(settings)  # another limit: another key
    assert isinstance(whole, HasFindings) and whole.fix_error is None
    assert any(finding.fix is not None for finding in whole.findings)
