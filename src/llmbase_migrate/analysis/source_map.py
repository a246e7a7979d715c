"""Where nodes are in the text, and how to write a changed node back as a minimal edit.

Rules that offer fixes describe them as text edits (the format every output and
the applier share). They build the edit by changing a LibCST node and asking the
source map for the difference: the changed node is rendered in the indentation
of the original, compared with the original text, and only the characters that
differ become the edit. Small edits rarely collide, so fixes on different
arguments of one call apply in the same round.

LibCST parses form feeds in indentation differently from CPython; the text it is
given and the columns it counts are adjusted here (``text_for_libcst``,
``positions_in_text``) so that positions name the characters of the real text.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState  # no public way to render with indentation
from libcst.helpers import get_full_name_for_node
from libcst.metadata import Assignment, CodePosition, CodeRange, ImportAssignment, Scope

from llmbase_migrate.analysis import cpython
from llmbase_migrate.analysis.facts import Span
from llmbase_migrate.fixes.edit import Edit, line_starts, source_lines

# How far above a node to look for the indentation of its statement.
_INDENT_SEARCH_LINES = 400

# Whitespace CPython skips between tokens and in indentation (a form feed there resets
# the indentation column to 0).
_BLANKS = " \t\x0c"
# A line indented after a form feed: what ``text_for_libcst`` moves (the rest of the
# line holds a token, not a comment, a line break or a line continuation).
_INDENT_AFTER_PAGE_BREAK = re.compile(r"(?:\A|(?<=[\n\r]))[ \t\x0c]*\x0c[ \t]+[^ \t\x0c#\r\n\\]")
# A line holding code after a form feed in its indentation: where LibCST's columns
# may differ from the text's (``positions_in_text``).
_CODE_AFTER_PAGE_BREAK = re.compile(r"(?:\A|(?<=[\n\r]))[ \t\x0c]*\x0c[ \t\x0c]*[^ \t\x0c#\r\n]")


@dataclass(frozen=True, slots=True)
class StatementPlace:
    """A simple statement line and how many statements its block holds."""

    line: cst.SimpleStatementLine
    block_size: int


class SourceMap:
    """Positions and rendering for one parsed module (lives in the parsing process)."""

    def __init__(
        self,
        module: cst.Module,
        text: str,
        positions: Mapping[cst.CSTNode, CodeRange],
        scopes: Mapping[cst.CSTNode, Scope | None],
        bindings: Mapping[cst.Name, cst.BaseExpression],
        statements: Mapping[cst.BaseSmallStatement, StatementPlace],
    ) -> None:
        self.module = module
        self.text = text
        self._positions = positions
        self._scopes = scopes
        self._bindings = bindings
        self._statements = statements
        self._line_starts = line_starts(text)
        self._lines = source_lines(text)
        self._bound_by: dict[cst.CSTNode, cst.Name] | None = None

    # -- positions
    def span(self, node: cst.CSTNode) -> Span:
        code_range = self._positions[node]
        return Span(
            code_range.start.line,
            code_range.start.column + 1,
            code_range.end.line,
            code_range.end.column + 1,
        )

    def offset(self, line: int, column: int) -> int:
        """The text offset of a 1-based line and column."""
        return self._line_starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a text offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def contains(self, outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
        outer_span, inner_span = self.span(outer), self.span(inner)
        return (outer_span.line, outer_span.column) <= (inner_span.line, inner_span.column) and (
            inner_span.end_line,
            inner_span.end_column,
        ) <= (outer_span.end_line, outer_span.end_column)

    # -- edits
    def replace(self, old: cst.CSTNode, new: cst.CSTNode) -> Edit | None:
        """The smallest edit that turns ``old``'s text into ``new`` rendered in place.

        None when ``old`` cannot be rendered back to its exact text (then a fix built
        on it could not be trusted, so the rule reports without one).
        """
        span = self.span(old)
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column)
        original = self.text[start:end]
        if getattr(old, "lpar", None):
            # A node's span leaves out its own parentheses, which rendering would
            # include: compare and replace what is inside them.
            old = old.with_changes(lpar=(), rpar=())
            if getattr(new, "lpar", None):
                new = new.with_changes(lpar=(), rpar=())
        indent = self._indent_rendering(old, span.line, original)
        if indent is None:
            return None
        replacement = _render(self.module, new, indent)
        return self._minimal_edit(start, original, replacement)

    def replace_text(self, node: cst.CSTNode, replacement: str) -> Edit:
        """Replace a single-line node's text outright (names, literals)."""
        span = self.span(node)
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column)
        return self._minimal_edit(start, self.text[start:end], replacement)

    def delete_lines(self, first: int, last: int) -> Edit:
        """Remove whole lines ``first``..``last`` (1-based, inclusive)."""
        end_line = last + 1
        if end_line > len(self._lines):
            return Edit(first, 1, last, len(self._lines[last - 1]) + 1, "")
        return Edit(first, 1, end_line, 1, "")

    def line_text(self, line: int) -> str:
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def _minimal_edit(self, start: int, original: str, replacement: str) -> Edit:
        prefix = 0
        limit = min(len(original), len(replacement))
        while prefix < limit and original[prefix] == replacement[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < limit - prefix
            and original[len(original) - 1 - suffix] == replacement[len(replacement) - 1 - suffix]
        ):
            suffix += 1
        line, column = self.position(start + prefix)
        end_line, end_column = self.position(start + len(original) - suffix)
        return Edit(
            line, column, end_line, end_column, replacement[prefix : len(replacement) - suffix]
        )

    def _indent_rendering(self, node: cst.CSTNode, line: int, original: str) -> str | None:
        """The indentation of the statement holding ``node``: the one under which the
        node renders to exactly its text. Found by trying the indentation of the lines
        above, nearest first (LibCST keeps indentation relative to the block)."""
        tried: set[str] = set()
        for number in range(line, max(0, line - _INDENT_SEARCH_LINES), -1):
            candidate_line = self._lines[number - 1] if number <= len(self._lines) else ""
            leading = candidate_line[: len(candidate_line) - len(candidate_line.lstrip(_BLANKS))]
            # LibCST's indentation is the text of a block's first line (which may keep a
            # form feed) or, for a line ``text_for_libcst`` moved, what follows its last
            # form feed.
            for indent in (leading, leading[leading.rfind("\x0c") + 1 :]):
                if indent in tried:
                    continue
                tried.add(indent)
                if _render(self.module, node, indent) == original:
                    return indent
        if "" not in tried and _render(self.module, node, "") == original:
            return ""
        return None

    # -- statements and constants
    def statement_of(self, node: cst.BaseSmallStatement) -> StatementPlace | None:
        return self._statements.get(node)

    def binding_of(self, node: cst.CSTNode) -> cst.Name | None:
        """The name whose bound value is, or holds, ``node`` (``MODEL = "x"``,
        ``MODEL = os.getenv("M", "x")``), if any."""
        if self._bound_by is None:
            self._bound_by = {}
            for target, value in self._bindings.items():
                self._bound_by.setdefault(value, target)
        direct = self._bound_by.get(node)
        if direct is not None:
            return direct
        for bound_value, target in self._bound_by.items():
            if self.contains(bound_value, node):
                return target
        return None

    def from_import_of(self, name: cst.Name) -> tuple[str, str] | None:
        """``(module, name)`` when ``name`` is bound only by an absolute, unaliased
        ``from module import name`` (a fix that stops reading it may then drop the
        import, which is dropped only if nothing else reads it)."""
        scope = self._scopes.get(name)
        if scope is None or name.value not in scope:
            return None
        assignments = list(scope[name.value])
        if len(assignments) != 1 or not isinstance(assignments[0], ImportAssignment):
            return None
        statement = assignments[0].node
        if not isinstance(statement, cst.ImportFrom) or statement.relative:
            return None
        if statement.module is None or isinstance(statement.names, cst.ImportStar):
            return None
        module = get_full_name_for_node(statement.module)
        for alias in statement.names:
            if (
                alias.asname is None
                and isinstance(alias.name, cst.Name)
                and alias.name.value == name.value
                and module is not None
            ):
                return module, name.value
        return None

    def bound_value(self, target: cst.Name) -> cst.BaseExpression | None:
        """The value assigned to the name node ``target`` alone (``target = value``;
        None for ``a = b = value``, where changing it changes another name too)."""
        value = self._bindings.get(target)
        if value is None or sum(1 for bound in self._bindings.values() if bound is value) != 1:
            return None
        return value

    def uses_of(self, target: cst.Name) -> Sequence[cst.CSTNode] | None:
        """Every read of the name bound at ``target``; None when the name is bound more
        than once, declared global or exported, so that its uses cannot all be known."""
        scope = self._scopes.get(target)
        if scope is None or target.value not in scope:
            return None
        assignments = list(scope.assignments[target.value])
        if len(assignments) != 1:
            return None
        (assignment,) = assignments
        if not isinstance(assignment, Assignment) or assignment.node is not target:
            return None
        if target.value in _exported_names(self.module):
            return None
        # references are a set of objects hashed by address: give them in source order
        return tuple(
            sorted(
                (access.node for access in assignment.references),
                key=lambda node: (
                    self._positions[node].start.line,
                    self._positions[node].start.column,
                ),
            )
        )


def _render(module: cst.Module, node: cst.CSTNode, indent: str) -> str:
    state = CodegenState(
        default_indent=module.default_indent, default_newline=module.default_newline
    )
    if indent:
        state.indent_tokens.append(indent)
    node._codegen(state)
    return "".join(state.tokens)


# -- form feeds in indentation
#
# CPython resets the indentation column at a form feed: only what follows the last
# form feed of a line's indentation counts. LibCST's tokenizer does too, but then
# keeps indentation as text: the text of a block's first line must start every
# nested block's first line ("no matching outer block for dedent" otherwise: bug 7
# in tests/test_fuzz.py), and it renders every statement line of a block with the
# text of the block's first line, so a form feed starting a statement line is
# dropped from its rendering, or one starting a block's first line added to every
# line of the block (bug 8). LibCST's columns count its rendering: on such lines
# they are off by the difference, which ``positions_in_text`` takes back.


def text_for_libcst(text: str, tree: ast.Module | None = None) -> str:
    """``text`` as LibCST should parse it: the same length, the same module for CPython.

    A statement line in a block indented after a form feed (``\\x0c    x = 1``) gives
    the page break (its indentation up to its last form feed) to the end of the
    line above, before its line break, where CPython and LibCST take it for the
    whitespace between tokens: the indentation CPython counts is unchanged and no
    other character moves, and LibCST sees no form feed in an indentation. Module
    level lines (no indentation after the form feed) are left alone: LibCST parses
    them, and ``fixes.apply`` renders module-level statements. Give LibCST's module
    the real text (``collect_facts``): ``positions_in_text`` maps its columns.

    ``tree`` is CPython's tree of ``text``, when the caller has it. Any doubt (the
    text does not parse, the trees differ) leaves the text as it is.
    """
    if "\x0c" not in text or _INDENT_AFTER_PAGE_BREAK.search(text) is None:
        return text
    if tree is None:
        tree = _ast_of(text)
        if tree is None:
            return text
    lines = [_split_line_break(line) for line in source_lines(text)]
    moved = False
    for number in sorted(_statement_lines(tree, lines)):
        body = lines[number - 1][0]
        indent = len(body) - len(body.lstrip(_BLANKS))
        page_break = body.rfind("\x0c", 0, indent) + 1
        above, line_break = lines[number - 2]
        if page_break in (0, indent) or above.endswith("\\") or not line_break:
            continue  # no form feed, module level, or the line continues the one above
        lines[number - 2] = (above + body[:page_break], line_break)
        lines[number - 1] = (body[page_break:], lines[number - 1][1])
        moved = True
    if not moved:
        return text
    changed = "".join(body + line_break for body, line_break in lines)
    changed_tree = _ast_of(changed)
    same = changed_tree is not None and ast.dump(changed_tree) == ast.dump(tree)
    return changed if same else text


def _ast_of(text: str) -> ast.Module | None:
    try:
        return cpython.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _statement_lines(tree: ast.Module, lines: Sequence[tuple[str, str]]) -> set[int]:
    """The lines (after the first) on which a statement, decorator or ``case`` clause
    starts right after the indentation: the lines where a block may start."""
    found: set[int] = set()

    def add(number: int, column: int | None, keyword: str) -> None:
        if not 1 < number <= len(lines):
            return
        body = lines[number - 1][0]
        indent = len(body) - len(body.lstrip(_BLANKS))
        # columns are UTF-8 offsets; an indentation is ASCII
        if (column is None or column == indent) and body.startswith(keyword, indent):
            found.add(number)

    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            add(node.lineno, node.col_offset, "")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for decorator in node.decorator_list:
                    add(decorator.lineno, None, "@")
        elif isinstance(node, ast.match_case):
            add(node.pattern.lineno, None, "case")
    return found


def _split_line_break(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body) :]


def positions_in_text(
    module: cst.Module, text: str | None, positions: Mapping[cst.CSTNode, CodeRange]
) -> Mapping[cst.CSTNode, CodeRange]:
    """LibCST's positions of ``module``, parsed from ``text`` or from what
    ``text_for_libcst`` made of it, with columns counted in ``text``.

    LibCST counts columns in its rendering of the module, which differs from the
    text it parsed only in the whitespace starting or ending some lines (where form
    feeds were, see above): columns after a line's indentation move by the
    difference in its length. Lines that differ otherwise keep LibCST's columns.
    """
    if text is None or "\x0c" not in text or _CODE_AFTER_PAGE_BREAK.search(text) is None:
        return positions
    rendered = [_split_line_break(line)[0] for line in source_lines(module.code)]
    real = [_split_line_break(line)[0] for line in source_lines(text)]
    # (LibCST also drops an empty line above a last line of whitespace with no line break)
    lines = {
        number: columns
        for number, (real_line, rendered_line) in enumerate(zip(real, rendered, strict=False), 1)
        if real_line != rendered_line
        and (columns := _LineColumns.of(rendered_line, real_line)) is not None
    }
    return _ColumnsInText(positions, lines) if lines else positions


@dataclass(frozen=True, slots=True)
class _LineColumns:
    """How the 0-based columns of a line LibCST rendered map to those of the real
    line: the same code between whitespace of different lengths."""

    code_start: int  # in the rendering
    code_end: int
    length: int
    real_code_start: int
    real_code_end: int
    real_length: int

    @classmethod
    def of(cls, rendered: str, real: str) -> _LineColumns | None:
        code = rendered.strip(_BLANKS)
        real_code = real.strip(_BLANKS)
        if code != real_code:
            return None
        start = len(rendered) - len(rendered.lstrip(_BLANKS))
        real_start = len(real) - len(real.lstrip(_BLANKS))
        return cls(
            start,
            start + len(code),
            len(rendered),
            real_start,
            real_start + len(code),
            len(real),
        )

    def column(self, column: int) -> int:
        if column < self.code_start:  # in the indentation (nothing starts there)
            return min(column, self.real_code_start)
        if column <= self.code_end:
            return column - self.code_start + self.real_code_start
        if column < self.length:  # in the whitespace ending the line
            return self.real_code_end + min(
                column - self.code_end, self.real_length - self.real_code_end
            )
        return column - self.length + self.real_length  # its line break


class _ColumnsInText(Mapping[cst.CSTNode, CodeRange]):
    """LibCST's positions with the columns of some lines mapped to the real text."""

    def __init__(
        self, positions: Mapping[cst.CSTNode, CodeRange], lines: Mapping[int, _LineColumns]
    ) -> None:
        self._positions = positions
        self._lines = lines

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        code_range = self._positions[node]
        start, end = code_range.start, code_range.end
        if start.line not in self._lines and end.line not in self._lines:
            return code_range
        return CodeRange(self._moved(start), self._moved(end))

    def _moved(self, position: CodePosition) -> CodePosition:
        columns = self._lines.get(position.line)
        if columns is None:
            return position
        return CodePosition(position.line, columns.column(position.column))

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


def _exported_names(module: cst.Module) -> frozenset[str]:
    """Names listed in a literal ``__all__`` (other modules may import them)."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and any(
                    isinstance(target.target, cst.Name) and target.target.value == "__all__"
                    for target in small.targets
                )
                and isinstance(small.value, (cst.List, cst.Tuple))
            ):
                return frozenset(
                    element.value.evaluated_value
                    for element in small.value.elements
                    if isinstance(element.value, cst.SimpleString)
                    and isinstance(element.value.evaluated_value, str)
                )
    return frozenset()
