"""What became of each file: small frozen values that cross process boundaries."""

from __future__ import annotations

from dataclasses import dataclass

from llmbase_migrate.analysis.facts import SourceLocation, Span
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
    # where the value the finding is about was written, in another module
    source: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class Clean:
    """Analysed (or ruled out by the pre-filter: ``parsed`` False) with nothing to report."""

    path: str
    parsed: bool
    suppressed: int = 0
    # project modules the analysis read (display path, digest): a cached result holds
    # only while they are unchanged
    depends_on: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class HasFindings:
    """Findings remain. In fix mode ``fix_error`` says why available fixes were not
    applied (the file is then untouched); in any mode, that the file was analysed in
    part and its findings carry no fixes (``runner.PARTIAL_NOTE``)."""

    path: str
    findings: tuple[Finding, ...]
    suppressed: int = 0
    fix_error: str | None = None
    depends_on: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Fixed:
    """Fix mode: ``fixed`` are the findings whose fixes were applied, ``findings`` what
    the fixed text still has. ``written`` is False for a dry run (``--diff``)."""

    path: str
    fixed: tuple[Finding, ...]
    findings: tuple[Finding, ...]
    original: bytes
    new_source: bytes
    suppressed: int = 0
    written: bool = False


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


Outcome = Clean | HasFindings | Fixed | Skipped | Failed
