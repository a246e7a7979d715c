"""Compare the tool's findings with ``# expect: CODE`` annotations in fixture files."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.config import load_settings
from llmbase_migrate.engine.api import RunOptions, check_paths
from llmbase_migrate.engine.outcome import HasFindings

_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>LB\d{3}(?:\s*,\s*LB\d{3})*)")


@dataclass(frozen=True)
class Mismatch:
    kind: str  # "miss" or "false alarm"
    path: str
    line: int
    code: str
    message: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}:{self.line}: {self.code} {self.message}".rstrip()


def expected_findings(path: Path) -> set[tuple[int, str]]:
    """(line, code) pairs from ``# expect:`` comments (real comments, not strings)."""
    expected: set[tuple[int, str]] = set()
    source = path.read_bytes()
    for token in tokenize.tokenize(io.BytesIO(source).readline):
        if token.type == tokenize.COMMENT:
            match = _EXPECT.search(token.string)
            if match:
                for code in match.group("codes").split(","):
                    expected.add((token.start[0], code.strip()))
    return expected


def compare(
    root: Path, cwd: Path, catalog: CatalogIndex | None = None
) -> tuple[list[Mismatch], int, int]:
    """Run ``check`` over ``root``; return mismatches, expected count, found count."""
    settings = load_settings(config_file=None, search_from=root)
    result = check_paths([root], settings, cwd=cwd, options=RunOptions(catalog=catalog))
    found: dict[str, dict[tuple[int, str], str]] = {}
    for outcome in result.outcomes:
        if isinstance(outcome, HasFindings):
            for finding in outcome.findings:
                found.setdefault(finding.path, {})[(finding.span.line, finding.code)] = (
                    finding.message
                )
    mismatches: list[Mismatch] = []
    expected_total = 0
    for path in sorted(root.rglob("*.py")):
        display = path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)
        expected = expected_findings(path)
        expected_total += len(expected)
        actual = found.get(display, {})
        for line, code in sorted(expected - set(actual)):
            mismatches.append(Mismatch("miss", display, line, code))
        for line, code in sorted(set(actual) - expected):
            mismatches.append(Mismatch("false alarm", display, line, code, actual[(line, code)]))
    found_total = sum(len(items) for items in found.values())
    return mismatches, expected_total, found_total
