"""A call to the pre-1.0 module API.

``openai.ChatCompletion.create(...)``, ``openai.Completion.create(...)``,
``openai.Embedding.create(...)`` and the other class-based calls were removed in
openai 1.0. Chat calls become ``client.chat.completions.create(...)`` (or the
module client's ``openai.chat.completions.create(...)``), and the response becomes
an object: ``response.choices[0].message.content`` instead of
``response["choices"][0]["message"]["content"]``, which remains yours to update.
Non-chat APIs also have no LLMBase endpoint (see LB401).

Fix (unsafe): ``openai.ChatCompletion.create(...)`` becomes
``openai.chat.completions.create(...)`` on the module client, through the alias
the module was imported as (``import openai as oa`` gives
``oa.chat.completions.create``). Unsafe because the response changes shape: code
reading it as a dict must be updated by hand. Reported without a fix:
``ChatCompletion.acreate`` (the module client is synchronous; an
``AsyncOpenAI`` client is needed); calls using pre-1.0-only keywords (``engine``,
``deployment_id``, ``api_key``, ``api_base``, ``api_type``, ``api_version``,
``organization``, ``request_timeout``, ``request_id``, ``headers``, and
``timeout``, which meant a retry deadline before 1.0), or a ``**`` dict that may
hold them; calls in a module configured for Azure (``openai.api_type =
"azure"``, see LB106); and the non-chat APIs, which LLMBase does not serve.

Fix safety: unsafe, as said above: the response object changes shape (attributes
instead of dict keys), so code reading it may break until it is updated.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from llmbase_migrate.analysis.facts import ChatCall, LegacyCall, ModuleFacts
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.rules._judge import module_selects_azure
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
    code="LB501",
    name="legacy-sdk-call",
    summary="a pre-1.0 module API call (openai.ChatCompletion.create, ...)",
    severity=Severity.ERROR,
    fix=Applicability.UNSAFE,
)

# Keywords pre-1.0 ``ChatCompletion.create`` consumed itself (not sent in the body);
# 1.x has no such argument, or one that means something else (``timeout``).
PRE_1_0_KEYWORDS = frozenset(
    {
        "engine",
        "deployment_id",
        "api_key",
        "api_base",
        "api_type",
        "api_version",
        "organization",
        "request_timeout",
        "request_id",
        "headers",
        "timeout",
    }
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    chat_calls = {id(call.node): call for call in facts.chat_calls if call.legacy}
    for call in facts.legacy_calls:
        name = f"openai.{call.api}.{call.method}"
        if call.api == "ChatCompletion":
            chat = chat_calls.get(id(call.node))
            fix = (
                _fix(facts.source, call, chat)
                if facts.source is not None and chat is not None and not module_selects_azure(facts)
                else None
            )
            yield Report(
                call.span,
                f"{name} was removed in openai 1.0; use client.chat.completions.create(...) "
                "and read the response as an object (response.choices[0].message.content)",
                fix,
            )
        else:
            yield Report(
                call.span,
                f"{name} was removed in openai 1.0, and LLMBase serves chat completions only",
            )


def _fix(source: SourceMap, call: LegacyCall, chat: ChatCall) -> Fix | None:
    """``<module>.ChatCompletion.create(...)`` -> ``<module>.chat.completions.create(...)``."""
    if call.method != "create" or not chat.arguments.complete:
        return None
    if any(field.name in PRE_1_0_KEYWORDS for field in chat.arguments.fields):
        return None
    func = call.node.func
    if not (
        isinstance(func, cst.Attribute)
        and func.attr.value == "create"
        and isinstance(func.value, cst.Attribute)
        and func.value.attr.value == "ChatCompletion"
    ):
        return None
    resource = func.value
    module = resource.value
    new_resource = resource.with_changes(
        value=cst.Attribute(value=module, attr=cst.Name("chat")), attr=cst.Name("completions")
    )
    edit = source.replace(resource, new_resource)
    if edit is None:
        return None
    return Fix(
        Applicability.UNSAFE,
        "call chat.completions.create on the openai 1.x module client; the response is an "
        'object now: update reads such as response["choices"][0]["message"]["content"] to '
        "response.choices[0].message.content yourself",
        (edit,),
    )


EXAMPLES = (
    Invalid(
        """
        from openai import ChatCompletion
        reply = ChatCompletion.create(model="gpt-4", messages=[])
        """,
        title="the API class imported by name: reported without a fix",
        line=2,
        message="removed in openai 1.0",
    ),
    Valid(
        """
        import openai
        reply = openai.chat.completions.create(model="m", messages=[])
        """,
    ),
    Invalid(
        """
        import openai
        reply = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])
        text = reply["choices"][0]["message"]["content"]
        """,
        title="the call is fixed; reading the response stays yours",
        line=2,
        message="removed in openai 1.0",
        fixed="""
        import openai
        reply = openai.chat.completions.create(model="gpt-3.5-turbo", messages=[])
        text = reply["choices"][0]["message"]["content"]
        """,
    ),
    Invalid(
        """
        import openai as oa
        def summarize(text):
            response = oa.ChatCompletion.create(
                model="gpt-3.5-turbo",
                messages=[{"role": "user", "content": text}],
                temperature=0,  # deterministic
            )
            return response.choices[0].message.content
        """,
        title="the module alias is kept",
        line=3,
        fixed="""
        import openai as oa
        def summarize(text):
            response = oa.chat.completions.create(
                model="gpt-3.5-turbo",
                messages=[{"role": "user", "content": text}],
                temperature=0,  # deterministic
            )
            return response.choices[0].message.content
        """,
    ),
    Invalid(
        """
        import openai
        openai.ChatCompletion.create(engine="gpt-35-turbo", messages=[], request_timeout=30)
        """,
        title="pre-1.0-only keywords: reported without a fix",
    ),
    Invalid(
        """
        import openai
        openai.api_type = "azure"
        openai.ChatCompletion.create(model="gpt-35-turbo", messages=[])
        """,
        title="a module configured for Azure: reported without a fix",
        line=3,
    ),
    Invalid(
        """
        import openai
        async def ask(prompt):
            return await openai.ChatCompletion.acreate(model="m", messages=[prompt])
        """,
        title="acreate needs an async client: reported without a fix",
        line=3,
    ),
    Invalid(
        """
        import openai
        async def embed(text):
            return await openai.Embedding.acreate(input=text, model="text-embedding-ada-002")
        """,
        title="a non-chat legacy call: reported without a fix (LLMBase has no such endpoint)",
        message="chat completions only",
    ),
)
