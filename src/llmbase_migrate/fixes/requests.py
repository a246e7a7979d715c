"""Fix helpers for the fields of chat requests (LB202-LB204).

A request body's mapping is written either as a dict literal (``{"top_k": 20}``)
or as a ``dict(top_k=20)`` call; the helpers here read and rebuild both the same
way, keeping the node identity of every entry they do not touch (removal finds
entries by identity). Removing or appending an item keeps end-of-line comments
on the line of the item they follow: a removed item's comment goes with it, and
an appended item does not take its predecessor's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import libcst as cst

from llmbase_migrate.analysis.facts import ChatCall, Field
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.builders import (
    Mapping,
    call_without_fields,
    remove_fields,
    string_literal,
)
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix

# What LB203's fix writes as prompt_cache_key when neither the configuration nor
# the file's path gives a key (code read from stdin without --stdin-filename).
DEFAULT_PROMPT_CACHE_KEY = "default"

_PY_SUFFIX = re.compile(r"\.pyw?$|\.pyi$")


def prompt_cache_key(configured: str | None, path: str | None) -> str:
    """The key LB203's fix writes: the configured ``prompt-cache-key``, else the
    module's dotted path (``app/example.py`` -> ``app.example``, ``pkg/__init__.py``
    -> ``pkg``), else :data:`DEFAULT_PROMPT_CACHE_KEY`. Stable across runs, so
    requests from one module share their prompt cache."""
    if configured:
        return configured
    if path:
        parts = [part for part in _PY_SUFFIX.sub("", path.replace("\\", "/")).split("/") if part]
        parts = [part for part in parts if part != "."]
        if parts and parts[-1] == "__init__":
            parts.pop()
        if parts:
            return ".".join(parts)
    return DEFAULT_PROMPT_CACHE_KEY


def removable(call: ChatCall, fields: Iterable[Field]) -> list[Field]:
    """The fields that can be deleted where they are written: keywords, and entries
    of an ``extra_body`` written at the call (not ``**`` dicts, not names)."""
    return [field for field in fields if call_without_fields(call.node, [field]) is not None]


def removal_fix(
    source: SourceMap, call: ChatCall, fields: Sequence[Field], applicability: Applicability
) -> tuple[Fix, list[Field]] | None:
    """One fix deleting every removable field of ``fields`` from ``call`` (``extra_body``
    goes when it is left empty), with the fields it covers."""
    covered = removable(call, fields)
    if not covered:
        return None
    edit = remove_fields(source, call.node, covered)
    if edit is None:
        return None
    names = ", ".join(sorted({field.name for field in covered}))
    return Fix(applicability, f"remove {names}", (edit,)), covered


def is_mapping(node: cst.CSTNode | None) -> bool:
    """A dict literal or a ``dict(...)`` call (keyword arguments only)."""
    if isinstance(node, cst.Dict):
        return True
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "dict"
        and all(arg.keyword is not None for arg in node.args)
    )


def literal_key(node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def mapping_keys(mapping: Mapping) -> set[str] | None:
    """The keys of a mapping written in place; None when some are not literal
    (``**other``, a computed key), so a key cannot be proven absent."""
    keys: set[str] = set()
    if isinstance(mapping, cst.Dict):
        for element in mapping.elements:
            key = literal_key(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None
            keys.add(key)
        return keys
    for arg in mapping.args:
        if arg.keyword is None:
            return None
        keys.add(arg.keyword.value)
    return keys


def mapping_entry(mapping: Mapping, key: str) -> tuple[cst.CSTNode, cst.BaseExpression] | None:
    """The element (``DictElement`` or ``dict()`` keyword ``Arg``) holding ``key``, and
    its value."""
    if isinstance(mapping, cst.Dict):
        for element in mapping.elements:
            if isinstance(element, cst.DictElement) and literal_key(element.key) == key:
                return element, element.value
        return None
    for arg in mapping.args:
        if arg.keyword is not None and arg.keyword.value == key:
            return arg, arg.value
    return None


def with_entry_value(mapping: Mapping, element: cst.CSTNode, value: cst.BaseExpression) -> Mapping:
    """``mapping`` with the value of ``element`` replaced."""
    if isinstance(mapping, cst.Dict):
        return mapping.with_changes(
            elements=[
                item.with_changes(value=value)
                if item is element and isinstance(item, cst.DictElement)
                else item
                for item in mapping.elements
            ]
        )
    return mapping.with_changes(
        args=[arg.with_changes(value=value) if arg is element else arg for arg in mapping.args]
    )


def renamed_field(
    call: cst.Call, field: Field, name: str, value: cst.BaseExpression
) -> cst.Call | None:
    """``call`` with ``field`` (a keyword, or an entry of ``extra_body`` written at the
    call) turned into ``name=value`` where it stands; None for other shapes."""
    node = field.element if field.element is not None else field.node
    if isinstance(node, cst.Arg) and node.keyword is not None:
        new_node: cst.CSTNode = node.with_changes(keyword=cst.Name(name), value=value)
    elif isinstance(node, cst.DictElement):
        new_node = node.with_changes(
            key=cst.SimpleString(string_literal(name, node.key)), value=value
        )
    else:
        return None
    if node is field.node:
        if not any(arg is node for arg in call.args):
            return None
        return call.with_changes(args=[new_node if arg is node else arg for arg in call.args])
    container = field.container
    holder = next(
        (arg for arg in call.args if container is not None and arg.value is container), None
    )
    if holder is None or not is_mapping(container):
        return None
    assert isinstance(container, (cst.Dict, cst.Call))
    if isinstance(container, cst.Dict):
        rebuilt: Mapping = container.with_changes(
            elements=[new_node if item is node else item for item in container.elements]
        )
    else:
        rebuilt = container.with_changes(
            args=[new_node if arg is node else arg for arg in container.args]
        )
    return call.with_changes(
        args=[arg.with_changes(value=rebuilt) if arg is holder else arg for arg in call.args]
    )


def call_edit(source: SourceMap, old: cst.Call, new: cst.Call | None) -> Edit | None:
    if new is None or new is old:
        return None
    return source.replace(old, new)
