"""The candidate pass: which files LibCST needs to see at all.

CPython's parser is about ten times faster than LibCST's, and most files that
mention ``openai`` (type imports, tests of other things) hold nothing any rule can
report. This pass walks CPython's tree once and answers whether the file *may* hold
a fact the analyzer reports on. It mirrors the shapes ``analysis.collector`` looks
for and errs towards yes; it only ever skips files, never reports. A file is a
candidate when it imports the ``openai`` package and also has at least one of:

- ``*`` imported from the package;
- a client class imported from the package, or a pre-1.0 API class imported from
  ``openai`` itself, and also a use of a name so imported (``OpenAI()``,
  ``ChatCompletion.create``) or an attribute named like a shape word below or
  ``with_options``/``copy`` on any chain (``client.embeddings`` on a parameter
  annotated ``OpenAI``);
- an attribute named like a client class, a pre-1.0 API class, ``completions`` or
  an unsupported resource (``embeddings``...) on a chain rooted in a name an import
  from the package binds (``openai.OpenAI``, ``oa.embeddings``);
- a call written as a chat request on anything (``x.chat.completions.create()``,
  ``self.c.completions.parse()``) or as a request to an unsupported resource
  (``x.embeddings.create()``);
- a string annotation naming a client class (``client: "OpenAI"``);
- an assignment to an attribute of a name bound to the package (``openai.api_key =``).

Every fact needs one of these. A client, a pre-1.0 class or the package is reached
only through a name an import from the package binds (the first two shapes), or
through a string annotation; a receiver the analyzer cannot resolve counts only in
a call written out as a chat or resource request; a module setting assigns to a
name bound by ``import openai``. ``tests/engine/test_candidates.py`` checks this
against every rule example and the fixture corpus, and ``bench/candidate_audit.py``
against any source tree (the analyzer run on every file is the oracle).

Most files that mention ``openai`` do not import it (the SDK's own sources, docs in
strings), and parsing them costs more than everything else the pass does. So the
bytes are looked at first (``may_hold_candidate``): a candidate's text holds an
import statement of the package and, unless it is a plain ``import openai`` (the
only binding of the package itself, needed for a module setting), the text some
shape above needs: a star import, a client class's name, a pre-1.0 class's name
with a ``from openai import``, or an attribute named like a shape word outside an
import line (``from openai.types.responses import ...`` names a module). Code that
does not parse is then a candidate only when its text imports the package.

A file too large for LibCST (``engine.partial``) is parsed in pieces: the test is a
``ShapeScan`` fed by each piece, and ``top_level_statements`` says which top-level
statements hold a shape by themselves, for LibCST to see only those and what they
need.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import itertools
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from llmbase_migrate.analysis import cpython, names

_PACKAGE = names.OPENAI_PACKAGE
_ATTRIBUTES = (
    names.CLIENT_TYPE_NAMES | names.LEGACY_APIS | names.UNSUPPORTED_RESOURCE_NAMES | {"completions"}
)
_CHAT_METHODS = names.CHAT_METHODS
_RESOURCES = names.UNSUPPORTED_RESOURCE_NAMES
_WORD_SPLIT = re.compile(r"\W+")


# Whitespace inside a statement: blanks and line continuations.
_GAP = rb"(?:[ \t\f]|\\\r?\n|\\\r)"
_MODULE = rb"[^\s,;#()\\]+"
# ``from openai...`` (or ``from openai . lib``)
_FROM_IMPORT = re.compile(rb"\bfrom" + _GAP + rb"+openai\b")
# ``import openai``, ``import os, openai.lib as lib``: binds the package itself
_PLAIN_IMPORT = re.compile(
    rb"\bimport{gap}+(?:{module}(?:{gap}+as{gap}+{module})?{gap}*,{gap}*)*openai\b".replace(
        b"{gap}", _GAP
    ).replace(b"{module}", _MODULE)
)
# ``from openai import`` (the top-level package: where pre-1.0 classes come from)
_FROM_PACKAGE_IMPORT = re.compile(rb"\bfrom{gap}+openai{gap}+import\b".replace(b"{gap}", _GAP))
_STAR_IMPORT = re.compile(rb"\bimport{gap}*\*".replace(b"{gap}", _GAP))


def _words(words: frozenset[str]) -> bytes:
    return b"|".join(re.escape(word.encode()) for word in sorted(words))


# an attribute named like a shape word (``.completions``, ``. OpenAI``)
_DOTTED_WORD = re.compile(
    rb"\.{gap}*(?:{words})\b".replace(b"{gap}", _GAP).replace(b"{words}", _words(_ATTRIBUTES))
)
_CLIENT_WORD = re.compile(rb"\b(?:{words})\b".replace(b"{words}", _words(names.CLIENT_TYPE_NAMES)))
_LEGACY_WORD = re.compile(rb"\b(?:{words})\b".replace(b"{words}", _words(names.LEGACY_APIS)))
# a line holding only an import (its dotted words name modules: ``openai.types.responses``)
_IMPORT_LINE = re.compile(rb"[ \t\f]*(?:from|import)\b[^;\r\n]*(?:\r\n|\r|\n|\Z)")


def may_hold_candidate(raw: bytes) -> bool:
    """Whether the bytes of a file may make a candidate (see the module doc): a
    necessary condition, checked before any decoding or parsing. Each shape needs
    some text: a plain ``import openai`` (a module setting), or a ``from openai``
    import with a star, a client class's name (imported, or in a string annotation),
    a pre-1.0 class's name imported from ``openai`` itself, or an attribute named
    like a shape word outside an import line."""
    if _PLAIN_IMPORT.search(raw) is not None:
        return True
    if _FROM_IMPORT.search(raw) is None:
        return False
    return (
        _STAR_IMPORT.search(raw) is not None
        or _CLIENT_WORD.search(raw) is not None
        or (_LEGACY_WORD.search(raw) is not None and _FROM_PACKAGE_IMPORT.search(raw) is not None)
        or _has_dotted_word(raw)
    )


def _has_dotted_word(raw: bytes) -> bool:
    import_line_end = 0  # the end of the last import line met: its words are all skipped
    for match in _DOTTED_WORD.finditer(raw):
        if match.start() < import_line_end:
            continue
        line_start = max(raw.rfind(b"\n", 0, match.start()), raw.rfind(b"\r", 0, match.start())) + 1
        import_line = _IMPORT_LINE.match(raw, line_start)
        if import_line is None:
            return True
        import_line_end = import_line.end()
    return False


def might_use_openai(text: str) -> bool:
    """Whether ``text`` may hold something the analyzer reports (see the module doc).

    Code CPython cannot parse is a candidate when its text imports the package:
    LibCST goes on to report it (LB001).
    """
    if not may_hold_candidate(text.encode("utf-8", "surrogatepass")):
        return False
    try:
        tree = cpython.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return has_candidate_shape(tree)


def _is_package(dotted: str) -> bool:
    return dotted == _PACKAGE or dotted.startswith(_PACKAGE + ".")


def has_candidate_shape(tree: ast.AST) -> bool:
    """The candidate test on a tree already parsed (see the module doc)."""
    scan = ShapeScan()
    for node in ast.walk(tree):
        scan.note(node)
        if scan.settled:
            return True
    return scan.is_candidate()


class ShapeScan:
    """The candidate test, fed one node at a time (``note``), so that a file parsed
    in pieces (``engine.partial``) is judged as a whole: ``settled`` once a node
    makes the file a candidate whatever follows, ``is_candidate()`` at the end."""

    def __init__(self) -> None:
        self.imports_package = False
        self.shape_found = False
        # names an import from the package binds, and those bound to the package itself
        self.imported_names: set[str] = set()
        self.package_names: set[str] = set()
        # the root names of attribute chains holding a shape word (``oa`` of ``oa.OpenAI``)
        self.shape_roots: set[str] = set()
        self.class_imported = False  # a client or pre-1.0 API class
        self.shape_attribute = False  # on any chain
        # names called (``OpenAI()``) or starting an attribute chain (``ChatCompletion.create``)
        self.used_names: set[str] = set()
        self.attribute_targets: list[str] = []
        self.name_copies: list[tuple[str, str]] = []

    @property
    def settled(self) -> bool:
        return self.imports_package and self.shape_found

    def note(self, node: ast.AST) -> bool:
        """Take ``node`` into account; whether it is a shape by itself, wherever the
        names it uses come from: a request call, an attribute named like a shape word,
        a string annotation naming a client, an import of the package."""
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                self.used_names.add(node.value.id)
            if node.attr in _ATTRIBUTES:
                self.shape_attribute = True
                root = _root_name(node)
                if root is not None:
                    self.shape_roots.add(root)
                return True
            if node.attr in names.CLIENT_DERIVING_METHODS:
                self.shape_attribute = True
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                self.used_names.add(node.func.id)
            elif _is_request_call(node.func):
                self.shape_found = True
                return True
        elif isinstance(node, ast.Import):
            found = False
            for alias in node.names:
                if _is_package(alias.name):
                    self.imports_package = found = True
                    # ``import openai.lib`` binds ``openai``; ``as`` binds the alias
                    bound = alias.asname or alias.name.split(".", 1)[0]
                    self.package_names.add(bound)
                    self.imported_names.add(bound)
            return found
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module is not None and _is_package(node.module):
                self.imports_package = True
                imported = {alias.name for alias in node.names}
                if "*" in imported:
                    self.shape_found = True
                # ``openai.types.chat.ChatCompletion`` is a response type, not the API
                legacy = names.LEGACY_APIS if node.module == _PACKAGE else frozenset()
                if imported & (names.CLIENT_TYPE_NAMES | legacy):
                    self.class_imported = True
                self.imported_names.update(alias.asname or alias.name for alias in node.names)
                return True
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                _note_target(target, self.attribute_targets)
            if len(node.targets) == 1 and isinstance(node.value, ast.Name):
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.name_copies.append((target.id, node.value.id))
        elif isinstance(node, (ast.AnnAssign, ast.arg, ast.FunctionDef, ast.AsyncFunctionDef)):
            annotation = (
                node.returns
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                else node.annotation
            )
            if _names_a_client(annotation):
                self.shape_found = True
                return True
        return False

    def is_candidate(self) -> bool:
        """The verdict once every node was noted."""
        if not self.imports_package:
            return False
        if self.shape_found:
            return True
        _close_over_copies(self.imported_names, self.name_copies)
        if self.shape_roots & self.imported_names:
            return True
        if self.class_imported and (self.shape_attribute or self.used_names & self.imported_names):
            return True
        if not self.attribute_targets:
            return False
        _close_over_copies(self.package_names, self.name_copies)
        return any(name in self.package_names for name in self.attribute_targets)

    def words(self) -> frozenset[str]:
        """The words whose presence in a statement's text makes it worth noting."""
        return SCAN_WORDS | self.bound_to_package()

    def bound_to_package(self) -> set[str]:
        """The names an import from the package binds, with the names assigned from
        them (``oa = openai``): what a use of the SDK goes through."""
        bound = set(self.imported_names)
        _close_over_copies(bound, self.name_copies)
        return bound


def _root_name(node: ast.Attribute) -> str | None:
    """``a`` of ``a.b.c``; None when the chain starts elsewhere (a call, ``self.x``
    counts: its root is ``self``)."""
    value: ast.expr = node
    while isinstance(value, ast.Attribute):
        value = value.value
    return value.id if isinstance(value, ast.Name) else None


def _is_request_call(func: ast.expr) -> bool:
    """``<anything>.completions.create``-like (the last two names of every chat
    path) or ``<anything>.<resource>.<method>`` (an unsupported endpoint), with the
    response wrappers (``with_raw_response``) left out or not."""
    written: list[str] = []
    while isinstance(func, ast.Attribute):
        written.append(func.attr)
        func = func.value
    if len(written) < 2:
        return False
    written.reverse()
    stripped = [name for name in written if name not in names.RESPONSE_WRAPPERS]
    if len(stripped) >= 2 and stripped[-2] == "completions" and stripped[-1] in _CHAT_METHODS:
        return True
    return any(
        resource in _RESOURCES and method in names.RESOURCE_METHODS
        for path in (written, stripped)
        for resource, method in itertools.pairwise(path)
    )


def _names_a_client(annotation: ast.expr | None) -> bool:
    """A string annotation naming a client class (``"OpenAI"``, ``"Optional[OpenAI]"``)
    anywhere in ``annotation``: the analyzer takes such a string for a client."""
    if annotation is None:
        return False
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(part in names.CLIENT_TYPE_NAMES for part in _WORD_SPLIT.split(node.value))
        for node in ast.walk(annotation)
    )


def _note_target(target: ast.expr, attribute_targets: list[str]) -> None:
    """Record ``x`` of each ``x.attr = ...`` target (tuples unpacked)."""
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        attribute_targets.append(target.value.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _note_target(element, attribute_targets)
    elif isinstance(target, ast.Starred):
        _note_target(target.value, attribute_targets)


def _close_over_copies(bound: set[str], copies: list[tuple[str, str]]) -> None:
    """Add every name assigned from a bound name (``oa = openai``), transitively."""
    changed = True
    while changed:
        changed = False
        for target, source in copies:
            if source in bound and target not in bound:
                bound.add(target)
                changed = True


# --------------------------------------------------------------- top-level statements

# Scopes of their own: what is bound inside is not bound at module level.
_NESTED_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


class StatementKind(enum.Enum):
    IMPORT = "import"  # an import, or a compound statement holding one (``try: import x``)
    DEFINITION = "definition"  # ``def``
    CLASS = "class"
    OTHER = "other"  # assignments, expressions, loops, ``if``/``with`` blocks...


@dataclass(frozen=True, slots=True)
class TopLevelStatement:
    """What the analysis of a file in part (``engine.partial``) needs of one statement
    of the module's top level."""

    first_line: int  # its decorators included
    last_line: int
    kind: StatementKind
    # it holds a shape by itself (``ShapeScan.note``): a request call, an attribute
    # named like a shape word, a string annotation naming a client, an import of the SDK
    shape: bool
    # every word of its text, once (names it mentions at any depth, and words of its
    # strings and comments): more than it reads, never less. A tuple of interned
    # strings: a file of 10 MB has tens of thousands of statements.
    names: tuple[str, ...]
    # the module-level names it binds (``x = ...``, ``for x in``, ``def x``, ``import x``)
    binds: frozenset[str]
    # the module-level names it binds or changes in place (``x[k] = v``, ``x.update()``)
    changes: frozenset[str]
    # its nodes were noted by the scan (its text holds one of ``ShapeScan.words()``)
    noted: bool
    # how many statements it describes: short ones passed over are described together
    # (from ``first_line`` to ``last_line``, as one)
    count: int = 1


# Words a statement's text holds when a node in it may matter to the candidate test
# (``ShapeScan.note``), besides the names bound to the package: a shape word, or the
# package's name (an import).
SCAN_WORDS = _ATTRIBUTES | names.CLIENT_DERIVING_METHODS | {_PACKAGE}
_WORD = re.compile(r"(?!\d)\w+")


# Consecutive short statements passed over by the scan (of one kind) are described
# together, up to this many: a description takes a few hundred bytes, more than ten
# times the text of ``x = 1``.
_SHORT_CHARACTERS = 64
_GROUP_STATEMENTS = 32


def top_level_statements(
    tree: ast.Module,
    scan: ShapeScan,
    text_of: Callable[[int, int], str],
    shared: dict[Any, Any],
) -> list[TopLevelStatement]:
    """The statements of ``tree``'s top level. Those whose text (``text_of(first_line,
    last_line)``) holds a word in ``scan.words()`` are noted by ``scan`` on the way; the
    others cannot change its verdict, unless a name bound to the package later makes
    one of their words such a word: see ``note_late``. Consecutive short statements
    passed over are described together (``count``). Equal sets of words and names
    are one object, kept in ``shared`` (one dict for the file)."""
    words = scan.words()
    described: list[TopLevelStatement] = []
    group: list[TopLevelStatement] = []
    for statement in tree.body:
        first_line, last_line = statement_lines(statement)
        text = text_of(first_line, last_line)
        found = tuple(sorted({sys.intern(word) for word in _WORD.findall(text)}))
        noting = None if words.isdisjoint(found) else scan
        record = _describe(statement, first_line, last_line, found, noting)
        alone = (
            record.noted or record.kind is StatementKind.IMPORT or len(text) >= _SHORT_CHARACTERS
        )
        if group and (alone or record.kind is not group[0].kind or len(group) == _GROUP_STATEMENTS):
            described.append(_together(group, shared))
            group = []
        if alone:
            described.append(_together([record], shared))
        else:
            group.append(record)
    if group:
        described.append(_together(group, shared))
    return described


def _together(group: list[TopLevelStatement], shared: dict[Any, Any]) -> TopLevelStatement:
    """One description of consecutive statements, its sets shared with equal ones."""
    first = group[0]
    if len(group) == 1:
        names, binds, changes = first.names, first.binds, first.changes
    else:
        names = tuple(sorted({name for record in group for name in record.names}))
        binds = frozenset().union(*(record.binds for record in group))
        changes = frozenset().union(*(record.changes for record in group))
    binds = shared.setdefault(binds, binds)
    return dataclasses.replace(
        first,
        last_line=group[-1].last_line,
        names=shared.setdefault(names, names),
        binds=binds,
        changes=binds if changes == binds else shared.setdefault(changes, changes),
        count=len(group),
    )


def note_late(statement: TopLevelStatement, tree: ast.Module, scan: ShapeScan) -> TopLevelStatement:
    """``statement`` noted by ``scan`` after all (``tree`` is its lines parsed again)."""
    shape = False
    for node in ast.walk(tree):
        shape = scan.note(node) or shape
    return dataclasses.replace(statement, shape=shape, noted=True)


def statement_lines(statement: ast.stmt) -> tuple[int, int]:
    """The first line of a statement, its decorators included, and its last."""
    first_line = statement.lineno
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        first_line = min([first_line, *(d.lineno for d in statement.decorator_list)])
    return first_line, statement.end_lineno or statement.lineno


def _describe(
    statement: ast.stmt,
    first_line: int,
    last_line: int,
    words: tuple[str, ...],
    scan: ShapeScan | None,
) -> TopLevelStatement:
    """Walks every node when ``scan`` notes them, else only the module-level ones (for
    the names bound and changed)."""
    shape = False
    imports = False
    binds: set[str] = set()
    changes: set[str] = set()
    # (node, whether a name it binds is bound at module level)
    pending: list[tuple[ast.AST, bool]] = [(statement, True)]
    while pending:
        node, module_level = pending.pop()
        if scan is not None and scan.note(node):
            shape = True
        if isinstance(node, ast.Name):
            if module_level and not isinstance(node.ctx, ast.Load):
                binds.add(node.id)
        elif module_level:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports = True
                binds.update(_import_bindings(node))
            elif isinstance(node, _NESTED_SCOPES[:3]):
                binds.add(node.name)
            elif isinstance(node, (ast.Attribute, ast.Subscript)):
                if not isinstance(node.ctx, ast.Load):
                    _add_root(node, changes)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                _add_root(node.func, changes)
        inner = module_level and not isinstance(node, _NESTED_SCOPES)
        if inner or scan is not None:
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, ast.expr_context):
                    pending.append((child, inner))
    if imports:
        kind = StatementKind.IMPORT
    elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        kind = StatementKind.DEFINITION
    elif isinstance(statement, ast.ClassDef):
        kind = StatementKind.CLASS
    else:
        kind = StatementKind.OTHER
    return TopLevelStatement(
        first_line=first_line,
        last_line=last_line,
        kind=kind,
        shape=shape,
        names=words,
        binds=frozenset(binds),
        changes=frozenset(binds | changes),
        noted=scan is not None,
    )


def _import_bindings(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    for alias in node.names:
        if alias.name != "*":
            yield alias.asname or alias.name.split(".", 1)[0]


def _add_root(node: ast.Attribute | ast.Subscript, roots: set[str]) -> None:
    value: ast.expr = node
    while isinstance(value, (ast.Attribute, ast.Subscript)):
        value = value.value
    if isinstance(value, ast.Name):
        roots.add(value.id)
