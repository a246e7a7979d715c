"""A fix as data: text edits plus the imports it needs, applied only by ``fixes.apply``."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_PYTHON_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def source_lines(text: str) -> list[str]:
    """``text`` split into lines, ends kept, where Python ends them: at ``\\n``,
    ``\\r\\n`` and ``\\r`` only (``str.splitlines`` also breaks at form feeds and
    other characters, which would shift every position after one)."""
    return _PYTHON_LINE.findall(text)


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts (see ``source_lines``), then the
    length of the text."""
    starts = [0]
    for line in source_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


class Applicability(str, enum.Enum):
    """How far a fix can be trusted: safe fixes run by default, unsafe ones on request."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace the text between two 1-based positions (end exclusive) with ``content``."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True, slots=True, order=True)
class ImportChange:
    """``import module`` (``name`` None) or ``from module import name``."""

    module: str
    name: str | None = None

    def __str__(self) -> str:
        return (
            f"import {self.module}"
            if self.name is None
            else (f"from {self.module} import {self.name}")
        )


@dataclass(frozen=True, slots=True)
class Fix:
    """Edits that together fix one finding (several findings may share one fix).

    ``add_imports`` are added when missing; ``remove_imports`` are removed when the
    edits leave them unused.
    """

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]
    add_imports: tuple[ImportChange, ...] = ()
    remove_imports: tuple[ImportChange, ...] = ()
    # text the fix removes that must never be printed (a hardcoded key): masked in diffs
    secrets: tuple[str, ...] = ()
    # why the fix is unsafe (what a person must check or do once it is applied)
    reason: str | None = None
    # definitions the fix leaves unused ("OPENROUTER_URL (line 4)"), for the report
    leftovers: tuple[str, ...] = ()
