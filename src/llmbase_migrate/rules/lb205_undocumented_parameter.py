"""An OpenAI-platform request field that LLMBase does not document.

``store``, ``metadata``, ``modalities``, ``audio``, ``prediction``,
``web_search_options``, ``verbosity``, ``safety_identifier``, ``moderation``,
``prompt_cache_retention``, ``prompt_cache_options``, and the deprecated
``functions``/``function_call`` (use ``tools``/``tool_choice``) are OpenAI features
outside LLMBase's documented chat surface: they may be rejected or silently
ignored. A warning, since their fate is not documented.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules._judge import request_fields, where
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB205",
    name="undocumented-parameter",
    summary="an OpenAI-platform request field LLMBase does not document",
    severity=Severity.WARNING,
)

UNDOCUMENTED_FIELDS = {
    "store": "",
    "metadata": "",
    "modalities": "",
    "audio": "",
    "prediction": "",
    "web_search_options": "",
    "verbosity": "",
    "safety_identifier": "",
    "moderation": "",
    "prompt_cache_retention": "",
    "prompt_cache_options": "",
    "functions": " (deprecated: use tools)",
    "function_call": " (deprecated: use tool_choice)",
}


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in facts.chat_calls:
        for field in request_fields(call):
            note = UNDOCUMENTED_FIELDS.get(field.name)
            if note is not None:
                yield Report(
                    field.span,
                    f"{where(field)} is an OpenAI-platform field LLMBase does not document{note}; "
                    "it may be rejected or ignored",
                )


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], tools=[], tool_choice="auto")
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], store=True, metadata={"a": "b"})
        """,
        count=2,
    ),
    Invalid(
        """
        import openai
        openai.chat.completions.create(model="m", messages=[], functions=[{"name": "f"}])
        """,
        title="the module client",
        message="deprecated: use tools",
    ),
)
