"""The candidate pass skips only files the analyzer would find nothing in."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from llmbase_migrate.engine.candidates import might_use_openai
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
}

KEPT = {
    "a client class imported": "from openai import (\n    OpenAI,\n)\n",
    "a star import": "from openai import *\n",
    "a legacy class imported": "from openai import ChatCompletion as CC\n",
    "a client through the package": "import openai as oa\nc = oa.AsyncOpenAI()\n",
    "the private client module": "from openai import _client\nc = _client.OpenAI()\n",
    "a chat call on a parameter": (
        "import openai.types\ndef ask(c):\n    return c.chat.completions.create(model='m')\n"
    ),
    "an endpoint on a parameter": "import openai\ndef f(c):\n    c.embeddings.create(input='x')\n",
    "a module setting": "import openai\nopenai.api_base = 'x'\n",
    "a module setting through a copy": "import openai as oa\nsdk = oa\nsdk.api_key, x = 'k', 1\n",
    "a submodule import binds the package": "import openai.lib\nopenai.base_url = 'x'\n",
    "not python": "this is not python but mentions openai\n",
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
