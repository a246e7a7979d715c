"""An OpenAI-platform request field that LLMBase does not document.

``store``, ``metadata``, ``modalities``, ``audio``, ``prediction``,
``web_search_options``, ``verbosity``, ``safety_identifier``, ``moderation``,
``prompt_cache_retention``, ``prompt_cache_options``, and the deprecated
``functions``/``function_call`` (use ``tools``/``tool_choice``) are OpenAI features
outside LLMBase's documented chat surface: they may be rejected or silently
ignored. A warning, since their fate is not documented.

Fix (unsafe): the bookkeeping fields of OpenAI's platform (``store``, ``metadata``,
``safety_identifier``, ``prompt_cache_retention``, ``prompt_cache_options``) are
removed when written as keywords or in an ``extra_body`` at the call; nothing on
LLMBase reads them. Fields that change the answer (``modalities``, ``audio``,
``prediction``, ``functions``...) are reported only: what to use instead is a
person's call.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.fixes.builders import call_without_fields, remove_fields
from llmbase_migrate.rules._judge import request_fields, where
from llmbase_migrate.rules.base import (
    Applicability,
    Fix,
    Invalid,
    Report,
    RuleContext,
    RuleSpec,
    Severity,
    Valid,
)

RULE = RuleSpec(
    code="LB205",
    name="undocumented-parameter",
    summary="an OpenAI-platform request field LLMBase does not document",
    severity=Severity.WARNING,
    fix=Applicability.UNSAFE,
)

# Read only by OpenAI's platform (dashboards, retention, abuse tracking).
BOOKKEEPING_FIELDS = frozenset(
    {"store", "metadata", "safety_identifier", "prompt_cache_retention", "prompt_cache_options"}
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
        fields = [field for field in request_fields(call) if field.name in UNDOCUMENTED_FIELDS]
        removable = [
            field
            for field in fields
            if field.name in BOOKKEEPING_FIELDS
            and call_without_fields(call.node, [field]) is not None
        ]
        shared = None
        if removable and facts.source is not None:
            edit = remove_fields(facts.source, call.node, removable)
            if edit is not None:
                names = ", ".join(sorted({field.name for field in removable}))
                shared = Fix(Applicability.UNSAFE, f"remove {names}", (edit,))
        for field in fields:
            yield Report(
                field.span,
                f"{where(field)} is an OpenAI-platform field LLMBase does not document"
                f"{UNDOCUMENTED_FIELDS[field.name]}; it may be rejected or ignored",
                shared if any(field is candidate for candidate in removable) else None,
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
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[])
        """,
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
