"""One traversal of a parsed module that records what resolution needs.

What LibCST's scope metadata does not give: the value bound to each assigned name,
attributes assigned on ``self`` per class (with the method assigning them),
functions and what they return, dict mutations (``params["k"] = v``,
``params.update(...)``), ``# noqa`` comments, the blocks statements run in, and the
candidate nodes (calls, attributes, assignments to ``openai.*``). Knows nothing
about rules, nor about what the records mean.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from llmbase_migrate.analysis import names
from llmbase_migrate.analysis.scopes import store_names
from llmbase_migrate.analysis.source_map import StatementPlace
from llmbase_migrate.analysis.visitor import Visitor


@dataclass(slots=True, eq=False)
class ClassInfo:
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
class DictEntry:
    key: str
    key_node: cst.CSTNode
    value: cst.BaseExpression


class Recorder(Visitor):
    """Records, in one pass, what resolution needs. Knows nothing about rules."""

    def __init__(self) -> None:
        super().__init__()
        self.bindings: dict[cst.Name, cst.BaseExpression] = {}
        self.name_annotations: dict[cst.Name, cst.Annotation] = {}
        self.classes: dict[cst.ClassDef, ClassInfo] = {}
        self.classes_by_name: dict[str, list[ClassInfo]] = defaultdict(list)
        # the first parameter of a method -> the class it belongs to
        self.self_params: dict[cst.Param, ClassInfo] = {}
        # (name node of the mutated dict, entries added to it)
        # (the mutated dict's name, an entry added to it, or a dict merged into it by
        # ``update(other)``; None when what is added cannot be read)
        self.dict_mutations: list[tuple[cst.Name, DictEntry | cst.BaseExpression | None]] = []
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
        # innermost last: a ClassInfo for a class body, a FunctionDef for a function body
        self._context: list[ClassInfo | cst.FunctionDef] = []

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
        info = ClassInfo(node, bases, defaultdict(list))
        self.classes[node] = info
        self.classes_by_name[node.name.value].append(info)
        self._context.append(info)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._context.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stored_names.add(node.name)
        self.functions.append(node)
        owner = self._context[-1] if self._context else None
        if isinstance(owner, ClassInfo) and defined_in(owner.node, node):
            owner.methods.setdefault(node.name.value, node)
            if not is_staticmethod(node):
                params = node.params.posonly_params or node.params.params
                if params:
                    self.self_params[params[0]] = owner
        self._context.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._context.pop()

    def _enclosing_self(self) -> tuple[str, ClassInfo, cst.FunctionDef] | None:
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
            if self._context and isinstance(self._context[-1], ClassInfo):
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
            if self._context and isinstance(self._context[-1], ClassInfo):
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
            key = subscript_string_key(target)
            if key is not None:
                self.dict_mutations.append((target.value, DictEntry(key[0], key[1], value)))
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
            if call.args and (key := string_literal(call.args[0].value)) is not None:
                value = call.args[1].value if len(call.args) > 1 else cst.Name("None")
                self.dict_mutations.append((target, DictEntry(key, call.args[0].value, value)))
            return
        for arg in call.args:
            if arg.keyword is not None:
                self.dict_mutations.append(
                    (target, DictEntry(arg.keyword.value, arg.keyword, arg.value))
                )
            elif isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    if (
                        isinstance(element, cst.DictElement)
                        and (key := string_literal(element.key)) is not None
                    ):
                        self.dict_mutations.append(
                            (target, DictEntry(key, element.key, element.value))
                        )
                    else:
                        self.dict_mutations.append((target, None))
            elif arg.star == "":
                # ``params.update(extra)``: whatever ``extra`` holds, resolved later
                self.dict_mutations.append((target, arg.value))
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


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """``a.b.c`` of a name or an attribute chain of names, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def string_literal(node: cst.BaseExpression | None) -> str | None:
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


def subscript_string_key(target: cst.Subscript) -> tuple[str, cst.CSTNode] | None:
    if len(target.slice) != 1:
        return None
    index = target.slice[0].slice
    if isinstance(index, cst.Index):
        key = string_literal(index.value)
        if key is not None:
            return key, index.value
    return None


def is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "staticmethod"
        for decorator in node.decorators
    )


def defined_in(outer: cst.ClassDef, function: cst.FunctionDef) -> bool:
    """True when ``function`` is defined directly in ``outer``'s body."""
    body = outer.body
    statements = body.body if isinstance(body, cst.IndentedBlock) else ()
    return any(statement is function for statement in statements)
