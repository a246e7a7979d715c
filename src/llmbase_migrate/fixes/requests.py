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

from llmbase_migrate.analysis.facts import ChatCall, Field, FieldOrigin
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.builders import (
    string_literal,
    with_entries,
    with_keyword,
)
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix

# What LB203's fix writes as prompt_cache_key when neither the configuration nor
# the file's path gives a key (code read from stdin without --stdin-filename).
DEFAULT_PROMPT_CACHE_KEY = "default"

_PY_SUFFIX = re.compile(r"\.pyw?$|\.pyi$")

Mapping = cst.Dict | cst.Call


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
    return [field for field in fields if call_without(call.node, [field]) is not None]


def removal_fix(
    source: SourceMap, call: ChatCall, fields: Sequence[Field], applicability: Applicability
) -> tuple[Fix, list[Field]] | None:
    """One fix deleting every removable field of ``fields`` from ``call`` (``extra_body``
    goes when it is left empty), with the fields it covers."""
    covered = removable(call, fields)
    if not covered:
        return None
    edit = removal_edit(source, call.node, covered)
    if edit is None:
        return None
    names = ", ".join(sorted({field.name for field in covered}))
    return Fix(applicability, f"remove {names}", (edit,)), covered


def removal_edit(source: SourceMap, call: cst.Call, fields: Sequence[Field]) -> Edit | None:
    """One edit removing ``fields`` from ``call`` (see :func:`call_without`)."""
    rebuilt = call_without(call, fields)
    return source.replace(call, rebuilt) if rebuilt is not None else None


def call_without(call: cst.Call, fields: Sequence[Field]) -> cst.Call | None:
    """``builders.call_without_fields`` with the comments of removed lines removed too.

    Keywords, and entries of an ``extra_body`` written at the call, are removed;
    ``extra_body`` goes when nothing is left in it. None when a field is not
    removable that way.
    """
    args_to_remove: list[cst.CSTNode] = []
    by_container: dict[int, tuple[cst.BaseExpression, list[cst.CSTNode]]] = {}
    for field in fields:
        if field.origin is FieldOrigin.KEYWORD and isinstance(field.node, cst.Arg):
            args_to_remove.append(field.node)
        elif (
            field.origin is FieldOrigin.EXTRA_BODY
            and field.container is not None
            and field.element is not None
        ):
            by_container.setdefault(id(field.container), (field.container, []))[1].append(
                field.element
            )
        else:
            return None
    new_args: dict[int, cst.Arg] = {}
    for container, elements in by_container.values():
        holder = next((arg for arg in call.args if arg.value is container), None)
        if holder is None or not isinstance(container, (cst.Dict, cst.Call)):
            return None
        remaining = without_entries(container, elements)
        left = remaining.elements if isinstance(remaining, cst.Dict) else remaining.args
        if not left:
            args_to_remove.append(holder)
        else:
            new_args[id(holder)] = holder.with_changes(value=remaining)
    rebuilt = call.with_changes(args=[new_args.get(id(arg), arg) for arg in call.args])
    return without_args(rebuilt, args_to_remove)


def without_args(call: cst.Call, remove: Iterable[cst.CSTNode]) -> cst.Call:
    """``builders.without_arguments``, except that when the last argument goes, the new
    last one keeps its own end-of-line comment (or none): the comment after the
    removed argument described it and goes with its line."""
    removed = {id(node) for node in remove}
    args = list(call.args)
    keep = [arg for arg in args if id(arg) not in removed]
    if len(keep) == len(args):
        return call
    if keep and keep[-1] is not args[-1]:
        last, old_last = keep[-1], args[-1]
        comma, after = old_last.comma, old_last.whitespace_after_arg
        own = _line_end(last.comma)
        if own is not None:
            # The new last argument ended its line: the closing lines are now its.
            if isinstance(comma, cst.Comma) and isinstance(
                comma.whitespace_after, cst.ParenthesizedWhitespace
            ):
                comma = comma.with_changes(
                    whitespace_after=comma.whitespace_after.with_changes(first_line=own)
                )
            elif isinstance(after, cst.ParenthesizedWhitespace):
                after = after.with_changes(first_line=own)
        keep[-1] = last.with_changes(comma=comma, whitespace_after_arg=after)
    return call.with_changes(args=keep)


def without_dict_elements(container: cst.Dict, remove: Iterable[cst.CSTNode]) -> cst.Dict:
    """``builders.without_elements`` with :func:`without_args`' care for comments (a dict
    keeps the comment after its last entry in the closing brace's whitespace)."""
    removed = {id(node) for node in remove}
    elements = list(container.elements)
    keep = [element for element in elements if id(element) not in removed]
    if len(keep) == len(elements):
        return container
    rbrace = container.rbrace
    if keep and keep[-1] is not elements[-1]:
        last, old_last = keep[-1], elements[-1]
        own = _line_end(last.comma)
        closing = rbrace.whitespace_before
        if own is not None and isinstance(closing, cst.ParenthesizedWhitespace):
            rbrace = rbrace.with_changes(whitespace_before=closing.with_changes(first_line=own))
        keep[-1] = last.with_changes(comma=old_last.comma)
    return container.with_changes(elements=keep, rbrace=rbrace)


def _line_end(comma: cst.Comma | cst.MaybeSentinel) -> cst.TrailingWhitespace | None:
    """The end of the line after an item whose comma ends its line (comment included)."""
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return comma.whitespace_after.first_line
    return None


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


def without_entries(mapping: Mapping, elements: Iterable[cst.CSTNode]) -> Mapping:
    if isinstance(mapping, cst.Dict):
        return without_dict_elements(mapping, elements)
    return without_args(mapping, elements)


def with_mapping_entries(
    mapping: Mapping, entries: Sequence[tuple[str, cst.BaseExpression]]
) -> Mapping:
    """``mapping`` with ``key: value`` entries appended (keys known to be absent).

    ``builders.with_entries``/``with_keyword``, except that the end-of-line comment
    of the old last entry stays on its line instead of moving to the new last one.
    """
    for key, value in entries:
        if isinstance(mapping, cst.Dict):
            mapping = _kept_dict_comment(mapping, with_entries(mapping, [(key, value)]))
        else:
            mapping = _kept_call_comment(mapping, with_keyword(mapping, key, value))
    return mapping


def _kept_dict_comment(before: cst.Dict, after: cst.Dict) -> cst.Dict:
    """A dict keeps the comment after its last entry in the closing brace's whitespace:
    give it back to the entry it followed."""
    closing = before.rbrace.whitespace_before
    if not before.elements or not _has_comment(closing):
        return after
    assert isinstance(closing, cst.ParenthesizedWhitespace)
    index = len(before.elements) - 1
    elements = list(after.elements)
    separator = elements[index].comma
    if not isinstance(separator, cst.Comma) or not isinstance(
        separator.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return after  # the new entry shares the line: the comment still ends it
    elements[index] = elements[index].with_changes(
        comma=separator.with_changes(
            whitespace_after=separator.whitespace_after.with_changes(first_line=closing.first_line)
        )
    )
    bare = cst.TrailingWhitespace(newline=closing.first_line.newline)
    return after.with_changes(
        elements=elements,
        rbrace=after.rbrace.with_changes(whitespace_before=closing.with_changes(first_line=bare)),
    )


def _kept_call_comment(before: cst.Call, after: cst.Call) -> cst.Call:
    """In a call the comment after the last argument is in its comma's whitespace (or
    after the argument when it has no comma): keep it on that argument's line."""
    if not before.args or len(after.args) != len(before.args) + 1:
        return after
    old_last = before.args[-1]
    if isinstance(old_last.comma, cst.Comma) and _has_comment(old_last.comma.whitespace_after):
        trailing = old_last.comma.whitespace_after
    elif _has_comment(old_last.whitespace_after_arg):
        trailing = old_last.whitespace_after_arg
    else:
        return after
    assert isinstance(trailing, cst.ParenthesizedWhitespace)
    args = list(after.args)
    separator = args[-2].comma
    if not isinstance(separator, cst.Comma) or not isinstance(
        separator.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return after
    args[-2] = args[-2].with_changes(
        comma=separator.with_changes(
            whitespace_after=separator.whitespace_after.with_changes(first_line=trailing.first_line)
        )
    )
    bare = trailing.with_changes(
        first_line=cst.TrailingWhitespace(newline=trailing.first_line.newline)
    )
    new = args[-1]
    if isinstance(new.comma, cst.Comma) and new.comma.whitespace_after is trailing:
        args[-1] = new.with_changes(comma=new.comma.with_changes(whitespace_after=bare))
    elif new.whitespace_after_arg is trailing:
        args[-1] = new.with_changes(whitespace_after_arg=bare)
    return after.with_changes(args=args)


def _has_comment(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return (
        isinstance(whitespace, cst.ParenthesizedWhitespace)
        and whitespace.first_line.comment is not None
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
