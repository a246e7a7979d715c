"""Per file: bytes -> (pre-filter) -> one parse -> facts -> rules -> an outcome.

``analyze_bytes`` never raises: every problem becomes an outcome value, so one bad
file cannot stop a run and no traceback reaches the user unless they ask.
"""

from __future__ import annotations

import ast
import dataclasses
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from llmbase_migrate.analysis import cpython
from llmbase_migrate.analysis.collector import collect_facts
from llmbase_migrate.analysis.facts import ModuleFacts, ParseFailure, Span
from llmbase_migrate.analysis.project import ProjectView, project_boundary, project_index
from llmbase_migrate.analysis.source_map import text_for_libcst
from llmbase_migrate.config import DEFAULT_LIBCST_MAX_TOKENS
from llmbase_migrate.engine import partial
from llmbase_migrate.engine.candidates import (
    ShapeScan,
    TopLevelStatement,
    has_candidate_shape,
    may_hold_candidate,
    note_late,
    top_level_statements,
)
from llmbase_migrate.engine.deep_stack import run_deep, too_deep
from llmbase_migrate.engine.outcome import Clean, Failed, Finding, HasFindings, Outcome, Skipped
from llmbase_migrate.engine.source import decode_source
from llmbase_migrate.errors import SourceError
from llmbase_migrate.fixes.edit import source_lines
from llmbase_migrate.rules.base import Rule, RuleContext


@dataclass(frozen=True, slots=True)
class FileAnalysis:
    """The outcome plus, when the file parsed, its facts (for a later fix step)."""

    outcome: Outcome
    facts: ModuleFacts | None = None
    module: cst.Module | None = None


# LibCST takes about a second per megabyte and many times that in memory: a file
# this large is generated or vendored, not code to migrate.
MAX_FILE_BYTES = 10 * 1024 * 1024


def too_large(size: int) -> str:
    return (
        f"too large to analyse ({size / 1024 / 1024:.1f} MB; "
        f"the limit is {MAX_FILE_BYTES // 1024 // 1024} MB)"
    )


def passes_prefilter(raw: bytes, triggers: Sequence[bytes]) -> bool:
    """Whether the file mentions anything an enabled rule could report on."""
    return any(trigger in raw for trigger in triggers)


def analyze_bytes(
    path: str,
    raw: bytes,
    rules: Sequence[Rule],
    context: RuleContext,
    *,
    libcst_max_tokens: int = DEFAULT_LIBCST_MAX_TOKENS,
) -> FileAnalysis:
    """Analyse one file's bytes with the given rules; never raises. A file of more
    than ``libcst_max_tokens`` tokens is analysed in part (see ``engine.partial``)."""
    try:
        return _analyze(path, raw, rules, context, libcst_max_tokens)
    except RecursionError:
        return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
    except Exception as error:  # the per-file boundary: report, never crash
        return FileAnalysis(
            Failed(path, f"internal error: {type(error).__name__}: {error}", traceback.format_exc())
        )


def _analyze(
    path: str, raw: bytes, rules: Sequence[Rule], context: RuleContext, max_tokens: int
) -> FileAnalysis:
    triggers = {trigger for rule in rules for trigger in rule.spec.triggers}
    if not passes_prefilter(raw, tuple(triggers)):
        return FileAnalysis(Clean(path, parsed=False))
    if len(raw) > MAX_FILE_BYTES:
        return FileAnalysis(Skipped(path, too_large(len(raw))))
    if not may_hold_candidate(raw):
        return FileAnalysis(Clean(path, parsed=False))
    try:
        source = decode_source(raw)
    except SourceError as error:
        return FileAnalysis(Skipped(path, error.reason))
    if len(source.text) > max_tokens and partial.count_tokens(source.text, max_tokens) > max_tokens:
        return _analyze_in_part(path, source.text, rules, context, max_tokens)
    # The candidate pass's tree is handed on, so CPython parses a candidate once; text
    # it cannot parse goes on and is parsed again where the errors are reported.
    try:
        tree: ast.Module | None = cpython.parse(source.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is not None and not has_candidate_shape(tree):
        return FileAnalysis(Clean(path, parsed=False))
    return analyze_text(path, source.text, rules, context, tree=tree)


# What a file analysed in part says, in any mode, where a fix would say why it was
# not applied (``HasFindings.fix_error``): its findings carry no fixes, since a fix is
# verified by analysing the whole fixed file again.
PARTIAL_NOTE = "analysed in part"


def analysed_in_part(outcome: HasFindings) -> bool:
    return outcome.fix_error is not None and outcome.fix_error.startswith(PARTIAL_NOTE)


def _analyze_in_part(
    path: str, text: str, rules: Sequence[Rule], context: RuleContext, max_tokens: int
) -> FileAnalysis:
    """A file of more than ``max_tokens`` tokens: CPython parses it in pieces and
    LibCST sees only the top-level statements that use the SDK and what they read
    (see ``engine.partial``); too many of those, and the file is skipped."""
    starts = partial.line_starts(text)
    try:
        module = _describe_in_pieces(text, starts, max_tokens)
    except partial.PieceError as error:
        if error.syntax_error is None:
            most = max_tokens * partial.PIECE_TOKENS_FACTOR
            reason = f"the statement at line {error.line} does not end within {most:,} tokens"
            return FileAnalysis(Skipped(path, f"too large to analyse: {reason}"))
        line, column = error.syntax_error.lineno or 1, error.syntax_error.offset or 1
        parse_failure = ParseFailure(error.syntax_error.msg, Span(line, column, line, column))
        return _report(path, ModuleFacts(parse_failure=parse_failure), rules, context)
    except (RecursionError, MemoryError):
        return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
    statements, scan, failure = module
    if not scan.is_candidate():
        return FileAnalysis(Clean(path, parsed=False))
    if failure is not None:
        return _report(path, ModuleFacts(parse_failure=failure), rules, context)
    kept = partial.select(statements, scan.bound_to_package())
    kept_count = sum(
        statement.count for statement, keep in zip(statements, kept, strict=True) if keep
    )
    total = sum(statement.count for statement in statements)
    kept_text = partial.blank_others(text, starts, statements, kept)
    del module, statements, scan, starts
    of_them = f"{kept_count:,} of its {total:,} top-level statements"
    if partial.count_tokens(kept_text, max_tokens) > max_tokens:
        return FileAnalysis(
            Skipped(
                path,
                f"too large to analyse: more than libcst-max-tokens ({max_tokens:,}) tokens, "
                f"even in the {of_them} that use the SDK or are read by those",
            )
        )
    try:
        tree = cpython.parse(kept_text)
    except SyntaxError as error:  # a statement that parses only with those blanked
        return FileAnalysis(
            Skipped(
                path,
                f"too large to analyse, and the {of_them} that use the SDK do not parse "
                f"without the others (line {error.lineno})",
            )
        )
    outcome = analyze_text(path, kept_text, rules, context, tree=tree).outcome
    if not isinstance(outcome, HasFindings):
        return FileAnalysis(outcome)
    note = (
        f"{PARTIAL_NOTE}: the {of_them} that use the SDK or are read by those, as it holds "
        f"more than libcst-max-tokens ({max_tokens:,}) tokens; no fixes are offered"
    )
    findings = tuple(dataclasses.replace(finding, fix=None) for finding in outcome.findings)
    return FileAnalysis(dataclasses.replace(outcome, findings=findings, fix_error=note))


def _describe_in_pieces(
    text: str, starts: Sequence[int], max_tokens: int
) -> tuple[list[TopLevelStatement], ShapeScan, ParseFailure | None]:
    """The top-level statements of ``text`` (``starts``: its line starts), the
    candidate scan of them all, and why CPython would not compile the module, if it
    would not. Raises ``partial.PieceError``, RecursionError and MemoryError."""
    scan = ShapeScan()
    statements: list[TopLevelStatement] = []
    failure: ParseFailure | None = None
    only_future_imports = True  # so far: a late ``from __future__`` import fails to compile
    shared: dict[Any, Any] = {}

    def text_of(first_line: int, last_line: int) -> str:
        return text[starts[first_line - 1] : starts[last_line]]

    for piece in partial.parse_in_pieces(text, max_tokens):
        if failure is None:
            failure = _compile_failure(piece.tree, piece.text)
        for index, statement in enumerate(piece.tree.body):
            if _is_future_import(statement):
                if not only_future_imports and failure is None:
                    failure = _late_future_import(statement, piece.text)
            elif not (piece.first and index == 0 and _is_docstring(statement)):
                only_future_imports = False
        statements.extend(top_level_statements(piece.tree, scan, text_of, shared))
    # A statement passed over before an import bound a name it holds, noted now.
    while True:
        words = scan.words()
        late = [
            index
            for index, statement in enumerate(statements)
            if not statement.noted and not words.isdisjoint(statement.names)
        ]
        if not late:
            return statements, scan, failure
        for index in late:
            passed = statements[index]
            lines = text_of(passed.first_line, passed.last_line)
            try:
                tree = cpython.parse("\n" * (passed.first_line - 1) + lines)
            except SyntaxError:  # its lines hold part of another: keep it
                statements[index] = dataclasses.replace(passed, shape=True, noted=True)
            else:
                statements[index] = note_late(passed, tree, scan)


def _is_future_import(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.ImportFrom) and statement.module == "__future__"


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _late_future_import(statement: ast.stmt, text: str) -> ParseFailure:
    """What CPython's compiler says of a ``from __future__`` import after other
    statements, which compiling the piece it is in alone cannot see."""
    column = _character_column(text, statement.lineno, statement.col_offset + 1)
    span = Span(statement.lineno, column, statement.lineno, column)
    return ParseFailure("from __future__ imports must occur at the beginning of the file", span)


def analyze_text(
    path: str,
    text: str,
    rules: Sequence[Rule],
    context: RuleContext,
    *,
    tree: ast.Module | None = None,
) -> FileAnalysis:
    """Parse decoded source once, gather its facts and run the rules over them, on a
    big stack (see ``deep_stack``): LibCST recurses once per level of its tree.
    ``tree`` is CPython's tree of ``text`` when the caller has it already."""
    return run_deep(lambda: _analyze_text(path, text, rules, context, tree))


@cpython.code_warnings_ignored()
def _analyze_text(
    path: str, text: str, rules: Sequence[Rule], context: RuleContext, given: ast.Module | None
) -> FileAnalysis:
    """Parse decoded source once, gather its facts and run the rules over them.

    CPython's parser vets the text first: LibCST's native parser overflows the C
    stack (a crash, not an exception) on nesting CPython either rejects or reports
    cleanly, so such text never reaches it. CPython's compiler then vets the tree:
    a file the interpreter cannot compile is LB001 even when it parses.
    """
    module: cst.Module | None = None
    depends_on: tuple[tuple[str, str], ...] = ()
    try:
        tree = given if given is not None else cpython.parse(text)
    except (RecursionError, MemoryError):
        return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
    except SyntaxError as error:
        line, column = error.lineno or 1, error.offset or 1
        span = Span(line, column, line, column)
        facts = ModuleFacts(parse_failure=ParseFailure(error.msg, span))
    else:
        if too_deep(tree, text):
            return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
        try:
            failure = _compile_failure(tree, text)
        except (RecursionError, MemoryError):
            return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
        if failure is not None:
            facts = ModuleFacts(parse_failure=failure)
        else:
            try:
                module = cst.parse_module(text_for_libcst(text, tree))
            except cst.ParserSyntaxError as parse_error:
                facts = _parse_failure_facts(parse_error, text)
            else:
                project = _project_view(context, tree)
                facts = collect_facts(module, text, project)
                if project is not None:
                    depends_on = tuple(sorted(project.read.items()))
    return _report(path, facts, rules, context, module, depends_on)


def _report(
    path: str,
    facts: ModuleFacts,
    rules: Sequence[Rule],
    context: RuleContext,
    module: cst.Module | None = None,
    depends_on: tuple[tuple[str, str], ...] = (),
) -> FileAnalysis:
    """Run the rules over a module's facts: its outcome (``depends_on``: the project
    modules the analysis read, with their digests)."""
    findings: list[Finding] = []
    suppressed = 0
    for rule in rules:
        try:
            reports = list(rule.check(facts, context))
        except RecursionError:
            raise
        except Exception as error:  # name the rule that crashed
            return FileAnalysis(
                Failed(
                    path,
                    f"rule {rule.code} crashed: {type(error).__name__}: {error}",
                    traceback.format_exc(),
                )
            )
        seen: set[tuple[Span, str]] = set()
        for report in reports:
            if (report.span, report.message) in seen:
                continue  # one ID reached two ways (``"x" if fast else cfg.model``)
            seen.add((report.span, report.message))
            if _is_suppressed(facts, rule.code, report.span.line):
                suppressed += 1
                continue
            findings.append(
                Finding(
                    path=path,
                    code=rule.code,
                    name=rule.name,
                    severity=rule.spec.severity,
                    span=report.span,
                    message=report.message,
                    fix=report.fix,
                    source=report.source,
                )
            )
    findings.sort(key=lambda finding: (finding.span, finding.code))
    if findings:
        return FileAnalysis(
            HasFindings(path, tuple(findings), suppressed, depends_on=depends_on), facts, module
        )
    return FileAnalysis(
        Clean(path, parsed=True, suppressed=suppressed, depends_on=depends_on), facts, module
    )


def _project_view(context: RuleContext, tree: ast.Module) -> ProjectView | None:
    """The window onto the project that evaluates the module's imports (None when
    the project is not known, as for code that is no file)."""
    if context.project_root is None:
        return None
    file = Path(context.file) if context.file is not None else None
    # The project is the nearest directory marked as one above the file (pre-commit
    # runs on files and may find no configuration), else the configured root.
    root = Path(context.project_root)
    marked = project_boundary(file) if file is not None else None
    if marked is not None and (root == marked or root.is_relative_to(marked)):
        root = marked
    display_root = Path(context.display_root) if context.display_root else None
    return project_index(root).view(file, tree, display_root)


def _compile_failure(tree: ast.Module, text: str) -> ParseFailure | None:
    """Why CPython's compiler rejects a module that parses, or None: ``'return'
    outside function``, a late ``from __future__`` import, a duplicate argument and
    the like are raised after parsing, and LibCST's grammar accepts them. The tree is
    compiled rather than the text, which would be parsed again; ``dont_inherit``
    keeps this module's own ``__future__`` imports out. RecursionError and
    MemoryError propagate."""
    try:
        cpython.compile_module(tree)
    except SyntaxError as error:
        line = error.lineno or 1
        column = _character_column(text, line, error.offset or 1)
        return ParseFailure(error.msg, Span(line, column, line, column))
    except ValueError as error:
        return ParseFailure(str(error) or "ValueError", Span(1, 1, 1, 1))
    return None


def _character_column(text: str, line: int, offset: int) -> int:
    """The 1-based column in characters of the compiler's ``offset``, which counts
    UTF-8 bytes (its parser's offsets count characters)."""
    lines = source_lines(text)
    if not 1 <= line <= len(lines) + 1:
        return offset
    content = lines[line - 1] if line <= len(lines) else ""  # just past the last line
    before = content.encode("utf-8", "surrogatepass")[: offset - 1]
    return len(before.decode("utf-8", "ignore")) + 1


def _parse_failure_facts(error: cst.ParserSyntaxError, text: str) -> ModuleFacts:
    """Prefer CPython's account of the error: its positions and wording are what
    people know. LibCST's is used when CPython compiles what LibCST cannot parse."""
    try:
        cpython.parse(text)
    except SyntaxError as syntax_error:
        line = syntax_error.lineno or error.raw_line
        column = syntax_error.offset or error.raw_column + 1
        message = syntax_error.msg
    except (ValueError, RecursionError, MemoryError):
        line, column, message = error.raw_line, error.raw_column + 1, _libcst_message(error)
    else:
        line, column = error.raw_line, error.raw_column + 1
        message = f"LibCST cannot parse it: {_libcst_message(error)}"
    return ModuleFacts(parse_failure=ParseFailure(message, Span(line, column, line, column)))


def _libcst_message(error: cst.ParserSyntaxError) -> str:
    first = error.message.splitlines()[0] if error.message else "syntax error"
    return first.removeprefix("parser error: ")


def _is_suppressed(facts: ModuleFacts, code: str, line: int) -> bool:
    codes = facts.noqa.get(line)
    if codes is None:
        return False
    return not codes or any(code.startswith(selector) for selector in codes)
