"""What an expression evaluates to, as far as static analysis can tell: literals,
names and their bindings, environment reads, ``or`` fallbacks and conditionals,
f-strings of constants, ``self`` attributes, helpers that return plain values, and
what other project modules hold (through the ``ProjectView``)."""

from __future__ import annotations

import dataclasses
import re

import libcst as cst
from libcst.metadata import Assignment, ImportAssignment

from llmbase_migrate.analysis.facts import Value, ValueKind
from llmbase_migrate.analysis.project import (
    ClassObject,
    FunctionObject,
    InstanceObject,
    ProjectObject,
)
from llmbase_migrate.analysis.recording import ClassInfo, dotted_name, string_literal
from llmbase_migrate.analysis.references import References, annotation_names, is_property
from llmbase_migrate.analysis.refs import MAX_DEPTH, RefKind

# String methods that keep a URL or a key what it is (minus blanks or a slash).
_STRIPPING = frozenset({"strip", "rstrip", "lstrip"})


class Values(References):
    def value(self, node: cst.BaseExpression, depth: int = 0) -> Value:
        if depth > MAX_DEPTH:
            return Value.unknown()
        literal = string_literal(node)
        if literal is not None:
            return Value(ValueKind.STRING, text=literal, origin=node, written=node)
        if isinstance(node, cst.Name):
            if node.value == "None":
                return Value.none()
            bound = self._single_binding(node)
            if bound is not None:
                parameter = self._is_parameter_default(bound)
                if parameter:
                    passed = self._passed_by_callers(node, depth)
                    if passed is not None:
                        return passed
                resolved = self.value(bound, depth + 1)
                if resolved.kind is ValueKind.UNKNOWN and resolved.identifier is None:
                    return Value.unknown(node.value)
                if parameter and resolved.kind is not ValueKind.STRING:
                    # ``api_key=None`` or an env read as a default is the caller's to
                    # override; only a literal default says what the code will send.
                    return Value.unknown(node.value)
                return dataclasses.replace(
                    resolved,
                    via=(node, bound, *resolved.via),
                    # callers elsewhere may pass something else
                    parameter=node.value if parameter else resolved.parameter,
                )
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
                    written=left.written,
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
            stripped = self._stripped(node, depth)
            if stripped is not None:
                return stripped
            returned = self._returned_value(node, depth)
            if returned is not None:
                return returned
        return Value.unknown(identifier_hint(node))

    def _stripped(self, call: cst.Call, depth: int) -> Value | None:
        """``os.getenv("URL", "").strip()`` and ``.rstrip("/")``: the value of what is
        stripped (a literal stripped, as the code would)."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _STRIPPING:
            return None
        if len(call.args) > 1 or any(arg.keyword is not None for arg in call.args):
            return None
        chars: str | None = None
        if call.args:
            chars = string_literal(call.args[0].value)
            if chars is None:
                return None
        inner = self.value(func.value, depth + 1)
        if inner.kind is ValueKind.STRING and inner.text is not None:
            text = getattr(inner.text, func.attr.value)(chars)
            return dataclasses.replace(inner, text=text, origin=None)
        return inner

    def _several_bindings(self, node: cst.Name, depth: int) -> Value | None:
        """A name bound in several places: the values of the bindings that may hold
        where it is read (``key = cfg.key`` then ``if not key: key = os.environ[...]``;
        ``api_key = api_key or os.getenv(...)`` rebinding a parameter; ``if model is
        None: model = "gpt-4o"``). None unless each is an assignment or a parameter."""
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        reaching = self._reaching(node, scope, depth, by_value=True)
        if not reaching:
            return None
        values = []
        for assignment in reaching:
            if not isinstance(assignment, Assignment):
                return None
            if isinstance(assignment.node, cst.Param):
                values.append(self._param_value(node, assignment.node, depth))
                continue
            if not isinstance(assignment.node, cst.Name):
                return None
            bound = self.recorder.bindings.get(assignment.node)
            if bound is None:
                return None
            value = self.value(bound, depth + 1)
            values.append(dataclasses.replace(value, via=(node, bound, *value.via)))
        if all(value.kind is ValueKind.UNKNOWN and value.default is None for value in values):
            return None
        if len(values) == 1:
            return values[0]
        return Value(ValueKind.EITHER, alternatives=tuple(values))

    def _param_value(self, node: cst.Name, param: cst.Param, depth: int) -> Value:
        """What a parameter holds where ``node`` reads it: what this module's callers
        pass, else its literal default (which other callers may override)."""
        if param in self.recorder.self_params:
            return Value.unknown(node.value)
        passed = self._passed_for(node, param, depth)
        if passed is not None:
            return passed
        default = param.default
        if default is None:
            return Value.unknown(node.value)
        resolved = self.value(default, depth + 1)
        if resolved.kind is not ValueKind.STRING:
            # ``api_key=None``: what callers elsewhere pass is not known
            return Value.unknown(node.value)
        return dataclasses.replace(
            resolved, via=(node, default, *resolved.via), parameter=node.value
        )

    def _passed_by_callers(self, node: cst.Name, depth: int) -> Value | None:
        """A parameter of a function this module calls: what every call passes, its
        default where a call passes nothing (``def make(base_url="https://a"): ...``
        with ``make()`` and ``make("https://b")``). None unless every call in the
        module gives a value it can evaluate, or when no call passes it at all."""
        assignment = self._single_assignment(node)
        if not (isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Param)):
            return None
        return self._passed_for(node, assignment.node, depth)

    def _passed_for(self, node: cst.Name, param: cst.Param, depth: int) -> Value | None:
        if param in self.recorder.self_params:
            return None
        values = []
        given = False
        for call, passed in self.calls_passing(param, depth):
            if passed is None:
                if param.default is None or any(arg.star for arg in call.args):
                    return None
                passed = param.default
            else:
                given = True
            value = self.value(passed, depth + 1)
            if value.kind is ValueKind.UNKNOWN and value.default is None:
                return None
            # the argument is what the parameter holds: a literal there may be edited
            values.append(dataclasses.replace(value, via=(node, passed, *value.via)))
        if not values or (param.default is not None and not given):
            return None  # the default's, as without callers
        if len(values) == 1:
            return values[0]
        return Value(ValueKind.EITHER, alternatives=tuple(values))

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
        return ref.function if ref.kind is RefKind.FUNCTION else None

    def _project_value(self, node: cst.Name | cst.Attribute, depth: int) -> Value | None:
        """The value of a name imported from another project module, or of an
        attribute of a module, a configuration object or a class of the project."""
        if self.project is None or depth > MAX_DEPTH:
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
            if any(arg.keyword is None for arg in construction.args):
                return None  # the field may be set by position, or in a ``**`` dict
        found = self.project.attribute(obj_base, node.attr.value)
        return found if isinstance(found, Value) else None

    def _project_object(
        self, node: cst.BaseExpression, depth: int
    ) -> tuple[ProjectObject, cst.Call | None] | None:
        """The project module, class, instance or function an expression denotes, with
        the construction call when an instance is built in this module."""
        if self.project is None or depth > MAX_DEPTH:
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
        for name_node in annotation_names(annotation.annotation):
            found = self._project_object(name_node, 0)
            if found is not None and isinstance(found[0], ClassObject):
                return InstanceObject(found[0].summary, found[0].cls, constructed=False)
        return None

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
                    variable = self._static_text(index.value, depth)
                    return Value(ValueKind.ENV, env_var=variable, written=node)
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
            return Value(
                ValueKind.ENV,
                env_var=variable,
                default=None if raises else Value.none(),
                written=node,
            )
        return Value(
            ValueKind.ENV,
            env_var=variable,
            default=self.value(default_arg.value, depth + 1),
            written=node,
        )

    def _static_text(self, node: cst.BaseExpression, depth: int) -> str | None:
        value = self.value(node, depth + 1)
        return value.text if value.kind is ValueKind.STRING else None

    def _self_attribute_value(self, node: cst.BaseExpression, depth: int) -> Value | None:
        """``self.model`` in a method, or ``config.model`` for a parameter annotated
        with a class of this module (``config: AppConfig``) or a name bound to one of
        its instances (``config = AppConfig()``): the one value assigned to the
        attribute in the class (or a base class in this module), resolved in turn."""
        if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)):
            return None
        owner = self._self_owner(node.value)
        if owner is None:
            owner = self._instance_owner(node.value)
            if owner is None:
                return None
            passed = self._construction_argument(node.value, node.attr.value, depth)
            if passed is not None and passed.kind is not ValueKind.UNKNOWN:
                return passed
            if passed is not None and "__init__" not in owner.methods:
                return None  # a positional argument may set a field: not known which
        fielded = self._field_from_constructions(owner, node.attr.value, depth)
        if fielded is not None:
            if fielded.kind is ValueKind.UNKNOWN and fielded.default is None:
                return None  # a construction sets it in a way not read
            return dataclasses.replace(fielded, via=(node, *fielded.via))
        assigned = self._class_attribute_values(owner, node.attr.value, set())
        if not assigned:
            # ``self.key`` where ``key`` is a property returning a plain value
            method = self._method(owner, node.attr.value)
            if method is None or not is_property(method):
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
        if resolved.kind is ValueKind.NONE and self._self_owner(node.value) is None:
            return None  # ``api_key: str | None = None``: the instance's own is not known
        return dataclasses.replace(resolved, via=(node, *resolved.via))

    def _field_from_constructions(
        self, owner: ClassInfo, attribute: str, depth: int
    ) -> Value | None:
        """A field of a dataclass, attrs class, pydantic model or ``NamedTuple`` of this
        module, as every construction of it in the module sets it
        (``OpenAIAdapter(model=model or "gpt-4o-mini")``), its default where one
        passes nothing. Unknown when a construction sets it otherwise than by keyword;
        None when the module builds none (the class default is then what is known)."""
        if "__init__" in owner.methods or not is_record_class(owner):
            return None
        if attribute not in owner.annotations:
            return None
        defaults = owner.attributes.get(attribute) or []
        default = defaults[0] if len(defaults) == 1 else None
        values = []
        for call in self.constructions_of(owner, depth):
            passed = next(
                (
                    arg.value
                    for arg in call.args
                    if arg.keyword is not None and arg.keyword.value == attribute
                ),
                None,
            )
            if passed is None:
                if any(arg.keyword is None for arg in call.args):
                    return Value.unknown(attribute)  # set by position, or in a ** dict
                if default is None:
                    return None
                passed = default
            values.append(self.value(passed, depth + 1))
        if not values:
            return None
        if all(value.kind is ValueKind.UNKNOWN and value.default is None for value in values):
            return Value.unknown(attribute)
        if len(values) == 1:
            return values[0]
        return Value(ValueKind.EITHER, alternatives=tuple(values))

    def _construction_argument(self, name: cst.Name, attribute: str, depth: int) -> Value | None:
        """What ``config = AppConfig(model="x")`` passes for ``attribute`` (unknown
        when positional or ``**`` arguments may set it); None when it passes nothing."""
        assignment = self._single_assignment(name)
        if not (isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Name)):
            return None
        bound = self.recorder.bindings.get(assignment.node)
        if not isinstance(bound, cst.Call):
            return None
        for arg in bound.args:
            if arg.keyword is not None and arg.keyword.value == attribute:
                return self.value(arg.value, depth + 1)
        if any(arg.keyword is None for arg in bound.args):
            return Value.unknown(attribute)
        return None

    def _instance_owner(self, name: cst.Name) -> ClassInfo | None:
        """The class of this module ``name`` holds an instance of, by its annotation
        or its one binding (``AppConfig()``)."""
        assignment = self._single_assignment(name)
        if not isinstance(assignment, Assignment):
            return None
        declared: cst.BaseExpression | None = None
        if isinstance(assignment.node, cst.Param):
            if assignment.node.annotation is not None:
                declared = assignment.node.annotation.annotation
        elif isinstance(assignment.node, cst.Name):
            bound = self.recorder.bindings.get(assignment.node)
            if isinstance(bound, cst.Call):
                declared = bound.func
        if not isinstance(declared, cst.Name):
            return None
        ref = self.ref(declared)
        return ref.class_info if ref.kind is RefKind.CLASS else None


def identifier_hint(node: cst.BaseExpression) -> str | None:
    """The most telling identifier of an expression we cannot evaluate."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            key = string_literal(index.value)
            if key is not None:
                return key
        return identifier_hint(node.value)
    if isinstance(node, cst.Call):
        for arg in node.args:
            if arg.keyword is not None:
                continue  # ``type="password"`` says nothing about what the call gives
            text = string_literal(arg.value)
            if text is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
                return text
        return identifier_hint(node.func)
    return None


_RECORD_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "s", "attrs"})
_RECORD_BASES = frozenset({"BaseModel", "NamedTuple"})


def is_record_class(info: ClassInfo) -> bool:
    """A class whose constructor takes its annotated fields as keywords."""
    for decorator in info.node.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        name = dotted_name(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
        if name is not None and name.rsplit(".", 1)[-1] in _RECORD_DECORATORS:
            return True
    return any(base.rsplit(".", 1)[-1] in _RECORD_BASES for base in info.base_names)
