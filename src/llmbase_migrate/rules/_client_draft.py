"""The parts of a client's migration plan that its fix is built from.

:class:`ClientDraft` is what ``_client_plan`` decides about one client before any
fix exists: its :class:`Verdict`, where it may send requests and which keys, and
which of its options the fix must change. ``_client_fixes`` turns a draft into
edits; :func:`new_pairings` is the one test every client fix passes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from llmbase_migrate.analysis.facts import ClientSetup, ClientUses, Field, ValueKind
from llmbase_migrate.rules._destination import Credential, Endpoint, KeyKind, Place
from llmbase_migrate.rules._judge import is_agent_url
from llmbase_migrate.rules.base import RuleContext


class Verdict(enum.Enum):
    READY = "ready"
    MOVE = "move"
    SPLIT = "split"
    ENDPOINTS = "endpoints"
    STAYS = "stays"
    AGENT = "agent"
    UNKNOWN = "unknown"
    AZURE = "azure"


@dataclass(slots=True)
class ClientDraft:
    """A client's plan before its fix is built."""

    verdict: Verdict
    destinations: tuple[Endpoint, ...]
    credentials: tuple[Credential, ...]
    uses: ClientUses
    base_field: Field | None
    key_field: Field | None
    # the construction (None: the module client)
    setup: ClientSetup | None = None
    base_problem: str | None = None
    key_problem: str | None = None
    change_base: bool = False
    change_key: bool = False
    # what the fix could not do safely, said in the base URL's message too
    notes: list[str] = field(default_factory=list)
    # the module client of a module still written for the 0.x SDK
    # (``openai.ChatCompletion.create``): ``openai.api_base`` is its setting
    pre_1_0: bool = False

    @property
    def renames_api_base(self) -> bool:
        """Whether the fix renames ``openai.api_base`` to the 1.x ``base_url``."""
        return (
            self.base_field is not None and self.base_field.name == "api_base" and not self.pre_1_0
        )


def hardcoded_key(draft: ClientDraft) -> Credential | None:
    """The hardcoded key a client is given (as its value or an env read's default)."""
    return next((key for key in draft.credentials if key.hardcoded), None)


# --------------------------------------------------------------------------- pairings


def _destination_token(endpoint: Endpoint) -> tuple[str, str]:
    if endpoint.place is Place.LLMBASE:
        return ("llmbase", "")
    if endpoint.place is Place.AGENT_API:
        return ("agent", "")
    return (endpoint.place.name, endpoint.label)


def _key_token(credential: Credential) -> tuple[str, str]:
    if credential.kind is KeyKind.LLMBASE:
        return ("llmbase", "")
    return (credential.kind.name, credential.label)


def new_pairings(
    before: tuple[Sequence[Endpoint], Sequence[Credential]],
    after: tuple[Sequence[Endpoint], Sequence[Credential]],
) -> set[tuple[tuple[str, str], tuple[str, str]]]:
    """The (destination, key) pairings possible after a fix that were not before,
    other than LLMBase's key going to LLMBase."""

    def pairs(
        where: Sequence[Endpoint], keys: Sequence[Credential]
    ) -> set[tuple[tuple[str, str], tuple[str, str]]]:
        return {
            (_destination_token(endpoint), _key_token(key)) for endpoint in where for key in keys
        }

    allowed = (("llmbase", ""), ("llmbase", ""))
    return {pair for pair in pairs(*after) - pairs(*before) if pair != allowed}


def wanted_base_url(draft: ClientDraft, ctx: RuleContext, *, module_client: bool) -> str:
    """The base URL a client's value must become: LLMBase's, or the agent URL its
    fallback names; with a trailing '/' on the module client, which joins paths
    without adding one."""
    wanted = ctx.base_url
    value = draft.base_field.value if draft.base_field is not None else None
    if value is not None:
        literal = value
        if value.kind is not ValueKind.STRING and value.default is not None:
            literal = value.default
        if literal.kind is ValueKind.STRING and is_agent_url(literal.text or ""):
            wanted = literal.text or ""
    # The 0.x SDK joins ``api_base`` and "/chat/completions" itself.
    return wanted.rstrip("/") + "/" if module_client and not draft.pre_1_0 else wanted
