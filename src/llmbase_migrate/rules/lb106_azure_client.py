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
configuration may be spread over several modules.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ClientKind,
    ClientSetup,
    ModuleFacts,
    OptionSite,
    ValueKind,
)
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.builders import string_literal, with_keyword, without_arguments
from llmbase_migrate.fixes.clients import (
    environ_read,
    from_imports_of,
    imported_name,
    secrets_in,
)
from llmbase_migrate.rules._judge import AZURE_API_TYPES
from llmbase_migrate.rules.base import (
    Applicability,
    Fix,
    ImportChange,
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

# AzureOpenAI's own options, which OpenAI() does not take.
AZURE_ONLY_OPTIONS = frozenset(
    {
        "azure_endpoint",
        "api_version",
        "azure_deployment",
        "azure_ad_token",
        "azure_ad_token_provider",
    }
)
_REPLACEMENTS = {"AzureOpenAI": "OpenAI", "AsyncAzureOpenAI": "AsyncOpenAI"}
_AZURE_MODULES = frozenset({"openai", "openai.lib.azure"})


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for setup in facts.clients:
        if (
            setup.kind is ClientKind.AZURE
            and setup.site is OptionSite.CONSTRUCTOR
            and not setup.endpoint_only
        ):
            name = setup.callee.rsplit(".", 1)[-1]
            yield Report(
                setup.span,
                f"{name} talks to Azure deployments; use OpenAI(base_url={ctx.base_url!r}, "
                f"api_key=os.environ[{ctx.api_key_env!r}]) and LLMBase model IDs",
                _fix(facts.source, setup, ctx) if facts.source is not None else None,
            )
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


def _fix(source: SourceMap, setup: ClientSetup, ctx: RuleContext) -> Fix | None:
    call = setup.node
    if any(arg.star for arg in call.args) or any(arg.keyword is None for arg in call.args):
        return None
    module, _, azure_name = setup.callee.rpartition(".")
    new_name = _REPLACEMENTS.get(azure_name)
    if new_name is None or module not in _AZURE_MODULES:
        return None
    line = source.span(call).line
    read = environ_read(source, ctx.api_key_env, line)
    if read is None:
        return None
    add_imports = list(read.add_imports)
    remove_imports: list[ImportChange] = []
    func = call.func
    if isinstance(func, cst.Name):
        if func.value != azure_name:
            return None  # imported under another name
        imports = from_imports_of(source, azure_name)
        needs_import = imported_name(source, new_name, "openai", line)
        if (
            imports is None
            or needs_import is None
            or any(binding.module not in _AZURE_MODULES for binding in imports)
            # LibCST's import visitors edit module-level imports only: an import in a
            # ``try:`` (optional dependency) or a function would be moved out of it.
            or any(binding.top_level_line is None for binding in imports)
        ):
            return None
        if needs_import:
            add_imports.append(ImportChange("openai", new_name))
        remove_imports.extend(
            ImportChange(binding.module, azure_name)
            for binding in imports
            if binding.module is not None
        )
        new_func: cst.BaseExpression = func.with_changes(value=new_name)
    elif isinstance(func, cst.Attribute) and module == "openai" and func.attr.value == azure_name:
        new_func = func.with_changes(attr=func.attr.with_changes(value=new_name))
    else:
        return None
    new_call = _migrated_arguments(call, ctx, read.code).with_changes(func=new_func)
    edit = source.replace(call, new_call)
    if edit is None:
        return None
    return Fix(
        Applicability.UNSAFE,
        f"replace {azure_name} with {new_name} on LLMBase",
        (edit,),
        add_imports=tuple(add_imports),
        remove_imports=tuple(remove_imports),
        secrets=secrets_in(call),
    )


def _migrated_arguments(call: cst.Call, ctx: RuleContext, key_code: str) -> cst.Call:
    """``call``'s keywords for ``OpenAI()``: ``base_url`` where ``azure_endpoint`` (or
    ``base_url``) was, the key replaced, Azure-only options dropped."""
    base_url = cst.SimpleString(string_literal(ctx.base_url))
    api_key = cst.parse_expression(key_code)
    keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
    args: list[cst.Arg] = []
    drop: list[cst.Arg] = []
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == "base_url" or (keyword == "azure_endpoint" and "base_url" not in keywords):
            arg = arg.with_changes(keyword=cst.Name("base_url"), value=base_url)
        elif keyword == "api_key":
            arg = arg.with_changes(value=api_key)
        elif keyword in AZURE_ONLY_OPTIONS:
            drop.append(arg)
        args.append(arg)
    new_call = without_arguments(call.with_changes(args=args), drop)
    new_keywords = {arg.keyword.value for arg in new_call.args if arg.keyword is not None}
    if "base_url" not in new_keywords:
        new_call = with_keyword(new_call, "base_url", base_url)
    if "api_key" not in new_keywords:
        new_call = with_keyword(new_call, "api_key", api_key)
    return new_call


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
