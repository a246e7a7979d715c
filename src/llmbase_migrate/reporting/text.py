"""ruff-style text: ``path:line:col: CODE message``, then a summary."""

from __future__ import annotations

from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Failed, Skipped
from llmbase_migrate.reporting import Summary, all_findings
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.secrets import redact


def render_text(
    result: RunResult,
    *,
    statistics: bool = False,
    verbose: bool = False,
    quiet: bool = False,
    show_debug: bool = False,
) -> str:
    lines: list[str] = []
    for finding in all_findings(result):
        marker = " [*]" if finding.fix is not None else ""
        lines.append(
            f"{finding.path}:{finding.span.line}:{finding.span.column}: "
            f"{finding.code}{marker} {redact(finding.message)}"
        )
    for outcome in result.outcomes:
        if isinstance(outcome, Failed):
            lines.append(f"{outcome.path}: error: {redact(outcome.error)}")
            if show_debug and outcome.detail:
                lines.append(outcome.detail.rstrip())
        elif isinstance(outcome, Skipped):
            lines.append(f"{outcome.path}: skipped: {outcome.reason}")
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
            lines.append(f"{skip.display}: skipped: {skip.reason}")
    if lines:
        lines.append("")
    lines.append(_summary_line(summary))
    return "\n".join(lines)


def _summary_line(summary: Summary) -> str:
    if summary.findings:
        noun = "finding" if summary.findings == 1 else "findings"
        head = f"Found {summary.findings} {noun} in {summary.files_with_findings} " + (
            "file" if summary.files_with_findings == 1 else "files"
        )
        if summary.fixable:
            head += f" ({summary.fixable} fixable)"
    elif summary.files_failed or summary.unreadable:
        head = "No findings, but some files could not be checked"
    else:
        head = "All checks passed"
    parts = [f"{summary.files_scanned} files scanned ({summary.files_parsed} parsed)"]
    if summary.files_skipped:
        parts.append(f"{summary.files_skipped} skipped")
    if summary.files_failed:
        parts.append(f"{summary.files_failed} failed")
    if summary.suppressed:
        parts.append(f"{summary.suppressed} suppressed by noqa")
    return f"{head}. " + ", ".join(parts) + "."
