"""A secret is written in the source.

A literal that looks like a real key (a known prefix such as ``sk-``, ``sk-or-v1-``,
``llmbase_``, ``gsk_`` followed by enough characters, or a long opaque token) as
``api_key=``, as ``openai.api_key = ...``, as the default of an environment read,
or in an ``Authorization: Bearer ...`` header of ``default_headers``/
``extra_headers``. Read it from ``os.environ["LLMBASE_API_KEY"]`` instead, and
rotate the leaked key. Placeholders (``"EMPTY"``, ``"x"``, ``"ollama"``,
``"<KEY>"``, ``"sk-..."``, ``"your-api-key"``) are not secrets.

The key is never printed whole: messages show it masked (``sk-p…gH``).
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts, Span, Value, ValueKind
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid
from llmbase_migrate.secrets import looks_like_secret, mask

RULE = RuleSpec(
    code="LB103",
    name="hardcoded-api-key",
    summary="an API key is written as a literal in the source",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for setup in facts.clients:
        api_key = setup.arguments.named("api_key")
        if api_key is not None:
            yield from _judge(api_key.value, api_key.span, ctx)
    for assignment in facts.module_assignments:
        if assignment.attribute == "api_key":
            yield from _judge(assignment.value, assignment.span, ctx)
    for header in facts.header_secrets:
        if looks_like_secret(header.value):
            yield Report(
                header.span,
                f"the Authorization header holds a hardcoded key ({mask(header.value)}); "
                f"build it from os.environ[{ctx.api_key_env!r}]",
            )


def _judge(value: Value, span: Span, ctx: RuleContext) -> Iterator[Report]:
    literal = value
    if value.kind is ValueKind.ENV and value.default is not None:
        literal = value.default
    if literal.kind is ValueKind.STRING and looks_like_secret(literal.text or ""):
        yield Report(
            span,
            f"hardcoded API key ({mask(literal.text or '')}); read it from "
            f"os.environ[{ctx.api_key_env!r}] and rotate the leaked key",
        )


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Valid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")
        """,
        title="a placeholder is not a secret",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key="sk-or-v1-0123456789abcdef0123456789abcdef",
        )
        """,
        title="an OpenRouter key",
        line=4,
        message="sk-o…ef",
    ),
    Invalid(
        """
        import openai
        KEY = "llmbase_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
        openai.api_key = KEY
        """,
        title="a module constant on the module client",
        line=3,
    ),
    Invalid(
        """
        import openai
        client = openai.OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key="unused",
            default_headers={"Authorization": "Bearer sk-proj-AbCdEfGhIjKlMnOpQrStUvWx"},
        )
        """,
        title="a Bearer header",
        line=5,
        message="Authorization header",
    ),
)
