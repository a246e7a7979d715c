"""A client that stays off LLMBase on purpose (off by default).

A migration moves clients that talk to OpenAI, a gateway such as OpenRouter, or
another public OpenAI-compatible host. It leaves alone, by default, a client meant
to stay where it is:

- a local or private server: ``localhost``, ``127.0.0.1``, ``host.docker.internal``,
  ``*.local``, ``*.internal``, an RFC 1918 address, a bare container name
  (``http://vllm:8000/v1``), or a variable named for one (``$OLLAMA_BASE_URL``);
- another vendor's own API (api.groq.com, api.together.xyz, api.deepseek.com,
  generativelanguage.googleapis.com...), or a variable named for one;
- a host named in the ``keep-hosts`` setting (``keep-hosts = ["*.corp.example"]``).

Such a client, and every request made through it, is not reported by LB101-LB106 or
by the request and model rules (LB201-LB303): they judge what is sent to LLMBase.
Turn this rule on (``--extend-select LB107``) to list them, for instance to check
that nothing meant to move was kept.

Fix: the client moves as a unit, as LB101's fix moves a client: its base URL becomes
LLMBase's and its key ``os.environ["LLMBASE_API_KEY"]`` (the ``api-key-env`` setting),
whatever key it had. No fix for a base URL in a ``**`` dict defined away from the
call.

Fix safety: always unsafe. The client was meant for the host it points at; moving
it changes where its requests go, and its model IDs must then be LLMBase's (LB301
reports them once it is moved).
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts, OptionSite
from llmbase_migrate.rules._client_draft import Verdict
from llmbase_migrate.rules._client_plan import module_plans
from llmbase_migrate.rules.base import (
    Applicability,
    Invalid,
    Report,
    RuleContext,
    RuleSpec,
    Severity,
    Valid,
)

RULE = RuleSpec(
    code="LB107",
    name="non-llmbase-host",
    summary="a client that stays off LLMBase: a local server, another vendor's API, keep-hosts",
    severity=Severity.INFO,
    default_enabled=False,
    fix=Applicability.UNSAFE,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    plans = module_plans(facts, ctx)
    for setup in facts.clients:
        plan = plans.of(setup)
        if plan is None or plan.verdict is not Verdict.STAYS:
            continue
        if setup.site is not OptionSite.CONSTRUCTOR:
            continue
        base_url = setup.arguments.named("base_url")
        span = base_url.span if base_url is not None else setup.span
        (where, *_) = plan.destinations
        yield Report(
            span,
            f"this client stays on {plan.where} ({where.place.value}): neither it nor its "
            "requests are checked against LLMBase",
            plan.fix,
        )


EXAMPLES = (
    Invalid(
        """
        from openai import OpenAI
        local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
        local.chat.completions.create(model="llama3.2", messages=[])
        """,
        title="a local server, moved as a unit on request",
        line=2,
        message="stays on localhost (a local or private server)",
        applicability=Applicability.UNSAFE,
        fixed="""
        from openai import OpenAI
        import os

        local = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        local.chat.completions.create(model="llama3.2", messages=[])
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        groq = OpenAI(base_url="https://api.groq.com/openai/v1", api_key=os.environ["GROQ_API_KEY"])
        """,
        title="another vendor's own API",
        message="another vendor's own API",
        fixed="""
        import os
        from openai import OpenAI
        groq = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        vllm = OpenAI(base_url=os.environ["VLLM_BASE_URL"], api_key="EMPTY")
        """,
        title="a variable named for a local server",
        message="$VLLM_BASE_URL",
        fixed="""
        import os
        from openai import OpenAI
        vllm = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        """,
        title="a gateway is a migration target (LB101), not a client that stays",
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
        title="LLMBase itself",
    ),
)
