"""Files too large for LibCST: parsed in pieces, analysed in part.

LibCST's tree of a file, with the positions, scopes and facts gathered over it, takes
1 to 3 KiB of memory per token of source, all alive at once: 1 MB of generated code
took 946 MiB, 5 MB 4.7 GB. CPython's tree takes about 0.5 KiB a token. So a file of
more tokens (``count_tokens``) than ``libcst-max-tokens`` is never given to either
parser whole:

- CPython parses it in pieces of whole top-level statements (``parse_in_pieces``),
  each piece's tree dropped before the next is parsed. A piece ends where a line
  starts at column 0 with a token that can begin a statement (not after a decorator
  or a line continuation); a piece that does not parse was cut inside a statement
  (a string, brackets) and grows until it parses, or holds the module's syntax
  error (see ``parse_in_pieces``).
- ``engine.candidates`` describes each top-level statement: whether it holds a shape
  by itself, the words of its text (more than the names it reads, never fewer), the
  names it binds and changes.
- ``select`` keeps the statements LibCST must see: the imports, the statements that
  hold a shape or mention a name bound to the SDK (an imported name, or one bound by
  a kept assignment: ``completions = client.chat.completions``), and, for every word
  those hold, the module-level statements that bind or change that name (constants,
  ``params`` dicts, base classes; not functions: the analyzer does not follow calls).
- ``blank_others`` blanks the lines of every other statement, so that each kept line
  keeps its number and columns: a run of blanked lines becomes a string literal
  spanning the same lines (an empty line costs LibCST hundreds of bytes; a string's
  line breaks cost one byte each).
"""

from __future__ import annotations

import ast
import re
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from llmbase_migrate.analysis import cpython
from llmbase_migrate.engine.candidates import StatementKind, TopLevelStatement

# A token, as counted here: a word or a punctuation mark. Words in strings and
# comments count too, which overstates what LibCST holds for text full of prose
# (a docstring is one token to it): the estimate errs towards more memory. Every
# alternative is one character class, so counting never backtracks.
_TOKEN = re.compile(r"\w+|[^\w\s]")
# For the size of a piece, a comment to the end of the line counts once (CPython's
# tree holds none; a ``#`` in a string ends the count of its line: its constant is
# one node).
_PIECE_TOKEN = re.compile(r"#[^\r\n]*|\w+|[^\w\s]")

# Where a piece of a module may end: a line starting at column 0 with something
# other than a blank, a comment, a closing bracket, a line continuation or a clause
# that continues a compound statement.
_STATEMENT_START = re.compile(
    r"(?:(?<=\n)|(?<=\r)(?!\n))(?=[^\s#)\]}\\])(?!(?:else|elif|except|finally)\b)"
)
# Lines looked at above a place where a piece may end, for a decorator.
_LOOK_BACK_LINES = 20
# Errors that cutting a module inside a statement gives (an open bracket or string,
# a line continuation at the end): the piece may just end too early.
_CUT_ERRORS = ("never closed", "unterminated", "EOF")

# How many times ``libcst-max-tokens`` one piece may hold: CPython's tree takes about
# a sixth of LibCST's memory per token, so a piece this large stays within the
# memory LibCST is allowed.
PIECE_TOKENS_FACTOR = 4


def count_tokens(text: str, stop_after: int | None = None) -> int:
    """How many tokens ``text`` holds (see ``_TOKEN``); counting stops past
    ``stop_after``, when given (the result is then ``stop_after + 1``)."""
    count = 0 if stop_after is None else stop_after + 1
    return _TOKEN.subn("", text, count=count)[1]


@dataclass(frozen=True, slots=True)
class Piece:
    """Some whole top-level statements of a module, parsed. ``text`` is the piece
    after as many line breaks as there are lines before it, so that positions in
    ``tree`` and in errors are those of the whole module."""

    tree: ast.Module
    text: str
    first: bool  # the module's first piece


class PieceError(Exception):
    """The module cannot be parsed in pieces: ``syntax_error`` is CPython's error
    (positions in the whole module) when the module does not parse, else None: the
    piece starting at ``line`` could not be closed within the tokens it may hold."""

    def __init__(self, line: int, syntax_error: SyntaxError | None = None) -> None:
        super().__init__(line)
        self.line = line
        self.syntax_error = syntax_error


def parse_in_pieces(text: str, libcst_max_tokens: int) -> Iterator[Piece]:
    """CPython's trees of ``text``, a few whole top-level statements at a time, none
    of more than ``libcst_max_tokens * PIECE_TOKENS_FACTOR`` tokens. Raises
    ``PieceError``; RecursionError and MemoryError propagate.

    A piece that does not parse either holds an error or was cut inside a
    statement. An error after a place where the piece may end leaves the statement
    holding it out (the piece ends before it). An error in the first statement is
    the module's, unless it is one a cut makes (an unclosed string or bracket, or
    anything on the piece's last line: the piece grows, doubled) and the piece does
    not reach the end of the module. A
    piece grown past the most tokens allowed shrinks back halfway to where its first
    statement is known to go on past. CPython reports an error of its tokenizer (an
    unclosed string or bracket, as at a cut) before any other wherever it is, so the
    error of a piece is often its cut's, until the piece ends before it.
    """
    most = libcst_max_tokens * PIECE_TOKENS_FACTOR
    start = 0
    line = 1
    while start < len(text):
        # a first try of at most ``libcst_max_tokens`` characters, so as many tokens
        end = _piece_end(text, start + libcst_max_tokens)
        goes_past = start  # the first statement goes on past this offset
        at_the_end: set[tuple[str, int | None, int | None]] = set()
        while True:
            if end - start > most and _PIECE_TOKEN.subn("", text[start:end], most + 1)[1] > most:
                smaller = _piece_end(text, (goes_past + end) // 2)
                if smaller >= end:  # no place to end after halfway: the last one before
                    smaller = _last_end_before(text, goes_past, end, start, line, None) or end
                if not goes_past < smaller < end:
                    raise PieceError(line)
                end = smaller
                continue
            piece = "\n" * (line - 1) + text[start:end]
            try:
                tree = cpython.parse(piece)
            except SyntaxError as error:
                # An unclosed string or bracket is told where it opens, in the statement
                # at hand; another error may be at the first token of the next statement
                # (``pass`` where the block of ``class C:`` should be).
                cut = any(part in error.msg for part in _CUT_ERRORS)
                last_line = error.lineno if cut or error.lineno is None else error.lineno - 1
                before = (
                    None
                    if last_line is None
                    else _last_end_before(text, goes_past, end, start, line, last_line)
                )
                if before is not None:
                    end = before
                    continue
                if end == len(text):
                    raise PieceError(line, error) from None
                if cut:
                    goes_past = end
                else:
                    # An error on the piece's last line (a block missing after ``if x:``)
                    # may be the cut's: the piece grows once to tell. Met again once the
                    # piece grew and ended before what follows it, it is the module's.
                    seen = (error.msg, error.lineno, error.offset)
                    last = line + _line_breaks(text, start, end) - 1
                    if (error.lineno or 0) < last or seen in at_the_end:
                        raise PieceError(line, error) from None
                    at_the_end.add(seen)
                end = _piece_end(text, start + 2 * (end - start))
                continue
            yield Piece(tree, piece, first=start == 0)
            break
        line += _line_breaks(text, start, end)
        start = end


def _piece_end(text: str, at_least: int) -> int:
    """The first place at or after ``at_least`` where a piece may end (or the end)."""
    for found in _STATEMENT_START.finditer(text, min(at_least, len(text))):
        if _may_end_at(text, found.start()):
            return found.start()
    return len(text)


def _last_end_before(
    text: str, after: int, end: int, start: int, start_line: int, error_line: int | None
) -> int | None:
    """The last place in ``(after, end)`` where a piece may end, on a line up to
    ``error_line`` if given, or None; ``start_line`` is the number of the line at
    ``start``."""
    found = None
    line = start_line
    position = start
    for match in _STATEMENT_START.finditer(text, after + 1, end):
        line += _line_breaks(text, position, match.start())
        position = match.start()
        if error_line is not None and line > error_line:
            break
        if _may_end_at(text, position):
            found = position
    return found


def _may_end_at(text: str, position: int) -> bool:
    """Whether the line above ``position`` (comments and blank lines passed over) does
    not start with a decorator or a closing bracket, nor is continued by a backslash:
    the statement it ends may go on, as ``@decorator`` does on the ``def`` line."""
    end = position
    for _ in range(_LOOK_BACK_LINES):
        if text.endswith("\r\n", 0, end):
            body_end = end - 2
        elif text.endswith(("\n", "\r"), 0, end):
            body_end = end - 1
        else:
            return True
        if end == position and text.endswith("\\", 0, body_end):
            return False  # a line continued
        line_start = max(text.rfind("\n", 0, body_end), text.rfind("\r", 0, body_end)) + 1
        code = text[line_start:body_end].lstrip(" \t\x0c")
        if code and not code.startswith("#"):
            return not code.startswith(("@", ")", "]", "}"))
        end = line_start
    return True


def _line_breaks(text: str, start: int, end: int) -> int:
    """Line breaks as CPython counts them (``\\r\\n``, ``\\r``, ``\\n``)."""
    return (
        text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)
    )


def select(statements: Sequence[TopLevelStatement], sdk_names: set[str]) -> list[bool]:
    """Which statements LibCST must see (see the module doc); ``sdk_names`` are the
    names bound to the SDK by imports (``ShapeScan.bound_to_package``)."""
    kept = [statement.kind is StatementKind.IMPORT for statement in statements]
    carried = set(sdk_names)
    # Uses of the SDK: shapes and what mentions a name bound to it, through
    # module-level assignments (``client = OpenAI()``, then ``client`` is one).
    changed = True
    while changed:
        changed = False
        for index, statement in enumerate(statements):
            if kept[index] and statement.kind is not StatementKind.OTHER:
                continue
            uses = statement.shape or not carried.isdisjoint(statement.names)
            if not uses:
                continue
            if not kept[index]:
                kept[index] = changed = True
            if statement.kind is StatementKind.OTHER and not statement.binds <= carried:
                carried |= statement.binds
                changed = True
    # What the kept statements read: whatever binds or changes those names.
    changing: defaultdict[str, list[int]] = defaultdict(list)
    for index, statement in enumerate(statements):
        if statement.kind is not StatementKind.DEFINITION:
            for name in statement.changes:
                changing[name].append(index)
    wanted = [index for index, keep in enumerate(kept) if keep]
    seen: set[str] = set()
    while wanted:
        for name in statements[wanted.pop()].names:
            if name in seen:
                continue
            seen.add(name)
            for index in changing.get(name, ()):
                if not kept[index]:
                    kept[index] = True
                    wanted.append(index)
    return kept


def line_starts(text: str) -> array[int]:
    """The offset where each line of ``text`` starts, then the length of the text (as
    ``fixes.edit.line_starts``, in 8 bytes a line rather than 36)."""
    starts = array("q", [0])
    starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
    if starts[-1] != len(text):
        starts.append(len(text))
    return starts


def blank_others(
    text: str,
    starts: Sequence[int],
    statements: Sequence[TopLevelStatement],
    kept: Sequence[bool],
) -> str:
    """``text`` (its ``line_starts``) with only the kept statements' lines left, every
    line where it was: each run of lines between two kept statements that holds
    another statement is one string literal over the same lines (blank lines and
    comments alone stay)."""
    lines = len(starts) - 1
    state = bytearray(lines + 2)  # per 1-based line: between statements, _BLANKED or _KEPT
    for wanted in (False, True):
        for statement, keep in zip(statements, kept, strict=True):
            if keep is wanted:
                span = statement.last_line - statement.first_line + 1
                state[statement.first_line : statement.last_line + 1] = (
                    _KEPT if keep else _BLANKED
                ) * span
    parts: list[str] = []
    number = 1
    while number <= lines:
        end = number
        if state[number] != _KEPT[0]:
            while end < lines and state[end + 1] != _KEPT[0]:
                end += 1
        run = text[starts[number - 1] : starts[end]]
        if state[number] == _KEPT[0] or _BLANKED[0] not in state[number : end + 1]:
            parts.append(run)
        else:
            # one string literal over the run (an empty line for one line): its line
            # breaks are the run's
            breaks = _NOT_A_LINE_BREAK.sub("", run)
            last = _line_break(run)
            if end > number:
                breaks = '"""' + breaks[: len(breaks) - len(last)] + '"""' + last
            parts.append(breaks)
        number = end + 1
    return "".join(parts)


_BLANKED = b"\x01"
_KEPT = b"\x02"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NOT_A_LINE_BREAK = re.compile(r"[^\r\n]+")


def _line_break(text: str) -> str:
    """The line break ``text`` ends with, if any."""
    if text.endswith("\r\n"):
        return "\r\n"
    if text.endswith(("\n", "\r")):
        return text[-1]
    return ""
