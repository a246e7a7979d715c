"""LibCST's syntactic positions of every node, computed about five times faster.

``libcst.metadata.PositionProvider`` renders the module once and records where each
node starts and ends. Most of its cost is not the rendering (a plain ``module.code``
takes a tenth of it) but the bookkeeping: a regular-expression split of every token,
two frozen dataclasses per node, and a generator-based context manager per
syntactic node. This module records the same positions through the same rendering
hooks with plain tuples, a newline test before any split, and a slotted context
manager, and builds a ``CodeRange`` only for the nodes asked about (well under one
in a hundred). ``tests/analysis/test_positions.py`` holds it equal to
``PositionProvider`` on every node of the fixture corpus and of hostile shapes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType

import libcst as cst
from libcst._nodes.internal import CodegenState  # the rendering hooks positions come from
from libcst.metadata import CodePosition, CodeRange

# (start line, start column, end line, end column): lines 1-based, columns 0-based
_Range = tuple[int, int, int, int]


def syntactic_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """What ``MetadataWrapper(module).resolve(PositionProvider)`` gives, for every node."""
    state = _PositionState(module.default_indent, module.default_newline)
    module._codegen(state)
    return _Positions(state.ranges)


class _Positions(Mapping[cst.CSTNode, CodeRange]):
    """Recorded ranges, turned into ``CodeRange`` values when asked for."""

    __slots__ = ("_ranges",)

    def __init__(self, ranges: dict[cst.CSTNode, _Range]) -> None:
        self._ranges = ranges

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        line, column, end_line, end_column = self._ranges[node]
        return CodeRange(CodePosition(line, column), CodePosition(end_line, end_column))

    def __contains__(self, node: object) -> bool:
        return node in self._ranges

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._ranges)

    def __len__(self) -> int:
        return len(self._ranges)


class _PositionState(CodegenState):
    """A rendering state that tracks the line and column and records node ranges
    with the semantics of LibCST's ``PositionProvidingCodegenState``: a range set
    by ``record_syntactic_position`` (whitespace left out) wins over the one
    ``after_codegen`` would record (whitespace included)."""

    __slots__ = ("column", "line", "ranges", "starts")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.line = 1
        self.column = 0
        self.starts: list[tuple[int, int]] = []
        self.ranges: dict[cst.CSTNode, _Range] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            # "\r\n" is one line break, as are a lone "\r" and a lone "\n"
            breaks = value.count("\n") + value.count("\r") - value.count("\r\n")
            self.line += breaks
            self.column = len(value) - max(value.rfind("\n"), value.rfind("\r")) - 1
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self.starts.pop()
        if node not in self.ranges:
            self.ranges[node] = (line, column, self.line, self.column)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _SyntacticRange:
        return _SyntacticRange(self, node, start_node, end_node)


class _SyntacticRange:
    """``with state.record_syntactic_position(node):`` around the tokens that make
    up ``node`` without its surrounding whitespace (or from ``start_node``'s start
    to ``end_node``'s end)."""

    __slots__ = ("_column", "_end_node", "_line", "_node", "_start_node", "_state")

    def __init__(
        self,
        state: _PositionState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self._state = state
        self._node = node
        self._start_node = start_node
        self._end_node = end_node
        self._line = 0
        self._column = 0

    def __enter__(self) -> None:
        self._line, self._column = self._state.line, self._state.column

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        state = self._state
        line, column = self._line, self._column
        end_line, end_column = state.line, state.column
        if self._start_node is not None:
            line, column = state.ranges[self._start_node][:2]
        if self._end_node is not None:
            end_line, end_column = state.ranges[self._end_node][2:]
        state.ranges[self._node] = (line, column, end_line, end_column)
