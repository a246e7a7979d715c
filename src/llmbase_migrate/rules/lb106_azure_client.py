"""An Azure OpenAI client.

``AzureOpenAI``/``AsyncAzureOpenAI`` build deployment URLs
(``/openai/deployments/<name>/chat/completions?api-version=...``) and send
``api-key`` headers that LLMBase does not understand. Migrating means replacing
the client with ``OpenAI(base_url="https://api.llmbase.ai/v1",
api_key=os.environ["LLMBASE_API_KEY"])`` and choosing LLMBase model IDs instead of
deployment names. Reported once per construction (its base URL and key are not
reported separately), and for ``openai.api_type = "azure"`` (the pre-1.0 switch);
the module's other ``openai.*`` settings (``api_base``, ``api_key``) are then not
reported separately either.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ClientKind, ModuleFacts, OptionSite, ValueKind
from llmbase_migrate.rules._judge import AZURE_API_TYPES
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB106",
    name="azure-client",
    summary="an Azure OpenAI client or setting",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for setup in facts.clients:
        if setup.kind is ClientKind.AZURE and setup.site is OptionSite.CONSTRUCTOR:
            name = setup.callee.rsplit(".", 1)[-1]
            yield Report(
                setup.span,
                f"{name} talks to Azure deployments; use OpenAI(base_url={ctx.base_url!r}, "
                f"api_key=os.environ[{ctx.api_key_env!r}]) and LLMBase model IDs",
            )
    for assignment in facts.module_assignments:
        value = assignment.value
        if (
            assignment.attribute == "api_type"
            and value.kind is ValueKind.STRING
            and (value.text or "").lower() in AZURE_API_TYPES
        ):
            yield Report(
                assignment.span,
                f"openai.api_type = {value.text!r} selects Azure; LLMBase is reached through "
                f"base_url {ctx.base_url!r}",
            )


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import os
        from openai import AzureOpenAI
        client = AzureOpenAI(
            azure_endpoint="https://acme.openai.azure.com",
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
            api_version="2024-06-01",
        )
        """,
        line=3,
        message="Azure deployments",
    ),
    Invalid(
        """
        import openai as oa
        client = oa.AsyncAzureOpenAI(azure_endpoint="https://acme.openai.azure.com")
        """,
        title="through a module alias",
    ),
    Invalid(
        """
        import openai
        openai.api_type = "azure"
        """,
        title="the pre-1.0 switch",
    ),
)
