"""The migration report: Markdown a person can paste into a pull request.

It says what changed, per rule and per file, then what needs a person: the unsafe
fixes applied (each with the reason it is unsafe: what to check or do), the keys a
fix removed from the source (to rotate: they stay in the repository's history),
definitions the fixes left unused, and every finding left, grouped by file, with
the lines as they are after the migration (a finding whose fix was declined says
why in its message).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from llmbase_migrate import __version__
from llmbase_migrate.config import Settings
from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Failed, Finding, Fixed, HasFindings, Skipped
from llmbase_migrate.fixes.edit import Applicability, Fix
from llmbase_migrate.reporting import Summary, all_findings, fixed_findings, quote_path
from llmbase_migrate.reporting.catalog import describe_catalog
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.secrets import looks_like_secret, mask, redact, strip_url_credentials


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
            f"{_plural(summary.files_with_findings, 'file')} "
            + ("needs" if len(remaining) == 1 else "need")
            + " a person."
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
    attention = _applied_with_care(fixed)
    if attention:
        lines += [
            "### Review these fixes",
            "",
            "Applied, but unsafe: each may change what the code does. "
            "`line:column` is where the finding was, in the file as it stood when its fix "
            "was applied (a later round's fix counts earlier rounds' edits).",
            "",
            *attention,
            "",
        ]
    rotate = _removed_keys(fixed)
    if rotate:
        lines += [
            "### Rotate these keys",
            "",
            "A fix removed each of them from the source, not from the repository's history: "
            "revoke it where it was issued.",
            "",
            *rotate,
            "",
        ]
    leftovers = _leftovers(fixed)
    if leftovers:
        lines += [
            "### Left unused",
            "",
            "Nothing reads these any more; remove them if nothing outside the code does either.",
            "",
            *leftovers,
            "",
        ]
    if remaining:
        if attention or rotate or leftovers:
            lines += ["### Findings left", ""]
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
    elif not (attention or rotate or leftovers):
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


def _by_fix(fixed: Sequence[Finding]) -> list[tuple[Fix, list[Finding]]]:
    """Each applied fix once, with the findings it served (a client's base URL and
    key share one fix)."""
    grouped: dict[tuple[str, Fix], list[Finding]] = {}
    for finding in fixed:
        if finding.fix is not None:
            grouped.setdefault((finding.path, finding.fix), []).append(finding)
    return [(fix, findings) for (_, fix), findings in grouped.items()]


def _applied_with_care(fixed: Sequence[Finding]) -> list[str]:
    lines = []
    for fix, findings in _by_fix(fixed):
        if fix.applicability is not Applicability.UNSAFE:
            continue
        first = findings[0]
        codes = ", ".join(sorted({finding.code for finding in findings}))
        why = f": {fix.reason}" if fix.reason else ""
        lines.append(
            f"- `{quote_path(first.path)}` {first.span.line}:{first.span.column} "
            f"**{codes}** {_escape(redact(fix.message))}{_escape(redact(why))}"
        )
    return lines


def _removed_keys(fixed: Sequence[Finding]) -> list[str]:
    lines = []
    for fix, findings in _by_fix(fixed):
        keys = [text for text in fix.secrets if looks_like_secret(text)]
        if not keys:
            continue
        first = findings[0]
        shown = ", ".join(f"`{mask(key)}`" for key in dict.fromkeys(keys))
        lines.append(f"- `{quote_path(first.path)}` {first.span.line}:{first.span.column}: {shown}")
    return lines


def _leftovers(fixed: Sequence[Finding]) -> list[str]:
    by_path: dict[str, list[str]] = defaultdict(list)
    for fix, findings in _by_fix(fixed):
        for leftover in fix.leftovers:
            if leftover not in by_path[findings[0].path]:
                by_path[findings[0].path].append(leftover)
    return [
        f"- `{quote_path(path)}`: " + ", ".join(f"`{item}`" for item in items)
        for path, items in by_path.items()
    ]


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
