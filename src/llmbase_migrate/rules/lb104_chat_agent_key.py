"""A chat-agent key is used for direct inference.

``llmbase_chat_...`` keys belong to the LLMBase Chat agent API
(``https://llmbase.ai/api/v1/agents``); ``https://api.llmbase.ai/v1`` answers them
with ``401 invalid_api_key``. Reported: such a literal as ``api_key``,
``openai.api_key`` or in a Bearer header, and a key read from a variable named for
chat-agent keys (``LLMBASE_CHAT_AGENT_KEY``, anything with ``CHAT_AGENT``). Use an
inference key (``llmbase_...``) from ``$LLMBASE_API_KEY``. A client pointed at the
agent API itself is not reported.

Fix safety: there is no fix. Which inference key replaces a chat-agent key is not
something the code says, and a key must never be guessed.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts, Span, Value, ValueKind
from llmbase_migrate.rules._client_draft import Verdict
from llmbase_migrate.rules._client_plan import module_plans
from llmbase_migrate.rules._judge import is_chat_agent_env
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid
from llmbase_migrate.secrets import is_chat_agent_key, mask

RULE = RuleSpec(
    code="LB104",
    name="chat-agent-key",
    summary="an llmbase_chat_ agent key is used for direct inference",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    plans = module_plans(facts, ctx)
    for setup in facts.clients:
        plan = plans.of(setup)
        if plan is None or plan.verdict not in _DIRECT_INFERENCE:
            continue
        api_key = setup.arguments.named("api_key")
        if api_key is not None:
            yield from _judge(api_key.value, api_key.span, ctx)
    for assignment in facts.module_assignments:
        if assignment.attribute == "api_key":
            yield from _judge(assignment.value, assignment.span, ctx)
    for header in facts.header_secrets:
        if is_chat_agent_key(header.value):
            yield Report(header.span, _message(f"key {mask(header.value)}", ctx))


# Clients whose key goes to api.llmbase.ai, or will once migrated (not the agent API,
# nor a client that stays elsewhere).
_DIRECT_INFERENCE = frozenset({Verdict.READY, Verdict.MOVE, Verdict.UNKNOWN, Verdict.SPLIT})


def _judge(value: Value, span: Span, ctx: RuleContext) -> Iterator[Report]:
    if value.kind is ValueKind.STRING and is_chat_agent_key(value.text or ""):
        yield Report(span, _message(f"key {mask(value.text or '')}", ctx))
    elif value.kind is ValueKind.ENV and is_chat_agent_env(value.env_var):
        yield Report(span, _message(f"${value.env_var}", ctx))
    elif value.kind is ValueKind.UNKNOWN and is_chat_agent_env(value.identifier):
        yield Report(span, _message(str(value.identifier), ctx))


def _message(source: str, ctx: RuleContext) -> str:
    return (
        f"{source} is a chat-agent key (llmbase_chat_...), which api.llmbase.ai rejects "
        f"with 401; use an inference key from os.environ[{ctx.api_key_env!r}]"
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
        import os
        from openai import OpenAI
        agent = OpenAI(
            base_url="https://llmbase.ai/api/v1/agents",
            api_key=os.environ["LLMBASE_CHAT_AGENT_KEY"],
        )
        """,
        title="the agent API takes agent keys",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_CHAT_AGENT_KEY"],
        )
        """,
        line=5,
        message="$LLMBASE_CHAT_AGENT_KEY",
    ),
    Invalid(
        """
        import openai
        openai.api_key = "llmbase_chat_5f4e3d2c1b0a99887766554433221100"
        """,
        title="a literal agent key",
        line=2,
        message="llmb…00",
    ),
)
