"""ruff-style text: ``path:line:col: CODE message``, then a summary."""

from __future__ import annotations

from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Failed, Finding, HasFindings, Skipped
from llmbase_migrate.fixes.edit import Applicability
from llmbase_migrate.reporting import Summary, all_findings, quote_path
from llmbase_migrate.reporting.catalog import describe_catalog
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.secrets import redact


def render_text(
    result: RunResult,
    *,
    statistics: bool = False,
    verbose: bool = False,
    quiet: bool = False,
    show_debug: bool = False,
    fix_mode: bool = False,
    unsafe_fixes: bool = False,
) -> str:
    """Findings one per line (``[*]``: a fix ``fix`` would apply), problems, a summary."""
    lines: list[str] = []
    for finding in all_findings(result):
        marker = " [*]" if _applicable(finding, unsafe_fixes) else ""
        lines.append(
            f"{quote_path(finding.path)}:{finding.span.line}:{finding.span.column}: "
            f"{finding.code}{marker} {redact(finding.message)}"
        )
    for outcome in result.outcomes:
        if isinstance(outcome, HasFindings) and outcome.fix_error:
            lines.append(f"{quote_path(outcome.path)}: {redact(outcome.fix_error)}")
        elif isinstance(outcome, Failed):
            lines.append(f"{quote_path(outcome.path)}: error: {redact(outcome.error)}")
            if show_debug and outcome.detail:
                lines.append(outcome.detail.rstrip())
        elif isinstance(outcome, Skipped):
            lines.append(f"{quote_path(outcome.path)}: skipped: {outcome.reason}")
    if quiet:
        return "\n".join(lines)
    summary = Summary.of(result)
    if statistics and summary.by_code:
        if lines:
            lines.append("")
        rules = rules_by_code()
        for code, count in sorted(summary.by_code.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"{count:5d}  {code}  {rules[code].name}")
    if verbose:
        for skip in result.discovery_skips:
            lines.append(f"{quote_path(skip.display)}: skipped: {skip.reason}")
    if lines:
        lines.append("")
    if fix_mode:
        lines.append(_fix_summary_line(summary, unsafe_fixes))
    else:
        lines.append(_summary_line(summary, unsafe_fixes))
    if result.catalog is not None:
        lines.append(describe_catalog(result.catalog))
    return "\n".join(lines)


def _applicable(finding: Finding, unsafe_fixes: bool) -> bool:
    fix = finding.fix
    return fix is not None and (unsafe_fixes or fix.applicability is Applicability.SAFE)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _fix_summary_line(summary: Summary, unsafe_fixes: bool) -> str:
    if summary.fixed:
        head = (
            f"Fixed {_plural(summary.fixed, 'finding')} in {_plural(summary.files_fixed, 'file')}"
        )
        head += f", {summary.findings} remaining" if summary.findings else ", none remaining"
    elif summary.findings:
        head = f"Nothing fixed; {_plural(summary.findings, 'finding')} remaining"
    else:
        head = "Nothing to fix"
    if summary.unsafe_fixable and not unsafe_fixes:
        head += f" ({summary.unsafe_fixable} more fixable with --unsafe-fixes)"
    if summary.files_not_fixed:
        head += f"; {_plural(summary.files_not_fixed, 'file')} left unchanged (see above)"
    return f"{head}. {_counts(summary)}"


def _summary_line(summary: Summary, unsafe_fixes: bool = False) -> str:
    if summary.findings:
        noun = "finding" if summary.findings == 1 else "findings"
        head = f"Found {summary.findings} {noun} in {summary.files_with_findings} " + (
            "file" if summary.files_with_findings == 1 else "files"
        )
        fixable = summary.fixable + (summary.unsafe_fixable if unsafe_fixes else 0)
        hidden = 0 if unsafe_fixes else summary.unsafe_fixable
        if fixable and hidden:
            head += f" ({fixable} fixable with `fix`, {hidden} more with `fix --unsafe-fixes`)"
        elif fixable:
            head += f" ({fixable} fixable with `fix`)"
        elif hidden:
            head += f" ({hidden} fixable with `fix --unsafe-fixes`)"
    elif summary.files_failed or summary.unreadable:
        head = "No findings, but some files could not be checked"
    else:
        head = "All checks passed"
    return f"{head}. {_counts(summary)}"


def _counts(summary: Summary) -> str:
    scanned = "file" if summary.files_scanned == 1 else "files"
    parts = [f"{summary.files_scanned} {scanned} scanned ({summary.files_parsed} parsed)"]
    if summary.files_skipped:
        parts.append(f"{summary.files_skipped} skipped")
    if summary.files_failed:
        parts.append(f"{summary.files_failed} failed")
    if summary.suppressed:
        parts.append(f"{summary.suppressed} suppressed by noqa")
    return ", ".join(parts) + "."
