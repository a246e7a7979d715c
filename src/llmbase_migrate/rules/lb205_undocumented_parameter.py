"""An OpenAI-platform request field that LLMBase does not document.

``store``, ``metadata``, ``modalities``, ``audio``, ``prediction``,
``web_search_options``, ``verbosity``, ``safety_identifier``, ``moderation``,
``prompt_cache_retention``, ``prompt_cache_options``, and the deprecated
``functions``/``function_call`` (use ``tools``/``tool_choice``) are OpenAI features
outside LLMBase's documented chat surface: they may be rejected or silently
ignored. A warning, since their fate is not documented.

With a catalog that lists the model's ``supported_parameters``, that list is the
authority instead: every request field it does not name is reported (``user``,
``n``, ``parallel_tool_calls``, ``top_k`` on a model without it...), and the
fields above are reported only when it does not name them. ``model``,
``messages`` and ``stream`` are never reported this way (every chat model takes
them), nor fields other rules report (routing fields, ``service_tier``,
top-level ``cache_control``, bare thinking flags), nor the capability fields
LB302 judges (``reasoning_effort``; ``tools``, ``tool_choice``,
``response_format``, ``logprobs``, ``top_logprobs`` when the model's
``supported_features`` are listed). The model is the one LB302 judges: the ID the call sends (or its literal
default), or LB301's replacement for it. Calls whose model is not statically
known, not in the catalog, or whose entry lists no parameters fall back to the
list above.

Fix (unsafe): the bookkeeping fields of OpenAI's platform (``store``, ``metadata``,
``safety_identifier``, ``prompt_cache_retention``, ``prompt_cache_options``) are
removed when written as keywords or in an ``extra_body`` at the call; nothing on
LLMBase reads them. Fields that change the answer (``modalities``, ``audio``,
``prediction``, ``functions``...) are reported only: what to use instead is a
person's call. Fields reported from the catalog's list get no fix: the list says
what the model accepts, not what the field was for.

Fix safety: unsafe. The removed fields never change LLMBase's answer, but code
or dashboards on OpenAI's side may have relied on them (stored completions,
metadata filters); a person confirms nothing else reads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from llmbase_migrate.analysis.facts import ChatCall, ModuleFacts
from llmbase_migrate.fixes.edits import call_without_fields, remove_fields
from llmbase_migrate.rules._capabilities import (
    FEATURE_FIELDS,
    PARAMETER_FIELDS,
    THINKING_FLAGS,
    sent_model,
)
from llmbase_migrate.rules._client_plan import migrating_calls
from llmbase_migrate.rules._judge import request_fields, where
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
from llmbase_migrate.rules.lb201_vendor_routing_field import ROUTING_FIELDS
from llmbase_migrate.rules.lb301_unknown_model import replacement_for

RULE = RuleSpec(
    code="LB205",
    name="undocumented-parameter",
    summary="an OpenAI-platform request field LLMBase does not document",
    severity=Severity.WARNING,
    fix=Applicability.UNSAFE,
)

# Read only by OpenAI's platform (dashboards, retention, abuse tracking).
BOOKKEEPING_FIELDS = frozenset(
    {"store", "metadata", "safety_identifier", "prompt_cache_retention", "prompt_cache_options"}
)

UNDOCUMENTED_FIELDS = {
    "store": "",
    "metadata": "",
    "modalities": "",
    "audio": "",
    "prediction": "",
    "web_search_options": "",
    "verbosity": "",
    "safety_identifier": "",
    "moderation": "",
    "prompt_cache_retention": "",
    "prompt_cache_options": "",
    "functions": " (deprecated: use tools)",
    "function_call": " (deprecated: use tool_choice)",
}


# Fields of every chat request, which catalogs need not list as parameters.
ALWAYS_ACCEPTED = frozenset({"model", "messages", "stream"})

# Fields other rules report with a better message (and a fix): LB201's routing
# fields, LB202's service_tier, LB203's cache_control, and the bare thinking flags
# LB204 moves into chat_template_kwargs. Reporting them here too would be noise.
OWNED_ELSEWHERE = frozenset(ROUTING_FIELDS) | {"service_tier", "cache_control"} | THINKING_FLAGS


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in migrating_calls(facts, ctx):
        listed = _catalog_parameters(call, ctx)
        if listed is not None:
            yield from _outside(call, listed)
            continue
        fields = [field for field in request_fields(call) if field.name in UNDOCUMENTED_FIELDS]
        removable = [
            field
            for field in fields
            if field.name in BOOKKEEPING_FIELDS
            and call_without_fields(call.node, [field]) is not None
        ]
        shared = None
        if removable and facts.source is not None:
            edit = remove_fields(facts.source, call.node, removable)
            if edit is not None:
                names = ", ".join(sorted({field.name for field in removable}))
                shared = Fix(Applicability.UNSAFE, f"remove {names}", (edit,))
        for field in fields:
            yield Report(
                field.span,
                f"{where(field)} is an OpenAI-platform field LLMBase does not document"
                f"{UNDOCUMENTED_FIELDS[field.name]}; it may be rejected or ignored",
                shared if any(field is candidate for candidate in removable) else None,
            )


@dataclass(frozen=True, slots=True)
class _Listed:
    """The parameters the catalog lists for the model a call sends."""

    model: str
    parameters: frozenset[str]
    # "when $LLM_MODEL is unset, " for an environment default, else ""
    condition: str
    # LB302 judges FEATURE_FIELDS for this model (its supported_features are listed)
    features_known: bool


def _catalog_parameters(call: ChatCall, ctx: RuleContext) -> _Listed | None:
    """What the catalog lists for the call's model, when it is known. Pre-1.0 calls
    are left to the static list: they take SDK options (``api_key``,
    ``request_timeout``...) as keywords beside the body's fields."""
    if ctx.catalog is None or call.legacy:
        return None
    sent = sent_model(call)
    if sent is None:
        return None
    replacement = replacement_for(sent.model, ctx)
    model = replacement.model if replacement is not None else sent.model
    info = ctx.catalog.get(model)
    if info is None or info.parameters is None:
        return None
    return _Listed(model, info.parameters, sent.condition, info.features is not None)


def _outside(call: ChatCall, listed: _Listed) -> Iterator[Report]:
    for field in request_fields(call):
        if (
            field.name in ALWAYS_ACCEPTED
            or field.name in OWNED_ELSEWHERE
            or field.name in listed.parameters
            or field.name in PARAMETER_FIELDS
            or (listed.features_known and field.name in FEATURE_FIELDS)
        ):
            continue
        note = UNDOCUMENTED_FIELDS.get(field.name, "")
        yield Report(
            field.span,
            f"{listed.condition}{where(field)} is not among the supported_parameters "
            f'LLMBase\'s catalog lists for "{listed.model}"{note}; it may be rejected or ignored',
        )


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], tools=[], tool_choice="auto")
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], store=True, metadata={"a": "b"})
        """,
        count=2,
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[])
        """,
    ),
    Invalid(
        """
        import openai
        openai.chat.completions.create(model="m", messages=[], functions=[{"name": "f"}])
        """,
        title="the module client",
        message="deprecated: use tools",
    ),
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            stream=True,
            max_tokens=512,
            prompt_cache_key="support-bot",
            extra_body={"top_k": 40},
        )
        """,
        title="every field is among the catalog's supported_parameters for the model",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            user="user-1234",
            n=2,
            extra_body={"min_p": 0.05, "provider": {"order": ["x"]}},
        )
        """,
        title="fields outside the catalog's supported_parameters (provider is LB201's)",
        line=5,
        message=(
            "user= is not among the supported_parameters LLMBase's catalog lists for "
            '"deepseek/deepseek-v4-flash"'
        ),
        count=3,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="openai/gpt-oss-120b", messages=[], store=True)
        """,
        title="with the catalog's list, a bookkeeping field is reported from it, without a fix",
        message="store= is not among the supported_parameters",
    ),
)
