"""The migration plan of each client in a module, and the one fix that moves it.

A client is a destination, a credential and a set of uses; a migration moves them
together or not at all. LB101 (base URL), LB102 (key source), LB103 (hardcoded key)
and LB106 (Azure) report on one option each, but the fix of every such finding on
a client is that client's one fix, computed here once per client (and shared by
the findings it serves, so the fixer applies it once).

What a client is to the migration (its :class:`Verdict`) follows from where it
points (``_destination``) and what it is used for in its module:

- it already talks to LLMBase (``READY``): only its key may need fixing;
- it talks to OpenAI, a gateway or another OpenAI-compatible host (``MOVE``): the
  base URL and the key change together;
- it also serves endpoints LLMBase does not (``SPLIT``): it stays, and a second
  client for LLMBase takes its chat calls;
- it serves only such endpoints (``ENDPOINTS``), or points at a local server,
  another vendor's own API or a ``keep-hosts`` host (``STAYS``): it stays where it
  is, and nothing about it (requests included) is LLMBase's business;
- where it points cannot be known (``UNKNOWN``): nothing is moved.

A fix is **safe** only when (1) after it, every destination the client may send to,
paired with every key it may send, is either a pairing that was possible before or
LLMBase's key going to LLMBase: no key ever reaches a host it did not reach before,
and no other key reaches LLMBase; (2) every edit keeps what the code meant (a
literal rewritten where it is written, another vendor's variable swapped for
LLMBase's), none throws configuration away; and (3) every use of the client seen
in its module is one LLMBase serves (a client that also serves other endpoints is
not moved at all: it is ``SPLIT``). Uses outside the module (a client returned
from a factory) are not known here and do not count against a fix. Otherwise the
fix is unsafe and its ``reason`` says why. A key fix that would leave the client
pointing anywhere but LLMBase is never offered.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ChatCall,
    ClientKind,
    ClientSetup,
    ClientUses,
    Field,
    FieldOrigin,
    ModuleAssignment,
    ModuleFacts,
    OptionSite,
    Span,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.builders import (
    editable_literal,
    string_literal,
    with_keyword,
    without_arguments,
)
from llmbase_migrate.fixes.clients import (
    environ_read,
    from_imports_of,
    imported_name,
    references_name,
    secrets_in,
)
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix, ImportChange
from llmbase_migrate.rules._destination import (
    LLMBASE_KEY_LABEL,
    OPENAI_DEFAULT,
    STAYING,
    Credential,
    Endpoint,
    KeyKind,
    Place,
    credentials,
    destinations,
    names_llmbase,
)
from llmbase_migrate.rules._judge import (
    base_url_problem,
    is_agent_url,
    module_selects_azure,
    vendor_of,
)
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


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule reports about one option of a client: where, and the message."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class ClientPlan:
    """One client (a construction, a ``with_options`` call, or the module client).

    ``base_url`` and ``key`` are what LB101 and LB102 report (None: nothing);
    ``fix`` is the client's one fix, shared by every finding on it; ``moves_key``
    is True when that fix replaces the key the client sends (LB103 attaches it to a
    hardcoded key only then).
    """

    verdict: Verdict
    destinations: tuple[Endpoint, ...]
    credentials: tuple[Credential, ...]
    uses: ClientUses
    base_url: Problem | None = None
    key: Problem | None = None
    fix: Fix | None = None
    moves_key: bool = False
    # where the client points, for LB107 and messages ('localhost', 'openrouter.ai')
    where: str = ""
    # its destination is written out (a base URL, an Azure endpoint), not the SDK's
    # default that the environment may point anywhere
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class ModulePlans:
    clients: Mapping[cst.Call, ClientPlan]
    module_client: ClientPlan | None

    def of(self, setup: ClientSetup) -> ClientPlan | None:
        return self.clients.get(setup.node)

    def stays(self, constructions: frozenset[cst.Call]) -> bool:
        """Whether requests through a client built by any of ``constructions`` stay
        off LLMBase on purpose (so LLMBase's request rules do not apply to them)."""
        plans = [self.clients.get(node) for node in constructions]
        return bool(plans) and all(
            plan is not None and plan.verdict in (Verdict.STAYS, Verdict.ENDPOINTS)
            for plan in plans
        )

    def stays_with_endpoints(self, constructions: frozenset[cst.Call]) -> bool:
        """Whether an unsupported endpoint used through these clients is already where
        it should be: a client kept on another host, or one used only for such
        endpoints whose destination is written out (not the SDK's default, which the
        environment may point anywhere)."""
        plans = [self.clients.get(node) for node in constructions]
        return bool(plans) and all(
            plan is not None
            and (
                plan.verdict is Verdict.STAYS or (plan.verdict is Verdict.ENDPOINTS and plan.pinned)
            )
            for plan in plans
        )


# The plans of the last few modules: every rule asks for them, and a module's rules
# run one after another in one process.
_RECENT: list[tuple[ModuleFacts, RuleContext, ModulePlans]] = []
_RECENT_SIZE = 4


def module_plans(facts: ModuleFacts, ctx: RuleContext) -> ModulePlans:
    """The plan of every client of the module (computed once per module and context)."""
    for known_facts, known_ctx, plans in _RECENT:
        if known_facts is facts and known_ctx is ctx:
            return plans
    plans = _Planner(facts, ctx).plans()
    _RECENT.append((facts, ctx, plans))
    del _RECENT[:-_RECENT_SIZE]
    return plans


def call_stays(facts: ModuleFacts, ctx: RuleContext, call: ChatCall) -> bool:
    """A chat request through a client that stays off LLMBase on purpose."""
    return bool(call.clients) and module_plans(facts, ctx).stays(call.clients)


def migrating_calls(facts: ModuleFacts, ctx: RuleContext) -> Sequence[ChatCall]:
    """The chat requests LLMBase's request rules judge: all but those through
    clients that stay where they are."""
    if not any(call.clients for call in facts.chat_calls):
        return facts.chat_calls
    plans = module_plans(facts, ctx)
    return [call for call in facts.chat_calls if not plans.stays(call.clients)]


# --------------------------------------------------------------------------- planning


@dataclass(slots=True)
class _Draft:
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


class _Planner:
    def __init__(self, facts: ModuleFacts, ctx: RuleContext) -> None:
        self.facts = facts
        self.ctx = ctx
        self.source = facts.source

    def plans(self) -> ModulePlans:
        drafts: dict[cst.Call, _Draft] = {}
        for setup in self.facts.clients:
            if setup.site is OptionSite.CONSTRUCTOR:
                drafts[setup.node] = self._draft(setup, None)
        for setup in self.facts.clients:
            if setup.site is OptionSite.WITH_OPTIONS:
                parents = [drafts[node] for node in setup.parents if node in drafts]
                drafts[setup.node] = self._draft(setup, parents)
        module_draft = _module_client_draft(self.facts, self.ctx)
        every = [*drafts.values(), *([module_draft] if module_draft is not None else [])]
        fixed_bases = [d.base_field.value_node for d in every if d.change_base and d.base_field]
        fixed_keys = [d.key_field.value_node for d in every if d.change_key and d.key_field]
        plans = {node: self._plan(draft, fixed_bases, fixed_keys) for node, draft in drafts.items()}
        module_plan = (
            self._plan(module_draft, fixed_bases, fixed_keys) if module_draft is not None else None
        )
        return ModulePlans(plans, module_plan)

    # -- what a client is
    def _draft(self, setup: ClientSetup, parents: Sequence[_Draft] | None) -> _Draft:
        ctx = self.ctx
        arguments = setup.arguments
        base_field = arguments.named("base_url")
        key_field = arguments.named("api_key")
        uses = setup.uses
        if parents is not None:
            # ``client.with_options(...)``: what it does not set, it inherits.
            uses = _merged_uses([parent.uses for parent in parents])
            if base_field is not None:
                where = destinations(base_field.value, ctx.base_url, ctx.keep_hosts)
            elif parents:
                where = _union_endpoints(parent.destinations for parent in parents)
            else:
                where = (Endpoint(Place.UNKNOWN, "the client it derives from"),)
            if key_field is not None:
                keys = credentials(key_field.value, ctx.api_key_env)
            elif parents:
                keys = _union_credentials(parent.credentials for parent in parents)
            else:
                keys = (Credential(KeyKind.UNKNOWN, "the key of the client it derives from"),)
        else:
            complete = arguments.complete
            if base_field is None and not complete:
                where = (Endpoint(Place.UNKNOWN, "a ** dict"),)
            else:
                where = destinations(
                    base_field.value if base_field is not None else None,
                    ctx.base_url,
                    ctx.keep_hosts,
                )
            if key_field is None and not complete:
                keys = (Credential(KeyKind.UNKNOWN, "a ** dict (or $OPENAI_API_KEY)"),)
            else:
                keys = credentials(
                    key_field.value if key_field is not None else None, ctx.api_key_env
                )
        draft = _Draft(
            verdict=_verdict(setup.kind, where, uses),
            destinations=where,
            credentials=keys,
            uses=uses,
            base_field=base_field,
            key_field=key_field,
            setup=setup,
        )
        self._judge(draft, setup, inherited=parents is not None)
        return draft

    def _judge(self, draft: _Draft, setup: ClientSetup, *, inherited: bool) -> None:
        """Decide what is reported and what the fix changes."""
        ctx = self.ctx
        verdict = draft.verdict
        constructor = setup.site is OptionSite.CONSTRUCTOR and setup.arguments.complete
        name = setup.callee.rsplit(".", 1)[-1]
        base_field, key_field = draft.base_field, draft.key_field
        missing_key = (
            f"{name}() has no api_key, so it reads $OPENAI_API_KEY; pass "
            f"api_key=os.environ[{ctx.api_key_env!r}]"
        )
        if verdict in (Verdict.MOVE, Verdict.READY):
            if base_field is None:
                if verdict is Verdict.MOVE and constructor:
                    draft.base_problem = (
                        f"{name}() has no base_url, so it calls api.openai.com (or "
                        f"$OPENAI_BASE_URL); set base_url={ctx.base_url!r}"
                    )
                    draft.change_base = True
            elif verdict is Verdict.MOVE:
                draft.base_problem = base_url_problem(base_field.value, ctx) or (
                    f"base URL points at {draft.destinations[0].label}, not LLMBase's "
                    f"{ctx.base_url}"
                )
                draft.change_base = self._editable(setup, base_field)
            if key_field is None:
                if constructor:
                    draft.key_problem = missing_key
                    draft.change_key = True
            else:
                draft.key_problem = key_problem(draft, key_field.value, ctx)
                draft.change_key = self._editable(setup, key_field) and key_changes(draft)
        elif verdict is Verdict.UNKNOWN:
            problem = (
                missing_key
                if key_field is None and constructor
                else key_problem(draft, key_field.value, ctx)
                if key_field is not None
                else None
            )
            if problem is not None:
                draft.key_problem = (
                    f"{problem} once the client points at LLMBase (where it points is not "
                    "known here: make it LLMBase's first)"
                )
        elif verdict is Verdict.SPLIT:
            draft.base_problem = (
                f"this client also calls {', '.join(draft.uses.endpoints)}, which LLMBase does "
                "not serve: keep it where it is and send its chat requests through a second "
                f"client for LLMBase (base_url={ctx.base_url!r}, "
                f"api_key=os.environ[{ctx.api_key_env!r}])"
            )
        if (
            verdict is Verdict.UNKNOWN
            and key_field is not None
            and self._editable(setup, key_field)
            and _hardcoded_llmbase_key(draft)
        ):
            # Whatever it points at, an LLMBase key read from the environment goes
            # where the literal went: no new pairing.
            draft.change_key = True
        if inherited:
            # A derived client reports only what it sets itself.
            if base_field is None:
                draft.base_problem = None
                draft.change_base = False
            if key_field is None:
                draft.key_problem = None
                draft.change_key = False

    def _move_on_request(self, draft: _Draft, setup: ClientSetup, source: SourceMap) -> Fix | None:
        """LB107's fix: move a client that stays, base URL and key together. Always
        unsafe: the client was meant for the host it points at."""
        moved = _moved(draft, setup)
        if moved is None or moved.base_field is None or not self._editable(setup, moved.base_field):
            return None
        built = _ClientFix(
            source, self.ctx, moved, _CallRewrite(source, setup.node), (), ()
        ).build()
        if built is None:
            return None
        fix, _ = built
        reason = _stays_reason(draft)
        return dataclasses.replace(
            fix,
            applicability=Applicability.UNSAFE,
            message=f"move the client to LLMBase, with the key from ${self.ctx.api_key_env}",
            reason=f"{reason}; {fix.reason}" if fix.reason else reason,
        )

    def _editable(self, setup: ClientSetup, option: Field) -> bool:
        """Whether an option's value can be edited for this client alone: written at
        the call, not in a ``**`` dict defined away from it."""
        return option.origin is FieldOrigin.KEYWORD or (
            self.source is not None and self.source.contains(setup.node, option.value_node)
        )

    # -- the fix
    def _plan(
        self,
        draft: _Draft,
        fixed_bases: Sequence[cst.BaseExpression],
        fixed_keys: Sequence[cst.BaseExpression],
    ) -> ClientPlan:
        setup = draft.setup
        source = self.source
        fix: Fix | None = None
        moves_key = False
        if source is not None:
            if draft.verdict in _FIXED_IN_PLACE and (draft.change_base or draft.change_key):
                rewrite: _Rewrite
                if setup is not None:
                    rewrite = _CallRewrite(source, setup.node)
                else:
                    rewrite = _ModuleRewrite(source, draft)
                built = _ClientFix(
                    source, self.ctx, draft, rewrite, fixed_bases, fixed_keys
                ).build()
                if built is not None:
                    fix, moves_key = built
            elif draft.verdict is Verdict.SPLIT and setup is not None:
                fix = _SecondClient(source, self.ctx, self.facts, draft, setup).build()
            elif (
                draft.verdict is Verdict.AZURE
                and setup is not None
                and setup.site is OptionSite.CONSTRUCTOR
            ):
                fix = _azure_fix(source, setup, self.ctx)
                moves_key = fix is not None
            elif (
                draft.verdict is Verdict.STAYS
                and setup is not None
                and setup.site is OptionSite.CONSTRUCTOR
            ):
                fix = self._move_on_request(draft, setup, source)
        base_problem = draft.base_problem
        if base_problem is not None and draft.notes:
            base_problem += "; " + "; ".join(draft.notes)
        where_reported = setup.span if setup is not None else None
        base_span = draft.base_field.span if draft.base_field is not None else where_reported
        key_span = draft.key_field.span if draft.key_field is not None else where_reported
        if setup is None and draft.key_field is not None:
            base_span = base_span or draft.key_field.span
        return ClientPlan(
            verdict=draft.verdict,
            destinations=draft.destinations,
            credentials=draft.credentials,
            uses=draft.uses,
            base_url=Problem(base_span, base_problem) if base_problem and base_span else None,
            key=Problem(key_span, draft.key_problem) if draft.key_problem and key_span else None,
            fix=fix,
            moves_key=moves_key,
            where=draft.destinations[0].label,
            pinned=(setup is not None and setup.kind is ClientKind.AZURE)
            or draft.destinations[0] != OPENAI_DEFAULT,
        )


# Verdicts whose clients the plan fixes where they are (others stay, or get another
# client beside them).
_FIXED_IN_PLACE = frozenset({Verdict.MOVE, Verdict.READY, Verdict.UNKNOWN, Verdict.AGENT})


def _stays_reason(draft: _Draft) -> str:
    where = draft.destinations[0]
    intent = (
        where
        if where.place is not Place.UNKNOWN or len(draft.destinations) < 2
        else (draft.destinations[1])
    )
    return f"the client was meant for {intent.label} ({intent.place.value})"


def key_problem(draft: _Draft, value: Value, ctx: RuleContext) -> str | None:
    """Why the key value given to a client is wrong for LLMBase, or None."""
    wanted = f"os.environ[{ctx.api_key_env!r}]"
    (key, *_) = draft.credentials
    if _hardcoded(draft) is not None or key.kind in (
        KeyKind.CHAT_AGENT,
        KeyKind.LLMBASE,
        KeyKind.UNKNOWN,
    ):
        return None  # LB103's, LB104's, fine, or not known
    if value.kind is ValueKind.NONE:
        return f"api_key=None falls back to $OPENAI_API_KEY; use {wanted}"
    if key.kind is KeyKind.PLACEHOLDER:
        if draft.verdict is not Verdict.MOVE:
            return None  # a test double, or a proxy that adds the key
        return (
            f"api_key {value.text!r} is a placeholder; once the client calls LLMBase it "
            f"needs an inference key: use {wanted}"
        )
    vendor = vendor_of(value.env_var if value.kind is ValueKind.ENV else value.identifier)
    if value.kind is ValueKind.ENV:
        return (
            f"api_key is read from ${value.env_var}, another vendor's key ({vendor}) that "
            f"LLMBase rejects; use {wanted}"
        )
    return (
        f"api_key comes from {value.identifier}, another vendor's key ({vendor}) that "
        f"LLMBase rejects; use {wanted}"
    )


def key_changes(draft: _Draft) -> bool:
    """Whether the client's fix replaces the key it is given."""
    (key, *_) = draft.credentials
    hardcoded = _hardcoded(draft)
    if hardcoded is not None:
        return hardcoded.kind is not KeyKind.CHAT_AGENT
    if key.kind is KeyKind.PLACEHOLDER:
        return draft.verdict is Verdict.MOVE
    return key.kind is KeyKind.VENDOR


def _moved(draft: _Draft, setup: ClientSetup) -> _Draft | None:
    """A client that stays, as the migration target it becomes when a person asks for
    it to move (LB107's fix)."""
    base_field = draft.base_field
    if base_field is None:
        return None
    return _Draft(
        verdict=Verdict.MOVE,
        destinations=draft.destinations,
        credentials=draft.credentials,
        uses=draft.uses,
        base_field=base_field,
        key_field=draft.key_field,
        setup=setup,
        change_base=True,
    )


def _hardcoded(draft: _Draft) -> Credential | None:
    """The hardcoded key a client is given (as its value or an env read's default)."""
    return next((key for key in draft.credentials if key.hardcoded), None)


def _hardcoded_llmbase_key(draft: _Draft) -> bool:
    hardcoded = _hardcoded(draft)
    return hardcoded is not None and hardcoded.kind is KeyKind.LLMBASE


def _verdict(kind: ClientKind, where: tuple[Endpoint, ...], uses: ClientUses) -> Verdict:
    if kind is ClientKind.AZURE:
        return Verdict.ENDPOINTS if _endpoint_only(uses) else Verdict.AZURE
    intent = where[0]
    if intent.place is Place.UNKNOWN and len(where) > 1:
        intent = where[1]
    if intent.place is Place.AGENT_API:
        return Verdict.AGENT
    if intent.place in STAYING:
        return Verdict.STAYS
    if intent.place is Place.UNKNOWN:
        return Verdict.UNKNOWN
    if intent.place is Place.LLMBASE:
        # ``os.getenv("BASE_URL", "https://api.llmbase.ai/v1")`` is LLMBase unless
        # configured otherwise; an LLMBase variable falling back elsewhere is not.
        if all(endpoint.place in (Place.LLMBASE, Place.UNKNOWN) for endpoint in where):
            return Verdict.READY
        return Verdict.MOVE
    if _endpoint_only(uses):
        return Verdict.ENDPOINTS
    if uses.endpoints:
        return Verdict.SPLIT
    return Verdict.MOVE


def _endpoint_only(uses: ClientUses) -> bool:
    return uses.chat == 0 and bool(uses.endpoints)


def _merged_uses(uses: Sequence[ClientUses]) -> ClientUses:
    return ClientUses(
        chat=sum(use.chat for use in uses),
        endpoints=tuple(sorted({name for use in uses for name in use.endpoints})),
        escapes=any(use.escapes for use in uses),
    )


def _union_endpoints(groups: Iterable[tuple[Endpoint, ...]]) -> tuple[Endpoint, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _union_credentials(groups: Iterable[tuple[Credential, ...]]) -> tuple[Credential, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _module_client_draft(facts: ModuleFacts, ctx: RuleContext) -> _Draft | None:
    """The module client's draft, from its ``openai.<setting> = ...`` assignments.

    Only a module that configures the module client is judged: its base URL (or the
    pre-1.0 ``api_base``, which the fix renames) or its key is assigned here. A
    module that sets the key but not the base URL, and makes chat requests through
    the module client, is moved like a client built without ``base_url``.
    """
    if module_selects_azure(facts) or facts.module_client_endpoint_only:
        return None
    base: ModuleAssignment | None = None
    key: ModuleAssignment | None = None
    for assignment in facts.module_assignments:
        if assignment.attribute in ("base_url", "api_base"):
            base = assignment
        elif assignment.attribute == "api_key":
            key = assignment
    if base is None and key is None:
        return None
    uses = facts.module_uses
    base_field = _assignment_field(base) if base is not None else None
    key_field = _assignment_field(key) if key is not None else None
    if base_field is not None:
        where = destinations(base_field.value, ctx.base_url, ctx.keep_hosts)
    elif uses.chat:
        where = (OPENAI_DEFAULT,)
    else:
        where = (Endpoint(Place.UNKNOWN, "openai.base_url, set elsewhere"),)
    keys = (
        credentials(key_field.value, ctx.api_key_env)
        if key_field is not None
        else (Credential(KeyKind.UNKNOWN, "openai.api_key, set elsewhere"),)
    )
    draft = _Draft(
        verdict=_verdict(ClientKind.OPENAI, where, uses),
        destinations=where,
        credentials=keys,
        uses=uses,
        base_field=base_field,
        key_field=key_field,
    )
    slash = ctx.base_url.rstrip("/") + "/"
    if base is not None and base_field is not None:
        if base.attribute == "api_base":
            draft.base_problem = (
                "openai.api_base is the pre-1.0 setting, ignored by the 1.x SDK; write "
                f"openai.base_url = {slash!r}"
            )
        elif draft.verdict in (Verdict.MOVE, Verdict.READY, Verdict.AGENT):
            draft.base_problem = base_url_problem(base_field.value, ctx, module_client=True)
        if draft.base_problem is not None and draft.verdict in (
            Verdict.MOVE,
            Verdict.READY,
            Verdict.AGENT,
        ):
            draft.change_base = len(base.node.targets) == 1
    elif key is not None and draft.verdict is Verdict.MOVE:
        draft.base_problem = (
            "openai.api_key is set here but openai.base_url is not, so the module client "
            f"calls api.openai.com (or $OPENAI_BASE_URL); set openai.base_url = {slash!r}"
        )
        draft.change_base = len(key.node.targets) == 1
    if key is not None and key_field is not None:
        problem = key_problem(draft, key_field.value, ctx)
        if draft.verdict is Verdict.UNKNOWN and problem is not None:
            problem += (
                " once the module client points at LLMBase (openai.base_url is not set "
                "here: set it to LLMBase's first)"
            )
        draft.key_problem = problem
        draft.change_key = len(key.node.targets) == 1 and (
            (draft.verdict in (Verdict.MOVE, Verdict.READY) and key_changes(draft))
            or (draft.verdict is Verdict.UNKNOWN and _hardcoded_llmbase_key(draft))
        )
    return draft


def _assignment_field(assignment: ModuleAssignment) -> Field:
    """An ``openai.<setting> = value`` assignment, seen as an option of the module
    client (its span is the statement's, where findings are reported)."""
    return Field(
        name=assignment.attribute,
        span=assignment.span,
        origin=FieldOrigin.KEYWORD,
        node=assignment.node,
        value_node=assignment.value_node,
        value=assignment.value,
    )


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


# --------------------------------------------------------------------------- edits


class _Rewrite:
    """Changes to a client's options, turned into edits at the end."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.outer: list[Edit] = []

    def replace(self, node: cst.BaseExpression, code: str) -> bool:
        """Replace the expression ``node`` with ``code``; False when it cannot be."""
        try:
            cst.parse_expression(code)
        except cst.ParserSyntaxError:
            return False
        self.outer.append(self.source.replace_text(node, code))
        return True

    def add(self, option: str, code: str) -> bool:
        """Give the client an option it lacks; False when it cannot be."""
        raise NotImplementedError

    def edits(self) -> tuple[Edit, ...] | None:
        return tuple(sorted(set(self.outer)))


class _CallRewrite(_Rewrite):
    """Changes inside the constructor call become one edit of the call; changes
    elsewhere (a constant's definition) are edits of their own."""

    def __init__(self, source: SourceMap, call: cst.Call) -> None:
        super().__init__(source)
        self.call = call
        self.inner: dict[cst.CSTNode, cst.BaseExpression] = {}
        self.added: list[tuple[str, cst.BaseExpression]] = []

    def replace(self, node: cst.BaseExpression, code: str) -> bool:
        if not self.source.contains(self.call, node):
            return super().replace(node, code)
        try:
            self.inner[node] = cst.parse_expression(code)
        except cst.ParserSyntaxError:
            return False
        return True

    def add(self, option: str, code: str) -> bool:
        self.added.append((option, cst.parse_expression(code)))
        return True

    def edits(self) -> tuple[Edit, ...] | None:
        edits = list(self.outer)
        if self.inner or self.added:
            new_call = self.call.visit(_Swap(self.inner)) if self.inner else self.call
            assert isinstance(new_call, cst.Call)
            # base_url before api_key, as LLMBase's docs write them
            for keyword, value in sorted(self.added, key=lambda added: added[0] != "base_url"):
                new_call = with_keyword(new_call, keyword, value)
            edit = self.source.replace(self.call, new_call)
            if edit is None:
                return None
            edits.append(edit)
        return tuple(sorted(set(edits)))


class _ModuleRewrite(_Rewrite):
    """Changes to the module client's assignments. Its missing base URL is a new
    statement, ``openai.base_url = ...``, below the one that sets its key."""

    def __init__(self, source: SourceMap, draft: _Draft) -> None:
        super().__init__(source)
        self.draft = draft

    def add(self, option: str, code: str) -> bool:
        # below the assignment of the other setting (the key's, or the base URL's)
        other = self.draft.key_field if option == "base_url" else self.draft.base_field
        if other is None or not isinstance(other.node, cst.Assign):
            return False
        place = self.source.statement_of(other.node)
        target = other.node.targets[0].target
        if place is None or len(place.line.body) != 1 or not isinstance(target, cst.Attribute):
            return False
        module = self.source.module.code_for_node(target.value)
        edit = _line_after(self.source, place.line, f"{module}.{option} = {code}")
        self.outer.append(edit)
        return True


def _line_after(source: SourceMap, statement: cst.CSTNode, code: str) -> Edit:
    """An edit inserting the line ``code`` below ``statement``, indented like it and
    ending like its last line."""
    span = source.span(statement)
    first = source.line_text(span.line)
    leading = first[: len(first) - len(first.lstrip(" \t\x0c"))]
    # a form feed is a page break, not indentation: the new line does not repeat it
    indent = leading[leading.rfind("\x0c") + 1 :]
    last = source.line_text(span.end_line)
    newline = last[len(last.rstrip("\r\n")) :]
    if newline:
        return Edit(span.end_line + 1, 1, span.end_line + 1, 1, f"{indent}{code}{newline}")
    end = len(last) + 1
    ending = "\r\n" if "\r\n" in source.text else "\n"
    return Edit(span.end_line, end, span.end_line, end, f"{ending}{indent}{code}")


_NodeT = TypeVar("_NodeT", bound=cst.CSTNode)


class _Swap(cst.CSTTransformer):
    """Replace nodes by identity, keeping the parentheses of what they replace."""

    def __init__(self, swaps: Mapping[cst.CSTNode, cst.BaseExpression]) -> None:
        super().__init__()
        self.swaps = swaps

    def on_leave(
        self, original_node: _NodeT, updated_node: _NodeT
    ) -> _NodeT | cst.RemovalSentinel | cst.FlattenSentinel[_NodeT]:
        new: cst.CSTNode | None = self.swaps.get(original_node)
        if new is None:
            return updated_node
        if isinstance(original_node, cst.BaseExpression) and original_node.lpar:
            new = new.with_changes(lpar=original_node.lpar, rpar=original_node.rpar)
        # An expression slot takes any expression: the type is the slot's, not the node's.
        return cast(_NodeT, new)


class _ClientFix:
    """The fix that moves a ``MOVE`` client to LLMBase, or fixes what a ``READY``
    client has wrong, as one fix (see the module docs for when it is safe)."""

    def __init__(
        self,
        source: SourceMap,
        ctx: RuleContext,
        draft: _Draft,
        rewrite: _Rewrite,
        fixed_bases: Sequence[cst.BaseExpression],
        fixed_keys: Sequence[cst.BaseExpression],
    ) -> None:
        self.source = source
        self.ctx = ctx
        self.draft = draft
        self.rewrite = rewrite
        self.fixed_bases = fixed_bases
        self.fixed_keys = fixed_keys
        self.module_client = draft.setup is None
        self.reasons: list[str] = []
        self.imports: list[ImportChange] = []
        self.removed_imports: list[ImportChange] = []
        self.secrets: list[str] = []
        self.leftovers: list[str] = []
        anchor: cst.CSTNode | None = draft.setup.node if draft.setup is not None else None
        for option in (draft.key_field, draft.base_field):
            if anchor is None and option is not None:
                anchor = option.node
        assert anchor is not None
        self.line = source.span(anchor).line

    def build(self) -> tuple[Fix, bool] | None:
        draft = self.draft
        key_changed = draft.change_key and self._change_key()
        if (
            draft.verdict is Verdict.MOVE
            and draft.change_base
            and not key_changed
            and not all(key.kind is KeyKind.LLMBASE for key in draft.credentials)
        ):
            # A client moved to LLMBase sends LLMBase's key, whatever it sent before
            # (``get_key()``, ``$API_KEY``): no other key may follow it there.
            key_changed = self._change_key(forced=True)
            if not key_changed:
                labels = ", ".join(sorted({key.label for key in draft.credentials}))
                draft.notes.append(
                    f"its key ({labels}) must change with it, which no fix can do here"
                )
                return None
        after_keys: tuple[Credential, ...] = (
            (Credential(KeyKind.LLMBASE, LLMBASE_KEY_LABEL),) if key_changed else draft.credentials
        )
        after_where: tuple[Endpoint, ...] = draft.destinations
        if draft.change_base:
            changed = self._change_base(key_changed)
            if changed is None:
                return None
            after_where = changed
        elif draft.verdict is Verdict.MOVE:
            return None  # a client whose base URL cannot be edited keeps its key too
        if new_pairings((draft.destinations, draft.credentials), (after_where, after_keys)):
            # A key would reach a host it did not reach before: LLMBase's key somewhere
            # else, or another key at LLMBase. Never written, unsafe or not.
            return None
        edits = self.rewrite.edits()
        if not edits:
            return None
        return (
            Fix(
                Applicability.UNSAFE if self.reasons else Applicability.SAFE,
                self._message(key_changed),
                edits,
                add_imports=tuple(dict.fromkeys(self.imports)),
                remove_imports=tuple(dict.fromkeys(self.removed_imports)),
                secrets=tuple(text for text in dict.fromkeys(self.secrets) if text),
                reason="; ".join(dict.fromkeys(self.reasons)) or None,
                leftovers=tuple(dict.fromkeys(self.leftovers)),
            ),
            key_changed,
        )

    def _message(self, key_changed: bool) -> str:
        base = self.draft.base_field
        if self.module_client and base is not None and base.name == "api_base":
            return "write openai.base_url instead of openai.api_base"
        if self.draft.change_base and key_changed:
            return f"point the client at LLMBase, with the key from ${self.ctx.api_key_env}"
        if key_changed:
            return f"read the key from ${self.ctx.api_key_env}"
        return "set base_url to LLMBase"

    # -- the key
    def _change_key(self, *, forced: bool = False) -> bool:
        """Make the client send LLMBase's key. ``forced``: whatever key it sends, even
        one the tool cannot judge, because the client is moving to LLMBase."""
        read = environ_read(self.source, self.ctx.api_key_env, self.line)
        if read is None:
            return False
        draft = self.draft
        key_field = draft.key_field
        if key_field is None:
            setup = draft.setup
            if setup is not None and not setup.arguments.complete:
                return False  # a ``**`` dict may hold a key: a second one would raise
            if not self.rewrite.add("api_key", read.code):
                return False
            self.imports.extend(read.add_imports)
            return True
        if forced:
            if draft.setup is not None and not (
                key_field.origin is FieldOrigin.KEYWORD
                or self.source.contains(draft.setup.node, key_field.value_node)
            ):
                return False
            labels = ", ".join(
                sorted({key.label for key in draft.credentials if key.kind is not KeyKind.LLMBASE})
            )
            self.reasons.append(f"its key ({labels}) is replaced by ${self.ctx.api_key_env}")
            draft.notes.append(f"its key ({labels}) must change with it")
        if _hardcoded(self.draft) is not None:
            target = self._key_literal_target(key_field)
            if target is None:
                return False
            read = environ_read(self.source, self.ctx.api_key_env, self.source.span(target).line)
            if read is None or not self.rewrite.replace(target, read.code):
                return False
            self.secrets.extend(secrets_in(target))
            literal = key_field.value
            if literal.kind is ValueKind.ENV and literal.default is not None:
                literal = literal.default
            self.secrets.append(literal.text or "")
            self.reasons.append(
                f"it removes a hardcoded key: ${self.ctx.api_key_env} must be set, and the "
                "key rotated"
            )
        else:
            if not self.rewrite.replace(key_field.value_node, read.code):
                return False
            self.secrets.extend(secrets_in(key_field.value_node))
            self._note_leftover(key_field, self.fixed_keys)
        self.imports.extend(read.add_imports)
        return True

    def _key_literal_target(self, key_field: Field) -> cst.BaseExpression | None:
        """The expression to replace for a hardcoded key: the value at the call when
        the literal is written there, or a constant's whole value when every read of
        the constant is a key being fixed (replacing only the call would leave the
        key in the source)."""
        value = key_field.value
        literal = value.origin
        if value.kind is ValueKind.ENV and value.default is not None:
            literal = value.default.origin
        if not isinstance(literal, (cst.SimpleString, cst.ConcatenatedString)):
            return None  # an f-string of constants: the key is not in one place
        node = key_field.value_node
        if self.source.contains(node, literal):
            return node
        if not isinstance(node, cst.Name):
            return None
        target = self.source.binding_of(literal)
        if target is None or target.value != node.value:
            return None
        uses = self.source.uses_of(target)
        if uses is None or node not in uses:
            return None
        if not all(any(self.source.contains(key, use) for key in self.fixed_keys) for use in uses):
            return None
        return self.source.bound_value(target)

    # -- the base URL
    def _change_base(self, key_changed: bool) -> tuple[Endpoint, ...] | None:
        """Edit the base URL; return where the client may send requests after."""
        draft, ctx = self.draft, self.ctx
        wanted = _wanted(draft, ctx, module_client=self.module_client)
        literal_code = string_literal(wanted)
        llmbase = destinations(Value(ValueKind.STRING, text=wanted), ctx.base_url, ctx.keep_hosts)
        base_field = draft.base_field
        if base_field is None:
            return llmbase if self.rewrite.add("base_url", literal_code) else None
        if base_field.name == "api_base" and isinstance(base_field.node, cst.Assign):
            target = base_field.node.targets[0].target
            if not isinstance(target, cst.Attribute):
                return None
            self.rewrite.outer.append(self.source.replace_text(target.attr, "base_url"))
        value, node = base_field.value, base_field.value_node
        if value.kind is ValueKind.STRING:
            if value.text == wanted:
                return llmbase
            literal = editable_literal(self.source, node, value, fixed_nodes=self.fixed_bases)
            if literal is not None:
                if not self.rewrite.replace(literal, string_literal(wanted, literal)):
                    return None
                return llmbase
            if not self.rewrite.replace(node, string_literal(wanted, value.origin)):
                return None
            name = node.value if isinstance(node, cst.Name) else "its value"
            self.reasons.append(f"{name} is also read elsewhere, and the call no longer reads it")
            return llmbase
        if value.kind is ValueKind.NONE:
            if not self.rewrite.replace(node, literal_code):
                return None
            if not (isinstance(node, cst.Name) and node.value == "None"):
                self.reasons.append("the name holding None is no longer read")
            return llmbase
        named_llmbase = (
            value.kind is ValueKind.ENV
            and names_llmbase(value.env_var)
            and vendor_of(value.env_var) is None
        )
        default = value.default
        if named_llmbase and default is not None and base_field.name != "api_base":
            # Keep reading LLMBase's variable; what is wrong is its fallback.
            if default.kind is ValueKind.NONE and self._with_default(node, literal_code):
                return llmbase
            if default.kind is ValueKind.STRING:
                literal = editable_literal(self.source, node, value, fixed_nodes=self.fixed_bases)
                if literal is not None and self.rewrite.replace(
                    literal, string_literal(wanted, literal)
                ):
                    return llmbase
        generic = (value.kind is ValueKind.ENV and vendor_of(value.env_var) is None) or (
            value.kind is ValueKind.UNKNOWN and vendor_of(value.identifier) is None
        )
        if (
            generic
            and not named_llmbase
            and not key_changed
            and default is not None
            and default.kind is ValueKind.STRING
            and base_field.name != "api_base"
        ):
            # ``os.getenv("LLM_URL", "<elsewhere>")`` with a key that stays: only the
            # fallback changes, so no key reaches a host it did not reach before.
            checked = value if value.kind is ValueKind.ENV else default
            literal = editable_literal(self.source, node, checked, fixed_nodes=self.fixed_bases)
            if literal is not None and self.rewrite.replace(
                literal, string_literal(wanted, literal)
            ):
                return (draft.destinations[0], *llmbase)
        # Anything else is replaced by LLMBase's URL where it is written.
        if not self.rewrite.replace(node, literal_code):
            return None
        self.reasons.append(f"{draft.destinations[0].label} is no longer read")
        if references_name(node, "os"):
            self.removed_imports.append(ImportChange("os"))
        self._note_leftover(base_field, self.fixed_bases)
        return llmbase

    def _with_default(self, node: cst.BaseExpression, default: str) -> bool:
        """``os.getenv("X")`` (or ``os.environ.get("X")``, ``os.getenv("X", None)``)
        given ``default`` as its fallback."""
        if not isinstance(node, cst.Call) or not node.args or node.args[0].keyword is not None:
            return False
        if any(arg.star for arg in node.args):
            return False
        if len(node.args) == 1:
            first = node.args[0]
            new_call = node.with_changes(
                args=[
                    first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                    cst.Arg(cst.parse_expression(default), comma=first.comma),
                ]
            )
            return self.rewrite.replace(node, self.source.module.code_for_node(new_call))
        second = node.args[1]
        if (
            len(node.args) == 2
            and (second.keyword is None or second.keyword.value == "default")
            and isinstance(second.value, cst.Name)
            and second.value.value == "None"
        ):
            return self.rewrite.replace(second.value, default)
        return False

    def _note_leftover(self, option: Field, fixed: Sequence[cst.BaseExpression]) -> None:
        """A constant read only by values this fix (or its kin) replaces is left unused."""
        node = option.value_node
        if not isinstance(node, cst.Name) or len(option.value.via) < 2:
            return
        target = self.source.binding_of(option.value.via[1])
        if target is None or target.value != node.value:
            return
        uses = self.source.uses_of(target)
        if uses is not None and all(
            any(self.source.contains(holder, use) for holder in fixed) for use in uses
        ):
            self.leftovers.append(f"{target.value} (line {self.source.span(target).line})")


def _wanted(draft: _Draft, ctx: RuleContext, *, module_client: bool) -> str:
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
    return wanted.rstrip("/") + "/" if module_client else wanted


# --------------------------------------------------------------------------- a second client

_NEW_CLIENT_NAME = "llmbase_client"


class _SecondClient:
    """``SPLIT``: a client that also serves endpoints LLMBase does not stays; a new
    client for LLMBase is built below it (same constructor, same scope) and the chat
    requests made through it go through the new one. Always unsafe: requests change
    hosts, and the program needs ``$LLMBASE_API_KEY``."""

    def __init__(
        self,
        source: SourceMap,
        ctx: RuleContext,
        facts: ModuleFacts,
        draft: _Draft,
        setup: ClientSetup,
    ) -> None:
        self.source = source
        self.ctx = ctx
        self.facts = facts
        self.draft = draft
        self.setup = setup

    def build(self) -> Fix | None:
        setup = self.setup
        assignment, holder = setup.assignment, setup.assigned_to
        if setup.site is not OptionSite.CONSTRUCTOR or assignment is None or holder is None:
            return None
        place = self.source.statement_of(assignment)
        if place is None or len(place.line.body) != 1:
            return None
        calls = [call for call in self.facts.chat_calls if setup.node in call.clients]
        if not calls or any(call.clients != frozenset({setup.node}) for call in calls):
            return None
        new_name = self._free_name(holder)
        if new_name is None:
            return None
        edits: list[Edit] = []
        for call in calls:
            edit = self._reroute(call, holder, new_name)
            if edit is None:
                return None
            edits.append(edit)
        read = environ_read(self.source, self.ctx.api_key_env, self.source.span(place.line).line)
        if read is None:
            return None
        code = self.source.module.code_for_node
        target = new_name if isinstance(holder, cst.Name) else f"{code(holder.value)}.{new_name}"
        options = "".join(
            f", {arg.keyword.value}={code(arg.value)}"
            for arg in setup.node.args
            if arg.keyword is not None and arg.keyword.value in ("timeout", "max_retries")
        )
        edits.append(
            _line_after(
                self.source,
                place.line,
                f"{target} = {code(setup.node.func)}(base_url={string_literal(self.ctx.base_url)}, "
                f"api_key={read.code}{options})",
            )
        )
        return Fix(
            Applicability.UNSAFE,
            f"send the chat requests through a new client for LLMBase ({target})",
            tuple(sorted(edits)),
            add_imports=read.add_imports,
            reason=(
                "it adds a client and moves the chat requests to LLMBase; the other uses "
                f"({', '.join(self.draft.uses.endpoints)}) stay where they are"
            ),
        )

    def _free_name(self, holder: cst.Name | cst.Attribute) -> str | None:
        held = holder.value if isinstance(holder, cst.Name) else holder.attr.value
        for candidate in (_NEW_CLIENT_NAME, f"llmbase_{held.lstrip('_')}"):
            if candidate != held and not re.search(rf"\b{candidate}\b", self.source.text):
                return candidate
        return None

    def _reroute(
        self, call: ChatCall, holder: cst.Name | cst.Attribute, new_name: str
    ) -> Edit | None:
        """The edit that makes a chat request go through the new client: the holder
        written at the root of the request's path is renamed (None for any other
        path, such as ``completions = client.chat.completions``)."""
        node = call.node.func
        while isinstance(node, cst.Attribute):
            if isinstance(holder, cst.Attribute) and _same_self_attribute(node, holder):
                return self.source.replace_text(node.attr, new_name)
            node = node.value
        if isinstance(holder, cst.Name) and isinstance(node, cst.Name):
            return self.source.replace_text(node, new_name) if node.value == holder.value else None
        return None


def _same_self_attribute(node: cst.Attribute, holder: cst.Attribute) -> bool:
    return (
        isinstance(node.value, cst.Name)
        and isinstance(holder.value, cst.Name)
        and node.value.value == holder.value.value
        and node.attr.value == holder.attr.value
    )


# --------------------------------------------------------------------------- Azure

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
_AZURE_REPLACEMENTS = {"AzureOpenAI": "OpenAI", "AsyncAzureOpenAI": "AsyncOpenAI"}
_AZURE_MODULES = frozenset({"openai", "openai.lib.azure"})


def _azure_fix(source: SourceMap, setup: ClientSetup, ctx: RuleContext) -> Fix | None:
    """``AzureOpenAI(...)`` -> ``OpenAI(base_url=..., api_key=os.environ[...])``, the
    client moved as a unit (see LB106's docs)."""
    call = setup.node
    if any(arg.star for arg in call.args) or any(arg.keyword is None for arg in call.args):
        return None
    module, _, azure_name = setup.callee.rpartition(".")
    new_name = _AZURE_REPLACEMENTS.get(azure_name)
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
            # Imports are edited at module level only: an import in a ``try:``
            # (optional dependency) or a function would be moved out of it.
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
    new_call = _migrated_azure_arguments(call, ctx, read.code).with_changes(func=new_func)
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
        reason=(
            f"deployment names must become LLMBase model IDs, and ${ctx.api_key_env} must be set"
        ),
    )


def _migrated_azure_arguments(call: cst.Call, ctx: RuleContext, key_code: str) -> cst.Call:
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
