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
not moved at all: it is ``SPLIT``), and (4) it makes a chat request in its module
or never leaves it: a client that makes none and is returned by a factory or
passed to another call is used where this module cannot see, so its fix is unsafe
and names where it goes. A client with no use seen
whose holder or factory is named for an endpoint LLMBase does not serve
(``self.tts``, ``get_embedding_client()``) serves that endpoint: it stays.
Otherwise the fix is unsafe and its ``reason`` says why. A key fix that would leave the client
pointing anywhere but LLMBase is never offered.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

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
from llmbase_migrate.fixes.edit import Applicability, Fix
from llmbase_migrate.rules._client_draft import ClientDraft, Verdict, hardcoded_key
from llmbase_migrate.rules._client_fixes import (
    CallRewrite,
    ClientFix,
    ModuleRewrite,
    Rewrite,
    SecondClient,
    azure_fix,
)
from llmbase_migrate.rules._destination import (
    OPENAI_DEFAULT,
    STAYING,
    Credential,
    Endpoint,
    KeyKind,
    Place,
    credentials,
    destinations,
)
from llmbase_migrate.rules._judge import (
    base_url_problem,
    module_selects_azure,
    vendor_of,
    written_at,
)
from llmbase_migrate.rules._sources import reaches, source_places
from llmbase_migrate.rules.base import RuleContext


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule reports about one option of a client: where, and the message.
    ``elsewhere``: where the wrong value is written instead, when it is reached
    through names (the literals and environment reads it comes from in the module),
    each with its own message; one finding each."""

    span: Span
    message: str
    elsewhere: tuple[tuple[Span, str], ...] = ()

    @property
    def places(self) -> tuple[tuple[Span, str], ...]:
        return self.elsewhere or ((self.span, self.message),)


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
    # the same for options set again after construction (``client.base_url = ...``)
    later_base_urls: tuple[Problem, ...] = ()
    later_keys: tuple[Problem, ...] = ()
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


class _Planner:
    def __init__(self, facts: ModuleFacts, ctx: RuleContext) -> None:
        self.facts = facts
        self.ctx = ctx
        self.source = facts.source

    def plans(self) -> ModulePlans:
        drafts: dict[cst.Call, ClientDraft] = {}
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
    def _draft(self, setup: ClientSetup, parents: Sequence[ClientDraft] | None) -> ClientDraft:
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
        if setup.test_double:
            where = (Endpoint(Place.TEST, "a mock transport"),)
        for option in setup.reassigned:
            if option.name == "base_url":
                later = destinations(option.value, ctx.base_url, ctx.keep_hosts)
                where = _union_endpoints((where, later))
            else:
                keys = _union_credentials((keys, credentials(option.value, ctx.api_key_env)))
        uses = _with_named_endpoints(setup, uses)
        draft = ClientDraft(
            verdict=_verdict(setup.kind, where, uses),
            destinations=where,
            credentials=keys,
            uses=uses,
            base_field=base_field,
            key_field=key_field,
            setup=setup,
        )
        self._judge(draft, setup, inherited=parents is not None)
        if setup.reassigned:
            # A fix at the constructor alone would leave the later assignment to send
            # another key, or to another host: the client is not fixed here.
            lines = ", ".join(str(option.span.line) for option in setup.reassigned)
            draft.change_base = draft.change_key = False
            draft.notes.append(f"it is set again after construction (line {lines})")
        return draft

    def _judge(self, draft: ClientDraft, setup: ClientSetup, *, inherited: bool) -> None:
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

    def _move_on_request(
        self, draft: ClientDraft, setup: ClientSetup, source: SourceMap
    ) -> Fix | None:
        """LB107's fix: move a client that stays, base URL and key together. Always
        unsafe: the client was meant for the host it points at."""
        moved = _moved(draft, setup)
        if moved is None or moved.base_field is None or not self._editable(setup, moved.base_field):
            return None
        built = ClientFix(source, self.ctx, moved, CallRewrite(source, setup.node), (), ()).build()
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
        draft: ClientDraft,
        fixed_bases: Sequence[cst.BaseExpression],
        fixed_keys: Sequence[cst.BaseExpression],
    ) -> ClientPlan:
        setup = draft.setup
        source = self.source
        fix: Fix | None = None
        moves_key = False
        if source is not None:
            if draft.verdict in _FIXED_IN_PLACE and (draft.change_base or draft.change_key):
                rewrite: Rewrite
                if setup is not None:
                    rewrite = CallRewrite(source, setup.node)
                else:
                    rewrite = ModuleRewrite(source, draft)
                built = ClientFix(source, self.ctx, draft, rewrite, fixed_bases, fixed_keys).build()
                if built is not None:
                    fix, moves_key = built
            elif draft.verdict is Verdict.SPLIT and setup is not None:
                fix = SecondClient(source, self.ctx, self.facts, draft, setup).build()
            elif (
                draft.verdict is Verdict.AZURE
                and setup is not None
                and setup.site is OptionSite.CONSTRUCTOR
            ):
                fix = azure_fix(source, setup, self.ctx)
                moves_key = fix is not None
            elif (
                draft.verdict is Verdict.STAYS
                and setup is not None
                and setup.site is OptionSite.CONSTRUCTOR
            ):
                fix = self._move_on_request(draft, setup, source)
        where_reported = setup.span if setup is not None else None
        base_span = draft.base_field.span if draft.base_field is not None else where_reported
        key_span = draft.key_field.span if draft.key_field is not None else where_reported
        if setup is None and draft.key_field is not None:
            base_span = base_span or draft.key_field.span
        later_base_urls: list[Problem] = []
        later_keys: list[Problem] = []
        if setup is not None and draft.verdict in (Verdict.MOVE, Verdict.READY, Verdict.UNKNOWN):
            for option in setup.reassigned:
                if option.name == "base_url":
                    problem = base_url_problem(option.value, self.ctx)
                    if problem is not None:
                        later_base_urls.append(Problem(option.span, f"client.base_url: {problem}"))
                else:
                    later = key_problem(draft, option.value, self.ctx)
                    if later is not None:
                        later_keys.append(Problem(option.span, f"client.api_key: {later}"))
        return ClientPlan(
            later_base_urls=tuple(later_base_urls),
            later_keys=tuple(later_keys),
            verdict=draft.verdict,
            destinations=draft.destinations,
            credentials=draft.credentials,
            uses=draft.uses,
            base_url=self._problem(
                setup,
                draft.base_field,
                base_span,
                draft.base_problem,
                self._wrong_base,
                self._describe_base,
                draft.notes,
            ),
            key=self._problem(
                setup,
                draft.key_field,
                key_span,
                draft.key_problem,
                self._wrong_key,
                self._describe_key(draft),
                (),
            ),
            fix=fix,
            moves_key=moves_key,
            where=draft.destinations[0].label,
            pinned=(setup is not None and setup.kind is ClientKind.AZURE)
            or draft.destinations[0] != OPENAI_DEFAULT,
        )

    def _problem(
        self,
        setup: ClientSetup | None,
        option: Field | None,
        span: Span | None,
        message: str | None,
        wrong: Callable[[Value], bool],
        describe: Callable[[Value], str | None],
        notes: Sequence[str],
    ) -> Problem | None:
        """The finding on an option, reported where its wrong values are written
        (the fix may edit the call instead, when the value serves something else):
        each such source with what is wrong with it (``describe``), in one case of
        several when there are several."""
        if not message or span is None:
            return None
        suffix = "".join(f"; {note}" for note in notes)
        if option is None:
            return Problem(span, message + suffix)
        places = source_places(self.source, option.value, option.value_node, span, wrong)
        if places == ((span, None),):
            return Problem(span, message + suffix)
        what = (
            f"{setup.callee.rsplit('.', 1)[-1]}()" if setup is not None else f"openai.{option.name}"
        )
        # one source: the message about the whole value says best how it is reached
        several = len(places) > 1
        elsewhere = []
        for place, found in places:
            said = describe(found) if found is not None and several else None
            if said is None:
                said = message
            elif not said.startswith("in one case"):
                said = "in one case, " + said
            elsewhere.append((place, said + suffix + reaches((place,), span, what)))
        return Problem(span, message + suffix, tuple(elsewhere))

    def _describe_base(self, value: Value) -> str | None:
        return base_url_problem(value, self.ctx)

    def _describe_key(self, draft: ClientDraft) -> Callable[[Value], str | None]:
        def describe(value: Value) -> str | None:
            alone = dataclasses.replace(draft, credentials=credentials(value, self.ctx.api_key_env))
            return key_problem(alone, value, self.ctx)

        return describe

    def _wrong_base(self, value: Value) -> bool:
        found = destinations(value, self.ctx.base_url, self.ctx.keep_hosts)
        return any(endpoint.place not in (Place.LLMBASE, Place.UNKNOWN) for endpoint in found)

    def _wrong_key(self, value: Value) -> bool:
        found = credentials(value, self.ctx.api_key_env)
        return any(key.kind not in (KeyKind.LLMBASE, KeyKind.UNKNOWN) for key in found)


# Verdicts whose clients the plan fixes where they are (others stay, or get another
# client beside them).
_FIXED_IN_PLACE = frozenset({Verdict.MOVE, Verdict.READY, Verdict.UNKNOWN, Verdict.AGENT})


def _stays_reason(draft: ClientDraft) -> str:
    where = draft.destinations[0]
    intent = (
        where
        if where.place is not Place.UNKNOWN or len(draft.destinations) < 2
        else (draft.destinations[1])
    )
    return f"the client was meant for {intent.label} ({intent.place.value})"


def key_problem(draft: ClientDraft, value: Value, ctx: RuleContext) -> str | None:
    """Why the key value given to a client is wrong for LLMBase, or None."""
    wanted = f"os.environ[{ctx.api_key_env!r}]"
    if hardcoded_key(draft) is not None:
        return None  # LB103's
    where = written_at(value)
    vendor_keys = [key for key in draft.credentials if key.kind is KeyKind.VENDOR]
    if vendor_keys and len(draft.credentials) == 1 and value.kind is not ValueKind.EITHER:
        if value.kind is ValueKind.NONE:
            return f"api_key=None falls back to $OPENAI_API_KEY; use {wanted}"
        vendor = vendor_of(value.env_var if value.kind is ValueKind.ENV else value.identifier)
        if value.kind is ValueKind.ENV:
            return (
                f"api_key is read from ${value.env_var}{where}, another vendor's key "
                f"({vendor}) that LLMBase rejects; use {wanted}"
            )
        return (
            f"api_key comes from {value.identifier}{where}, another vendor's key ({vendor}) "
            f"that LLMBase rejects; use {wanted}"
        )
    if vendor_keys:
        labels = ", ".join(key.label for key in vendor_keys)
        return (
            f"api_key may come from {labels}{where}, another vendor's key that LLMBase "
            f"rejects; use {wanted}"
        )
    (key, *_) = draft.credentials
    if key.kind is KeyKind.PLACEHOLDER and draft.verdict is Verdict.MOVE:
        return (
            f"api_key {value.text!r}{where} is a placeholder; once the client calls LLMBase it "
            f"needs an inference key: use {wanted}"
        )
    return None  # fine, LB104's, not known, or a placeholder on a test double


def key_changes(draft: ClientDraft) -> bool:
    """Whether the client's fix replaces the key it is given."""
    (key, *_) = draft.credentials
    hardcoded = hardcoded_key(draft)
    if hardcoded is not None:
        return hardcoded.kind is not KeyKind.CHAT_AGENT
    if key.kind is KeyKind.PLACEHOLDER:
        return draft.verdict is Verdict.MOVE
    return any(candidate.kind is KeyKind.VENDOR for candidate in draft.credentials)


def _moved(draft: ClientDraft, setup: ClientSetup) -> ClientDraft | None:
    """A client that stays, as the migration target it becomes when a person asks for
    it to move (LB107's fix)."""
    base_field = draft.base_field
    if base_field is None:
        return None
    return ClientDraft(
        verdict=Verdict.MOVE,
        destinations=draft.destinations,
        credentials=draft.credentials,
        uses=draft.uses,
        base_field=base_field,
        key_field=draft.key_field,
        setup=setup,
        change_base=True,
    )


def _hardcoded_llmbase_key(draft: ClientDraft) -> bool:
    hardcoded = hardcoded_key(draft)
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


# Words of a holder's or factory's name that say what a client is for, by the
# resource LLMBase does not serve that they name (``self.embedder``,
# ``get_tts_client()``, ``passed to OpenAIEmbeddings()``). Words chat clients are
# often named by ("assistant", "voice", "batch") are left out.
_ENDPOINT_WORDS = (
    ("embed", "embeddings"),
    ("tts", "audio"),
    ("stt", "audio"),
    ("speech", "audio"),
    ("transcri", "audio"),
    ("whisper", "audio"),
    ("audio", "audio"),
    ("image", "images"),
    ("dall", "images"),
    ("respons", "responses"),
    ("moderat", "moderations"),
    ("realtime", "realtime"),
    ("finetun", "fine_tuning"),
)
_NAME_WORDS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")


def _with_named_endpoints(setup: ClientSetup, uses: ClientUses) -> ClientUses:
    """A client with no use seen in its module whose holder, factory or receiver is
    named for an endpoint LLMBase does not serve is taken to serve that endpoint:
    ``self.tts = OpenAI()`` stays where it is."""
    if uses.chat or uses.endpoints:
        return uses
    names = [way.rsplit(" ", 1)[-1].rstrip("()") for way in uses.escapes]
    holder = setup.assigned_to
    if isinstance(holder, cst.Name):
        names.append(holder.value)
    elif isinstance(holder, cst.Attribute):
        names.append(holder.attr.value)
    found = []
    for name in names:
        words = [word.lower() for word in _NAME_WORDS.split(name.rsplit(".", 1)[-1]) if word]
        # ``fine_tune``: a stem may span two words
        words += [first + second for first, second in itertools.pairwise(words)]
        found += [
            resource
            for stem, resource in _ENDPOINT_WORDS
            if any(word.startswith(stem) for word in words)
        ]
    if not found:
        return uses
    return dataclasses.replace(uses, endpoints=tuple(sorted(set(found))))


def _endpoint_only(uses: ClientUses) -> bool:
    return uses.chat == 0 and bool(uses.endpoints)


def _merged_uses(uses: Sequence[ClientUses]) -> ClientUses:
    return ClientUses(
        chat=sum(use.chat for use in uses),
        endpoints=tuple(sorted({name for use in uses for name in use.endpoints})),
        escapes=tuple(dict.fromkeys(way for use in uses for way in use.escapes)),
    )


def _union_endpoints(groups: Iterable[tuple[Endpoint, ...]]) -> tuple[Endpoint, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _union_credentials(groups: Iterable[tuple[Credential, ...]]) -> tuple[Credential, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _module_client_draft(facts: ModuleFacts, ctx: RuleContext) -> ClientDraft | None:
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
    draft = ClientDraft(
        verdict=_verdict(ClientKind.OPENAI, where, uses),
        destinations=where,
        credentials=keys,
        uses=uses,
        base_field=base_field,
        key_field=key_field,
        pre_1_0=bool(facts.legacy_calls),
    )
    slash = ctx.base_url.rstrip("/") + "/"
    if base is not None and base_field is not None:
        if draft.renames_api_base:
            draft.base_problem = (
                "openai.api_base is the pre-1.0 setting, ignored by the 1.x SDK; write "
                f"openai.base_url = {slash!r}"
            )
        elif draft.verdict in (Verdict.MOVE, Verdict.READY, Verdict.AGENT):
            draft.base_problem = base_url_problem(
                base_field.value, ctx, module_client=not draft.pre_1_0
            )
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
