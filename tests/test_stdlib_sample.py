"""Issue 5's standard-library run (bench/stdlib_run.py) over a fixed sample of files.

The whole library takes tens of minutes; this sample of about forty files (small
and large, latin-1, cp1252, koi8-r, BOM, CRLF, Python 2 fixtures, compile-time
errors, undecodable bytes, plus generated edge cases) runs the same checks through
the same functions in well under 20 s.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from llmbase_migrate.config import Settings
from llmbase_migrate.engine.api import check_source, fix_source
from llmbase_migrate.engine.outcome import Fixed, HasFindings

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load() -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("stdlib_run")


stdlib_run = _load()

SAMPLE = (
    # small modules, odd ones and empty ones
    "__future__.py",
    "__hello__.py",
    "__phello__/__init__.py",
    "antigravity.py",
    "this.py",
    "keyword.py",
    "bisect.py",
    "colorsys.py",
    "fnmatch.py",
    "getopt.py",
    "stat.py",
    "copyreg.py",
    "asyncio/__init__.py",
    "asyncio/log.py",
    "json/tool.py",
    "test/tokenizedata/__init__.py",
    # under a directory the default excludes name (venv)
    "venv/__main__.py",
    "venv/__init__.py",
    # larger ones
    "string.py",
    "json/__init__.py",
    "tomllib/_parser.py",
    # other encodings, a BOM, CRLF
    "test/encoded_modules/module_iso_8859_1.py",
    "test/encoded_modules/module_koi8_r.py",
    "test/tokenizedata/coding20731.py",
    "turtledemo/clock.py",
    # do not compile: Python 2, compile-time errors, bad encodings, bad characters
    "lib2to3/tests/data/bom.py",
    "lib2to3/tests/data/crlf.py",
    "lib2to3/tests/data/different_encoding.py",
    "lib2to3/tests/data/false_encoding.py",
    "test/test_future_stmt/badsyntax_future3.py",
    "test/test_future_stmt/badsyntax_future10.py",
    "test/tokenizedata/badsyntax_3131.py",
    "test/tokenizedata/badsyntax_pep3120.py",
    "test/tokenizedata/bad_coding.py",
    "test/tokenizedata/bad_coding2.py",
)

GENERATED = {
    # Python cannot compile it, whatever the interpreter's library holds.
    "generated/broken.py": b"import os\n\ndef broken(:\n    pass\n",
    "generated/no_trailing_newline.py": b"import os\n\nif os.sep:\n    x = 1",
    "generated/comment_without_newline.py": b"x = 1\n# the end",
    "generated/crlf_without_newline.py": b"import os\r\nx = os.sep\r\ny = 2",
    "generated/latin1_without_newline.py": (
        "# -*- coding: latin-1 -*-\nname = 'Müller'".encode("latin-1")
    ),
    "generated/form_feed_last.py": b"x = 1\n\x0c",
    "generated/empty.py": b"",
    # Errors CPython raises after parsing (LibCST's grammar accepts these).
    "generated/future_late.py": b"import os\nfrom __future__ import annotations\n",
    "generated/return_outside.py": b"import os\nreturn os.sep\n",
    "generated/duplicate_argument.py": b"def f(a, a):\n    pass\n",
}

# Errors CPython raises after parsing, which LibCST's grammar accepts ("from
# __future__ imports must occur at the beginning of the file", "'return' outside
# function", "duplicate argument"): LB001 too, from compiling CPython's tree.
GENERATED_COMPILE_TIME_ONLY = frozenset(
    {
        "generated/future_late.py",
        "generated/return_outside.py",
        "generated/duplicate_argument.py",
    }
)


def _sources() -> list[tuple[str, bytes]]:
    root = stdlib_run.stdlib_dir()
    sources = [(name, (root / name).read_bytes()) for name in SAMPLE if (root / name).is_file()]
    # A stdlib module with its trailing newlines stripped (none of 3.11's lacks one).
    bisect = root / "bisect.py"
    if bisect.is_file():
        sources.append(("generated/bisect_stripped.py", bisect.read_bytes().rstrip(b"\r\n")))
    sources += GENERATED.items()
    return sources


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One run of check, fix and fix again over the sample (module-scoped: ~10 s)."""
    with pytest.MonkeyPatch.context() as patch:
        # No catalog cache, key or base URL from the machine.
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        for variable in ("LLMBASE_API_KEY", "LLMBASE_BASE_URL"):
            patch.delenv(variable, raising=False)
        return stdlib_run.run(_sources(), tmp_path_factory.mktemp("stdlib"), jobs=2)


def _messages(problems: list[Any]) -> list[str]:
    return [str(problem) for problem in problems]


def test_the_sample_has_what_it_should(outcome: Any) -> None:
    assert outcome.files >= 40
    assert "generated/broken.py" in outcome.compile_rejected
    assert "generated/broken.py" in outcome.lb001
    assert outcome.clients_expected >= 25


def test_lb001_is_exactly_what_compile_rejects(outcome: Any) -> None:
    assert _messages(outcome.failed(stdlib_run.LB001)) == []
    # Undecodable bytes are reported as skipped with the reason (issue 5, hostile input).
    present = set(outcome.compile_rejected)
    undecodable = {
        "test/tokenizedata/badsyntax_pep3120.py",
        "test/tokenizedata/bad_coding.py",
        "test/tokenizedata/bad_coding2.py",
    }
    assert set(outcome.skipped_undecodable) == undecodable & present


def test_compile_time_errors_are_lb001(outcome: Any) -> None:
    assert set(outcome.compile_rejected) >= GENERATED_COMPILE_TIME_ONLY
    assert set(outcome.lb001) >= GENERATED_COMPILE_TIME_ONLY


def test_every_client_is_found(outcome: Any) -> None:
    assert _messages(outcome.failed(stdlib_run.CLIENTS)) == []
    assert outcome.clients_found == outcome.clients_expected


def test_fix_keeps_compiling_files_compiling_and_is_a_fixed_point(outcome: Any) -> None:
    assert _messages(outcome.failed(stdlib_run.FIX)) == []
    assert outcome.fixed_files > 0


def test_no_failure_traceback_or_lost_file(outcome: Any) -> None:
    assert _messages(outcome.failed(stdlib_run.HEALTH)) == []
    assert [step.name for step in outcome.steps] == ["check", "fix", "second fix"]
    for step in outcome.steps:
        assert step.wall > 0
        assert step.max_rss_kib > 0


def test_appended_probe_follows_the_file() -> None:
    appended, line, encoding = stdlib_run.append_probe(b"x = 1")
    assert appended.endswith(
        b"x = 1\nimport openai as _llmbase_probe\n_llmbase_client = _llmbase_probe.OpenAI()\n"
    )
    assert (line, encoding) == (3, "utf-8")
    appended, line, _ = stdlib_run.append_probe(b"a = 1\r\nb = 2\r\n")
    assert b"b = 2\r\nimport openai as _llmbase_probe\r\n_llmbase_client" in appended
    assert line == 4
    appended, line, encoding = stdlib_run.append_probe(
        "# coding: latin-1\ns = 'é'\n".encode("latin-1")
    )
    assert encoding == "iso-8859-1"
    assert line == 4
    assert stdlib_run.compile_problem(appended, "latin.py") is None
    assert stdlib_run.append_probe(b"")[1] == 2
    assert stdlib_run.compile_problem(b"def f(:\n", "bad.py") is not None
    # Warnings (an invalid escape) are not errors, even under pytest's "error" filter.
    assert stdlib_run.compile_problem(b"x = '\\d'\n", "warn.py") is None


def test_a_form_feed_does_not_move_a_deletion(tmp_path: Path) -> None:
    # LB105's safe fix deletes the module setting's line; when lines were counted
    # with str.splitlines() it deleted "DEBUG = False" instead (and still compiled).
    source = b"import openai\n# page one\x0c\nDEBUG = False\nopenai.organization = 'org-1'\n"
    outcome = fix_source(source, Settings(project_root=tmp_path))
    assert isinstance(outcome, Fixed)
    assert outcome.new_source == b"import openai\n# page one\x0c\nDEBUG = False\n"


def test_a_form_feed_does_not_disable_the_client_fixes(tmp_path: Path) -> None:
    outcome = check_source(
        b"x = 1\n\x0c\nimport openai\nclient = openai.OpenAI()\n", Settings(project_root=tmp_path)
    ).outcome
    assert isinstance(outcome, HasFindings)
    assert {finding.code for finding in outcome.findings} == {"LB101", "LB102"}
    assert all(finding.fix is not None for finding in outcome.findings)


def test_an_import_is_added_below_a_future_import_sharing_its_line(tmp_path: Path) -> None:
    # As in the stdlib's test/test_future_stmt/future_test2.py. LibCST's AddImportsVisitor
    # put LB102's 'import os' above the __future__ import: the fix did not compile.
    source = b"from __future__ import annotations; import sys\nimport openai\nc = openai.OpenAI()\n"
    outcome = fix_source(source, Settings(project_root=tmp_path), unsafe=True)
    assert isinstance(outcome, Fixed), getattr(outcome, "fix_error", outcome)
    assert outcome.new_source.startswith(
        b"from __future__ import annotations; import sys\nimport openai\nimport os\n"
    )


def test_a_long_implicit_concatenation_is_analysed(tmp_path: Path) -> None:
    # LibCST's visitors recurse once per piece of an implicit concatenation: from 323
    # pieces on the file was "skipped: nested too deeply to analyse" before the
    # analysis ran on a big stack (pydoc_data/topics.py has one of 2,215 pieces).
    for count in (400, 2215):
        pieces = " ".join(["'a'"] * count)
        source = f"x = ({pieces})\nimport openai\nc = openai.OpenAI()\n".encode()
        outcome = check_source(source, Settings(project_root=tmp_path)).outcome
        assert isinstance(outcome, HasFindings), outcome
        assert {finding.code for finding in outcome.findings} == {"LB101", "LB102"}


def test_a_syntax_warning_does_not_stop_a_fix(tmp_path: Path) -> None:
    source = b"import openai\nif 1 is 1:\n    pass\nc = openai.OpenAI()\n"
    outcome = fix_source(source, Settings(project_root=tmp_path), unsafe=True)
    assert isinstance(outcome, Fixed), getattr(outcome, "fix_error", outcome)
