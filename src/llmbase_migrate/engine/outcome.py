"""What became of each file: small frozen values that cross process boundaries."""

from __future__ import annotations

from dataclasses import dataclass

from llmbase_migrate.analysis.facts import Span
from llmbase_migrate.rules.base import Fix, Severity


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem, ready for any output format."""

    path: str
    code: str
    name: str
    severity: Severity
    span: Span
    message: str
    fix: Fix | None = None


@dataclass(frozen=True, slots=True)
class Clean:
    """Analysed (or ruled out by the pre-filter: ``parsed`` False) with nothing to report."""

    path: str
    parsed: bool
    suppressed: int = 0


@dataclass(frozen=True, slots=True)
class HasFindings:
    path: str
    findings: tuple[Finding, ...]
    suppressed: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """Not analysed, for a reason a person can act on ("invalid utf-8 at byte 12")."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The tool itself failed on this file; ``detail`` holds the traceback for --debug."""

    path: str
    error: str
    detail: str = ""


Outcome = Clean | HasFindings | Skipped | Failed
