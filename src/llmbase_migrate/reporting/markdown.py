"""The migration report: Markdown a person can paste into a pull request.

It says what changed, per rule and per file, and lists every finding that still
needs a person, grouped by file, with the lines as they are after the migration.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from llmbase_migrate import __version__
from llmbase_migrate.config import Settings
from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Failed, Finding, Fixed, HasFindings, Skipped
from llmbase_migrate.reporting import Summary, all_findings, fixed_findings, quote_path
from llmbase_migrate.reporting.catalog import describe_catalog
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.secrets import redact, strip_url_credentials


def render_markdown(result: RunResult, settings: Settings, *, target: str) -> str:
    summary = Summary.of(result)
    remaining = all_findings(result)
    lines = [
        "# Migration to LLMBase",
        "",
        f"`llmbase-migrate migrate {target}` (version {__version__}) rewrote "
        f"{_plural(summary.files_fixed, 'file')}, applying {_plural(summary.fixed, 'fix', 'es')}. "
        + (
            f"{_plural(len(remaining), 'finding')} in "
            f"{_plural(summary.files_with_findings, 'file')} need a person."
            if remaining
            else "Nothing is left for a person to do."
        ),
        "",
        f"- Base URL: `{strip_url_credentials(settings.base_url)}`",
        f"- API key: read from `${settings.api_key_env}`",
    ]
    if result.catalog is not None:
        lines.append(f"- Model IDs checked against: {describe_catalog(result.catalog)[9:]}")
    if settings.model_map:
        mapped = ", ".join(f"`{old}` → `{new}`" for old, new in sorted(settings.model_map.items()))
        lines.append(f"- Model map: {mapped}")
    lines += ["", "## What changed", ""]
    fixed = fixed_findings(result)
    if fixed:
        lines += _by_rule_table(fixed)
        lines.append("")
        for outcome in result.outcomes:
            if isinstance(outcome, Fixed) and outcome.fixed:
                lines += _changed_file(outcome)
        lines.pop()
    else:
        lines.append("No file changed.")
    lines += ["", "## What needs a person", ""]
    if remaining:
        lines.append("Each line is `line:column` in the migrated file, the rule, and what to do.")
        lines.append("")
        by_file: dict[str, list[Finding]] = defaultdict(list)
        for finding in remaining:
            by_file[finding.path].append(finding)
        for path, findings in by_file.items():
            lines += [f"### `{quote_path(path)}`", ""]
            for finding in findings:
                lines.append(
                    f"- {finding.span.line}:{finding.span.column} **{finding.code}** "
                    f"{finding.name}: {_escape(redact(finding.message))}"
                )
            lines.append("")
    else:
        lines += ["Nothing.", ""]
    problems = _problems(result)
    if problems:
        lines += ["## Files left unchanged", "", *problems, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _by_rule_table(fixed: Sequence[Finding]) -> list[str]:
    rules = rules_by_code()
    counts = Counter(finding.code for finding in fixed)
    files: dict[str, set[str]] = defaultdict(set)
    for finding in fixed:
        files[finding.code].add(finding.path)
    rows = ["| rule | what | fixes | files |", "|---|---|---|---|"]
    for code in sorted(counts):
        rows.append(
            f"| {code} | {rules[code].name}: {rules[code].spec.summary} "
            f"| {counts[code]} | {len(files[code])} |"
        )
    return rows


def _changed_file(outcome: Fixed) -> list[str]:
    lines = [f"### `{quote_path(outcome.path)}`", ""]
    for code, findings in sorted(_group_by_code(outcome.fixed).items()):
        messages = Counter(
            finding.fix.message if finding.fix is not None else finding.message
            for finding in findings
        )
        for message, count in messages.items():
            times = f" (×{count})" if count > 1 else ""
            lines.append(f"- **{code}** {_escape(redact(message))}{times}")
    lines.append("")
    return lines


def _group_by_code(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.code].append(finding)
    return grouped


def _problems(result: RunResult) -> list[str]:
    lines: list[str] = []
    for outcome in result.outcomes:
        if isinstance(outcome, HasFindings) and outcome.fix_error:
            lines.append(f"- `{quote_path(outcome.path)}`: {_escape(redact(outcome.fix_error))}")
        elif isinstance(outcome, Skipped):
            lines.append(f"- `{quote_path(outcome.path)}`: skipped: {_escape(outcome.reason)}")
        elif isinstance(outcome, Failed):
            lines.append(f"- `{quote_path(outcome.path)}`: error: {_escape(redact(outcome.error))}")
    return lines


def _escape(text: str) -> str:
    """Keep a message from turning into Markdown structure inside a list item."""
    return text.replace("|", "\\|").replace("\n", " ")


def _plural(count: int, noun: str, suffix: str = "s") -> str:
    return f"{count} {noun}" + ("" if count == 1 else suffix)
