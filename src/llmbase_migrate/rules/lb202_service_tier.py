"""``service_tier`` in a chat request.

OpenAI's flex/priority processing tiers are not part of LLMBase's public direct
inference contract; remove the field. Found in the same places as LB201's fields
(keywords, ``extra_body``, ``**`` dicts).
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules._judge import request_fields, where
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB202",
    name="service-tier",
    summary="service_tier in a chat request",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in facts.chat_calls:
        for field in request_fields(call):
            if field.name == "service_tier":
                yield Report(
                    field.span,
                    f"{where(field)} is not part of LLMBase's direct inference contract; remove it",
                )


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], temperature=0.2)
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], service_tier="flex")
        """,
        message="service_tier=",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        options = dict(model="m", messages=[], service_tier="priority")
        client.chat.completions.create(**options)
        """,
        title="inside dict(...)",
        line=3,
    ),
)
