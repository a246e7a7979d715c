"""Findings about a value written in another module are reported where it is written.

A model ID kept in ``config.py`` and sent by requests in three other modules is one
thing to change, in ``config.py``: when that module is part of the run, the
findings at the requests become one finding at the value, whose message names the
requests it reaches. When it is not (pre-commit passes only the files that
changed), the findings stay at the requests, each saying where the value is set.

This runs over the outcomes of a whole run, after analysis and caching: a file's
own (cached) outcome is what its analysis found, wherever the value was.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from llmbase_migrate.analysis.facts import SourceLocation
from llmbase_migrate.engine.outcome import Clean, Finding, Fixed, HasFindings, Outcome

# The same syntax the analysis reads (``# noqa``, ``# noqa: LB301``).
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*))?", re.I)


def relocate(
    outcomes: Sequence[Outcome],
    files: Sequence[tuple[str, Path]],
    selected: Callable[[Path, str], bool],
) -> list[Outcome]:
    """``outcomes`` (one per file of ``files``, matched by display path) with every
    finding that has a ``source`` in one of ``files`` moved there, once per source.

    ``selected(path, code)`` says whether a rule runs on a file (per-file ignores).
    """
    display_of = {_real(path): display for display, path in files}
    by_display = {outcome.path: index for index, outcome in enumerate(outcomes)}
    groups: dict[tuple[str, SourceLocation, str, str], list[Finding]] = {}
    for outcome in outcomes:
        if not isinstance(outcome, (HasFindings, Fixed)):
            continue
        for finding in outcome.findings:
            if finding.source is None:
                continue
            target = display_of.get(_real(Path(finding.source.file)))
            if target is None or target not in by_display or target == finding.path:
                continue
            key = (target, finding.source, finding.code, _without_source(finding))
            groups.setdefault(key, []).append(finding)
    if not groups:
        return list(outcomes)
    moved = {id(finding) for findings in groups.values() for finding in findings}
    added: dict[str, list[Finding]] = {}
    suppressed: dict[str, int] = {}
    for (target, source, code, message), findings in groups.items():
        path = Path(source.file)
        if not selected(path, code):
            continue
        if _suppressed(path, source.line, code):
            suppressed[target] = suppressed.get(target, 0) + 1
            continue
        first = findings[0]
        added.setdefault(target, []).append(
            Finding(
                path=target,
                code=code,
                name=first.name,
                severity=first.severity,
                span=source.span,
                message=f"{message}; {_reach(findings)}",
            )
        )
    result = []
    for outcome in outcomes:
        kept = outcome
        if isinstance(outcome, (HasFindings, Fixed)) and any(
            id(finding) in moved for finding in outcome.findings
        ):
            left = tuple(finding for finding in outcome.findings if id(finding) not in moved)
            if isinstance(outcome, Fixed) or left or outcome.fix_error is not None:
                kept = dataclasses.replace(outcome, findings=left)
            else:
                kept = Clean(
                    outcome.path,
                    parsed=True,
                    suppressed=outcome.suppressed,
                    depends_on=outcome.depends_on,
                )
        result.append(_with(kept, added.get(outcome.path, []), suppressed.get(outcome.path, 0)))
    return result


def _with(outcome: Outcome, findings: list[Finding], suppressed: int) -> Outcome:
    if not findings and not suppressed:
        return outcome
    if isinstance(outcome, Clean):
        if not findings:
            return dataclasses.replace(outcome, suppressed=outcome.suppressed + suppressed)
        return HasFindings(
            outcome.path,
            tuple(sorted(findings, key=lambda finding: (finding.span, finding.code))),
            outcome.suppressed + suppressed,
            depends_on=outcome.depends_on,
        )
    if isinstance(outcome, (HasFindings, Fixed)):
        merged = tuple(
            sorted((*outcome.findings, *findings), key=lambda finding: (finding.span, finding.code))
        )
        return dataclasses.replace(
            outcome, findings=merged, suppressed=outcome.suppressed + suppressed
        )
    return outcome


def _without_source(finding: Finding) -> str:
    """The message without the `` (set in path:line)`` the rule gave it."""
    assert finding.source is not None
    return finding.message.replace(f" (set in {finding.source})", "")


def _reach(findings: Sequence[Finding]) -> str:
    """``used in 3 places: app/chat.py:31, 49, app/jobs.py:12``."""
    sinks = sorted({(finding.path, finding.span.line) for finding in findings})
    parts: list[str] = []
    previous = None
    for path, line in sinks[:5]:
        parts.append(f"{line}" if path == previous else f"{path}:{line}")
        previous = path
    more = f" and {len(sinks) - 5} more" if len(sinks) > 5 else ""
    noun = "place" if len(sinks) == 1 else "places"
    return f"used in {len(sinks)} {noun}: {', '.join(parts)}{more}"


def _suppressed(path: Path, line: int, code: str) -> bool:
    """Whether ``# noqa`` on ``line`` of ``path`` suppresses ``code``."""
    try:
        with path.open("rb") as stream:
            for number, text in enumerate(stream, start=1):
                if number == line:
                    match = _NOQA.search(text.decode("utf-8", "replace"))
                    if match is None:
                        return False
                    codes = match.group("codes")
                    if not codes:
                        return True
                    return any(
                        code.startswith(selector.strip().upper()) for selector in codes.split(",")
                    )
    except OSError:
        return False
    return False


def _real(path: Path) -> str:
    return os.path.realpath(path)
