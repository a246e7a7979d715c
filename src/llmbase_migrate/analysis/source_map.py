"""Where nodes are in the text, and how to write a changed node back as a minimal edit.

Rules that offer fixes describe them as text edits (the format every output and
the applier share). They build the edit by changing a LibCST node and asking the
source map for the difference: the changed node is rendered in the indentation
of the original, compared with the original text, and only the characters that
differ become the edit. Small edits rarely collide, so fixes on different
arguments of one call apply in the same round.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst._nodes.internal import CodegenState  # no public way to render with indentation
from libcst.metadata import Assignment, CodeRange, Scope

from llmbase_migrate.analysis.facts import Span
from llmbase_migrate.fixes.edit import Edit, source_lines

# How far above a node to look for the indentation of its statement.
_INDENT_SEARCH_LINES = 400


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
        self._line_starts = _line_starts(text)
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
            indent = candidate_line[: len(candidate_line) - len(candidate_line.lstrip(" \t"))]
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


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in source_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


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
