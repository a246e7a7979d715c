"""The candidate pass skips only files the analyzer would find nothing in."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from llmbase_migrate.engine.candidates import (
    has_candidate_shape,
    may_hold_candidate,
    might_use_openai,
)
from llmbase_migrate.engine.outcome import HasFindings
from llmbase_migrate.engine.runner import analyze_text
from llmbase_migrate.engine.source import decode_source
from llmbase_migrate.rules import all_rules
from llmbase_migrate.rules.base import Invalid, RuleContext

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

SKIPPED = {
    "a mention without an import": 'NOTE = "we used openai.OpenAI() once"\n',
    "a relative module of ours": "from .openai import OpenAI\nOpenAI()\n",
    "an import alone": "def f():\n    import openai.types\n",
    "type imports only": (
        "from openai.types.chat import ChatCompletionMessage\n"
        "def show(message: ChatCompletionMessage) -> str:\n"
        "    return message.content or ''\n"
    ),
    "an attribute set on something else": "import openai\nclass C:\n    pass\nC.api_key = 1\n",
    "the package read, not set": "import openai\nprint(openai.api_key)\n",
    "a part of the package set": "from openai import lib\nlib.api_key = 'k'\n",
    "another package": "from openai_compat import OpenAI\nOpenAI().chat.completions.create()\n",
    "an import in a string": 'DOC = """from openai import OpenAI"""\n',
    "not python, a mention only": "this is not python but mentions openai\n",
    "a client class imported and never used": "from openai import OpenAI, AsyncOpenAI\nx = 1\n",
    "a response type named like a pre-1.0 class": (
        "from openai.types.chat import ChatCompletion\n"
        "def f(c: ChatCompletion):\n    return ChatCompletion.model_validate(c)\n"
    ),
    "an unrelated attribute on a parameter": (
        "from openai.types import Model\ndef f(x):\n    return x.images\n"
    ),
}

KEPT = {
    "a client class imported and called": "from openai import (\n    OpenAI,\n)\nOpenAI()\n",
    "a client class imported for an annotation": (
        "from openai import OpenAI\ndef f(c: OpenAI):\n    return c.embeddings\n"
    ),
    "a client derived": "from openai import OpenAI\ndef f(c: OpenAI):\n    c.with_options(timeout=1)\n",
    "a string annotation": (
        "import openai.types\ndef f(c: 'Optional[OpenAI]'):\n    return c.files.content\n"
    ),
    "a star import": "from openai import *\n",
    "a legacy class used": "from openai import ChatCompletion as CC\nCC.create(model='m')\n",
    "a client through the package": "import openai as oa\nc = oa.AsyncOpenAI()\n",
    "the private client module": "from openai import _client\nc = _client.OpenAI()\n",
    "a chat call on a parameter": (
        "import openai.types\ndef ask(c):\n    return c.chat.completions.create(model='m')\n"
    ),
    "an endpoint on a parameter": "import openai\ndef f(c):\n    c.embeddings.create(input='x')\n",
    "a module setting": "import openai\nopenai.api_base = 'x'\n",
    "a module setting through a copy": "import openai as oa\nsdk = oa\nsdk.api_key, x = 'k', 1\n",
    "a submodule import binds the package": "import openai.lib\nopenai.base_url = 'x'\n",
    "not python, importing the package": "import openai\nthis is not python!\n",
    "an import continued on the next line": "import os, \\\n    openai\nopenai.api_key = 'k'\n",
    "a from import continued": "from \\\n  openai import OpenAI\nOpenAI()\n",
    "a star import without a blank": "from openai import*\n",
    "spaces around the dots": "from openai . lib . azure import AzureOpenAI\nAzureOpenAI()\n",
    "the package imported after others": "import os as o, sys\nimport json, openai as oa\noa.api_key = 1\n",
}


@pytest.mark.parametrize("source", SKIPPED.values(), ids=SKIPPED.keys())
def test_files_without_a_reportable_shape_are_skipped(source: str) -> None:
    assert not might_use_openai(source)


@pytest.mark.parametrize("source", KEPT.values(), ids=KEPT.keys())
def test_files_with_a_reportable_shape_are_kept(source: str) -> None:
    assert might_use_openai(source)


def test_every_invalid_rule_example_is_a_candidate() -> None:
    sources = [
        textwrap.dedent(example.code).lstrip("\n")
        for rule in all_rules()
        for example in rule.examples
        if isinstance(example, Invalid)
    ]
    assert len(sources) > 100
    missed = [source for source in sources if not might_use_openai(source)]
    assert missed == []


def test_every_fixture_with_findings_is_a_candidate() -> None:
    # The analyzer is the oracle: here it runs on every file, candidate or not.
    rules = all_rules()
    context = RuleContext(base_url="https://api.llmbase.ai/v1", api_key_env="LLMBASE_API_KEY")
    with_findings = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        text = decode_source(path.read_bytes()).text
        if isinstance(analyze_text(str(path), text, rules, context).outcome, HasFindings):
            with_findings += 1
            assert might_use_openai(text), path
    assert with_findings >= 35


BYTES_SKIPPED = {
    "no import": b"x = 'openai'\n",
    "an import of another package": b"import openai_tools\nfrom openaix import OpenAI\n",
    "a from import without a shape word": b"from openai.types import Usage\nUsage.x = 1\n",
    "modules named like shape words": (
        b"from openai.types.responses import Response\n"
        b"from openai.types.beta.assistants import X\r\nimport json\n"
    ),
    "a pre-1.0 name with no import from the package itself": (
        b"from openai.types import Model\nm: Model = load()\n"
    ),
}

BYTES_KEPT = {
    "an import line with more code after a semicolon": (
        b"from openai.types import X; c.embeddings.create(input='x')\n"
    ),
    "a pre-1.0 name imported from the package": b"from openai import Model\n",
    "a client name": b"from openai.types import X\nc: 'OpenAI' = make()\n",
    "a star import": b"from openai.types import *\n",
}


@pytest.mark.parametrize("raw", BYTES_KEPT.values(), ids=BYTES_KEPT.keys())
def test_bytes_with_an_import_and_the_text_of_a_shape_pass(raw: bytes) -> None:
    assert may_hold_candidate(raw)


def test_the_byte_test_is_necessary_for_a_shape() -> None:
    # Every file CPython's candidate test keeps passes the byte test first: the
    # fixtures and this project's own code and tests (full of SDK code in strings).
    root = FIXTURES.parent
    kept = 0
    for path in sorted(root.glob("*/**/*.py")):
        if ".venv" in path.parts:
            continue
        raw = path.read_bytes()
        try:
            tree = ast.parse(raw)
        except SyntaxError:
            continue
        if has_candidate_shape(tree):
            kept += 1
            assert may_hold_candidate(raw), path
    assert kept >= 40


@pytest.mark.parametrize("raw", BYTES_SKIPPED.values(), ids=BYTES_SKIPPED.keys())
def test_bytes_without_an_import_and_a_shape_word_are_skipped(raw: bytes) -> None:
    assert not may_hold_candidate(raw)


@pytest.mark.parametrize("source", KEPT.values(), ids=KEPT.keys())
def test_bytes_of_every_kept_file_pass(source: str) -> None:
    assert may_hold_candidate(source.encode())


def test_a_long_line_of_imports_is_matched_quickly() -> None:
    import time

    raw = b"import " + b"a " * 200_000 + b"\nimport " + b"b, " * 200_000 + b"c\n"
    started = time.perf_counter()
    assert not may_hold_candidate(raw)
    assert time.perf_counter() - started < 2.0


def test_a_long_import_line_full_of_shape_words_is_skipped_quickly() -> None:
    import time

    raw = b"from openai.types" + b".responses" * 300_000 + b" import X\n"
    started = time.perf_counter()
    assert not may_hold_candidate(raw)
    assert time.perf_counter() - started < 2.0
