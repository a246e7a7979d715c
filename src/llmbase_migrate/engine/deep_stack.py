"""Deeply recursive work (LibCST's parser and visitors) on a big stack, and the
vetting of what LibCST may be given at all.

LibCST recurses once per level of its tree, in Rust (the native parser) and in
Python (visitors, code generation, ``evaluated_value``): an implicit concatenation
of 400 strings, or a sum of 400 terms, is 400 levels deep, more than the default
recursion limit allows (about 3 frames a level) and, deeper, more than a thread's
usual 8 MiB of C stack holds (the native parser then crashes the process: no
exception, no outcome). :func:`run_deep` runs a function in a fresh thread whose
stack is ``STACK_BYTES`` (address space: only the pages the recursion touches are
ever backed) under a recursion limit of ``RECURSION_LIMIT``, and returns its result
or raises its exception. :func:`too_deep` says which text not to give LibCST at all.

The recursion limit is the interpreter's, not the thread's: while deep work runs,
other threads of the process may recurse that deep too, on their own (smaller)
stacks. The engine analyses one file at a time per process, with no other thread
recursing meanwhile; calls from several threads are serialized here.
"""

from __future__ import annotations

import ast
import io
import sys
import threading
import tokenize
from collections.abc import Callable
from typing import TypeVar

from llmbase_migrate.fixes.edit import source_lines

T = TypeVar("T")

# Address space of the thread. The costliest Python recursion found (through C, as
# ``sorted(key=...)``: about 2.5 KiB a frame) overflows 256 MiB at 120,000 frames;
# at RECURSION_LIMIT, 512 MiB leaves 10 KiB a frame.
STACK_BYTES = 512 * 1024 * 1024
# LibCST's visitors take 3 frames a level: MAX_NESTING levels take 12,000. CPython's
# parser and compiler allow three times the limit in C levels (their tree of a
# 300,000-term sum fits in 512 MiB).
RECURSION_LIMIT = 50_000

_lock = threading.Lock()
_state = threading.local()


def run_deep(function: Callable[[], T]) -> T:
    """``function()``, run on a big stack under a high recursion limit.

    Reentrant: called from deep work, it runs ``function`` there directly. When the
    thread cannot be created (address space exhausted), ``function`` runs in the
    calling thread, under the usual limits: deep input then raises RecursionError.
    """
    if getattr(_state, "deep", False):
        return function()
    result: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        _state.deep = True
        try:
            result.append(function())
        except BaseException as error:  # re-raised in the calling thread
            failure.append(error)

    with _lock:
        previous_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        try:
            worker = _start(work)
            if worker is not None:
                worker.join()
        finally:
            sys.setrecursionlimit(previous_limit)
    if worker is None:
        return function()
    if failure:
        raise failure[0]
    return result[0]


def _start(work: Callable[[], None]) -> threading.Thread | None:
    """A started thread with a ``STACK_BYTES`` stack running ``work``, or None when
    there is no room for such a stack or the platform cannot size one."""
    try:
        previous_size = threading.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):
        return None
    try:
        worker = threading.Thread(target=work, name="llmbase-migrate-deep", daemon=True)
        worker.start()
    except RuntimeError:  # "can't start new thread"
        return None
    finally:
        threading.stack_size(previous_size)
    return worker


# --------------------------------------------------------------------------- vetting

# What LibCST is given, estimated from CPython's tree of the text (see ``too_deep``).
# Levels of LibCST's tree: ~3 Python frames each in its visitors (RECURSION_LIMIT
# leaves a 4x margin) and up to 1.7 KiB of C stack each in its native parser, which
# also runs outside ``run_deep`` (fix mode parses the fixed text again): 4,000 levels
# fit an 8 MiB main-thread stack with room to spare.
MAX_NESTING = 4_000
# Levels of CPython's own tree: LibCST's parser takes time quadratic in its chains
# (a 1,000-level chain of subscripts takes 1.4 s, 3,000 levels 17 s).
MAX_CPYTHON_NESTING = 1_000
# Pieces of one implicit concatenation, ``for`` clauses of one comprehension: LibCST's
# parser refuses more ("shorter concatenated string", MAX_RECURSION_DEPTH in its
# grammar), which would be reported as a syntax error.
MAX_CHAIN = 3_000


def too_deep(tree: ast.AST, text: str) -> bool:
    """Whether ``text`` (parsed by CPython into ``tree``) is beyond what LibCST
    takes: see ``MAX_NESTING``, ``MAX_CPYTHON_NESTING`` and ``MAX_CHAIN``."""
    return nesting_depth(tree, text) > MAX_NESTING


def nesting_depth(tree: ast.AST, text: str, limit: int = MAX_NESTING) -> int:
    """How deep LibCST's tree of ``text`` would be, estimated without recursion from
    CPython's ``tree``; any number above ``limit`` stands for "too deep".

    LibCST nests pairwise what CPython keeps in one node: the operands of ``a and b
    and c``, the pieces of an implicit concatenation (``"a" "b"``, one constant for
    CPython), the ``for`` clauses of a comprehension, the parts of a dotted import.
    CPython's own depth counts up to ``MAX_CPYTHON_NESTING``, a concatenation or a
    comprehension up to ``MAX_CHAIN`` pieces or clauses; beyond, the result is above
    ``limit``.
    """
    lines = _Lines(text)
    deepest = 0
    # (node, CPython's depth, LibCST's depth, inside an f-string: whose parts are no
    # pieces of their own)
    stack: list[tuple[ast.AST, int, int, bool]] = [(tree, 1, 1, False)]
    while stack:
        node, cpython, depth, in_fstring = stack.pop()
        if cpython > MAX_CPYTHON_NESTING:
            return limit + 1
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            if len(node.generators) > MAX_CHAIN:
                return limit + 1
            depth += len(node.generators) - 1
        elif isinstance(node, ast.alias):
            depth += node.name.count(".")
        elif isinstance(node, ast.ImportFrom):
            depth += (node.module or "").count(".")
        elif not in_fstring and _is_string(node):
            pieces = _pieces(node, lines, min(limit - depth, MAX_CHAIN))
            if pieces > MAX_CHAIN:
                return limit + 1
            depth += pieces - 1
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        inner = in_fstring or isinstance(node, ast.JoinedStr)
        stack.extend((child, cpython + 1, depth + 1, inner) for child in ast.iter_child_nodes(node))
    return deepest


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
    )


_STRING_TOKENS = frozenset(
    {tokenize.STRING} | ({tokenize.FSTRING_START} if hasattr(tokenize, "FSTRING_START") else set())
)


def _pieces(node: ast.AST, lines: _Lines, budget: int) -> int:
    """At least how many string literals make up a string node (more than one when
    implicitly concatenated): exactly when more than ``budget`` may, else a bound
    from its length (a piece takes two characters at least: ``''``)."""
    bound = max(1, _length_bound(node, lines) // 2)
    if bound <= budget:
        return bound
    segment = _segment(node, lines)
    try:
        tokens = tokenize.generate_tokens(io.StringIO(f"({segment}\n)").readline)
        return max(1, sum(1 for token in tokens if token.type in _STRING_TOKENS))
    except (tokenize.TokenError, SyntaxError):
        return bound


def _length_bound(node: ast.AST, lines: _Lines) -> int:
    """At least the length of ``node``'s source, cheaply (no copy of the text)."""
    first = getattr(node, "lineno", 1) - 1
    last = (getattr(node, "end_lineno", None) or first + 1) - 1
    if first == last:
        return int(getattr(node, "end_col_offset", 0) or 0) - int(getattr(node, "col_offset", 0))
    return sum(len(line) for line in lines.get()[first : last + 1])


def _segment(node: ast.AST, lines: _Lines) -> str:
    """The source text of ``node`` (CPython's offsets count UTF-8 bytes)."""
    first = getattr(node, "lineno", 1) - 1
    last = (getattr(node, "end_lineno", None) or first + 1) - 1
    start = getattr(node, "col_offset", 0)
    end = getattr(node, "end_col_offset", None)
    chunks = [line.encode("utf-8", "surrogatepass") for line in lines.get()[first : last + 1]]
    if not chunks:
        return ""
    chunks[-1] = chunks[-1][:end] if end is not None else chunks[-1]
    chunks[0] = chunks[0][start:]
    return b"".join(chunks).decode("utf-8", "surrogatepass")


class _Lines:
    """The lines of a text as CPython numbers them (ended by ``\\r\\n``, ``\\r`` or
    ``\\n`` only), split on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def get(self) -> list[str]:
        if self._lines is None:
            self._lines = source_lines(self._text)
        return self._lines
