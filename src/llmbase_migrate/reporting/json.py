"""Versioned JSON for scripts and CI; positions 1-based, paths relative, posix.

A file name that is not valid UTF-8 keeps each undecodable byte as Python's
surrogate escape, written ``\\udcXX`` (the document stays valid UTF-8 JSON, and
``os.fsencode`` of the decoded string gives the name's bytes back).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Failed, Finding, HasFindings, Skipped
from llmbase_migrate.reporting import Summary, all_findings, fixed_findings
from llmbase_migrate.reporting.catalog import catalog_json
from llmbase_migrate.rules.base import Fix
from llmbase_migrate.secrets import redact

JSON_FORMAT_VERSION = 1

# Python strings hold a surrogate only as a lone one (a byte os.fsdecode could not
# decode); written raw it cannot be encoded as UTF-8.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def render_json(result: RunResult, *, unsafe_fixes: bool = False) -> str:
    """The run as JSON. ``fixable`` counts the fixes ``fix`` would apply with the same
    ``--unsafe-fixes`` choice; each diagnostic's fix says its own applicability."""
    summary = Summary.of(result)
    document: dict[str, Any] = {
        "version": JSON_FORMAT_VERSION,
        "diagnostics": [_diagnostic(finding) for finding in all_findings(result)],
        "fixed": [_diagnostic(finding) for finding in fixed_findings(result)],
        "catalog": catalog_json(result.catalog) if result.catalog is not None else None,
        "summary": {
            "findings": summary.findings,
            "fixable": summary.fixable + (summary.unsafe_fixable if unsafe_fixes else 0),
            "unsafe_fixable": summary.unsafe_fixable,
            "fixed": summary.fixed,
            "files_fixed": summary.files_fixed,
            "files_scanned": summary.files_scanned,
            "files_parsed": summary.files_parsed,
            "files_with_findings": summary.files_with_findings,
            "files_skipped": summary.files_skipped,
            "files_failed": summary.files_failed,
            "suppressed": summary.suppressed,
            "by_code": summary.by_code,
            "skipped": [
                {"path": o.path, "reason": o.reason}
                for o in result.outcomes
                if isinstance(o, Skipped)
            ]
            + [{"path": s.display, "reason": s.reason} for s in result.discovery_skips],
            "failed": [
                {"path": o.path, "error": redact(o.error)}
                for o in result.outcomes
                if isinstance(o, Failed)
            ],
            "not_fixed": [
                {"path": o.path, "reason": redact(o.fix_error)}
                for o in result.outcomes
                if isinstance(o, HasFindings) and o.fix_error
            ],
        },
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    # Inside a JSON string (the only place a character can be) the escape is exact.
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _diagnostic(finding: Finding) -> dict[str, Any]:
    return {
        "path": finding.path,
        "line": finding.span.line,
        "column": finding.span.column,
        "end_line": finding.span.end_line,
        "end_column": finding.span.end_column,
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": redact(finding.message),
        "fix": _fix(finding.fix),
    }


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "message": redact(fix.message),
        "edits": [
            {
                # an edit that keeps a key in place must not print it either
                "content": redact(edit.content),
                "location": {"row": edit.line, "column": edit.column},
                "end_location": {"row": edit.end_line, "column": edit.end_column},
            }
            for edit in fix.edits
        ],
        # why an unsafe fix is unsafe (what a person must check or do), or null
        "reason": redact(fix.reason) if fix.reason is not None else None,
        # definitions the fix leaves unread ("OPENROUTER_URL (line 4)")
        "leftovers": list(fix.leftovers),
    }
