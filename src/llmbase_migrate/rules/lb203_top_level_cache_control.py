"""``cache_control`` at the top level of a chat request.

Anthropic-style ``cache_control`` as a request field is not how LLMBase caches:
send a stable ``prompt_cache_key`` instead, and keep the long static part of the
prompt first in ``messages``. ``cache_control`` inside message content parts is
another matter and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules._judge import request_fields, where
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB203",
    name="top-level-cache-control",
    summary="cache_control at the top level of a chat request (use prompt_cache_key)",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in facts.chat_calls:
        for field in request_fields(call):
            if field.name == "cache_control":
                yield Report(
                    field.span,
                    f"{where(field)} is not an LLMBase request field; "
                    'use a stable prompt_cache_key="..." instead',
                )


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}],
            prompt_cache_key="support-bot",
        )
        """,
        title="inside a message part",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[],
            extra_body={"cache_control": {"type": "ephemeral"}},
        )
        """,
        line=5,
        message="prompt_cache_key",
    ),
)
