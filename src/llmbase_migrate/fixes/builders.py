"""Building blocks rules use to describe fixes: change a node, get back an edit.

Every function returns None when it cannot prove the change right for the shape
it was given (a ``**`` dict, a value defined elsewhere, text LibCST cannot render
back exactly); the rule then reports without a fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.facts import Field, FieldOrigin, Value, ValueKind
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edit import Edit


def string_literal(text: str, like: cst.CSTNode | None = None) -> str:
    """``text`` as a Python string literal, in the quote style of ``like`` if it has one."""
    quote = '"'
    if isinstance(like, cst.SimpleString) and like.quote in ("'", "'''"):
        quote = "'"
    if quote not in text and "\\" not in text and "\n" not in text and "\r" not in text:
        return f"{quote}{text}{quote}"
    return repr(text)


@dataclass(frozen=True, slots=True)
class StringChange:
    """An edit that makes a string-valued argument hold new text; ``in_place`` is True
    when it rewrites a string literal (the original or a constant's definition) and
    False when it replaces the expression at the call with a literal."""

    edit: Edit
    in_place: bool


def change_string(
    source: SourceMap,
    value_node: cst.BaseExpression,
    value: Value,
    text: str,
    *,
    fixed_nodes: Sequence[cst.CSTNode] = (),
) -> StringChange | None:
    """Make the argument written as ``value_node`` (resolved to ``value``) hold ``text``.

    A literal is rewritten where it is written: at the call, or in the constant or
    ``os.getenv`` default it comes from when every read of that constant is one of
    ``fixed_nodes`` (the arguments being fixed to the same text). Otherwise the
    expression at the call is replaced. An environment read without a literal
    default cannot be changed this way (None).
    """
    literal = value.origin
    if value.kind is ValueKind.ENV and value.default is not None:
        literal = value.default.origin
    elif value.kind is not ValueKind.STRING:
        literal = None
    if isinstance(literal, (cst.SimpleString, cst.ConcatenatedString)):
        in_place = StringChange(source.replace_text(literal, string_literal(text, literal)), True)
        if source.contains(value_node, literal):
            return in_place
        target = source.binding_of(literal)
        if target is None and any(node is literal for node in value.via):
            # A parameter's default: what the parameter holds unless a caller says
            # otherwise, the value being fixed here.
            return in_place
        uses = source.uses_of(target) if target is not None else None
        # Reads along the path resolution took (``self.model`` <- ``model=MODEL``)
        # are reads for this argument's sake.
        paths = (value_node, *value.via, *fixed_nodes)
        if uses is not None and all(
            any(source.contains(fixed, use) for fixed in paths) for use in uses
        ):
            return in_place
    if value.kind is ValueKind.ENV:
        return None
    edit = replace_with_code(source, value_node, string_literal(text, literal))
    return StringChange(edit, False) if edit is not None else None


def replace_with_code(source: SourceMap, node: cst.CSTNode, code: str) -> Edit | None:
    """Replace ``node`` (any expression) with the expression ``code``."""
    try:
        replacement = cst.parse_expression(code)
    except cst.ParserSyntaxError:
        return None
    if isinstance(node, cst.BaseExpression) and node.lpar:
        replacement = replacement.with_changes(lpar=node.lpar, rpar=node.rpar)
    return source.replace(node, replacement)


def without_arguments(call: cst.Call, remove: Iterable[cst.CSTNode]) -> cst.Call:
    """``call`` without the given arguments, its commas kept tidy."""
    removed = {id(node) for node in remove}
    args = list(call.args)
    keep = [arg for arg in args if id(arg) not in removed]
    if len(keep) == len(args):
        return call
    if keep and keep[-1] is not args[-1]:
        # The new last argument takes over the old last one's trailing comma (or
        # lack of one) and what followed it, so the closing bracket stays put.
        keep[-1] = keep[-1].with_changes(
            comma=_tail_comma(keep[-1].comma, args[-1].comma),
            whitespace_after_arg=args[-1].whitespace_after_arg,
        )
    return call.with_changes(args=keep)


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value``: replaced in place if present, else appended."""
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            args = list(call.args)
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
    new_arg = cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new_arg])
    last = args[-1]
    separator = _separator(args[-2].comma if len(args) >= 2 else None, call.whitespace_before_args)
    args[-1] = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
    args.append(
        new_arg.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    )
    return call.with_changes(args=args)


def without_elements(container: cst.Dict, remove: Iterable[cst.CSTNode]) -> cst.Dict:
    removed = {id(node) for node in remove}
    elements = list(container.elements)
    keep = [element for element in elements if id(element) not in removed]
    if keep and keep[-1] is not elements[-1]:
        keep[-1] = keep[-1].with_changes(comma=_tail_comma(keep[-1].comma, elements[-1].comma))
    return container.with_changes(elements=keep)


def with_entries(
    container: cst.Dict, entries: Sequence[tuple[str, cst.BaseExpression]]
) -> cst.Dict:
    """``container`` with ``"key": value`` entries appended."""
    elements = list(container.elements)
    for key, value in entries:
        element = cst.DictElement(cst.SimpleString(string_literal(key)), value)
        if not elements:
            elements.append(element)
            continue
        last = elements[-1]
        separator = _separator(
            elements[-2].comma if len(elements) >= 2 else None, container.lbrace.whitespace_after
        )
        elements[-1] = last.with_changes(comma=separator)
        elements.append(element.with_changes(comma=last.comma))
    return container.with_changes(elements=elements)


def dict_of(entries: Sequence[tuple[str, cst.BaseExpression]]) -> cst.Dict:
    return with_entries(cst.Dict([]), entries)


def remove_fields(source: SourceMap, call: cst.Call, fields: Sequence[Field]) -> Edit | None:
    """One edit removing ``fields`` from ``call``: keywords, and ``extra_body`` entries
    written at the call (``extra_body`` itself goes when it is left empty)."""
    new_call = call_without_fields(call, fields)
    if new_call is None:
        return None
    return source.replace(call, new_call)


def call_without_fields(call: cst.Call, fields: Sequence[Field]) -> cst.Call | None:
    """``call`` rebuilt without ``fields``; None if one of them is not removable."""
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
        if holder is None:
            return None
        if isinstance(container, cst.Dict):
            remaining = without_elements(container, elements)
            if not remaining.elements:
                args_to_remove.append(holder)
            else:
                new_args[id(holder)] = holder.with_changes(value=remaining)
        elif isinstance(container, cst.Call):
            remaining_call = without_arguments(container, elements)
            if not remaining_call.args:
                args_to_remove.append(holder)
            else:
                new_args[id(holder)] = holder.with_changes(value=remaining_call)
        else:
            return None
    rebuilt = call.with_changes(args=[new_args.get(id(arg), arg) for arg in call.args])
    # Identity of the untouched Arg nodes is kept, so removal still finds them.
    return without_arguments(rebuilt, args_to_remove)


def _tail_comma(
    own: cst.Comma | cst.MaybeSentinel, tail: cst.Comma | cst.MaybeSentinel
) -> cst.Comma | cst.MaybeSentinel:
    """The old last item's comma for the new last item, keeping the new last item's
    own end-of-line comment (``messages=[],  # why``) when both break the line."""
    if (
        isinstance(own, cst.Comma)
        and isinstance(own.whitespace_after, cst.ParenthesizedWhitespace)
        and own.whitespace_after.first_line.comment is not None
        and isinstance(tail, cst.Comma)
        and isinstance(tail.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        return tail.with_changes(
            whitespace_after=tail.whitespace_after.with_changes(
                first_line=own.whitespace_after.first_line
            )
        )
    return tail


def _separator(
    between: cst.Comma | cst.MaybeSentinel | None, after_open: cst.BaseParenthesizableWhitespace
) -> cst.Comma:
    """The comma to put between two items, in the layout the container already has."""
    if isinstance(between, cst.Comma):
        after = between.whitespace_after
    else:
        after = (
            after_open
            if isinstance(after_open, cst.ParenthesizedWhitespace)
            else (cst.SimpleWhitespace(" "))
        )
    if isinstance(after, cst.ParenthesizedWhitespace):
        # Keep the line break and indentation, not a comment that belonged to
        # the item before.
        after = after.with_changes(
            first_line=cst.TrailingWhitespace(newline=after.first_line.newline), empty_lines=()
        )
    elif not isinstance(after, cst.SimpleWhitespace) or after.value != " ":
        after = cst.SimpleWhitespace(" ")
    return cst.Comma(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=after)
