"""A call to the pre-1.0 module API.

``openai.ChatCompletion.create(...)``, ``openai.Completion.create(...)``,
``openai.Embedding.create(...)`` and the other class-based calls were removed in
openai 1.0. Chat calls become ``client.chat.completions.create(...)`` (or the
module client's ``openai.chat.completions.create(...)``), and the response becomes
an object: ``response.choices[0].message.content`` instead of
``response["choices"][0]["message"]["content"]``, which remains yours to update.
Non-chat APIs also have no LLMBase endpoint (see LB401).
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB501",
    name="legacy-sdk-call",
    summary="a pre-1.0 module API call (openai.ChatCompletion.create, ...)",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in facts.legacy_calls:
        name = f"openai.{call.api}.{call.method}"
        if call.api == "ChatCompletion":
            yield Report(
                call.span,
                f"{name} was removed in openai 1.0; use client.chat.completions.create(...) "
                "and read the response as an object (response.choices[0].message.content)",
            )
        else:
            yield Report(
                call.span,
                f"{name} was removed in openai 1.0, and LLMBase serves chat completions only",
            )


EXAMPLES = (
    Valid(
        """
        import openai
        reply = openai.chat.completions.create(model="m", messages=[])
        """,
    ),
    Invalid(
        """
        import openai
        reply = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])
        text = reply["choices"][0]["message"]["content"]
        """,
        line=2,
        message="removed in openai 1.0",
    ),
    Invalid(
        """
        import openai
        async def embed(text):
            return await openai.Embedding.acreate(input=text, model="text-embedding-ada-002")
        """,
        title="a legacy async call",
        message="chat completions only",
    ),
)
