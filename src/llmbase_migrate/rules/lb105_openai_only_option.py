"""A client option that only means something on OpenAI's platform.

``organization``, ``project``, ``webhook_secret``, ``admin_api_key``,
``workload_identity``, ``data_residency``, ``websocket_base_url`` and ``provider``
(the SDK's Bedrock/Vertex providers) have no LLMBase meaning: at best they are
ignored, at worst they send OpenAI account headers to another service. Also the
module settings ``openai.organization`` and ``openai.project``. Reported on the
constructor, on ``with_options(...)``, and in ``**`` dicts passed to them; not on
Azure clients (LB106 replaces those whole).
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ClientKind, ModuleFacts
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB105",
    name="openai-only-option",
    summary="a client option that only OpenAI's platform uses",
    severity=Severity.WARNING,
)

OPENAI_ONLY_OPTIONS = frozenset(
    {
        "organization",
        "project",
        "webhook_secret",
        "admin_api_key",
        "workload_identity",
        "data_residency",
        "websocket_base_url",
        "provider",
    }
)
OPENAI_ONLY_MODULE_SETTINGS = frozenset({"organization", "project"})


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for setup in facts.clients:
        if setup.kind is not ClientKind.OPENAI:
            continue
        for option in setup.arguments.fields:
            if option.name in OPENAI_ONLY_OPTIONS:
                yield Report(
                    option.span,
                    f"{option.name}= is an OpenAI-platform option with no meaning on LLMBase; "
                    "remove it",
                )
    for assignment in facts.module_assignments:
        if assignment.attribute in OPENAI_ONLY_MODULE_SETTINGS:
            yield Report(
                assignment.span,
                f"openai.{assignment.attribute} is an OpenAI-platform setting with no meaning "
                "on LLMBase; remove it",
            )


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"], timeout=30)
        """,
    ),
    Valid(
        """
        from myapp.search import Engine
        engine = Engine(provider="bing", organization="acme")
        """,
        title="same keywords on an unrelated call",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
            organization="org-123",
        )
        """,
        line=6,
        message="organization=",
    ),
    Invalid(
        """
        import openai
        openai.organization = "org-123"
        """,
        title="module setting",
        line=2,
    ),
)
