"""What expressions denote on the SDK side: clients, the ``openai`` module, other
SDKs; which calls construct a client or make a chat request through one."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence

import libcst as cst
from libcst.metadata import (
    Assignment,
    BaseAssignment,
    ImportAssignment,
    QualifiedName,
    QualifiedNameSource,
)

from llmbase_migrate.analysis import names
from llmbase_migrate.analysis.bindings import Bindings
from llmbase_migrate.analysis.facts import ClientKind, EndpointUse, Receiver, Span
from llmbase_migrate.analysis.recording import ClassInfo, dotted_name, string_literal
from llmbase_migrate.analysis.refs import MAX_DEPTH, OTHER, UNRESOLVED, Ref, RefKind, merge_refs


class References(Bindings):
    def qualified(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        """Qualified names of a name or attribute, computed on demand and cached."""
        cached = self._qualified_names.get(node)
        if cached is None:
            scope = self.scopes.get(node)
            cached = scope.get_qualified_names_for(node) if scope is not None else set()
            self._qualified_names[node] = cached
        return cached

    def span(self, node: cst.CSTNode) -> Span:
        code_range = self.positions[node]
        return Span(
            code_range.start.line,
            code_range.start.column + 1,
            code_range.end.line,
            code_range.end.column + 1,
        )

    def ref(self, node: cst.BaseExpression, depth: int = 0) -> Ref:
        cached = self._refs.get(node)
        if cached is not None:
            return cached
        if node in self._in_progress or depth > MAX_DEPTH:
            return UNRESOLVED
        self._in_progress.add(node)
        try:
            result = self._compute_ref(node, depth + 1)
        finally:
            self._in_progress.discard(node)
        self._refs[node] = result
        return result

    def _compute_ref(self, node: cst.BaseExpression, depth: int) -> Ref:
        if isinstance(node, cst.Name):
            return self._name_ref(node, depth)
        if isinstance(node, cst.Attribute):
            # LibCST names ``OpenAI(...).embeddings`` "openai.OpenAI.embeddings", as
            # if the call were not there: only a chain of names is an import's.
            imported = self._imported_ref(node) if dotted_name(node) is not None else None
            if imported is not None:
                return imported
            base = self.ref(node.value, depth)
            if base.kind is RefKind.CLASS and base.class_info is not None:
                return self._class_attribute_ref(base.class_info, node.attr.value, depth)
            if base.kind in (RefKind.CLIENT, RefKind.MODULE):
                return Ref(
                    base.kind, (*base.path, node.attr.value), base.client_kind, origins=base.origins
                )
            return base if base.kind is RefKind.OTHER else UNRESOLVED
        if isinstance(node, cst.Call):
            constructed = self._constructed_kind(node)
            if constructed is not None:
                return Ref(RefKind.CLIENT, (), constructed[0], origins=frozenset({node}))
            func = self.ref(node.func, depth)
            if (
                func.kind is RefKind.CLIENT
                and func.path
                and func.path[-1] in names.CLIENT_DERIVING_METHODS
            ):
                return Ref(RefKind.CLIENT, func.path[:-1], func.client_kind, origins=func.origins)
            if func.kind is RefKind.FUNCTION:
                returned = self._returned_ref(func.function, depth)
                if returned.kind is RefKind.CLIENT:
                    return returned
                return self._annotation_ref(func.returns)
            return OTHER if func.kind is RefKind.OTHER else UNRESOLVED
        if isinstance(node, cst.Await):
            return self.ref(node.expression, depth)
        if isinstance(node, cst.IfExp):
            return merge_refs([self.ref(node.body, depth), self.ref(node.orelse, depth)])
        if isinstance(node, cst.BooleanOperation):
            # ``client or OpenAI()``: whichever side is known tells what it is.
            return merge_refs([self.ref(node.left, depth), self.ref(node.right, depth)])
        return UNRESOLVED

    def _imported_ref(self, node: cst.Name | cst.Attribute) -> Ref | None:
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
            return Ref(RefKind.MODULE, tuple(name.split(".")[1:]))
        if roots & names.OTHER_SDK_PACKAGES and names.OPENAI_PACKAGE not in roots:
            return OTHER
        if isinstance(node, cst.Attribute):
            return None
        return UNRESOLVED

    def _name_ref(self, node: cst.Name, depth: int) -> Ref:
        imported = self._imported_ref(node)
        if imported is not None:
            return imported
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return UNRESOLVED
        refs = [
            self._assignment_ref(assignment, depth)
            for assignment in self._reaching(node, scope, depth)
        ]
        return merge_refs(refs) if refs else UNRESOLVED

    def _assignment_ref(self, assignment: BaseAssignment, depth: int) -> Ref:
        if isinstance(assignment, ImportAssignment) or not isinstance(assignment, Assignment):
            return UNRESOLVED
        bound = assignment.node
        if isinstance(bound, cst.Name):
            value = self.recorder.bindings.get(bound)
            ref = self.ref(value, depth) if value is not None else UNRESOLVED
            annotation = self.recorder.name_annotations.get(bound)
            if ref.kind is RefKind.UNRESOLVED and annotation is not None:
                return self._annotation_ref(annotation)
            return ref
        if isinstance(bound, cst.Param):
            owner = self.recorder.self_params.get(bound)
            if owner is not None:
                return Ref(RefKind.CLASS, class_info=owner)
            return self._param_ref(bound, depth)
        if isinstance(bound, cst.ClassDef):
            info = self.recorder.classes.get(bound)
            return Ref(RefKind.CLASS, class_info=info) if info is not None else UNRESOLVED
        if isinstance(bound, cst.FunctionDef):
            return Ref(RefKind.FUNCTION, returns=bound.returns, function=bound)
        return UNRESOLVED

    def _param_ref(self, param: cst.Param, depth: int) -> Ref:
        """A parameter: its declared type, and the clients this module's calls pass
        for it (``speak(client, text)``), whose constructions it may come from."""
        annotated = self._annotation_ref(param.annotation)
        if annotated.kind not in (RefKind.CLIENT, RefKind.UNRESOLVED):
            return annotated
        passed = [
            self.ref(argument, depth)
            for _, argument in self.calls_passing(param, depth)
            if argument is not None
        ]
        clients = [ref for ref in passed if ref.kind is RefKind.CLIENT]
        if not clients or len(clients) != len(passed):
            return annotated  # something else is passed too: what it is is not known
        merged = merge_refs(clients)
        if annotated.kind is RefKind.CLIENT and merged.kind is RefKind.CLIENT:
            return Ref(
                RefKind.CLIENT, annotated.path, annotated.client_kind, origins=merged.origins
            )
        return merged if merged.kind is RefKind.CLIENT else annotated

    def function_of_param(self, param: cst.Param) -> cst.FunctionDef | None:
        found = self._param_functions.get(param)
        if found is None and not self._param_functions:
            for function in self.recorder.functions:
                for candidate in all_params(function):
                    self._param_functions[candidate] = function
            found = self._param_functions.get(param)
        return found

    def calls_passing(
        self, param: cst.Param, depth: int
    ) -> Iterator[tuple[cst.Call, cst.BaseExpression | None]]:
        """Every call in this module of the function ``param`` belongs to, with what it
        passes for ``param`` (None: nothing, or nothing that can be told apart from
        ``*args``/``**kwargs``). Calls are matched by name first, so resolving them
        stays cheap."""
        function = self.function_of_param(param)
        if function is None:
            return
        owner = self._constructed_class(function)
        # ``Bot(model="gpt-4o")`` passes ``__init__``'s parameters, ``self`` aside
        name = owner.node.name.value if owner is not None else function.name.value
        for call in self.recorder.calls:
            func = call.func
            if isinstance(func, cst.Name):
                bound = owner is not None
                if func.value != name:
                    continue
            elif isinstance(func, cst.Attribute):
                bound = True  # ``self.speak(...)``, ``helper.speak(...)``
                if func.attr.value != name:
                    continue
            else:
                continue
            resolved = self.ref(func, depth)
            if owner is not None:
                if resolved.kind is not RefKind.CLASS or resolved.class_info is not owner:
                    continue
            elif resolved.kind is not RefKind.FUNCTION or resolved.function is not function:
                continue
            skip = 1 if bound and self._is_bound_method(function) else 0
            yield call, argument_for(function, param, call, skip=skip)

    def constructions_of(self, info: ClassInfo, depth: int) -> Iterator[cst.Call]:
        """The calls of this module that build an instance of ``info``."""
        name = info.node.name.value
        for call in self.recorder.calls:
            func = call.func
            called = func.value if isinstance(func, cst.Name) else None
            if isinstance(func, cst.Attribute):
                called = func.attr.value
            if called != name:
                continue
            resolved = self.ref(func, depth)
            if resolved.kind is RefKind.CLASS and resolved.class_info is info:
                yield call

    def _constructed_class(self, function: cst.FunctionDef) -> ClassInfo | None:
        """The class whose constructor ``function`` is (its ``__init__``)."""
        if function.name.value != "__init__":
            return None
        return next(
            (
                info
                for info in self.recorder.classes.values()
                if info.methods.get("__init__") is function
            ),
            None,
        )

    def _is_bound_method(self, function: cst.FunctionDef) -> bool:
        """A method called on an instance or class, which passes its first parameter."""
        in_class = any(function in info.methods.values() for info in self.recorder.classes.values())
        return in_class and not any(
            isinstance(decorator.decorator, cst.Name)
            and decorator.decorator.value == "staticmethod"
            for decorator in function.decorators
        )

    def _annotation_ref(self, annotation: cst.Annotation | None) -> Ref:
        if annotation is None:
            return UNRESOLVED
        found: list[Ref] = []
        for name_node in annotation_names(annotation.annotation):
            imported = self._imported_ref(name_node)
            if imported is not None and imported.kind is RefKind.MODULE:
                if imported.path and imported.path[-1] in names.CLIENT_TYPE_NAMES:
                    kind = ClientKind.AZURE if "Azure" in imported.path[-1] else ClientKind.OPENAI
                    found.append(Ref(RefKind.CLIENT, (), kind))
            elif imported is not None and imported.kind is RefKind.OTHER:
                found.append(OTHER)
        if isinstance(annotation.annotation, cst.SimpleString):
            text = string_literal(annotation.annotation) or ""
            if any(part in names.CLIENT_TYPE_NAMES for part in re.split(r"[\W]+", text)):
                found.append(Ref(RefKind.CLIENT, (), ClientKind.OPENAI))
        return merge_refs(found) if found else UNRESOLVED

    def _class_attribute_ref(self, info: ClassInfo, attribute: str, depth: int) -> Ref:
        values = self._class_attribute_values(info, attribute, set())
        refs = [self.ref(value, depth) for value in values]
        annotation = self._class_attribute_annotation(info, attribute, set())
        if annotation is not None:
            refs.append(self._annotation_ref(annotation))
        if refs:
            return merge_refs(refs)
        method = self._method(info, attribute)
        if method is None:
            return UNRESOLVED
        if is_property(method):
            returned = self._returned_ref(method, depth)
            return (
                returned
                if returned.kind is RefKind.CLIENT
                else self._annotation_ref(method.returns)
            )
        return Ref(RefKind.FUNCTION, returns=method.returns, function=method)

    def _method(self, info: ClassInfo, name: str) -> cst.FunctionDef | None:
        for candidate in self._lineage(info, set()):
            if name in candidate.methods:
                return candidate.methods[name]
        return None

    def _returned_ref(self, function: cst.FunctionDef | None, depth: int) -> Ref:
        """What calling ``function`` gives, from its ``return`` statements: a client
        when they all return one (``def make(): return OpenAI(...)``)."""
        if function is None:
            return UNRESOLVED
        returned = self.recorder.returns.get(function)
        if not returned:
            return UNRESOLVED
        refs = [self.ref(value, depth) for value in returned]
        if all(ref.kind is RefKind.CLIENT for ref in refs):
            return merge_refs(refs)
        return UNRESOLVED

    def _class_attribute_annotation(
        self, info: ClassInfo, attribute: str, seen: set[str]
    ) -> cst.Annotation | None:
        for candidate in self._lineage(info, seen):
            if attribute in candidate.annotations:
                return candidate.annotations[attribute]
        return None

    def _class_attribute_values(
        self, info: ClassInfo, attribute: str, seen: set[str]
    ) -> list[cst.BaseExpression]:
        for candidate in self._lineage(info, seen):
            values = candidate.attributes.get(attribute)
            if values:
                return list(values)
        # A base class whose methods use ``self.client`` that only its subclasses set:
        # the attribute is any of theirs.
        return [
            value
            for subclass in self._subclasses(info, set())
            for value in subclass.attributes.get(attribute, ())
        ]

    def _subclasses(self, info: ClassInfo, seen: set[str]) -> Iterator[ClassInfo]:
        """Classes of this module derived from ``info``, at any depth."""
        name = info.node.name.value
        if name in seen:
            return
        seen.add(name)
        for candidate in self.recorder.classes.values():
            if any(base.rsplit(".", 1)[-1] == name for base in candidate.base_names):
                yield candidate
                yield from self._subclasses(candidate, seen)

    def _lineage(self, info: ClassInfo, seen: set[str]) -> Iterator[ClassInfo]:
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
        if ends_with_chat_path(written):
            return True
        ref = self.ref(func)
        if ref.kind not in (RefKind.CLIENT, RefKind.MODULE):
            return False
        resolved = tuple(a for a in ref.path if a not in names.RESPONSE_WRAPPERS)
        return bool(resolved) and ends_with_chat_path(resolved)

    def _receiver(self, func: cst.BaseExpression) -> Receiver | None:
        """Who a chat call goes through, or None when it is not an OpenAI call."""
        ref = self.ref(func)
        if ref.kind is RefKind.CLIENT:
            return Receiver.CLIENT
        if ref.kind is RefKind.MODULE:
            return Receiver.MODULE
        if ref.kind is RefKind.UNRESOLVED and self.recorder.imports_openai:
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
                attribute = nth_attribute(func, len(path) - start - size)
                if attribute is None:
                    continue
                if self.ref(attribute.value).kind is not RefKind.UNRESOLVED:
                    continue
                if resource == ("completions",) and start > 0 and path[start - 1] == "chat":
                    continue
                use = EndpointUse(
                    ".".join(resource), self.span(attribute.attr), Receiver.UNRESOLVED
                )
                return use, attribute
        return None

    def _is_qualified(self, node: cst.BaseExpression, targets: Sequence[str]) -> bool:
        qualified = self.qualified(node)
        return any(q.name in targets and q.source is QualifiedNameSource.IMPORT for q in qualified)


def attribute_names(node: cst.BaseExpression) -> list[str]:
    """``f().b.c`` -> ["b", "c"]: the attribute names after the chain's root."""
    attrs: list[str] = []
    while isinstance(node, cst.Attribute):
        attrs.append(node.attr.value)
        node = node.value
    attrs.reverse()
    return attrs


def nth_attribute(node: cst.BaseExpression, steps_back: int) -> cst.Attribute | None:
    """The attribute ``steps_back`` levels down the chain (0 = ``node`` itself)."""
    for _ in range(steps_back):
        if not isinstance(node, cst.Attribute):
            return None
        node = node.value
    return node if isinstance(node, cst.Attribute) else None


def ends_with_chat_path(path: tuple[str, ...]) -> bool:
    return any(path[-len(chat) :] == chat for chat in names.CHAT_PATHS if len(path) >= len(chat))


def annotation_names(node: cst.BaseExpression) -> Iterable[cst.Name | cst.Attribute]:
    """Names inside an annotation: ``Optional[OpenAI]``, ``OpenAI | None``..."""
    if isinstance(node, (cst.Name, cst.Attribute)):
        yield node
    elif isinstance(node, cst.Subscript):
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                yield from annotation_names(element.slice.value)
    elif isinstance(node, cst.BinaryOperation):
        yield from annotation_names(node.left)
        yield from annotation_names(node.right)


def is_property(node: cst.FunctionDef) -> bool:
    return any(
        (dotted_name(decorator.decorator) or "").rsplit(".", 1)[-1]
        in ("property", "cached_property")
        for decorator in node.decorators
    )


def all_params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def argument_for(
    function: cst.FunctionDef, param: cst.Param, call: cst.Call, *, skip: int = 0
) -> cst.BaseExpression | None:
    """The expression ``call`` passes for ``param`` of ``function`` (None when it
    passes none, or it cannot be told: ``*args``, ``**kwargs``). ``skip``: leading
    parameters the call does not pass (a bound method's ``self``)."""
    if any(arg.star for arg in call.args):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param.name.value:
            return arg.value
    positional = [*function.params.posonly_params, *function.params.params][skip:]
    if param not in positional:
        return None
    index = positional.index(param)
    passed = [arg for arg in call.args if arg.keyword is None]
    return passed[index].value if index < len(passed) else None
