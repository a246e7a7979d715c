"""One traversal of a parsed module that records raw material, then resolution into facts.

The traversal records what later resolution needs and cannot get from LibCST's
scope metadata: the value bound to each assigned name, attributes assigned on
``self`` per class, dict mutations (``params["k"] = v``, ``params.update(...)``),
``# noqa`` comments, and the candidate nodes (calls, attributes, assignments to
``openai.*``). Resolution then works over those records and the metadata maps
(scope, qualified names, positions), which are resolved once per module.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    Assignment,
    BaseAssignment,
    CodeRange,
    ImportAssignment,
    QualifiedName,
    QualifiedNameSource,
    Scope,
)

from llmbase_migrate.analysis import names
from llmbase_migrate.analysis.facts import (
    Arguments,
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
    Span,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.positions import syntactic_positions
from llmbase_migrate.analysis.project import (
    ClassObject,
    FunctionObject,
    InstanceObject,
    ProjectObject,
    ProjectView,
)
from llmbase_migrate.analysis.scopes import module_scopes, store_names
from llmbase_migrate.analysis.source_map import SourceMap, StatementPlace, positions_in_text
from llmbase_migrate.analysis.visitor import Visitor

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*))?", re.I)
_MAX_DEPTH = 24


def collect_facts(
    module: cst.Module, text: str | None = None, project: ProjectView | None = None
) -> ModuleFacts:
    """Gather the facts of a parsed module (one metadata resolution, one traversal).

    ``text`` is the source the module was parsed from (rendered again when absent);
    ``project`` evaluates what the module imports from other project modules.
    """
    recorder = _Recorder()
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


# --------------------------------------------------------------------------- recording


@dataclass(slots=True, eq=False)
class _ClassInfo:
    node: cst.ClassDef
    base_names: tuple[str, ...]
    # attribute -> expressions assigned to it (class body or self.<attr> in methods)
    attributes: dict[str, list[cst.BaseExpression]]
    # attribute -> its declared type (``client: OpenAI`` in the body, ``self.client: X = ...``)
    annotations: dict[str, cst.Annotation] = field(default_factory=dict)
    # an expression assigned to ``self.<attr>`` -> the method assigning it
    assigned_in: dict[cst.BaseExpression, cst.FunctionDef] = field(default_factory=dict)
    # methods defined in the class body, by name
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _DictEntry:
    key: str
    key_node: cst.CSTNode
    value: cst.BaseExpression


class _Recorder(Visitor):
    """Records, in one pass, what resolution needs. Knows nothing about rules."""

    def __init__(self) -> None:
        super().__init__()
        self.bindings: dict[cst.Name, cst.BaseExpression] = {}
        self.name_annotations: dict[cst.Name, cst.Annotation] = {}
        self.classes: dict[cst.ClassDef, _ClassInfo] = {}
        self.classes_by_name: dict[str, list[_ClassInfo]] = defaultdict(list)
        # the first parameter of a method -> the class it belongs to
        self.self_params: dict[cst.Param, _ClassInfo] = {}
        # (name node of the mutated dict, entries added to it)
        self.dict_mutations: list[tuple[cst.Name, _DictEntry | None]] = []
        self.calls: list[cst.Call] = []
        self.resource_attributes: list[cst.Attribute] = []
        self.attribute_assignments: list[tuple[cst.Assign, cst.Attribute]] = []
        self.noqa: dict[int, frozenset[str]] = {}
        self.comment_nodes: list[cst.Comment] = []
        self.imports_openai = False
        self.statements: dict[cst.BaseSmallStatement, StatementPlace] = {}
        # statement (small or compound) -> the block running it in sequence (a module,
        # an indented block or a one-line suite): where a binding holds from its end
        self.containers: dict[cst.CSTNode, cst.CSTNode] = {}
        # name bound by an ``=`` or ``: T =`` statement -> that statement
        self.binding_statements: dict[cst.Name, cst.BaseSmallStatement] = {}
        self.loops: list[cst.For | cst.While] = []
        # function -> the expressions its ``return`` statements return
        self.returns: dict[cst.FunctionDef, list[cst.BaseExpression]] = defaultdict(list)
        self.functions: list[cst.FunctionDef] = []
        # names stored to, for the scope walk (``analysis.scopes``)
        self.stored_names: set[cst.Name] = set()
        # innermost last: a _ClassInfo for a class body, a FunctionDef for a function body
        self._context: list[_ClassInfo | cst.FunctionDef] = []

    # -- statements and the blocks holding them (fixes that remove a statement need both)
    def visit_Module(self, node: cst.Module) -> None:
        self._record_block(node, node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._record_block(node, node.body)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        for small in node.body:
            self.containers[small] = node

    def _record_block(self, block: cst.CSTNode, body: Sequence[cst.BaseStatement]) -> None:
        for statement in body:
            self.containers[statement] = block
            if isinstance(statement, cst.SimpleStatementLine):
                place = StatementPlace(statement, len(body))
                for small in statement.body:
                    self.statements[small] = place
                    self.containers[small] = block

    def visit_For(self, node: cst.For) -> None:
        self.loops.append(node)
        self.stored_names.update(store_names(node.target))

    def visit_While(self, node: cst.While) -> None:
        self.loops.append(node)

    # -- scopes we track ourselves: classes and their methods' first parameter
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = tuple(dotted_name(arg.value) or "" for arg in node.bases if arg.keyword is None)
        self.stored_names.add(node.name)
        info = _ClassInfo(node, bases, defaultdict(list))
        self.classes[node] = info
        self.classes_by_name[node.name.value].append(info)
        self._context.append(info)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._context.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stored_names.add(node.name)
        self.functions.append(node)
        owner = self._context[-1] if self._context else None
        if isinstance(owner, _ClassInfo) and _contains(owner.node, node):
            owner.methods.setdefault(node.name.value, node)
            if not _is_staticmethod(node):
                params = node.params.posonly_params or node.params.params
                if params:
                    self.self_params[params[0]] = owner
        self._context.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._context.pop()

    def _enclosing_self(self) -> tuple[str, _ClassInfo, cst.FunctionDef] | None:
        """The ``self`` name, class and method of the innermost enclosing method."""
        for frame in reversed(self._context):
            if isinstance(frame, cst.FunctionDef):
                params = frame.params.posonly_params or frame.params.params
                if params and params[0] in self.self_params:
                    return params[0].name.value, self.self_params[params[0]], frame
            else:
                return None
        return None

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            function = next(
                (frame for frame in reversed(self._context) if isinstance(frame, cst.FunctionDef)),
                None,
            )
            if function is not None:
                self.returns[function].append(node.value)

    # -- bindings
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.stored_names.update(store_names(target.target))
            self._bind_target(target.target, node.value, node)
            if isinstance(target.target, cst.Name):
                self.binding_statements[target.target] = node

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.stored_names.update(store_names(node.target))
        if node.value is not None:
            self._bind_target(node.target, node.value, None)
            if isinstance(node.target, cst.Name):
                self.binding_statements[node.target] = node
        target = node.target
        if isinstance(target, cst.Name):
            self.name_annotations[target] = node.annotation
            if self._context and isinstance(self._context[-1], _ClassInfo):
                self._context[-1].annotations[target.value] = node.annotation
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            enclosing = self._enclosing_self()
            if enclosing is not None and target.value.value == enclosing[0]:
                enclosing[1].annotations[target.attr.value] = node.annotation

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.stored_names.update(store_names(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        self.stored_names.update(store_names(node.name))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.stored_names.update(store_names(node.target))

    def visit_Param(self, node: cst.Param) -> None:
        self.stored_names.add(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.stored_names.update(store_names(node.target))
        if isinstance(node.target, cst.Name):
            self.bindings[node.target] = node.value

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            self.bindings[node.asname.name] = node.item

    def _bind_target(
        self, target: cst.BaseExpression, value: cst.BaseExpression, assign: cst.Assign | None
    ) -> None:
        if isinstance(target, cst.Name):
            self.bindings[target] = value
            if self._context and isinstance(self._context[-1], _ClassInfo):
                self._context[-1].attributes[target.value].append(value)
        elif isinstance(target, cst.Attribute):
            enclosing = self._enclosing_self()
            if (
                enclosing is not None
                and isinstance(target.value, cst.Name)
                and target.value.value == enclosing[0]
            ):
                enclosing[1].attributes[target.attr.value].append(value)
                enclosing[1].assigned_in[value] = enclosing[2]
            if assign is not None:
                self.attribute_assignments.append((assign, target))
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            key = _subscript_string_key(target)
            if key is not None:
                self.dict_mutations.append((target.value, _DictEntry(key[0], key[1], value)))
            else:
                self.dict_mutations.append((target.value, None))

    # -- candidates
    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.attr.value in ("update", "setdefault")
        ):
            self._record_update(func.value, func.attr.value, node)

    def _record_update(self, target: cst.Name, method: str, call: cst.Call) -> None:
        if method == "setdefault":
            if call.args and (key := _string_literal(call.args[0].value)) is not None:
                value = call.args[1].value if len(call.args) > 1 else cst.Name("None")
                self.dict_mutations.append((target, _DictEntry(key, call.args[0].value, value)))
            return
        for arg in call.args:
            if arg.keyword is not None:
                self.dict_mutations.append(
                    (target, _DictEntry(arg.keyword.value, arg.keyword, arg.value))
                )
            elif isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if (
                        isinstance(element, cst.DictElement)
                        and (key := _string_literal(element.key)) is not None
                    ):
                        self.dict_mutations.append(
                            (target, _DictEntry(key, element.key, element.value))
                        )
                    else:
                        self.dict_mutations.append((target, None))
            else:
                self.dict_mutations.append((target, None))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in names.UNSUPPORTED_RESOURCE_NAMES:
            self.resource_attributes.append(node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if dotted_name(alias.name) in (None, ""):
                continue
            dotted = dotted_name(alias.name) or ""
            if dotted == names.OPENAI_PACKAGE or dotted.startswith("openai."):
                self.imports_openai = True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        dotted = dotted_name(node.module) or ""
        if dotted == names.OPENAI_PACKAGE or dotted.startswith("openai."):
            self.imports_openai = True

    def visit_Comment(self, node: cst.Comment) -> None:
        if "noqa" in node.value.lower():
            self.comment_nodes.append(node)


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True, slots=True)
class _Ref:
    """What an expression denotes on the SDK side.

    ``kind``: "client" (an OpenAI client or something reached from it), "module"
    (the ``openai`` package), "other" (another SDK), "unresolved", or "class"
    (``self``/a class, resolved through recorded attributes).
    """

    kind: str
    path: tuple[str, ...] = ()
    client_kind: ClientKind | None = None
    class_info: _ClassInfo | None = None
    # for "function": the declared return type, which a call of it produces
    returns: cst.Annotation | None = None
    # for "function": its definition, whose ``return`` statements a call produces
    function: cst.FunctionDef | None = None
    # for "client": the constructor calls it may come from (empty when unknown, as for
    # a client reached through a type annotation)
    origins: frozenset[cst.Call] = frozenset()


_UNRESOLVED = _Ref("unresolved")
_OTHER = _Ref("other")


@dataclass(frozen=True, slots=True)
class _DictValue:
    entries: tuple[_DictEntry, ...]
    complete: bool


class _Resolver:
    def __init__(
        self,
        recorder: _Recorder,
        *,
        positions: Mapping[cst.CSTNode, CodeRange],
        scopes: Mapping[cst.CSTNode, Scope | None],
        project: ProjectView | None = None,
    ) -> None:
        self.recorder = recorder
        self.positions = positions
        self.scopes = scopes
        self.project = project
        self._qualified_names: dict[cst.CSTNode, Collection[QualifiedName]] = {}
        self._refs: dict[cst.CSTNode, _Ref] = {}
        self._in_progress: set[cst.CSTNode] = set()
        self._mutations = self._index_mutations()
        self._parameter_defaults: set[cst.BaseExpression] = set()

    def qualified(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        """Qualified names of a name or attribute, computed on demand and cached."""
        cached = self._qualified_names.get(node)
        if cached is None:
            scope = self.scopes.get(node)
            cached = scope.get_qualified_names_for(node) if scope is not None else set()
            self._qualified_names[node] = cached
        return cached

    # -- entry point
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
            attrs = _attribute_names(call.func)
            if not attrs:
                continue
            if attrs[-1] in names.CLIENT_DERIVING_METHODS:
                ref = self.ref(call.func)
                if ref.kind == "client" and ref.path == ("with_options",):
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
                if ref.kind == "module" and len(ref.path) == 2:
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
            if ref.kind not in ("client", "module"):
                continue
            resource = _matching_resource(ref.path)
            if resource is not None:
                clients_used = self._count_use(attribute, resource, uses, module_uses)
                endpoint_uses.append(
                    EndpointUse(
                        resource=resource,
                        span=self.span(attribute.attr),
                        receiver=Receiver.CLIENT if ref.kind == "client" else Receiver.MODULE,
                        clients=clients_used,
                    )
                )

        if clients:
            for origin in self._escaping_clients(clients):
                uses[origin].escapes = True
            assignments = self._single_assignments({setup.node for setup in clients})
            clients = [
                dataclasses.replace(
                    setup,
                    uses=uses[setup.node].freeze() if setup.node in uses else setup.uses,
                    assignment=assignments.get(setup.node, (None, None))[0],
                    assigned_to=assignments.get(setup.node, (None, None))[1],
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
        if ref.kind == "module":
            tallies.append(module_uses)
        for tally in tallies:
            if resource is None:
                tally.chat += 1
            else:
                tally.endpoints.add(resource)
        return ref.origins

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

    def _escaping_clients(self, clients: Sequence[ClientSetup]) -> set[cst.Call]:
        """Constructions whose client leaves this module's sight: returned, passed to
        a call as an argument, or bound to a module-level name (importable)."""
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
        escaping: set[cst.Call] = set()

        def note(expression: cst.BaseExpression) -> None:
            if isinstance(expression, cst.Call) and expression in constructors:
                escaping.add(expression)
                return
            held = expression.value if isinstance(expression, cst.Name) else None
            if isinstance(expression, cst.Attribute):
                held = expression.attr.value
            if held is None or held not in holders:
                return
            ref = self.ref(expression)
            if ref.kind == "client":
                escaping.update(ref.origins)

        for returned in self.recorder.returns.values():
            for expression in returned:
                note(expression)
        for call in self.recorder.calls:
            for arg in call.args:
                note(arg.value)
        for target, value in self.recorder.bindings.items():
            if isinstance(value, cst.Call) and value in constructors:
                statement = self.recorder.binding_statements.get(target)
                if statement is not None and isinstance(
                    self.recorder.containers.get(statement), cst.Module
                ):
                    escaping.add(value)
        return escaping

    # -- positions
    def span(self, node: cst.CSTNode) -> Span:
        code_range = self.positions[node]
        return Span(
            code_range.start.line,
            code_range.start.column + 1,
            code_range.end.line,
            code_range.end.column + 1,
        )

    # -- SDK references
    def ref(self, node: cst.BaseExpression, depth: int = 0) -> _Ref:
        cached = self._refs.get(node)
        if cached is not None:
            return cached
        if node in self._in_progress or depth > _MAX_DEPTH:
            return _UNRESOLVED
        self._in_progress.add(node)
        try:
            result = self._compute_ref(node, depth + 1)
        finally:
            self._in_progress.discard(node)
        self._refs[node] = result
        return result

    def _compute_ref(self, node: cst.BaseExpression, depth: int) -> _Ref:
        if isinstance(node, cst.Name):
            return self._name_ref(node, depth)
        if isinstance(node, cst.Attribute):
            imported = self._imported_ref(node)
            if imported is not None:
                return imported
            base = self.ref(node.value, depth)
            if base.kind == "class" and base.class_info is not None:
                return self._class_attribute_ref(base.class_info, node.attr.value, depth)
            if base.kind in ("client", "module"):
                return _Ref(
                    base.kind, (*base.path, node.attr.value), base.client_kind, origins=base.origins
                )
            return base if base.kind == "other" else _UNRESOLVED
        if isinstance(node, cst.Call):
            constructed = self._constructed_kind(node)
            if constructed is not None:
                return _Ref("client", (), constructed[0], origins=frozenset({node}))
            func = self.ref(node.func, depth)
            if (
                func.kind == "client"
                and func.path
                and func.path[-1] in names.CLIENT_DERIVING_METHODS
            ):
                return _Ref("client", func.path[:-1], func.client_kind, origins=func.origins)
            if func.kind == "function":
                returned = self._returned_ref(func.function, depth)
                if returned.kind == "client":
                    return returned
                return self._annotation_ref(func.returns)
            return _OTHER if func.kind == "other" else _UNRESOLVED
        if isinstance(node, cst.Await):
            return self.ref(node.expression, depth)
        if isinstance(node, cst.IfExp):
            return _merge_refs([self.ref(node.body, depth), self.ref(node.orelse, depth)])
        if isinstance(node, cst.BooleanOperation):
            # ``client or OpenAI()``: whichever side is known tells what it is.
            return _merge_refs([self.ref(node.left, depth), self.ref(node.right, depth)])
        return _UNRESOLVED

    def _imported_ref(self, node: cst.Name | cst.Attribute) -> _Ref | None:
        """The ref of a name imported from a package, from qualified-name metadata."""
        qualified = self.qualified(node)
        if not qualified:
            return None
        if any(q.source is not QualifiedNameSource.IMPORT for q in qualified):
            return None
        dotted = {q.name for q in qualified}
        roots = {name.split(".", 1)[0] for name in dotted}
        if roots == {names.OPENAI_PACKAGE} and len(dotted) == 1:
            (name,) = dotted
            return _Ref("module", tuple(name.split(".")[1:]))
        if roots & names.OTHER_SDK_PACKAGES and names.OPENAI_PACKAGE not in roots:
            return _OTHER
        if isinstance(node, cst.Attribute):
            return None
        return _UNRESOLVED

    def _name_ref(self, node: cst.Name, depth: int) -> _Ref:
        imported = self._imported_ref(node)
        if imported is not None:
            return imported
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return _UNRESOLVED
        refs = [
            self._assignment_ref(assignment, depth)
            for assignment in self._reaching(node, scope, depth)
        ]
        return _merge_refs(refs) if refs else _UNRESOLVED

    # -- which bindings of a name a use can see
    def assignments_of(self, scope: Scope, name: str) -> list[BaseAssignment]:
        """The assignments of ``name`` visible in ``scope``, in source order (LibCST
        keeps them in a set of objects hashed by address: never iterate that)."""
        return sorted(scope[name], key=self._assignment_order)

    def _assignment_order(self, assignment: BaseAssignment) -> tuple[int, int, int]:
        node = assignment.node if isinstance(assignment, Assignment) else None
        code_range = self.positions.get(node) if node is not None else None
        if code_range is None:
            return (0, 0, assignment._index)
        return (code_range.start.line, code_range.start.column, assignment._index)

    def _reaching(self, use: cst.Name, scope: Scope, depth: int) -> list[BaseAssignment]:
        """The bindings of ``use`` that may hold when it runs, in source order.

        Within one scope a binding statement that runs before the use in the same
        block, or in a block enclosing it, hides earlier ones: the latest such binding
        (whose value is known: an unknown one, such as ``client = wrap(client)``, says
        nothing against what came before) reaches the use, with every binding after it
        that may run before the use (in a branch, or later in a loop holding the use).
        Otherwise (uses from another scope, ``global`` bindings in a function, no such
        statement) every binding may reach it.
        """
        assignments = self.assignments_of(scope, use.value)
        use_range = self.positions.get(use)
        if len(assignments) < 2 or use_range is None:
            return assignments
        at = (use_range.start.line, use_range.start.column)
        points: list[tuple[int, int]] = []
        dominating: list[int] = []
        for index, assignment in enumerate(assignments):
            if not isinstance(assignment, Assignment) or assignment.scope is not scope:
                return assignments
            if self.scopes.get(assignment.node) is not scope:
                return assignments  # bound from a nested function (``global``)
            point, holds_from = self._binding_point(assignment)
            if point is None:
                return assignments
            points.append(point)
            if holds_from is not None and point <= at and self._contains(holds_from, at):
                dominating.append(index)
        chosen: int | None = None
        for index in reversed(dominating):
            if self._assignment_ref(assignments[index], depth).kind != "unresolved":
                chosen = index
                break
        if chosen is None:
            return assignments
        start = points[chosen]
        reaching = [
            index for index, point in enumerate(points) if index == chosen or start < point <= at
        ]
        statement = self._statement_of(assignments[chosen])
        chosen_range = self.positions.get(statement) if statement is not None else None
        for loop in self.recorder.loops:
            # a binding later in a loop holding the use (but not the chosen binding)
            # reaches the use on the next iteration
            if not self._contains(loop, at) or (
                chosen_range is not None
                and self._contains(loop, (chosen_range.start.line, chosen_range.start.column))
            ):
                continue
            loop_end = self.positions[loop].end
            reaching.extend(
                index
                for index, point in enumerate(points)
                if at < point <= (loop_end.line, loop_end.column)
            )
        return [assignments[index] for index in sorted(set(reaching))]

    def _binding_point(
        self, assignment: Assignment
    ) -> tuple[tuple[int, int] | None, cst.CSTNode | None]:
        """Where a binding takes effect, and the block from which on it holds when it
        is a statement of that block (None for bindings inside an expression or a
        compound statement's header: a ``for`` target, ``with ... as``, ``:=``)."""
        statement = self._statement_of(assignment)
        container = self.recorder.containers.get(statement) if statement is not None else None
        if statement is not None and container is not None:
            code_range = self.positions.get(statement)
            if code_range is not None:
                return (code_range.end.line, code_range.end.column), container
        code_range = self.positions.get(assignment.node)
        if code_range is None:
            return None, None
        return (code_range.start.line, code_range.start.column), None

    def _statement_of(self, assignment: BaseAssignment) -> cst.CSTNode | None:
        """The statement making a binding: ``x = ...``, ``import x``, ``def x``."""
        node = assignment.node if isinstance(assignment, Assignment) else None
        if isinstance(node, cst.Name):
            return self.recorder.binding_statements.get(node)
        if isinstance(node, (cst.Import, cst.ImportFrom, cst.FunctionDef, cst.ClassDef)):
            return node
        return None

    def _contains(self, outer: cst.CSTNode, at: tuple[int, int]) -> bool:
        code_range = self.positions.get(outer)
        if code_range is None:
            return False
        start = (code_range.start.line, code_range.start.column)
        end = (code_range.end.line, code_range.end.column)
        return start <= at < end

    def _assignment_ref(self, assignment: BaseAssignment, depth: int) -> _Ref:
        if isinstance(assignment, ImportAssignment) or not isinstance(assignment, Assignment):
            return _UNRESOLVED
        bound = assignment.node
        if isinstance(bound, cst.Name):
            value = self.recorder.bindings.get(bound)
            ref = self.ref(value, depth) if value is not None else _UNRESOLVED
            annotation = self.recorder.name_annotations.get(bound)
            if ref.kind == "unresolved" and annotation is not None:
                return self._annotation_ref(annotation)
            return ref
        if isinstance(bound, cst.Param):
            owner = self.recorder.self_params.get(bound)
            if owner is not None:
                return _Ref("class", class_info=owner)
            return self._annotation_ref(bound.annotation)
        if isinstance(bound, cst.ClassDef):
            info = self.recorder.classes.get(bound)
            return _Ref("class", class_info=info) if info is not None else _UNRESOLVED
        if isinstance(bound, cst.FunctionDef):
            return _Ref("function", returns=bound.returns, function=bound)
        return _UNRESOLVED

    def _annotation_ref(self, annotation: cst.Annotation | None) -> _Ref:
        if annotation is None:
            return _UNRESOLVED
        found: list[_Ref] = []
        for name_node in _annotation_names(annotation.annotation):
            imported = self._imported_ref(name_node)
            if imported is not None and imported.kind == "module":
                if imported.path and imported.path[-1] in names.CLIENT_TYPE_NAMES:
                    kind = ClientKind.AZURE if "Azure" in imported.path[-1] else ClientKind.OPENAI
                    found.append(_Ref("client", (), kind))
            elif imported is not None and imported.kind == "other":
                found.append(_OTHER)
        if isinstance(annotation.annotation, cst.SimpleString):
            text = _string_literal(annotation.annotation) or ""
            if any(part in names.CLIENT_TYPE_NAMES for part in re.split(r"[\W]+", text)):
                found.append(_Ref("client", (), ClientKind.OPENAI))
        return _merge_refs(found) if found else _UNRESOLVED

    def _class_attribute_ref(self, info: _ClassInfo, attribute: str, depth: int) -> _Ref:
        values = self._class_attribute_values(info, attribute, set())
        refs = [self.ref(value, depth) for value in values]
        annotation = self._class_attribute_annotation(info, attribute, set())
        if annotation is not None:
            refs.append(self._annotation_ref(annotation))
        if refs:
            return _merge_refs(refs)
        method = self._method(info, attribute)
        if method is None:
            return _UNRESOLVED
        if _is_property(method):
            returned = self._returned_ref(method, depth)
            return returned if returned.kind == "client" else self._annotation_ref(method.returns)
        return _Ref("function", returns=method.returns, function=method)

    def _method(self, info: _ClassInfo, name: str) -> cst.FunctionDef | None:
        for candidate in self._lineage(info, set()):
            if name in candidate.methods:
                return candidate.methods[name]
        return None

    def _returned_ref(self, function: cst.FunctionDef | None, depth: int) -> _Ref:
        """What calling ``function`` gives, from its ``return`` statements: a client
        when they all return one (``def make(): return OpenAI(...)``)."""
        if function is None:
            return _UNRESOLVED
        returned = self.recorder.returns.get(function)
        if not returned:
            return _UNRESOLVED
        refs = [self.ref(value, depth) for value in returned]
        if all(ref.kind == "client" for ref in refs):
            return _merge_refs(refs)
        return _UNRESOLVED

    def _class_attribute_annotation(
        self, info: _ClassInfo, attribute: str, seen: set[str]
    ) -> cst.Annotation | None:
        for candidate in self._lineage(info, seen):
            if attribute in candidate.annotations:
                return candidate.annotations[attribute]
        return None

    def _class_attribute_values(
        self, info: _ClassInfo, attribute: str, seen: set[str]
    ) -> list[cst.BaseExpression]:
        for candidate in self._lineage(info, seen):
            values = candidate.attributes.get(attribute)
            if values:
                return list(values)
        return []

    def _lineage(self, info: _ClassInfo, seen: set[str]) -> Iterator[_ClassInfo]:
        """The class, then its base classes defined in this module, depth first."""
        yield info
        for base in info.base_names:
            short = base.rsplit(".", 1)[-1]
            if short in seen:
                continue
            seen.add(short)
            for candidate in self.recorder.classes_by_name.get(short, ()):
                yield from self._lineage(candidate, seen)

    def _constructed_kind(self, call: cst.Call) -> tuple[ClientKind, str] | None:
        func = call.func
        if not isinstance(func, (cst.Name, cst.Attribute)):
            return None
        qualified_names = self.qualified(func)
        # A name also bound locally (``openai = FakeSDK()``) is not the package.
        if any(q.source is not QualifiedNameSource.IMPORT for q in qualified_names):
            return None
        # Several constructors (``try: from openai import AzureOpenAI as C`` / ``except:
        # from openai import OpenAI as C``): OpenAI's first, as merged references do.
        found = [
            (kind, qualified.name)
            for qualified in qualified_names
            if (kind := names.CLIENT_CONSTRUCTORS.get(qualified.name)) is not None
        ]
        if not found:
            return None
        return min(found, key=lambda pair: (pair[0] is not ClientKind.OPENAI, pair[1]))

    def _is_chat_path(self, func: cst.BaseExpression, written: tuple[str, ...]) -> bool:
        """Written out (``x.chat.completions.create``) or reached through a name
        bound to ``client.chat.completions``."""
        if _ends_with_chat_path(written):
            return True
        ref = self.ref(func)
        if ref.kind not in ("client", "module"):
            return False
        resolved = tuple(a for a in ref.path if a not in names.RESPONSE_WRAPPERS)
        return bool(resolved) and _ends_with_chat_path(resolved)

    def _receiver(self, func: cst.BaseExpression) -> Receiver | None:
        """Who a chat call goes through, or None when it is not an OpenAI call."""
        ref = self.ref(func)
        if ref.kind == "client":
            return Receiver.CLIENT
        if ref.kind == "module":
            return Receiver.MODULE
        if ref.kind == "unresolved" and self.recorder.imports_openai:
            return Receiver.UNRESOLVED
        return None

    def _unresolved_endpoint_call(
        self, func: cst.BaseExpression, path: Sequence[str]
    ) -> tuple[EndpointUse, cst.CSTNode] | None:
        """``x.embeddings.create(...)`` on a receiver ``x`` we cannot resolve.

        Resolved receivers are handled attribute by attribute; an unresolved one only
        counts in a full call ending in a resource method, so ``self.embeddings.embed_query()``
        in LangChain code is not mistaken for the SDK.
        """
        if not self.recorder.imports_openai or len(path) < 2:
            return None
        for resource in names.UNSUPPORTED_RESOURCES:
            size = len(resource)
            for start in range(len(path) - size):
                if tuple(path[start : start + size]) != resource:
                    continue
                if path[start + size] not in names.RESOURCE_METHODS:
                    continue
                attribute = _nth_attribute(func, len(path) - start - size)
                if attribute is None:
                    continue
                if self.ref(attribute.value).kind != "unresolved":
                    continue
                if resource == ("completions",) and start > 0 and path[start - 1] == "chat":
                    continue
                use = EndpointUse(
                    ".".join(resource), self.span(attribute.attr), Receiver.UNRESOLVED
                )
                return use, attribute
        return None

    # -- values
    def value(self, node: cst.BaseExpression, depth: int = 0) -> Value:
        if depth > _MAX_DEPTH:
            return Value.unknown()
        literal = _string_literal(node)
        if literal is not None:
            return Value(ValueKind.STRING, text=literal, origin=node)
        if isinstance(node, cst.Name):
            if node.value == "None":
                return Value.none()
            bound = self._single_binding(node)
            if bound is not None:
                resolved = self.value(bound, depth + 1)
                if resolved.kind is ValueKind.UNKNOWN and resolved.identifier is None:
                    return Value.unknown(node.value)
                if self._is_parameter_default(bound) and resolved.kind is not ValueKind.STRING:
                    # ``api_key=None`` or an env read as a default is the caller's to
                    # override; only a literal default says what the code will send.
                    return Value.unknown(node.value)
                return dataclasses.replace(resolved, via=(node, bound, *resolved.via))
            several = self._several_bindings(node, depth)
            if several is not None:
                return several
            passed = self._passed_by_callers(node, depth)
            if passed is not None:
                return passed
            imported = self._project_value(node, depth)
            if imported is not None:
                return imported
            return Value.unknown(node.value)
        attribute_value = self._self_attribute_value(node, depth)
        if attribute_value is not None:
            return attribute_value
        if isinstance(node, cst.Attribute):
            imported = self._project_value(node, depth)
            if imported is not None:
                return imported
        env = self._env_read(node, depth)
        if env is not None:
            return env
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            left = self.value(node.left, depth + 1)
            if left.kind is ValueKind.ENV:
                return Value(
                    ValueKind.ENV,
                    env_var=left.env_var,
                    default=self.value(node.right, depth + 1),
                    location=left.location,
                )
            if left.kind is ValueKind.UNKNOWN:
                # ``cfg.base_url or "https://api.openai.com/v1"``: unknown, with a fallback.
                return Value(
                    ValueKind.UNKNOWN,
                    identifier=left.identifier,
                    default=self.value(node.right, depth + 1),
                )
            if left.kind is ValueKind.NONE:
                return self.value(node.right, depth + 1)
            if left.kind is ValueKind.EITHER:
                return Value(
                    ValueKind.EITHER,
                    alternatives=(*left.alternatives, self.value(node.right, depth + 1)),
                )
            return left if left.kind is ValueKind.STRING and left.text else Value.unknown()
        if isinstance(node, cst.IfExp):
            return Value(
                ValueKind.EITHER,
                alternatives=(self.value(node.body, depth + 1), self.value(node.orelse, depth + 1)),
            )
        if isinstance(node, cst.FormattedString):
            return self._formatted_value(node, depth)
        if isinstance(node, cst.Call):
            returned = self._returned_value(node, depth)
            if returned is not None:
                return returned
        return Value.unknown(_identifier_hint(node))

    # -- values written elsewhere: several bindings, helpers, other modules
    def _several_bindings(self, node: cst.Name, depth: int) -> Value | None:
        """A name assigned in several places, every one of which may hold where it is
        read (``key = cfg.key`` then ``if not key: key = os.environ[...]``): one of
        their values. None unless there are several and each is an assignment."""
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        reaching = self._reaching(node, scope, depth)
        if len(reaching) < 2:
            return None
        values = []
        for assignment in reaching:
            if not (isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Name)):
                return None
            bound = self.recorder.bindings.get(assignment.node)
            if bound is None:
                return None
            values.append(self.value(bound, depth + 1))
        if all(value.kind is ValueKind.UNKNOWN and value.default is None for value in values):
            return None
        return Value(ValueKind.EITHER, alternatives=tuple(values))

    def _passed_by_callers(self, node: cst.Name, depth: int) -> Value | None:
        """A parameter without a default, of a function this module calls: what every
        call passes (``def make(base_url): ...`` with ``make("https://...")``). None
        unless every call in the module passes a value it can evaluate."""
        assignment = self._single_assignment(node)
        if not (isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Param)):
            return None
        param = assignment.node
        if param.default is not None or param in self.recorder.self_params:
            return None
        function = self._function_of_param(param)
        if function is None:
            return None
        values = []
        for call in self.recorder.calls:
            if self._function_of(call.func, depth) is not function:
                continue
            passed = _argument_for(function, param, call)
            if passed is None:
                return None
            value = self.value(passed, depth + 1)
            if value.kind is ValueKind.UNKNOWN and value.default is None:
                return None
            # the argument is what the parameter holds: a literal there may be edited
            values.append(dataclasses.replace(value, via=(node, passed, *value.via)))
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return Value(ValueKind.EITHER, alternatives=tuple(values))

    def _function_of_param(self, param: cst.Param) -> cst.FunctionDef | None:
        for function in self.recorder.functions:
            if any(candidate is param for candidate in _all_params(function)):
                return function
        return None

    def _returned_value(self, call: cst.Call, depth: int) -> Value | None:
        """What a call of a function or method of this module returns, when it returns
        plain values (``base_url=self._base_url()``); what a project function
        returns."""
        function = self._function_of(call.func, depth)
        if function is not None:
            returned = self.recorder.returns.get(function)
            if not returned:
                return None
            values = tuple(self.value(expression, depth + 1) for expression in returned)
            if len(values) == 1:
                return values[0]
            return Value(ValueKind.EITHER, alternatives=values)
        obj = self._project_object(call.func, depth)
        if obj is not None and isinstance(obj[0], FunctionObject) and self.project is not None:
            found = self.project.call(obj[0])
            return found if isinstance(found, Value) else None
        return None

    def _function_of(self, func: cst.BaseExpression, depth: int) -> cst.FunctionDef | None:
        ref = self.ref(func, depth)
        return ref.function if ref.kind == "function" else None

    def _project_value(self, node: cst.Name | cst.Attribute, depth: int) -> Value | None:
        """The value of a name imported from another project module, or of an
        attribute of a module, a configuration object or a class of the project."""
        if self.project is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Name):
            obj = self._imported_object(node)
            return obj if isinstance(obj, Value) else None
        base = self._project_object(node.value, depth + 1)
        if base is None:
            return None
        obj_base, construction = base
        if construction is not None:
            for arg in construction.args:
                if arg.keyword is not None and arg.keyword.value == node.attr.value:
                    return self.value(arg.value, depth + 1)
            if any(arg.star == "**" for arg in construction.args):
                return None  # the field may be set in there
        found = self.project.attribute(obj_base, node.attr.value)
        return found if isinstance(found, Value) else None

    def _project_object(
        self, node: cst.BaseExpression, depth: int
    ) -> tuple[ProjectObject, cst.Call | None] | None:
        """The project module, class, instance or function an expression denotes, with
        the construction call when an instance is built in this module."""
        if self.project is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Name):
            imported = self._imported_object(node)
            if imported is not None and not isinstance(imported, Value):
                return imported, None
            bound = self._single_assignment(node)
            if isinstance(bound, Assignment) and isinstance(bound.node, cst.Name):
                value = self.recorder.bindings.get(bound.node)
                return self._project_object(value, depth + 1) if value is not None else None
            if isinstance(bound, Assignment) and isinstance(bound.node, cst.Param):
                if bound.node in self.recorder.self_params:
                    return None
                instance = self._annotated_instance(bound.node.annotation)
                return (instance, None) if instance is not None else None
            if isinstance(bound, Assignment) and isinstance(bound.node, cst.ClassDef):
                own = self.project.own_class(bound.node.name.value)
                return (own, None) if own is not None else None
            return None
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name):
                owner = self._self_owner(node.value)
                if owner is not None:
                    values = self._values_before(
                        owner, self._class_attribute_values(owner, node.attr.value, set()), node
                    )
                    if len(values) == 1:
                        return self._project_object(values[0], depth + 1)
                    annotation = self._class_attribute_annotation(owner, node.attr.value, set())
                    instance = self._annotated_instance(annotation)
                    return (instance, None) if instance is not None else None
            base = self._project_object(node.value, depth + 1)
            if base is None:
                return None
            found = self.project.attribute(base[0], node.attr.value)
            if found is None or isinstance(found, Value):
                return None
            return found, None
        if isinstance(node, cst.Call):
            callee = self._project_object(node.func, depth + 1)
            if callee is None:
                return None
            if isinstance(callee[0], ClassObject):
                cls = callee[0]
                return InstanceObject(cls.summary, cls.cls), node
            found = self.project.call(callee[0])
            if found is None or isinstance(found, Value):
                return None
            return found, None
        return None

    def _annotated_instance(self, annotation: cst.Annotation | None) -> InstanceObject | None:
        """An instance of the project class an annotation names (``settings: Settings``)."""
        if annotation is None:
            return None
        for name_node in _annotation_names(annotation.annotation):
            found = self._project_object(name_node, 0)
            if found is not None and isinstance(found[0], ClassObject):
                return InstanceObject(found[0].summary, found[0].cls)
        return None

    def _single_assignment(self, node: cst.Name) -> BaseAssignment | None:
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        assignments = list(scope[node.value])
        return assignments[0] if len(assignments) == 1 else None

    def _imported_object(self, node: cst.Name) -> ProjectObject | Value | None:
        """What a name imported from a project module holds (``from .config import
        MODEL``, ``from pkg import config``, ``import settings``)."""
        if self.project is None:
            return None
        assignment = self._single_assignment(node)
        if not isinstance(assignment, ImportAssignment):
            return None
        statement = assignment.node
        if isinstance(statement, cst.ImportFrom):
            if isinstance(statement.names, cst.ImportStar):
                return None
            module = dotted_name(statement.module) or "" if statement.module is not None else ""
            for alias in statement.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name) and bound.value == node.value:
                    name = dotted_name(alias.name)
                    return self.project.imported(module, name, len(statement.relative))
            return None
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                dotted = dotted_name(alias.name) or ""
                if alias.asname is not None:
                    bound = alias.asname.name
                    if isinstance(bound, cst.Name) and bound.value == node.value:
                        return self.project.imported(dotted, None, 0)
                elif dotted.split(".", 1)[0] == node.value:
                    return self.project.imported(node.value, None, 0)
        return None

    def _formatted_value(self, node: cst.FormattedString, depth: int) -> Value:
        """An f-string whose placeholders are constants is a string; otherwise its most
        telling identifier is the first placeholder's (an env variable or a name)."""
        pieces: list[str] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                return Value.unknown()
            inner = self.value(part.expression, depth + 1)
            if inner.kind is ValueKind.STRING and part.format_spec is None:
                pieces.append(inner.text or "")
            elif inner.kind is ValueKind.ENV:
                return Value.unknown(inner.env_var)
            else:
                return Value.unknown(inner.identifier)
        return Value(ValueKind.STRING, text="".join(pieces))

    def _env_read(self, node: cst.BaseExpression, depth: int) -> Value | None:
        if isinstance(node, cst.Subscript):
            if self._is_qualified(node.value, ("os.environ",)) and len(node.slice) == 1:
                index = node.slice[0].slice
                if isinstance(index, cst.Index):
                    return Value(ValueKind.ENV, env_var=self._static_text(index.value, depth))
            return None
        if not isinstance(node, cst.Call) or not node.args:
            return None
        getter = self._is_qualified(
            node.func, ("os.getenv", "os.environ.get", "decouple.config", "os.environ.setdefault")
        )
        if not getter:
            return None
        variable = self._static_text(node.args[0].value, depth)
        default_arg = next(
            (arg for arg in node.args[1:] if arg.keyword is None or arg.keyword.value == "default"),
            None,
        )
        if default_arg is None:
            # os.getenv / .get return None when unset; decouple.config raises.
            raises = self._is_qualified(node.func, ("decouple.config",))
            return Value(ValueKind.ENV, env_var=variable, default=None if raises else Value.none())
        return Value(
            ValueKind.ENV, env_var=variable, default=self.value(default_arg.value, depth + 1)
        )

    def _static_text(self, node: cst.BaseExpression, depth: int) -> str | None:
        value = self.value(node, depth + 1)
        return value.text if value.kind is ValueKind.STRING else None

    def _is_qualified(self, node: cst.BaseExpression, targets: Sequence[str]) -> bool:
        qualified = self.qualified(node)
        return any(q.name in targets and q.source is QualifiedNameSource.IMPORT for q in qualified)

    def _single_binding(self, node: cst.Name) -> cst.BaseExpression | None:
        """The one expression ``node`` can hold: its only assignment's value, or the
        default of the parameter it names (what it holds unless a caller overrides)."""
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        assignments = list(scope[node.value])
        if len(assignments) != 1:
            return None
        (assignment,) = assignments
        if isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Name):
            return self.recorder.bindings.get(assignment.node)
        if (
            isinstance(assignment, Assignment)
            and isinstance(assignment.node, cst.Param)
            and assignment.node.default is not None
        ):
            self._parameter_defaults.add(assignment.node.default)
            return assignment.node.default
        return None

    def _is_parameter_default(self, node: cst.BaseExpression) -> bool:
        return node in self._parameter_defaults

    def _self_attribute_value(self, node: cst.BaseExpression, depth: int) -> Value | None:
        """``self.model`` in a method: the one value assigned to the attribute in the
        class (or a base class in this module), resolved in turn."""
        if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)):
            return None
        owner = self._self_owner(node.value)
        if owner is None:
            return None
        assigned = self._class_attribute_values(owner, node.attr.value, set())
        if not assigned:
            # ``self.key`` where ``key`` is a property returning a plain value
            method = self._method(owner, node.attr.value)
            if method is None or not _is_property(method):
                return None
            returned = self.recorder.returns.get(method)
            if not returned:
                return None
            found = tuple(self.value(expression, depth + 1) for expression in returned)
            return found[0] if len(found) == 1 else Value(ValueKind.EITHER, alternatives=found)
        values = self._values_before(owner, assigned, node)
        if len(values) != 1:
            return None
        resolved = self.value(values[0], depth + 1)
        if resolved.kind is ValueKind.UNKNOWN:
            return None
        return dataclasses.replace(resolved, via=(node, *resolved.via))

    def _values_before(
        self, owner: _ClassInfo, values: Sequence[cst.BaseExpression], read: cst.CSTNode
    ) -> list[cst.BaseExpression]:
        """The values of ``values`` (assigned to one attribute) that a read in the
        constructor can see: those of the class body, those the constructor assigns
        before the read, and those of methods it calls before the read. A method that
        runs later (``def use_local(self): self.url = ...``) cannot have set what the
        constructor read. Reads elsewhere may follow any method: every value counts.
        """
        read_range = self.positions.get(read)
        constructor = owner.methods.get("__init__")
        if read_range is None or constructor is None:
            return list(values)
        at = (read_range.start.line, read_range.start.column)
        if not self._contains(constructor, at):
            return list(values)
        called_before = {
            call.func.attr.value
            for call in self.recorder.calls
            if isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
            and self._contains(constructor, self._start(call))
            and self._start(call) < at
        }
        kept = []
        for value in values:
            method = owner.assigned_in.get(value)
            if method is None:
                kept.append(value)  # the class body
            elif method is constructor:
                if self._start(value) < at:
                    kept.append(value)
            elif method.name.value in called_before:
                kept.append(value)
        return kept

    def _start(self, node: cst.CSTNode) -> tuple[int, int]:
        code_range = self.positions[node]
        return (code_range.start.line, code_range.start.column)

    def _self_owner(self, name: cst.Name) -> _ClassInfo | None:
        scope = self.scopes.get(name)
        if scope is None or name.value not in scope:
            return None
        assignments = list(scope[name.value])
        if len(assignments) != 1:
            return None
        (assignment,) = assignments
        if not isinstance(assignment, Assignment) or not isinstance(assignment.node, cst.Param):
            return None
        return self.recorder.self_params.get(assignment.node)

    # -- dicts and arguments
    def _index_mutations(self) -> dict[tuple[int, str], list[_DictEntry | None]]:
        index: dict[tuple[int, str], list[_DictEntry | None]] = defaultdict(list)
        for name_node, entry in self.recorder.dict_mutations:
            scope = self.scopes.get(name_node)
            if scope is None or name_node.value not in scope:
                continue
            for assignment in self.assignments_of(scope, name_node.value):
                index[(id(assignment.scope), name_node.value)].append(entry)
        return index

    def dict_value(self, node: cst.BaseExpression, depth: int = 0) -> _DictValue | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Dict):
            entries: list[_DictEntry] = []
            complete = True
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = _string_literal(element.key)
                    if key is None:
                        complete = False
                    else:
                        entries.append(_DictEntry(key, element.key, element.value))
                else:
                    nested = self.dict_value(element.value, depth + 1)
                    if nested is None:
                        complete = False
                    else:
                        entries.extend(nested.entries)
                        complete = complete and nested.complete
            return _DictValue(tuple(entries), complete)
        if isinstance(node, cst.Call) and self._is_builtin_dict(node.func):
            entries = []
            complete = True
            for arg in node.args:
                if arg.keyword is not None:
                    entries.append(_DictEntry(arg.keyword.value, arg.keyword, arg.value))
                    continue
                nested = self.dict_value(arg.value, depth + 1)
                if nested is None:
                    complete = False
                else:
                    entries.extend(nested.entries)
                    complete = complete and nested.complete
            return _DictValue(tuple(entries), complete)
        if isinstance(node, cst.Name):
            return self._named_dict(node, depth)
        return None

    def _named_dict(self, node: cst.Name, depth: int) -> _DictValue | None:
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        entries: list[_DictEntry] = []
        complete = True
        found = False
        for assignment in self.assignments_of(scope, node.value):
            if not (isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Name)):
                complete = False
                continue
            bound = self.recorder.bindings.get(assignment.node)
            nested = self.dict_value(bound, depth + 1) if bound is not None else None
            if nested is None:
                complete = False
                continue
            found = True
            entries.extend(nested.entries)
            complete = complete and nested.complete
            for mutation in self._mutations.get((id(assignment.scope), node.value), ()):
                if mutation is None:
                    complete = False
                else:
                    entries.append(mutation)
        if not found:
            return None
        return _DictValue(tuple(_dedupe_entries(entries)), complete)

    def _is_builtin_dict(self, func: cst.BaseExpression) -> bool:
        if not isinstance(func, cst.Name) or func.value != "dict":
            return False
        scope = self.scopes.get(func)
        return (
            scope is None
            or "dict" not in scope
            or not any(isinstance(a, Assignment) for a in scope["dict"])
        )

    def _arguments(self, call: cst.Call, *, request: bool) -> Arguments:
        fields: list[Field] = []
        complete = True
        extra_body_complete = True
        for arg in call.args:
            if arg.keyword is not None:
                self._add_field(fields, arg.keyword.value, arg, arg.value, FieldOrigin.KEYWORD)
            elif arg.star == "**":
                splat = self.dict_value(arg.value)
                if splat is None:
                    complete = False
                    continue
                complete = complete and splat.complete
                for entry in splat.entries:
                    self._add_field(
                        fields, entry.key, entry.key_node, entry.value, FieldOrigin.SPLAT
                    )
        if request:
            for candidate in list(fields):
                if candidate.name != "extra_body":
                    continue
                body = self.dict_value(candidate.value_node)
                if body is None:
                    extra_body_complete = False
                    continue
                extra_body_complete = extra_body_complete and body.complete
                elements = _literal_elements(candidate.value_node)
                for entry in body.entries:
                    self._add_field(
                        fields,
                        entry.key,
                        entry.key_node,
                        entry.value,
                        FieldOrigin.EXTRA_BODY,
                        element=elements.get(entry.key_node),
                        container=candidate.value_node if entry.key_node in elements else None,
                    )
        return Arguments(tuple(fields), complete, extra_body_complete)

    def _add_field(
        self,
        fields: list[Field],
        name: str,
        node: cst.CSTNode,
        value_node: cst.BaseExpression,
        origin: FieldOrigin,
        *,
        element: cst.CSTNode | None = None,
        container: cst.BaseExpression | None = None,
    ) -> None:
        fields.append(
            Field(
                name=name,
                span=self.span(node),
                origin=origin,
                node=node,
                value_node=value_node,
                value=self.value(value_node),
                element=element,
                container=container,
            )
        )

    def _header_secrets(self, arguments: Arguments, keyword: str) -> Iterable[HeaderSecret]:
        headers = arguments.named(keyword)
        if headers is None:
            return
        headers_dict = self.dict_value(headers.value_node)
        if headers_dict is None:
            return
        for entry in headers_dict.entries:
            if entry.key.lower() != "authorization":
                continue
            text = _string_literal(entry.value)
            if text is not None:
                yield HeaderSecret(self.span(entry.value), text)

    # -- module configuration
    def _module_assignments(self) -> Iterable[ModuleAssignment]:
        for assign, target in self.recorder.attribute_assignments:
            base = self.ref(target.value)
            if base.kind != "module" or base.path:
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


# --------------------------------------------------------------------------- helpers


def _merge_refs(refs: Sequence[_Ref]) -> _Ref:
    """What an expression denotes when it may be any of ``refs``.

    The result depends on the refs only, never on their order (nor on any set's).
    """
    distinct = list(dict.fromkeys(refs))
    if len(distinct) == 1:
        return distinct[0]
    kinds = {ref.kind for ref in distinct}
    if kinds == {"other"} or kinds == {"other", "unresolved"}:
        return _OTHER
    if kinds <= {"client", "unresolved"}:
        # Clients reached the same way merge into one (OpenAI's when kinds differ);
        # with unknown bindings beside them the name is most likely that client
        # (``client = None`` then ``client = OpenAI()``).
        clients = [ref for ref in distinct if ref.kind == "client"]
        if len({ref.path for ref in clients}) == 1:
            client_kinds = {ref.client_kind for ref in clients}
            (client_kind,) = client_kinds if len(client_kinds) == 1 else (ClientKind.OPENAI,)
            origins = frozenset().union(*(ref.origins for ref in clients))
            return _Ref("client", clients[0].path, client_kind, origins=origins)
    return _UNRESOLVED


def _dedupe_entries(entries: Iterable[_DictEntry]) -> list[_DictEntry]:
    seen: set[tuple[str, int]] = set()
    result = []
    for entry in entries:
        marker = (entry.key, id(entry.key_node))
        if marker not in seen:
            seen.add(marker)
            result.append(entry)
    return result


def _attribute_names(node: cst.BaseExpression) -> list[str]:
    """``f().b.c`` -> ["b", "c"]: the attribute names after the chain's root."""
    attrs: list[str] = []
    while isinstance(node, cst.Attribute):
        attrs.append(node.attr.value)
        node = node.value
    attrs.reverse()
    return attrs


def _nth_attribute(node: cst.BaseExpression, steps_back: int) -> cst.Attribute | None:
    """The attribute ``steps_back`` levels down the chain (0 = ``node`` itself)."""
    for _ in range(steps_back):
        if not isinstance(node, cst.Attribute):
            return None
        node = node.value
    return node if isinstance(node, cst.Attribute) else None


def _ends_with_chat_path(path: tuple[str, ...]) -> bool:
    return any(path[-len(chat) :] == chat for chat in names.CHAT_PATHS if len(path) >= len(chat))


def _matching_resource(path: tuple[str, ...]) -> str | None:
    for resource in names.UNSUPPORTED_RESOURCES:
        if path == resource:
            return ".".join(resource)
    return None


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """``a.b.c`` of a name or an attribute chain of names, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _string_literal(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return None
        evaluated = node.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    if isinstance(node, cst.ConcatenatedString):
        concatenated = node.evaluated_value
        return concatenated if isinstance(concatenated, str) else None
    if isinstance(node, cst.FormattedString) and all(
        isinstance(part, cst.FormattedStringText) for part in node.parts
    ):
        return "".join(
            part.value for part in node.parts if isinstance(part, cst.FormattedStringText)
        )
    return None


def _subscript_string_key(target: cst.Subscript) -> tuple[str, cst.CSTNode] | None:
    if len(target.slice) != 1:
        return None
    index = target.slice[0].slice
    if isinstance(index, cst.Index):
        key = _string_literal(index.value)
        if key is not None:
            return key, index.value
    return None


def _identifier_hint(node: cst.BaseExpression) -> str | None:
    """The most telling identifier of an expression we cannot evaluate."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            key = _string_literal(index.value)
            if key is not None:
                return key
        return _identifier_hint(node.value)
    if isinstance(node, cst.Call):
        for arg in node.args:
            text = _string_literal(arg.value)
            if text is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
                return text
        return _identifier_hint(node.func)
    return None


def _annotation_names(node: cst.BaseExpression) -> Iterable[cst.Name | cst.Attribute]:
    """Names inside an annotation: ``Optional[OpenAI]``, ``OpenAI | None``..."""
    if isinstance(node, (cst.Name, cst.Attribute)):
        yield node
    elif isinstance(node, cst.Subscript):
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                yield from _annotation_names(element.slice.value)
    elif isinstance(node, cst.BinaryOperation):
        yield from _annotation_names(node.left)
        yield from _annotation_names(node.right)


def _all_params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _argument_for(
    function: cst.FunctionDef, param: cst.Param, call: cst.Call
) -> cst.BaseExpression | None:
    """The expression ``call`` passes for ``param`` of ``function`` (None when it
    passes none, or it cannot be told: ``*args``, ``**kwargs``)."""
    if any(arg.star for arg in call.args):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param.name.value:
            return arg.value
    positional = [*function.params.posonly_params, *function.params.params]
    if param not in positional:
        return None
    index = positional.index(param)
    passed = [arg for arg in call.args if arg.keyword is None]
    return passed[index].value if index < len(passed) else None


def _is_property(node: cst.FunctionDef) -> bool:
    return any(
        (dotted_name(decorator.decorator) or "").rsplit(".", 1)[-1]
        in ("property", "cached_property")
        for decorator in node.decorators
    )


def _is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "staticmethod"
        for decorator in node.decorators
    )


def _contains(outer: cst.ClassDef, function: cst.FunctionDef) -> bool:
    """True when ``function`` is defined directly in ``outer``'s body."""
    body = outer.body
    statements = body.body if isinstance(body, cst.IndentedBlock) else ()
    return any(statement is function for statement in statements)


def _literal_elements(node: cst.BaseExpression) -> dict[cst.CSTNode, cst.CSTNode]:
    """Key node -> element, for a dict literal or ``dict(...)`` call written in place."""
    if isinstance(node, cst.Dict):
        return {
            element.key: element
            for element in node.elements
            if isinstance(element, cst.DictElement)
        }
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        return {arg.keyword: arg for arg in node.args if arg.keyword is not None}
    return {}


@dataclass(slots=True)
class _Tally:
    """What one client (or the module client) is seen used for, while counting."""

    chat: int = 0
    endpoints: set[str] = field(default_factory=set)
    escapes: bool = False

    def freeze(self) -> ClientUses:
        return ClientUses(self.chat, tuple(sorted(self.endpoints)), self.escapes)
