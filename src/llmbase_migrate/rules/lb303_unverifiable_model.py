"""A chat request whose model ID is not known until the code runs.

LB301 (unknown IDs) and LB302 (unsupported capabilities) can judge only a model
ID they can read: a literal, a module constant, a literal parameter default, or
the literal default of an environment read or of ``x or "default"`` (checked as
what the request sends when nothing overrides it). A model read from the
environment without a default, from a settings object, a function argument, a
``**`` dict that cannot be read, or computed, is unverifiable here: a wrong ID
there surfaces only as ``404 Model not found`` at run time.

Off by default, since such code is normal: turn it on (``extend-select =
["LB303"]``) to see how much of a project the catalog checks cover, then check
the IDs those settings may hold against ``llmbase-migrate models``. It needs no
catalog.

Calls without any ``model`` and without a ``**`` dict are not reported (the SDK
refuses them before sending).

No fix.

Fix safety: there is no fix: the rule reports what static analysis cannot see.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ChatCall, ModuleFacts, ValueKind
from llmbase_migrate.rules._capabilities import sent_model
from llmbase_migrate.rules._client_plan import migrating_calls
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB303",
    name="unverifiable-model",
    summary="a chat request whose model ID is not statically known (catalog checks skip it)",
    severity=Severity.INFO,
    default_enabled=False,
)

_CONSEQUENCE = "LB301 and LB302 cannot check it against LLMBase's catalog"


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in migrating_calls(facts, ctx):
        report = _unverifiable(call)
        if report is not None:
            yield report


def _unverifiable(call: ChatCall) -> Report | None:
    field = call.arguments.named("model")
    if field is None:
        if call.arguments.complete:
            return None
        return Report(
            call.span,
            f"the model ID may come from a ** dict that cannot be read; {_CONSEQUENCE}",
        )
    if sent_model(call) is not None or field.value.kind is ValueKind.NONE:
        # A literal is checked; ``model=None`` is refused by the SDK itself.
        return None
    value = field.value
    if value.kind is ValueKind.ENV:
        source = f"${value.env_var}" if value.env_var else "an environment variable"
        return Report(
            field.span,
            f"the model ID is read from {source} at run time, with no literal default; "
            f"{_CONSEQUENCE}",
        )
    origin = f" (from {value.identifier})" if value.identifier else ""
    return Report(field.span, f"the model ID is not statically known{origin}; {_CONSEQUENCE}")


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        MODEL = os.getenv("LLM_MODEL", "deepseek/deepseek-v4-flash")
        client = OpenAI()
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        client.chat.completions.create(model=MODEL, messages=[])
        """,
        title="a literal, and an environment read with a literal default",
    ),
    Valid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, model: str = "z-ai/glm-5.1"):
            return client.chat.completions.create(model=model, messages=[])
        """,
        title="a literal parameter default",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        OpenAI().chat.completions.create(model=os.environ["LLM_MODEL"], messages=[])
        """,
        title="an environment read without a default",
        line=3,
        message="read from $LLM_MODEL at run time",
    ),
    Invalid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, settings):
            return client.chat.completions.create(model=settings.chat_model, messages=[])
        """,
        title="a settings attribute",
        line=3,
        message="not statically known (from chat_model)",
    ),
    Invalid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, request: dict):
            return client.chat.completions.create(**request)
        """,
        title="an unreadable ** dict",
        line=3,
        message="a ** dict that cannot be read",
    ),
)
