"""Judgements several rules share: what a base URL or key source means for LLMBase."""

from __future__ import annotations

import re
from collections.abc import Iterator

from llmbase_migrate.analysis import names
from llmbase_migrate.analysis.facts import (
    ChatCall,
    Field,
    FieldOrigin,
    ModuleFacts,
    Value,
    ValueKind,
)
from llmbase_migrate.rules.base import RuleContext
from llmbase_migrate.secrets import mask_url

# LLMBase's chat-subscription agent API: a client pointed here is meant for agent keys.
_AGENT_BASE_URLS = ("https://llmbase.ai/api/v1/agents", "https://llmbase.ai/api/chat-agent/v1")
AZURE_API_TYPES = frozenset({"azure", "azure_ad", "azuread"})
_IDENTIFIER_PARTS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def normalize_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


def is_agent_url(url: str) -> bool:
    return normalize_url(url) in {normalize_url(agent) for agent in _AGENT_BASE_URLS}


def vendor_of(identifier: str | None) -> str | None:
    """The vendor an identifier is named for (``OPENROUTER_API_KEY`` -> ``OPENROUTER``),
    or None for LLMBase-named and generic identifiers (``API_KEY``, ``LLM_BASE_URL``)."""
    if not identifier:
        return None
    parts = [part.upper() for part in _IDENTIFIER_PARTS.split(identifier) if part]
    if "LLMBASE" in parts:
        return None
    return next((part for part in parts if part in names.VENDOR_TOKENS), None)


def is_chat_agent_env(variable: str | None) -> bool:
    if not variable:
        return False
    upper = variable.upper()
    return "CHAT_AGENT" in upper or upper.startswith("LLMBASE_CHAT")


def base_url_problem(value: Value, ctx: RuleContext, *, module_client: bool = False) -> str | None:
    """Why a base URL value does not reach LLMBase, or None if it does (or cannot be
    known); a value written in another module says where."""
    problem = _base_url_problem(value, ctx, module_client=module_client)
    return problem + written_at(value) if problem is not None else None


def written_at(value: Value) -> str:
    """`` (set in config.py:3)`` for a value written in another module, else ``""``."""
    locations = {leaf.location for leaf in value.leaves() if leaf.location is not None}
    if value.location is not None:
        locations.add(value.location)
    if not locations:
        return ""
    return " (set in " + ", ".join(str(location) for location in sorted(locations)) + ")"


def _base_url_problem(value: Value, ctx: RuleContext, *, module_client: bool) -> str | None:
    expected = ctx.base_url
    if value.kind is ValueKind.EITHER:
        for alternative in value.alternatives:
            problem = _base_url_problem(alternative, ctx, module_client=module_client)
            if problem is not None:
                return f"in one case, the {problem}"
        return None
    if value.kind is ValueKind.STRING:
        text = value.text or ""
        if normalize_url(text) == normalize_url(expected) or is_agent_url(text):
            if module_client and not text.endswith("/"):
                return (
                    f"openai.base_url {text!r} lacks the trailing '/': the module client "
                    f"would request '{text}chat/completions'; write '{expected.rstrip('/')}/'"
                )
            return None
        return f"base URL is {mask_url(text)!r}, not LLMBase's {expected}"
    if value.kind is ValueKind.NONE:
        return f"base_url=None falls back to $OPENAI_BASE_URL or api.openai.com; use {expected}"
    if value.kind is ValueKind.ENV:
        variable = value.env_var
        if variable is None:
            return None
        vendor = vendor_of(variable)
        if vendor is not None:
            return (
                f"base URL is read from ${variable}, another vendor's setting ({vendor}); "
                f"use {expected} (or $LLMBASE_BASE_URL)"
            )
        if value.default is None:
            return None
        if value.default.kind is ValueKind.NONE:
            return (
                f"${variable} unset means base_url=None, which falls back to api.openai.com; "
                f"give it the default {expected!r}"
            )
        if value.default.kind is ValueKind.STRING:
            problem = _base_url_problem(value.default, ctx, module_client=module_client)
            if problem is not None:
                return f"when ${variable} is unset, the {problem}"
        return None
    if value.default is not None and value.default.kind is ValueKind.STRING:
        problem = _base_url_problem(value.default, ctx, module_client=module_client)
        if problem is not None:
            return f"when {value.identifier or 'the value'} is empty, the {problem}"
    vendor = vendor_of(value.identifier)
    if vendor is not None and _names_a_url(value.identifier or ""):
        return (
            f"base URL comes from {value.identifier}, another vendor's setting ({vendor}); "
            f"use {expected}"
        )
    return None


def _names_a_url(identifier: str) -> bool:
    upper = identifier.upper()
    return any(word in upper for word in ("URL", "BASE", "ENDPOINT", "HOST", "API_BASE"))


def request_fields(call: ChatCall) -> Iterator[Field]:
    """The fields of a chat request that travel in the JSON body."""
    for candidate in call.arguments.fields:
        if candidate.origin is not FieldOrigin.EXTRA_BODY and (
            candidate.name in names.REQUEST_OPTION_KEYWORDS
        ):
            continue
        yield candidate


def where(field: Field) -> str:
    """How a field was written, for messages."""
    if field.origin is FieldOrigin.EXTRA_BODY:
        return f'extra_body["{field.name}"]'
    if field.origin is FieldOrigin.SPLAT:
        return f'"{field.name}" in a ** dict'
    return f"{field.name}="


def module_selects_azure(facts: ModuleFacts) -> bool:
    """``openai.api_type = "azure"``: the module's ``openai.*`` settings are Azure's,
    reported once by LB106 rather than setting by setting."""
    return any(
        assignment.attribute == "api_type"
        and assignment.value.kind is ValueKind.STRING
        and (assignment.value.text or "").lower() in AZURE_API_TYPES
        for assignment in facts.module_assignments
    )
