"""Every edit builder the rules' fixes use, grouped by what they edit: expressions,
strings, call arguments and mapping entries (a dict literal or a ``dict(...)`` call).

Each returns None when it cannot prove the change right for the shape it was given
(a ``**`` dict, a value defined elsewhere, text LibCST cannot render back exactly);
the rule then reports without a fix. Removing or appending an item keeps end-of-line
comments on the line of the item they follow: a removed item's comment goes with
it, and an appended item does not take its predecessor's. Nodes a builder does not
touch keep their identity, so later removals can still find them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.facts import Field, FieldOrigin, Value, ValueKind
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edit import Edit

# A mapping written in place: a dict literal or a ``dict(...)`` call.
Mapping = cst.Dict | cst.Call


# --------------------------------------------------------------------------- expressions


def replace_expression(source: SourceMap, node: cst.BaseExpression, code: str) -> Edit | None:
    """Replace the expression ``node`` with the expression ``code``, keeping any
    parentheses around it; None when ``code`` is not an expression.

    The one way to put new code in an expression's place. It goes through the node's
    text: a node's span leaves out its own parentheses while rendering it puts them
    in, so rendering a parenthesized node (``("sk-" "...")``) would never match its
    text. A node rebuilt from the old one goes through :func:`replace_node`.
    """
    try:
        cst.parse_expression(code)
    except cst.ParserSyntaxError:
        return None
    return source.replace_text(node, code)


def replace_node(source: SourceMap, old: cst.CSTNode, new: cst.CSTNode | None) -> Edit | None:
    """Replace ``old`` with the node ``new`` built from it (its untouched parts keep
    their text); None when there is nothing to replace or ``old`` cannot be rendered
    back to its exact text."""
    if new is None or new is old:
        return None
    return source.replace(old, new)


# --------------------------------------------------------------------------- strings


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

    A literal is rewritten where it is written (see :func:`editable_literal`);
    otherwise the expression at the call is replaced. An environment read without a
    literal default cannot be changed this way (None).
    """
    literal = editable_literal(source, value_node, value, fixed_nodes=fixed_nodes)
    if literal is not None:
        return StringChange(source.replace_text(literal, string_literal(text, literal)), True)
    if value.kind is ValueKind.ENV:
        return None
    edit = replace_expression(source, value_node, string_literal(text, _literal_of(value)))
    return StringChange(edit, False) if edit is not None else None


def editable_literal(
    source: SourceMap,
    value_node: cst.BaseExpression,
    value: Value,
    *,
    fixed_nodes: Sequence[cst.CSTNode] = (),
) -> cst.SimpleString | cst.ConcatenatedString | None:
    """The string literal that holds the value of the argument written as
    ``value_node``, when rewriting it changes that argument and nothing else: the
    literal at the call, a parameter's default, or the constant or ``os.getenv``
    default it comes from when every read of that constant is one of ``fixed_nodes``
    (the arguments being fixed to the same text). None otherwise."""
    literal = _literal_of(value)
    if not isinstance(literal, (cst.SimpleString, cst.ConcatenatedString)):
        return None
    if source.contains(value_node, literal):
        return literal
    target = source.binding_of(literal)
    if target is None and any(node is literal for node in value.via):
        # A parameter's default: what the parameter holds unless a caller says
        # otherwise, the value being fixed here.
        return literal
    uses = source.uses_of(target) if target is not None else None
    # Reads along the path resolution took (``self.model`` <- ``model=MODEL``)
    # are reads for this argument's sake.
    paths = (value_node, *value.via, *fixed_nodes)
    if uses is not None and all(
        any(source.contains(fixed, use) for fixed in paths) for use in uses
    ):
        return literal
    return None


def _literal_of(value: Value) -> cst.CSTNode | None:
    """The literal node a value was read from: the string itself, or the default of an
    environment read."""
    if value.kind is ValueKind.ENV and value.default is not None:
        return value.default.origin
    if value.kind is ValueKind.STRING:
        return value.origin
    return None


# --------------------------------------------------------------------------- call arguments


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value``: replaced where it is, else appended in the
    layout the call has.

    Appending hands the old last argument's trailing comma and whitespace, comment
    included, to the new argument, so ``timeout=3,  # seconds`` would lose its
    comment to the new line: the comment goes back behind the old last argument
    when the call breaks lines between its arguments.
    """
    new_call = _appended_keyword(call, name, value)
    if len(new_call.args) != len(call.args) + 1 or len(new_call.args) < 2:
        return new_call
    previous, appended = new_call.args[-2], new_call.args[-1]
    separator = previous.comma
    if not isinstance(separator, cst.Comma) or not isinstance(
        separator.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return new_call
    trailing: cst.BaseParenthesizableWhitespace
    if isinstance(appended.comma, cst.Comma):
        trailing = appended.comma.whitespace_after
    else:
        trailing = appended.whitespace_after_arg
    if not isinstance(trailing, cst.ParenthesizedWhitespace) or trailing.first_line.comment is None:
        return new_call
    bare = trailing.with_changes(
        first_line=cst.TrailingWhitespace(newline=trailing.first_line.newline)
    )
    if isinstance(appended.comma, cst.Comma):
        appended = appended.with_changes(comma=appended.comma.with_changes(whitespace_after=bare))
    else:
        appended = appended.with_changes(whitespace_after_arg=bare)
    previous = previous.with_changes(
        comma=separator.with_changes(
            whitespace_after=separator.whitespace_after.with_changes(first_line=trailing.first_line)
        )
    )
    return new_call.with_changes(args=[*new_call.args[:-2], previous, appended])


def _appended_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
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


def without_arguments(call: cst.Call, remove: Iterable[cst.CSTNode]) -> cst.Call:
    """``call`` without the arguments ``remove`` (by identity). When the last argument
    goes, the new last one keeps its own end-of-line comment (or none): the comment
    after the removed argument described it and goes with its line."""
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


def remove_fields(source: SourceMap, call: cst.Call, fields: Sequence[Field]) -> Edit | None:
    """One edit removing ``fields`` from ``call``: keywords, and ``extra_body`` entries
    written at the call (``extra_body`` itself goes when it is left empty)."""
    new_call = call_without_fields(call, fields)
    if new_call is None:
        return None
    return source.replace(call, new_call)


def call_without_fields(call: cst.Call, fields: Sequence[Field]) -> cst.Call | None:
    """``call`` without ``fields``, the comments of removed lines going with them.

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
    return without_arguments(rebuilt, args_to_remove)


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


# --------------------------------------------------------------------------- mapping entries


def without_elements(container: cst.Dict, remove: Iterable[cst.CSTNode]) -> cst.Dict:
    """``container`` without the elements ``remove``, with :func:`without_arguments`'
    care for comments (a dict keeps the comment after its last entry in the closing
    brace's whitespace)."""
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


def without_entries(mapping: Mapping, elements: Iterable[cst.CSTNode]) -> Mapping:
    if isinstance(mapping, cst.Dict):
        return without_elements(mapping, elements)
    return without_arguments(mapping, elements)


def _line_end(comma: cst.Comma | cst.MaybeSentinel) -> cst.TrailingWhitespace | None:
    """The end of the line after an item whose comma ends its line (comment included)."""
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return comma.whitespace_after.first_line
    return None


def with_entries(
    container: cst.Dict, entries: Sequence[tuple[str, cst.BaseExpression]]
) -> cst.Dict:
    """``container`` with ``"key": value`` entries appended (keys known to be absent);
    the comment after the old last entry stays on its line."""
    for key, value in entries:
        container = _kept_dict_comment(container, _appended_entries(container, [(key, value)]))
    return container


def with_mapping_entries(
    mapping: Mapping, entries: Sequence[tuple[str, cst.BaseExpression]]
) -> Mapping:
    """A dict literal or ``dict(...)`` call with ``key: value`` entries appended."""
    for key, value in entries:
        if isinstance(mapping, cst.Dict):
            mapping = with_entries(mapping, [(key, value)])
        else:
            mapping = with_keyword(mapping, key, value)
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


def _has_comment(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return (
        isinstance(whitespace, cst.ParenthesizedWhitespace)
        and whitespace.first_line.comment is not None
    )


def _appended_entries(
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
    return _appended_entries(cst.Dict([]), entries)


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
