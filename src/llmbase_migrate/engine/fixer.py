"""Fix mode for one file: analyse, apply fixes in rounds to a fixed point, verify.

Each round applies the fixes of a fresh analysis (``fixes.apply.apply_round``)
and the result must compile; the next analysis of the new text is both the next
round's input and the proof that the previous round left nothing to fix. A
finding counts as fixed when its own fix was applied: findings that one edit
serves carry the same fix (a client's base URL and key), so none is matched to
another across rounds. A file
whose fixes do not compile, do not converge within ``MAX_ROUNDS`` or cannot be
encoded back is left untouched and says why (``HasFindings.fix_error``). Like
``analyze_bytes``, ``fix_bytes`` never raises.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Iterable, Sequence

from llmbase_migrate.analysis import cpython
from llmbase_migrate.config import DEFAULT_LIBCST_MAX_TOKENS
from llmbase_migrate.engine.deep_stack import run_deep
from llmbase_migrate.engine.outcome import Failed, Finding, Fixed, HasFindings, Outcome, Skipped
from llmbase_migrate.engine.runner import analyze_bytes, analyze_text
from llmbase_migrate.engine.source import decode_source, encode_source
from llmbase_migrate.errors import SourceError
from llmbase_migrate.fixes.apply import apply_round
from llmbase_migrate.fixes.edit import Applicability, Fix
from llmbase_migrate.rules.base import Rule, RuleContext

MAX_ROUNDS = 10


def is_applicable(finding: Finding, *, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and (unsafe or fix.applicability is Applicability.SAFE)


@cpython.code_warnings_ignored()  # also those of LibCST's evaluated_value in the fixes
def fix_bytes(
    path: str,
    raw: bytes,
    rules: Sequence[Rule],
    context: RuleContext,
    *,
    unsafe: bool,
    libcst_max_tokens: int = DEFAULT_LIBCST_MAX_TOKENS,
) -> Outcome:
    """Analyse one file and return it fixed (``Fixed``) or why not; never raises. A
    file analysed in part (over ``libcst_max_tokens``) is never fixed."""
    try:
        # on a big stack: fixes parse and transform the whole module again (deep_stack)
        return run_deep(
            lambda: _fix(path, raw, rules, context, unsafe=unsafe, max_tokens=libcst_max_tokens)
        )
    except RecursionError:
        return Skipped(path, "nested too deeply to analyse")
    except Exception as error:  # the per-file boundary: report, never crash
        message = f"internal error while fixing: {type(error).__name__}: {error}"
        return Failed(path, message, traceback.format_exc())


def _fix(
    path: str,
    raw: bytes,
    rules: Sequence[Rule],
    context: RuleContext,
    *,
    unsafe: bool,
    max_tokens: int,
) -> Outcome:
    # The analysis compiles the file (CPython's tree): one that does not compile has
    # a parse failure (LB001) and is left alone.
    first = analyze_bytes(path, raw, rules, context, libcst_max_tokens=max_tokens)
    outcome = first.outcome
    if (
        not isinstance(outcome, HasFindings)
        or first.facts is None
        or first.facts.parse_failure is not None
        or not any(is_applicable(finding, unsafe=unsafe) for finding in outcome.findings)
    ):
        return outcome
    source = decode_source(raw)
    text = source.text
    fixed: list[Finding] = []
    current: Outcome = outcome
    for _ in range(MAX_ROUNDS):
        findings = current.findings if isinstance(current, HasFindings) else ()
        fixable = [finding for finding in findings if is_applicable(finding, unsafe=unsafe)]
        if not fixable:
            break
        fixes, owners = _unique_fixes(fixable)
        result = apply_round(text, fixes)
        codes = _codes(finding for index in result.applied for finding in owners[index])
        if result.text == text:
            return _not_fixed(outcome, f"the fixes for {codes} change nothing")
        problem = compile_error(result.text, path)
        if problem is not None:
            return _not_fixed(outcome, f"the fixes for {codes} would not compile ({problem})")
        applied = {id(finding) for index in result.applied for finding in owners[index]}
        fixed.extend(finding for finding in fixable if id(finding) in applied)
        text = result.text
        current = analyze_text(path, text, rules, context).outcome
        if isinstance(current, (Failed, Skipped)):
            reason = current.error if isinstance(current, Failed) else current.reason
            return _not_fixed(outcome, f"the code fixed for {codes} cannot be analysed ({reason})")
        if isinstance(current, HasFindings) and any(f.code == "LB001" for f in current.findings):
            return _not_fixed(outcome, f"the code fixed for {codes} no longer parses")
    else:
        findings = current.findings if isinstance(current, HasFindings) else ()
        if any(is_applicable(finding, unsafe=unsafe) for finding in findings):
            left = _codes(
                [finding for finding in findings if is_applicable(finding, unsafe=unsafe)]
            )
            return _not_fixed(outcome, f"fixes did not converge in {MAX_ROUNDS} rounds ({left})")
    try:
        new_source = encode_source(text, source)
    except SourceError as error:
        return _not_fixed(outcome, f"the fixed code {error.reason}")
    remaining = current.findings if isinstance(current, HasFindings) else ()
    suppressed = current.suppressed if isinstance(current, HasFindings) else 0
    return Fixed(path, tuple(fixed), remaining, raw, new_source, suppressed)


def compile_error(text: str, path: str) -> str | None:
    """Why CPython would not compile ``text``, or None (its warnings do not count)."""
    try:
        cpython.compile_module(text, path)
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return str(error) or type(error).__name__
    return None


def _not_fixed(outcome: HasFindings, reason: str) -> HasFindings:
    return dataclasses.replace(outcome, fix_error=f"not fixed: {reason}")


def _unique_fixes(findings: Sequence[Finding]) -> tuple[list[Fix], list[list[Finding]]]:
    """Fixes in finding order, each once, with the findings it fixes (several
    findings may carry one fix, such as moving all misplaced fields of a call)."""
    fixes: list[Fix] = []
    owners: list[list[Finding]] = []
    index_of: dict[Fix, int] = {}
    for finding in findings:
        assert finding.fix is not None
        index = index_of.get(finding.fix)
        if index is None:
            index_of[finding.fix] = len(fixes)
            fixes.append(finding.fix)
            owners.append([finding])
        else:
            owners[index].append(finding)
    return fixes, owners


def _codes(findings: Iterable[Finding]) -> str:
    return ", ".join(sorted({finding.code for finding in findings})) or "no rule"
