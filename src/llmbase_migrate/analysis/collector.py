"""A parsed module's facts: one recording traversal, then resolution.

The parts, each in its module: ``recording`` (the one traversal), ``bindings``
(reaching definitions), ``references`` (what expressions denote on the SDK side),
``values`` (what they evaluate to, across the project through ``project``) and
``arguments`` (a call's named arguments, dicts built in steps included). This module
builds the facts rules read from them: clients and their uses, chat calls,
endpoint uses, legacy calls, module settings, header secrets and ``# noqa``.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from llmbase_migrate.analysis import names
from llmbase_migrate.analysis.arguments import CallArguments
from llmbase_migrate.analysis.facts import (
    ChatCall,
    ClientKind,
    ClientSetup,
    ClientUses,
    EndpointUse,
    Field,
    FieldOrigin,
    HeaderSecret,
    LegacyCall,
    ModuleAssignment,
    ModuleFacts,
    OptionSite,
    Receiver,
)
from llmbase_migrate.analysis.positions import syntactic_positions
from llmbase_migrate.analysis.project import ProjectView
from llmbase_migrate.analysis.recording import Recorder, dotted_name
from llmbase_migrate.analysis.references import attribute_names
from llmbase_migrate.analysis.refs import RefKind
from llmbase_migrate.analysis.scopes import module_scopes
from llmbase_migrate.analysis.source_map import SourceMap, positions_in_text

__all__ = ["collect_facts"]

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*))?", re.I)


def collect_facts(
    module: cst.Module, text: str | None = None, project: ProjectView | None = None
) -> ModuleFacts:
    """Gather the facts of a parsed module (one metadata resolution, one traversal).

    ``text`` is the source the module was parsed from (rendered again when absent);
    ``project`` evaluates what the module imports from other project modules.
    """
    recorder = Recorder()
    module.visit(recorder)
    if not recorder.imports_openai:
        # Without an import of the SDK nothing here can resolve to it: skip metadata.
        return ModuleFacts()
    # QualifiedNameProvider is not resolved for the whole tree: it costs more than the
    # parse, and qualified names are needed for a few nodes only (asked of the scope).
    scopes = module_scopes(module, recorder.stored_names)
    positions = positions_in_text(module, text, syntactic_positions(module))
    resolver = _Resolver(recorder, positions=positions, scopes=scopes, project=project)
    source = SourceMap(
        module,
        module.code if text is None else text,
        positions,
        scopes,
        recorder.bindings,
        recorder.statements,
    )
    return dataclasses.replace(resolver.facts(), source=source)


class _Resolver(CallArguments):
    def facts(self) -> ModuleFacts:
        clients: list[ClientSetup] = []
        chat_calls: list[ChatCall] = []
        legacy_calls: list[LegacyCall] = []
        endpoint_uses: list[EndpointUse] = []
        header_secrets: list[HeaderSecret] = []
        seen_endpoint_nodes: set[cst.CSTNode] = set()
        # constructor -> what it is seen used for in this module
        uses: dict[cst.Call, _Tally] = defaultdict(_Tally)
        module_uses = _Tally()

        for call in self.recorder.calls:
            constructed = self._constructed_kind(call)
            if constructed is not None:
                setup = ClientSetup(
                    node=call,
                    span=self.span(call),
                    kind=constructed[0],
                    site=OptionSite.CONSTRUCTOR,
                    callee=constructed[1],
                    arguments=self._arguments(call, request=False),
                )
                clients.append(setup)
                header_secrets.extend(self._header_secrets(setup.arguments, "default_headers"))
                continue
            attrs = attribute_names(call.func)
            if not attrs:
                continue
            if attrs[-1] in names.CLIENT_DERIVING_METHODS:
                ref = self.ref(call.func)
                if ref.kind is RefKind.CLIENT and ref.path == ("with_options",):
                    setup = ClientSetup(
                        node=call,
                        span=self.span(call),
                        kind=ref.client_kind or ClientKind.OPENAI,
                        site=OptionSite.WITH_OPTIONS,
                        callee="with_options",
                        arguments=self._arguments(call, request=False),
                        parents=ref.origins,
                    )
                    clients.append(setup)
                    header_secrets.extend(self._header_secrets(setup.arguments, "default_headers"))
                continue
            stripped = tuple(a for a in attrs if a not in names.RESPONSE_WRAPPERS)
            if stripped[-1] in names.CHAT_METHODS and self._is_chat_path(call.func, stripped):
                receiver = self._receiver(call.func)
                if receiver is not None:
                    clients_used = self._count_use(call.func, None, uses, module_uses)
                    arguments = self._arguments(call, request=True)
                    chat_calls.append(
                        ChatCall(
                            node=call,
                            span=self.span(call),
                            method=stripped[-1],
                            receiver=receiver,
                            legacy=False,
                            arguments=arguments,
                            clients=clients_used,
                        )
                    )
                    header_secrets.extend(self._header_secrets(arguments, "extra_headers"))
                continue
            if (len(stripped) >= 2 and stripped[-2] in names.LEGACY_APIS) or (
                # ``from openai import ChatCompletion`` then ``ChatCompletion.create()``
                len(stripped) == 1
                and isinstance(call.func, cst.Attribute)
                and isinstance(call.func.value, cst.Name)
                and call.func.value.value in names.LEGACY_APIS
            ):
                ref = self.ref(call.func)
                if ref.kind is RefKind.MODULE and len(ref.path) == 2:
                    legacy_calls.append(LegacyCall(call, self.span(call), ref.path[0], ref.path[1]))
                    is_chat = ref.path[0] in names.LEGACY_CHAT_APIS
                    if is_chat:
                        module_uses.chat += 1
                    else:
                        module_uses.endpoints.add(ref.path[0])
                    if is_chat and ref.path[1] in ("create", "acreate"):
                        chat_calls.append(
                            ChatCall(
                                node=call,
                                span=self.span(call),
                                method=ref.path[1],
                                receiver=Receiver.MODULE,
                                legacy=True,
                                arguments=self._arguments(call, request=True),
                            )
                        )
                continue
            use = self._unresolved_endpoint_call(call.func, attrs)
            if use is not None:
                endpoint_uses.append(use[0])
                seen_endpoint_nodes.add(use[1])

        for attribute in self.recorder.resource_attributes:
            if attribute in seen_endpoint_nodes:
                continue
            ref = self.ref(attribute)
            if ref.kind not in (RefKind.CLIENT, RefKind.MODULE):
                continue
            resource = _matching_resource(ref.path)
            if resource is not None:
                clients_used = self._count_use(attribute, resource, uses, module_uses)
                endpoint_uses.append(
                    EndpointUse(
                        resource=resource,
                        span=self.span(attribute.attr),
                        receiver=Receiver.CLIENT if ref.kind is RefKind.CLIENT else Receiver.MODULE,
                        clients=clients_used,
                    )
                )

        if clients:
            for origin, ways in self._escaping_clients(clients).items():
                uses[origin].escapes.extend(ways)
            assignments = self._single_assignments({setup.node for setup in clients})
            reassigned = self._reassigned_options()
            clients = [
                dataclasses.replace(
                    setup,
                    uses=uses[setup.node].freeze() if setup.node in uses else setup.uses,
                    assignment=assignments.get(setup.node, (None, None))[0],
                    assigned_to=assignments.get(setup.node, (None, None))[1],
                    reassigned=tuple(reassigned.get(setup.node, ())),
                    test_double=self._answers_in_process(setup),
                )
                for setup in clients
            ]
        return ModuleFacts(
            imports_openai=self.recorder.imports_openai,
            module_uses=module_uses.freeze(),
            clients=tuple(clients),
            module_assignments=tuple(self._module_assignments()),
            chat_calls=tuple(chat_calls),
            endpoint_uses=tuple(sorted(endpoint_uses, key=lambda use: use.span)),
            legacy_calls=tuple(legacy_calls),
            header_secrets=tuple(header_secrets),
            noqa=self._noqa(),
        )

    def _count_use(
        self,
        receiver: cst.BaseExpression,
        resource: str | None,
        uses: dict[cst.Call, _Tally],
        module_uses: _Tally,
    ) -> frozenset[cst.Call]:
        """Count a chat use (``resource`` None) or a use of an unsupported resource
        against the constructors its receiver may come from, or against the module
        client; return those constructors."""
        ref = self.ref(receiver)
        tallies = [uses[origin] for origin in ref.origins]
        if ref.kind is RefKind.MODULE:
            tallies.append(module_uses)
        for tally in tallies:
            if resource is None:
                tally.chat += 1
            else:
                tally.endpoints.add(resource)
        return ref.origins

    def _reassigned_options(self) -> dict[cst.Call, list[Field]]:
        """``client.base_url = ...`` and ``client.api_key = ...`` after construction, by
        the constructions the client may come from."""
        found: dict[cst.Call, list[Field]] = defaultdict(list)
        for assign, target in self.recorder.attribute_assignments:
            if target.attr.value not in ("base_url", "api_key"):
                continue
            ref = self.ref(target.value)
            if ref.kind is not RefKind.CLIENT or ref.path or not ref.origins:
                continue
            option = Field(
                name=target.attr.value,
                span=self.span(assign),
                origin=FieldOrigin.KEYWORD,
                node=assign,
                value_node=assign.value,
                value=self.value(assign.value),
            )
            for origin in ref.origins:
                found[origin].append(option)
        return found

    def _single_assignments(
        self, calls: set[cst.Call]
    ) -> dict[cst.Call, tuple[cst.Assign, cst.Name | cst.Attribute]]:
        """``name = <call>`` and ``self.attr = <call>`` statements (one target each)
        of the given calls."""
        found: dict[cst.Call, tuple[cst.Assign, cst.Name | cst.Attribute]] = {}
        for target, value in self.recorder.bindings.items():
            statement = self.recorder.binding_statements.get(target)
            if (
                isinstance(value, cst.Call)
                and value in calls
                and isinstance(statement, cst.Assign)
                and len(statement.targets) == 1
                and statement.value is value
            ):
                found[value] = (statement, target)
        for assign, attribute in self.recorder.attribute_assignments:
            value = assign.value
            if isinstance(value, cst.Call) and value in calls and len(assign.targets) == 1:
                found[value] = (assign, attribute)
        return found

    def _answers_in_process(self, setup: ClientSetup) -> bool:
        """Whether the client's ``http_client`` is built on ``httpx.MockTransport``,
        written there or in a name it reads (``transport = MockTransport(...)``)."""
        http_client = setup.arguments.named("http_client")
        if http_client is None:
            return False
        pending: list[cst.CSTNode] = [http_client.value_node]
        seen: set[cst.CSTNode] = set()
        while pending and len(seen) < 64:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            for name in _names_in(node):
                if name.value == "MockTransport":
                    return True
                bound = self._single_binding(name)
                if bound is not None:
                    pending.append(bound)
        return False

    def _escaping_clients(self, clients: Sequence[ClientSetup]) -> dict[cst.Call, list[str]]:
        """Constructions whose client leaves this module's sight, with how: returned
        by a function, passed to a call as an argument, or bound to a module-level
        name (importable)."""
        constructors = {setup.node for setup in clients if setup.site is OptionSite.CONSTRUCTOR}
        holders = {
            target.value
            for target, value in self.recorder.bindings.items()
            if value in constructors
        }
        for info in self.recorder.classes.values():
            for attribute, values in info.attributes.items():
                if any(value in constructors for value in values):
                    holders.add(attribute)
        escaping: dict[cst.Call, list[str]] = {}

        def note(expression: cst.BaseExpression, way: str) -> None:
            if isinstance(expression, cst.Call) and expression in constructors:
                escaping.setdefault(expression, []).append(way)
                return
            held = expression.value if isinstance(expression, cst.Name) else None
            if isinstance(expression, cst.Attribute):
                held = expression.attr.value
            if held is None or held not in holders:
                return
            ref = self.ref(expression)
            if ref.kind is RefKind.CLIENT:
                for origin in ref.origins:
                    escaping.setdefault(origin, []).append(way)

        for function, returned in self.recorder.returns.items():
            for expression in returned:
                note(expression, f"returned by {function.name.value}()")
        for call in self.recorder.calls:
            if self.ref(call.func).kind is RefKind.FUNCTION:
                continue  # a function of this module: its parameter's uses are counted
            callee = dotted_name(call.func) or "a call"
            for arg in call.args:
                note(arg.value, f"passed to {callee}()")
        for target, value in self.recorder.bindings.items():
            if isinstance(value, cst.Call) and value in constructors:
                statement = self.recorder.binding_statements.get(target)
                if statement is not None and isinstance(
                    self.recorder.containers.get(statement), cst.Module
                ):
                    escaping.setdefault(value, []).append(f"importable as {target.value}")
        return escaping

    def _module_assignments(self) -> Iterable[ModuleAssignment]:
        for assign, target in self.recorder.attribute_assignments:
            base = self.ref(target.value)
            if base.kind is not RefKind.MODULE or base.path:
                continue
            yield ModuleAssignment(
                node=assign,
                span=self.span(assign),
                target_span=self.span(target),
                attribute=target.attr.value,
                value_node=assign.value,
                value=self.value(assign.value),
            )

    def _noqa(self) -> dict[int, frozenset[str]]:
        result: dict[int, frozenset[str]] = {}
        for comment in self.recorder.comment_nodes:
            match = _NOQA.search(comment.value)
            if match is None:
                continue
            line = self.positions[comment].start.line
            codes = match.group("codes")
            result[line] = (
                frozenset(code.strip().upper() for code in codes.split(","))
                if codes
                else frozenset()
            )
        return result


def _matching_resource(path: tuple[str, ...]) -> str | None:
    for resource in names.UNSUPPORTED_RESOURCES:
        if path == resource:
            return ".".join(resource)
    return None


@dataclass(slots=True)
class _Tally:
    """What one client (or the module client) is seen used for, while counting."""

    chat: int = 0
    endpoints: set[str] = field(default_factory=set)
    escapes: list[str] = field(default_factory=list)

    def freeze(self) -> ClientUses:
        return ClientUses(
            self.chat, tuple(sorted(self.endpoints)), tuple(dict.fromkeys(self.escapes))
        )


def _names_in(node: cst.CSTNode) -> Iterator[cst.Name]:
    """Every name in ``node``, attributes' own included (``httpx.MockTransport``)."""
    if isinstance(node, cst.Name):
        yield node
    for child in node.children:
        yield from _names_in(child)
