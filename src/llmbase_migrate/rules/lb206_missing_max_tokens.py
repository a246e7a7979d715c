"""A chat request without ``max_tokens`` or ``max_completion_tokens``.

Without a cap a request may generate up to the model's maximum output, which is
billed; LLMBase's cost-control advice is to set ``max_tokens`` on user-facing
requests. Off by default: enable it with ``extend-select = ["LB206"]``. Requests
built from a ``**`` dict or an ``extra_body`` that cannot be read are not reported.

Fix safety: there is no fix. The right cap depends on what the request is for;
a guessed one would cut answers short.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules._client_plan import migrating_calls
from llmbase_migrate.rules._judge import request_fields
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB206",
    name="missing-max-tokens",
    summary="a chat request without max_tokens (cost control)",
    severity=Severity.INFO,
    default_enabled=False,
)

_CAPS = frozenset({"max_tokens", "max_completion_tokens"})


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in migrating_calls(facts, ctx):
        if not (call.arguments.complete and call.arguments.extra_body_complete):
            continue
        if any(field.name in _CAPS for field in request_fields(call)):
            continue
        yield Report(call.span, "no max_tokens: the reply may run to the model's output limit")


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], max_tokens=512)
        """,
    ),
    Valid(
        """
        from openai import OpenAI
        def ask(**params):
            return OpenAI().chat.completions.create(**params)
        """,
        title="an unknown ** dict may hold it",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[])
        """,
        message="no max_tokens",
    ),
)
