"""Output formats: each turns a run's outcomes into text; none prints.

Every message passes through :func:`llmbase_migrate.secrets.redact` on its way
out, so a key that slipped into a message is still masked. Every path in a line of
text passes through :func:`quote_path`, so that any file name keeps its line whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Clean, Failed, Finding, Fixed, HasFindings, Skipped
from llmbase_migrate.fixes.edit import Applicability


@dataclass(frozen=True)
class Summary:
    findings: int
    fixable: int
    files_scanned: int
    files_parsed: int
    files_with_findings: int
    files_skipped: int
    files_failed: int
    # files that were to be analysed but could not be read, decoded or walked
    unreadable: int
    suppressed: int
    by_code: dict[str, int]
    # fix mode: findings fixed, files changed (or that would change), files whose
    # fixes could not be applied
    fixed: int = 0
    files_fixed: int = 0
    files_not_fixed: int = 0
    # fixes that need --unsafe-fixes
    unsafe_fixable: int = 0

    @staticmethod
    def of(result: RunResult) -> Summary:
        findings = all_findings(result)
        analysed = (Clean, HasFindings, Fixed)
        return Summary(
            findings=len(findings),
            fixable=sum(
                1
                for finding in findings
                if finding.fix is not None and finding.fix.applicability is Applicability.SAFE
            ),
            unsafe_fixable=sum(
                1
                for finding in findings
                if finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
            ),
            files_scanned=sum(1 for o in result.outcomes if isinstance(o, analysed)),
            files_parsed=sum(
                1
                for o in result.outcomes
                if isinstance(o, (HasFindings, Fixed)) or (isinstance(o, Clean) and o.parsed)
            ),
            files_with_findings=sum(
                1 for o in result.outcomes if isinstance(o, (HasFindings, Fixed)) and o.findings
            ),
            files_skipped=sum(1 for o in result.outcomes if isinstance(o, Skipped))
            + len(result.discovery_skips),
            files_failed=sum(1 for o in result.outcomes if isinstance(o, Failed)),
            unreadable=sum(1 for o in result.outcomes if isinstance(o, Skipped)),
            suppressed=sum(o.suppressed for o in result.outcomes if isinstance(o, analysed)),
            by_code=dict(sorted(Counter(finding.code for finding in findings).items())),
            fixed=sum(len(o.fixed) for o in result.outcomes if isinstance(o, Fixed)),
            files_fixed=sum(1 for o in result.outcomes if isinstance(o, Fixed)),
            files_not_fixed=sum(
                1 for o in result.outcomes if isinstance(o, HasFindings) and o.fix_error
            ),
        )


def all_findings(result: RunResult) -> list[Finding]:
    """The findings that remain (in fix mode: after fixing)."""
    return [
        finding
        for outcome in result.outcomes
        if isinstance(outcome, (HasFindings, Fixed))
        for finding in outcome.findings
    ]


def fixed_findings(result: RunResult) -> list[Finding]:
    """The findings whose fixes were applied (fix mode)."""
    return [
        finding
        for outcome in result.outcomes
        if isinstance(outcome, Fixed)
        for finding in outcome.fixed
    ]


def quote_path(path: str) -> str:
    """``path`` as it is, or quoted like a Python string literal when it holds what
    would break a line of output or cannot be printed: a newline or another control
    character, or bytes that are not UTF-8 (decoded by Python as lone surrogates,
    shown as ``\\udcXX``)."""
    return path if path.isprintable() else repr(path)
