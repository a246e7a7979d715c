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

Fix (unsafe: deployment names still have to become LLMBase model IDs, and the
program needs ``$LLMBASE_API_KEY``): ``AzureOpenAI(...)`` becomes
``OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])``
(``AsyncAzureOpenAI`` becomes ``AsyncOpenAI``; the ``base-url`` and ``api-key-env``
settings). ``base_url`` takes the place of ``azure_endpoint``; ``api_version``,
``azure_deployment``, ``azure_ad_token`` and ``azure_ad_token_provider`` are
dropped; other options (``timeout``, ``default_headers``...) stay. ``from openai
import AzureOpenAI`` gives way to ``from openai import OpenAI`` (the old import goes
when nothing else uses it); ``openai.AzureOpenAI(...)`` becomes
``openai.OpenAI(...)``. A removed key is masked in diffs. No fix when the call
passes ``*args`` or ``**kwargs`` (they may hold Azure options), when the class is
imported under another name or through ``openai.lib.azure`` as an attribute, when
``OpenAI`` (or ``os``) is bound to something else in the module, or when the new
import would come below the call. ``openai.api_type = "azure"`` and the module
settings that go with it are reported without a fix: the module client's
configuration may be spread over several modules. An Azure client that also calls
endpoints LLMBase does not serve (embeddings, audio) is reported without a fix: it
stays on Azure for those, and its chat requests need a client of their own. One
used only for such endpoints is not reported. The fix is the client's one fix: a
hardcoded key in it (LB103) gets this same fix.

Fix safety: always unsafe. Deployment names must become LLMBase model IDs (LB301
reports them), and the program needs ``$LLMBASE_API_KEY`` set where it runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts, OptionSite, ValueKind
from llmbase_migrate.rules._client_draft import Verdict
from llmbase_migrate.rules._client_plan import module_plans
from llmbase_migrate.rules._judge import AZURE_API_TYPES
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
    code="LB106",
    name="azure-client",
    summary="an Azure OpenAI client or setting",
    severity=Severity.ERROR,
    fix=Applicability.UNSAFE,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    plans = module_plans(facts, ctx)
    for setup in facts.clients:
        plan = plans.of(setup)
        if plan is None or plan.verdict is not Verdict.AZURE:
            continue
        if setup.site is not OptionSite.CONSTRUCTOR:
            continue
        name = setup.callee.rsplit(".", 1)[-1]
        message = (
            f"{name} talks to Azure deployments; use OpenAI(base_url={ctx.base_url!r}, "
            f"api_key=os.environ[{ctx.api_key_env!r}]) and LLMBase model IDs"
        )
        if plan.uses.endpoints:
            message = (
                f"{name} talks to Azure deployments, and also calls "
                f"{', '.join(plan.uses.endpoints)}, which LLMBase does not serve: keep it for "
                f"those and send its chat requests through an OpenAI(base_url={ctx.base_url!r}, "
                f"api_key=os.environ[{ctx.api_key_env!r}]) client with LLMBase model IDs"
            )
        yield Report(setup.span, message, None if plan.uses.endpoints else plan.fix)
    for assignment in facts.module_assignments:
        value = assignment.value
        if (
            not facts.module_client_endpoint_only
            and assignment.attribute == "api_type"
            and value.kind is ValueKind.STRING
            and (value.text or "").lower() in AZURE_API_TYPES
        ):
            yield Report(
                assignment.span,
                f"openai.api_type = {value.text!r} selects Azure; LLMBase is reached through "
                f"base_url {ctx.base_url!r}",
            )


EXAMPLES = (
    Invalid(
        """
        try:
            from openai import AzureOpenAI
        except ImportError as error:
            raise SystemExit("pip install openai") from error
        client = AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_version="2024-06-01")
        """,
        title="an import guarded by try: reported without a fix",
        line=5,
        message="talks to Azure",
    ),
    Valid(
        """
        from openai import AzureOpenAI
        transcriber = AzureOpenAI(azure_endpoint=endpoint, api_version="2024-06-01")
        def transcribe(path):
            return transcriber.audio.transcriptions.create(model="whisper", file=open(path, "rb"))
        """,
        title="an Azure client used only for audio stays on Azure",
    ),
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
        fixed="""
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        """,
    ),
    Invalid(
        """
        import openai as oa
        client = oa.AsyncAzureOpenAI(azure_endpoint="https://acme.openai.azure.com")
        """,
        title="through a module alias",
        fixed="""
        import openai as oa
        import os

        client = oa.AsyncOpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import openai
        openai.api_type = "azure"
        """,
        title="the pre-1.0 switch",
    ),
    Invalid(
        """
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
        from openai import AsyncAzureOpenAI, OpenAI
        provider = get_bearer_token_provider(DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default")
        def make(timeout: float) -> AsyncAzureOpenAI:
            return AsyncAzureOpenAI(
                api_version="2024-06-01",
                azure_endpoint="https://acme.openai.azure.com",
                azure_deployment="gpt-4o",
                azure_ad_token_provider=provider,  # Entra ID
                timeout=timeout,
            )
        """,
        title="Entra ID auth: Azure-only options go, the others stay; the import stays while used",
        line=5,
        fixed="""
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
        from openai import AsyncOpenAI, AsyncAzureOpenAI, OpenAI
        import os

        provider = get_bearer_token_provider(DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default")
        def make(timeout: float) -> AsyncAzureOpenAI:
            return AsyncOpenAI(
                base_url="https://api.llmbase.ai/v1",
                timeout=timeout,
                api_key=os.environ["LLMBASE_API_KEY"],
            )
        """,
    ),
    Invalid(
        """
        from openai import AzureOpenAI
        def make(**azure_settings):
            return AzureOpenAI(**azure_settings)
        """,
        title="options in a ** dict: no fix",
        line=3,
    ),
    Invalid(
        """
        from openai import AzureOpenAI
        from langchain_openai import OpenAI
        client = AzureOpenAI(azure_endpoint="https://acme.openai.azure.com", api_key="k")
        llm = OpenAI()
        """,
        title="OpenAI is another class here: no fix",
        line=3,
    ),
)
