"""The facts one traversal of a module gathers; rules read these and nothing else.

Facts keep a reference to the LibCST node they describe (fixes edit those nodes),
so they live only inside the process that parsed the file. What leaves that
process are findings, which hold plain spans.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from llmbase_migrate.analysis.source_map import SourceMap


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A source range: 1-based lines and columns, the end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class ValueKind(enum.Enum):
    STRING = "string"
    ENV = "env"
    NONE = "none"
    UNKNOWN = "unknown"
    # one of several values, depending on a condition (``a if c else b``, a name
    # assigned in two branches): ``alternatives`` holds them
    EITHER = "either"


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """Where a value was written in another module of the project: its path as shown
    (relative to the working directory), and its span there (1-based, end column
    exclusive)."""

    path: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    # the absolute path, to match the files of a run
    file: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.end_line or self.line, self.end_column or 1)


@dataclass(frozen=True, slots=True)
class Value:
    """What an expression evaluates to, as far as static analysis can tell.

    ``STRING``: ``text`` holds the literal. ``ENV``: an environment read of ``env_var``
    (None when the variable name itself is not static); ``default`` is what the read
    falls back to (None when it raises on a missing variable, ``Value.none()`` when it
    returns None). ``UNKNOWN``: ``identifier`` is the most telling name in the
    expression (``settings.OPENAI_API_KEY`` gives ``OPENAI_API_KEY``), if any, and
    ``default`` what an ``or`` falls back to. ``EITHER``: one of ``alternatives``.
    """

    kind: ValueKind
    text: str | None = None
    env_var: str | None = None
    default: Value | None = None
    identifier: str | None = None
    # The literal node when the value is a string literal reached through names
    # (a module constant); fixes edit the constant only when it is safe.
    origin: cst.CSTNode | None = field(default=None, compare=False)
    # The nodes resolution went through from the expression to the literal (names,
    # parameters, ``self.<attr>``): a constant read only along such paths may be
    # edited for the expression's sake.
    via: tuple[cst.CSTNode, ...] = field(default=(), compare=False)
    # For ``EITHER``: the values it may be.
    alternatives: tuple[Value, ...] = ()
    # Written in another module of the project (``from .config import MODEL``): where.
    location: SourceLocation | None = field(default=None, compare=False)
    # A parameter's default (named here): callers not seen may pass something else.
    parameter: str | None = field(default=None, compare=False)
    # The expression in this module the value was read from at its source: the
    # literal, or the environment read (``os.getenv("X", "d")``); findings about a
    # value reached through names are reported there.
    written: cst.CSTNode | None = field(default=None, compare=False)

    def leaves(self) -> tuple[Value, ...]:
        """The values this one may be: its alternatives (flattened), or itself."""
        if self.kind is not ValueKind.EITHER:
            return (self,)
        return tuple(leaf for alternative in self.alternatives for leaf in alternative.leaves())

    @staticmethod
    def none() -> Value:
        return Value(ValueKind.NONE)

    @staticmethod
    def unknown(identifier: str | None = None) -> Value:
        return Value(ValueKind.UNKNOWN, identifier=identifier)


class FieldOrigin(enum.Enum):
    """Where a request field or client option was written."""

    KEYWORD = "keyword"
    EXTRA_BODY = "extra_body"
    SPLAT = "splat"


@dataclass(frozen=True, slots=True)
class Field:
    """One named argument of a call, however it was spelled.

    ``node`` is the ``cst.Arg`` for keywords, or the dict key / ``dict()`` keyword for
    entries of ``extra_body`` and ``**`` dicts. For an ``extra_body`` entry written at
    the call, ``element`` is its ``cst.DictElement`` (or ``dict()`` ``cst.Arg``) and
    ``container`` the ``cst.Dict`` (or ``dict()`` call) holding it; fixes edit those.
    """

    name: str
    span: Span
    origin: FieldOrigin
    node: cst.CSTNode
    value_node: cst.BaseExpression
    value: Value
    element: cst.CSTNode | None = field(default=None, compare=False)
    container: cst.BaseExpression | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Arguments:
    """The named arguments of a call; ``complete`` is False when a ``**`` splat or an
    ``extra_body`` could not be read, so absent fields cannot be proven absent."""

    fields: tuple[Field, ...]
    complete: bool
    extra_body_complete: bool = True

    def named(self, name: str) -> Field | None:
        for candidate in self.fields:
            if candidate.name == name and candidate.origin is not FieldOrigin.EXTRA_BODY:
                return candidate
        return None


class ClientKind(enum.Enum):
    OPENAI = "openai"
    AZURE = "azure"


class OptionSite(enum.Enum):
    CONSTRUCTOR = "constructor"
    WITH_OPTIONS = "with_options"


@dataclass(frozen=True, slots=True)
class ClientUses:
    """What a client is seen used for in its module.

    ``chat``: chat-completions requests made through it; ``endpoints``: the resources
    LLMBase does not serve that it reaches (``embeddings``, ``audio``...);
    ``escapes``: how it leaves this module's sight ("returned by make_client()",
    "passed to Agent()", "importable as client"), so it may have uses not counted.
    """

    chat: int = 0
    endpoints: tuple[str, ...] = ()
    escapes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClientSetup:
    """A client construction (``OpenAI(...)``) or a ``client.with_options(...)`` call."""

    node: cst.Call
    span: Span
    kind: ClientKind
    site: OptionSite
    callee: str
    arguments: Arguments
    uses: ClientUses = ClientUses()
    # For ``with_options``: the constructions the derived client may come from.
    parents: frozenset[cst.Call] = field(default=frozenset(), compare=False)
    # ``client = OpenAI(...)`` / ``self.client = OpenAI(...)`` (one target): the
    # statement and its target, for fixes that add a client beside this one.
    assignment: cst.Assign | None = field(default=None, compare=False)
    assigned_to: cst.Name | cst.Attribute | None = field(default=None, compare=False)
    # its HTTP client answers in-process (``httpx.MockTransport``, also through names)
    test_double: bool = False
    # ``client.base_url = ...`` / ``client.api_key = ...`` after construction
    reassigned: tuple[Field, ...] = field(default=(), compare=False)

    @property
    def endpoint_only(self) -> bool:
        """Every use seen is an endpoint LLMBase does not serve (a TTS or image
        client): it stays where it is, so its setup is not LLMBase's business."""
        return self.uses.chat == 0 and bool(self.uses.endpoints)


@dataclass(frozen=True, slots=True)
class ModuleAssignment:
    """``openai.<attribute> = value``: configuration of the SDK's module-level client."""

    node: cst.Assign
    span: Span
    target_span: Span
    attribute: str
    value_node: cst.BaseExpression
    value: Value


class Receiver(enum.Enum):
    """What a call on the SDK was made through."""

    CLIENT = "client"
    MODULE = "module"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True, slots=True)
class ChatCall:
    """A chat-completions request: ``<client>.chat.completions.create(...)`` and kin,
    or a pre-1.0 ``openai.ChatCompletion.create(...)`` (``legacy``)."""

    node: cst.Call
    span: Span
    method: str
    receiver: Receiver
    legacy: bool
    arguments: Arguments
    # The constructions the client it goes through may come from (empty: not known).
    clients: frozenset[cst.Call] = field(default=frozenset(), compare=False)


@dataclass(frozen=True, slots=True)
class EndpointUse:
    """Use of an API resource (``embeddings``, ``beta.assistants``...) on a client."""

    resource: str
    span: Span
    receiver: Receiver
    clients: frozenset[cst.Call] = field(default=frozenset(), compare=False)


@dataclass(frozen=True, slots=True)
class LegacyCall:
    """A pre-1.0 module API call such as ``openai.Embedding.create(...)``."""

    node: cst.Call
    span: Span
    api: str
    method: str


@dataclass(frozen=True, slots=True)
class HeaderSecret:
    """An ``Authorization`` header written as a literal in default/extra headers."""

    span: Span
    value: str


@dataclass(frozen=True, slots=True)
class ParseFailure:
    message: str
    span: Span


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything rules may look at for one module."""

    imports_openai: bool = False
    # what the module client (``openai.*``) is used for here
    module_uses: ClientUses = ClientUses()
    clients: tuple[ClientSetup, ...] = ()
    module_assignments: tuple[ModuleAssignment, ...] = ()
    chat_calls: tuple[ChatCall, ...] = ()
    endpoint_uses: tuple[EndpointUse, ...] = ()
    legacy_calls: tuple[LegacyCall, ...] = ()
    header_secrets: tuple[HeaderSecret, ...] = ()
    parse_failure: ParseFailure | None = None
    # line -> codes suppressed by "# noqa: ..." on it; an empty set means bare "# noqa"
    noqa: Mapping[int, frozenset[str]] = field(default_factory=dict)
    # positions and rendering, for rules that build fixes (None when nothing was resolved)
    source: SourceMap | None = field(default=None, compare=False)

    @property
    def module_client_endpoint_only(self) -> bool:
        """The module client is used here only for endpoints LLMBase does not serve
        (``openai.Audio``, ``openai.images``...), never for chat."""
        return self.module_uses.chat == 0 and bool(self.module_uses.endpoints)
