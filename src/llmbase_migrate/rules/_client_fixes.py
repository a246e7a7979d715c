"""Fixes that move a client: the edits a :class:`ClientDraft` asks for, built as one
fix per client (see ``_client_plan`` for when a fix is safe)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeVar, cast

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ChatCall,
    ClientSetup,
    Field,
    FieldOrigin,
    ModuleFacts,
    OptionSite,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.bindings import (
    environ_read,
    from_imports_of,
    imported_name,
    references_name,
    secrets_in,
)
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix, ImportChange
from llmbase_migrate.fixes.edits import (
    editable_literal,
    string_literal,
    with_keyword,
    without_arguments,
)
from llmbase_migrate.rules._client_draft import (
    ClientDraft,
    Verdict,
    hardcoded_key,
    new_pairings,
    wanted_base_url,
)
from llmbase_migrate.rules._destination import (
    LLMBASE_KEY_LABEL,
    Credential,
    Endpoint,
    KeyKind,
    destinations,
    names_llmbase,
)
from llmbase_migrate.rules._judge import vendor_of
from llmbase_migrate.rules.base import RuleContext

# --------------------------------------------------------------------------- edits


class Rewrite:
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


class CallRewrite(Rewrite):
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


class ModuleRewrite(Rewrite):
    """Changes to the module client's assignments. Its missing base URL is a new
    statement, ``openai.base_url = ...``, below the one that sets its key."""

    def __init__(self, source: SourceMap, draft: ClientDraft) -> None:
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


class ClientFix:
    """The fix that moves a ``MOVE`` client to LLMBase, or fixes what a ``READY``
    client has wrong, as one fix (see the module docs for when it is safe)."""

    def __init__(
        self,
        source: SourceMap,
        ctx: RuleContext,
        draft: ClientDraft,
        rewrite: Rewrite,
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
        # A module-level client's importers are the project model's to count; a client
        # a factory returns or a call receives is used where no model looks.
        # A client already given LLMBase's key is meant for LLMBase, wherever it is used.
        unseen = [way for way in draft.uses.escapes if not way.startswith("importable")]
        llmbase_keyed = all(key.kind is KeyKind.LLMBASE for key in draft.credentials)
        if draft.verdict is Verdict.MOVE and draft.uses.chat == 0 and unseen and not llmbase_keyed:
            self.reasons.append(
                f"it makes no chat request in this module and is {', '.join(unseen)}: what "
                "it is used for there is not seen here, and may be an endpoint LLMBase does "
                "not serve"
            )
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
        if self.module_client and self.draft.renames_api_base:
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
        if hardcoded_key(self.draft) is not None:
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
            self._drop_import(key_field.value_node)
            unjudged = sorted(
                {key.label for key in draft.credentials if key.kind is KeyKind.UNKNOWN}
            )
            if unjudged and not forced:
                self.reasons.append(f"{', '.join(unjudged)} is no longer read")
            elif not forced and not _read_from_environment(key_field.value):
                # ``api_key=openai_api_key``: a key a caller or a user hands over at run
                # time, named for a vendor; replacing it changes where keys come from
                self.reasons.append(f"{_written(key_field)} is no longer read")
        self.imports.extend(read.add_imports)
        return True

    def _drop_import(self, node: cst.BaseExpression) -> None:
        """A name imported only for the value a fix replaces: its import goes when
        nothing else reads it."""
        if isinstance(node, cst.Name):
            imported = self.source.from_import_of(node)
            if imported is not None:
                self.removed_imports.append(ImportChange(*imported))

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
        wanted = wanted_base_url(draft, ctx, module_client=self.module_client)
        literal_code = string_literal(wanted)
        llmbase = destinations(Value(ValueKind.STRING, text=wanted), ctx.base_url, ctx.keep_hosts)
        base_field = draft.base_field
        if base_field is None:
            return llmbase if self.rewrite.add("base_url", literal_code) else None
        if draft.renames_api_base and isinstance(base_field.node, cst.Assign):
            target = base_field.node.targets[0].target
            if not isinstance(target, cst.Attribute):
                return None
            self.rewrite.outer.append(self.source.replace_text(target.attr, "base_url"))
        value, node = base_field.value, base_field.value_node
        if value.kind is ValueKind.STRING:
            if value.text == wanted:
                return llmbase
            literal = editable_literal(self.source, node, value, fixed_nodes=self.fixed_bases)
            if value.parameter is not None and key_changed:
                # A parameter's default: callers may pass another host, which
                # LLMBase's key must not reach. The call stops reading the parameter.
                literal = None
            if literal is not None:
                if not self.rewrite.replace(literal, string_literal(wanted, literal)):
                    return None
                return llmbase
            if not self.rewrite.replace(node, string_literal(wanted, value.origin)):
                return None
            name = node.value if isinstance(node, cst.Name) else "its value"
            if value.location is not None:
                self.reasons.append(f"{name} (set in {value.location}) is no longer read here")
                self._drop_import(node)
            else:
                self.reasons.append(
                    f"{name} is also read elsewhere, and the call no longer reads it"
                )
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
        if named_llmbase and default is not None and not draft.renames_api_base:
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
            and not draft.renames_api_base
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
        held = ", ".join(dict.fromkeys(endpoint.label for endpoint in draft.destinations))
        written = cst.Module([]).code_for_node(node)
        if len(written) > 40:
            written = written[:37] + "..."
        self.reasons.append(f"{written} (which may hold {held}) is no longer read")
        self._drop_import(node)
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


# --------------------------------------------------------------------------- a second client

_NEW_CLIENT_NAME = "llmbase_client"


def _read_from_environment(value: Value) -> bool:
    """Whether every way a key value may go is an environment read (or nothing: None,
    an empty or placeholder literal), so that reading LLMBase's variable instead
    keeps where the key comes from."""
    return all(
        leaf.kind in (ValueKind.ENV, ValueKind.NONE, ValueKind.STRING) for leaf in value.leaves()
    )


def _written(option: Field) -> str:
    node = option.value_node
    if isinstance(node, (cst.Name, cst.Attribute)):
        return cst.Module([]).code_for_node(node)
    return option.value.identifier or "the value given"


class SecondClient:
    """``SPLIT``: a client that also serves endpoints LLMBase does not stays; a new
    client for LLMBase is built below it (same constructor, same scope) and the chat
    requests made through it go through the new one. Always unsafe: requests change
    hosts, and the program needs ``$LLMBASE_API_KEY``."""

    def __init__(
        self,
        source: SourceMap,
        ctx: RuleContext,
        facts: ModuleFacts,
        draft: ClientDraft,
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


def azure_fix(source: SourceMap, setup: ClientSetup, ctx: RuleContext) -> Fix | None:
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
