"""The named arguments of a call however they are spelled: keywords, ``**`` dicts
(literals, ``dict(...)``, names bound to one and mutated in steps), and entries of
``extra_body``."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import Assignment

from llmbase_migrate.analysis.facts import Arguments, Field, FieldOrigin, HeaderSecret
from llmbase_migrate.analysis.recording import DictEntry, string_literal
from llmbase_migrate.analysis.refs import MAX_DEPTH
from llmbase_migrate.analysis.values import Values


@dataclass(frozen=True, slots=True)
class DictValue:
    entries: tuple[DictEntry, ...]
    complete: bool


class CallArguments(Values):
    @functools.cached_property
    def _mutations(self) -> dict[tuple[int, str], list[DictEntry | cst.BaseExpression | None]]:
        """Each dict variable's mutations, by its scope and name (computed once)."""
        return self._index_mutations()

    def _index_mutations(
        self,
    ) -> dict[tuple[int, str], list[DictEntry | cst.BaseExpression | None]]:
        index: dict[tuple[int, str], list[DictEntry | cst.BaseExpression | None]] = defaultdict(
            list
        )
        for name_node, entry in self.recorder.dict_mutations:
            scope = self.scopes.get(name_node)
            if scope is None or name_node.value not in scope:
                continue
            for assignment in self.assignments_of(scope, name_node.value):
                index[(id(assignment.scope), name_node.value)].append(entry)
        return index

    def dict_value(self, node: cst.BaseExpression, depth: int = 0) -> DictValue | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Dict):
            entries: list[DictEntry] = []
            complete = True
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = string_literal(element.key)
                    if key is None:
                        complete = False
                    else:
                        entries.append(DictEntry(key, element.key, element.value))
                else:
                    nested = self.dict_value(element.value, depth + 1)
                    if nested is None:
                        complete = False
                    else:
                        entries.extend(nested.entries)
                        complete = complete and nested.complete
            return DictValue(tuple(entries), complete)
        if isinstance(node, cst.Call) and self._is_builtin_dict(node.func):
            entries = []
            complete = True
            for arg in node.args:
                if arg.keyword is not None:
                    entries.append(DictEntry(arg.keyword.value, arg.keyword, arg.value))
                    continue
                nested = self.dict_value(arg.value, depth + 1)
                if nested is None:
                    complete = False
                else:
                    entries.extend(nested.entries)
                    complete = complete and nested.complete
            return DictValue(tuple(entries), complete)
        if isinstance(node, cst.Name):
            return self._named_dict(node, depth)
        if isinstance(node, cst.Call):
            # ``OpenAI(**self._client_kwargs())``: what a helper of the module returns
            function = self._function_of(node.func, depth)
            returned = self.recorder.returns.get(function) if function is not None else None
            if returned is not None and len(returned) == 1:
                return self.dict_value(returned[0], depth + 1)
        return None

    def _named_dict(self, node: cst.Name, depth: int) -> DictValue | None:
        scope = self.scopes.get(node)
        if scope is None or node.value not in scope:
            return None
        entries: list[DictEntry] = []
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
                if isinstance(mutation, DictEntry):
                    entries.append(mutation)
                    continue
                merged = self.dict_value(mutation, depth + 1) if mutation is not None else None
                if merged is None:
                    complete = False
                else:
                    entries.extend(merged.entries)
                    complete = complete and merged.complete
        if not found:
            return None
        return DictValue(tuple(dedupe_entries(entries)), complete)

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
                elements = literal_elements(candidate.value_node)
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
            text = string_literal(entry.value)
            if text is not None:
                yield HeaderSecret(self.span(entry.value), text)


def dedupe_entries(entries: Iterable[DictEntry]) -> list[DictEntry]:
    seen: set[tuple[str, int]] = set()
    result = []
    for entry in entries:
        marker = (entry.key, id(entry.key_node))
        if marker not in seen:
            seen.add(marker)
            result.append(entry)
    return result


def literal_elements(node: cst.BaseExpression) -> dict[cst.CSTNode, cst.CSTNode]:
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
