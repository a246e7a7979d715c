"""Per file: bytes -> (pre-filter) -> one parse -> facts -> rules -> an outcome.

``analyze_bytes`` never raises: every problem becomes an outcome value, so one bad
file cannot stop a run and no traceback reaches the user unless they ask.
"""

from __future__ import annotations

import ast
import traceback
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.collector import collect_facts
from llmbase_migrate.analysis.facts import ModuleFacts, ParseFailure, Span
from llmbase_migrate.engine.outcome import Clean, Failed, Finding, HasFindings, Outcome, Skipped
from llmbase_migrate.engine.source import decode_source
from llmbase_migrate.errors import SourceError
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
    path: str, raw: bytes, rules: Sequence[Rule], context: RuleContext
) -> FileAnalysis:
    """Analyse one file's bytes with the given rules; never raises."""
    try:
        return _analyze(path, raw, rules, context)
    except RecursionError:
        return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
    except Exception as error:  # the per-file boundary: report, never crash
        return FileAnalysis(
            Failed(path, f"internal error: {type(error).__name__}: {error}", traceback.format_exc())
        )


def _analyze(path: str, raw: bytes, rules: Sequence[Rule], context: RuleContext) -> FileAnalysis:
    triggers = {trigger for rule in rules for trigger in rule.spec.triggers}
    if not passes_prefilter(raw, tuple(triggers)):
        return FileAnalysis(Clean(path, parsed=False))
    if len(raw) > MAX_FILE_BYTES:
        return FileAnalysis(Skipped(path, too_large(len(raw))))
    try:
        source = decode_source(raw)
    except SourceError as error:
        return FileAnalysis(Skipped(path, error.reason))
    if not might_use_openai(source.text):
        return FileAnalysis(Clean(path, parsed=False))
    return analyze_text(path, source.text, rules, context)


def might_use_openai(text: str) -> bool:
    """The candidate pass: whether CPython's parser, ten times faster than LibCST's,
    finds an import of the ``openai`` package. Without one the analyzer gathers no
    facts (see ``collect_facts``), so LibCST need not run; code CPython cannot parse
    goes on to LibCST, which reports it (LB001). This pass only ever skips files.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(_is_openai(alias.name) for alias in node.names):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module is not None
            and _is_openai(node.module)
        ):
            return True
    return False


def _is_openai(dotted: str) -> bool:
    return dotted == "openai" or dotted.startswith("openai.")


def analyze_text(path: str, text: str, rules: Sequence[Rule], context: RuleContext) -> FileAnalysis:
    """Parse decoded source once, gather its facts and run the rules over them.

    CPython's parser vets the text first: LibCST's native parser overflows the C
    stack (a crash, not an exception) on nesting CPython either rejects or reports
    cleanly, so such text never reaches it.
    """
    module: cst.Module | None = None
    try:
        tree = ast.parse(text)
    except (RecursionError, MemoryError):
        return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
    except SyntaxError as error:
        line, column = error.lineno or 1, error.offset or 1
        span = Span(line, column, line, column)
        facts = ModuleFacts(parse_failure=ParseFailure(error.msg, span))
    else:
        if _nesting_depth(tree) > _MAX_NESTING:
            return FileAnalysis(Skipped(path, "nested too deeply to analyse"))
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as parse_error:
            facts = _parse_failure_facts(parse_error, text)
        else:
            facts = collect_facts(module, text)
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
        for report in reports:
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
                )
            )
    findings.sort(key=lambda finding: (finding.span, finding.code))
    if findings:
        return FileAnalysis(HasFindings(path, tuple(findings), suppressed), facts, module)
    return FileAnalysis(Clean(path, parsed=True, suppressed=suppressed), facts, module)


# LibCST's visitors give up (RecursionError) near 400 levels; its parser crashes far
# deeper. Anything past this is skipped before the parser sees it.
_MAX_NESTING = 1000


def _nesting_depth(tree: ast.AST) -> int:
    """How deep LibCST's tree would be, estimated from CPython's without recursion
    (LibCST nests ``a and b and c`` pairwise, CPython keeps one node)."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _parse_failure_facts(error: cst.ParserSyntaxError, text: str) -> ModuleFacts:
    """Prefer CPython's account of the error: its positions and wording are what
    people know. LibCST's is used when CPython compiles what LibCST cannot parse."""
    try:
        compile(text, "<file>", "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST)
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
