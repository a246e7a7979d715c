"""Output formats: each turns a run's outcomes into text; none prints.

Every message passes through :func:`llmbase_migrate.secrets.redact` on its way
out, so a key that slipped into a message is still masked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Clean, Failed, Finding, HasFindings, Skipped


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

    @staticmethod
    def of(result: RunResult) -> Summary:
        findings = all_findings(result)
        return Summary(
            findings=len(findings),
            fixable=sum(1 for finding in findings if finding.fix is not None),
            files_scanned=sum(1 for o in result.outcomes if isinstance(o, (Clean, HasFindings))),
            files_parsed=sum(
                1
                for o in result.outcomes
                if isinstance(o, HasFindings) or (isinstance(o, Clean) and o.parsed)
            ),
            files_with_findings=sum(1 for o in result.outcomes if isinstance(o, HasFindings)),
            files_skipped=sum(1 for o in result.outcomes if isinstance(o, Skipped))
            + len(result.discovery_skips),
            files_failed=sum(1 for o in result.outcomes if isinstance(o, Failed)),
            unreadable=sum(1 for o in result.outcomes if isinstance(o, Skipped)),
            suppressed=sum(
                o.suppressed for o in result.outcomes if isinstance(o, (Clean, HasFindings))
            ),
            by_code=dict(sorted(Counter(finding.code for finding in findings).items())),
        )


def all_findings(result: RunResult) -> list[Finding]:
    return [
        finding
        for outcome in result.outcomes
        if isinstance(outcome, HasFindings)
        for finding in outcome.findings
    ]
