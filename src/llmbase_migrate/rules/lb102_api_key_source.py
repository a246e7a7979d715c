"""The API key is not the LLMBase key.

Without ``api_key`` the SDK reads ``$OPENAI_API_KEY``; LLMBase needs an
``llmbase_...`` inference key, read from ``$LLMBASE_API_KEY`` (the
``api-key-env`` setting). Reported:

- a missing ``api_key`` (unless a ``**kwargs`` dict the analyzer cannot read is
  passed, which may hold it);
- ``api_key=None`` (falls back to ``$OPENAI_API_KEY``);
- a read of a variable named for another vendor (``OPENAI_API_KEY``,
  ``OPENROUTER_API_KEY``, ``AZURE_OPENAI_API_KEY``, ``GROQ_API_KEY``...), also
  as ``os.getenv("OPENAI_API_KEY") or ""``;
- an expression that cannot be evaluated but is named for another vendor's key
  (``settings.OPENAI_API_KEY``, ``config["openrouter_api_key"]``).

Generic names (``API_KEY``, ``LLM_API_KEY``) and LLMBase-named ones are accepted,
and so are placeholder literals (``"EMPTY"``, ``"dummy"``): they are what test
doubles and local servers use, and a migrated client's base URL already says
where requests go.
A literal that looks like a real key is LB103's; a chat-agent key is LB104's.
Assignments ``openai.api_key = ...`` are judged the same way; Azure clients are
LB106's.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts, OptionSite, Span, Value, ValueKind
from llmbase_migrate.rules._judge import (
    is_chat_agent_env,
    module_selects_azure,
    openai_clients,
    vendor_of,
)
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB102",
    name="api-key-source",
    summary="the API key is missing or comes from another vendor's variable",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for setup in openai_clients(facts.clients):
        api_key = setup.arguments.named("api_key")
        if api_key is None:
            if setup.site is OptionSite.CONSTRUCTOR and setup.arguments.complete:
                yield Report(
                    setup.span,
                    f"{setup.callee.rsplit('.', 1)[-1]}() has no api_key, so it reads "
                    f"$OPENAI_API_KEY; pass api_key=os.environ[{ctx.api_key_env!r}]",
                )
            continue
        yield from _judge(api_key.value, api_key.span, ctx)
    azure_module = module_selects_azure(facts)
    for assignment in facts.module_assignments:
        if azure_module:
            break
        if assignment.attribute == "api_key":
            yield from _judge(assignment.value, assignment.span, ctx)


def _judge(value: Value, span: Span, ctx: RuleContext) -> Iterator[Report]:
    wanted = f"os.environ[{ctx.api_key_env!r}]"
    if value.kind is ValueKind.NONE:
        yield Report(span, f"api_key=None falls back to $OPENAI_API_KEY; use {wanted}")
    elif value.kind is ValueKind.ENV:
        variable = value.env_var
        if variable is None or is_chat_agent_env(variable) or variable == ctx.api_key_env:
            return
        vendor = vendor_of(variable)
        if vendor is not None:
            yield Report(
                span,
                f"api_key is read from ${variable}, another vendor's key ({vendor}) that LLMBase "
                "rejects; "
                f"use {wanted}",
            )
    else:
        vendor = vendor_of(value.identifier)
        if vendor is not None and not is_chat_agent_env(value.identifier):
            yield Report(
                span,
                f"api_key comes from {value.identifier}, another vendor's key ({vendor}) that "
                "LLMBase rejects; "
                f"use {wanted}",
            )


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
        title="the documented setup",
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.getenv("LLM_API_KEY"))
        """,
        title="a generic variable name",
    ),
    Valid(
        """
        from groq import Groq
        client = Groq()
        """,
        title="another SDK",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1")
        """,
        title="no api_key",
        line=2,
        message="reads $OPENAI_API_KEY",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.getenv("OPENROUTER_API_KEY") or "",
        )
        """,
        title="another gateway's key",
        line=5,
        message="$OPENROUTER_API_KEY",
    ),
    Invalid(
        """
        import openai
        from app.config import settings
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key=settings.OPENAI_API_KEY)
        """,
        title="a setting named for OpenAI",
        message="OPENAI_API_KEY",
    ),
    Invalid(
        """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        """,
        title="module client configuration",
        line=3,
    ),
    Valid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key="dummy")
        """,
        title="a placeholder in a test double",
    ),
)
