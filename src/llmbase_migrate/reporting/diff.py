"""Unified diffs of what fix mode changed (or would change), secrets masked."""

from __future__ import annotations

import difflib

from llmbase_migrate.engine.api import RunResult
from llmbase_migrate.engine.outcome import Fixed
from llmbase_migrate.engine.source import decode_source
from llmbase_migrate.errors import SourceError
from llmbase_migrate.secrets import redact_exact


def render_diff(result: RunResult) -> str:
    """One unified diff per changed file, in run order; empty when nothing changes."""
    parts: list[str] = []
    for outcome in result.outcomes:
        if isinstance(outcome, Fixed):
            parts.append(file_diff(outcome))
    return "".join(parts)


def file_diff(outcome: Fixed) -> str:
    before = _lines(outcome.original)
    after = _lines(outcome.new_source)
    name = outcome.path.lstrip("/")
    lines = difflib.unified_diff(before, after, fromfile=f"a/{name}", tofile=f"b/{name}")
    # A removed hardcoded key must not reappear in a diff meant for review.
    secrets = tuple(
        secret
        for finding in outcome.fixed
        if finding.fix is not None
        for secret in finding.fix.secrets
    )
    rendered: list[str] = []
    for line in lines:
        text = redact_exact(line, secrets)
        rendered.append(text if text.endswith("\n") else text + "\n\\ No newline at end of file\n")
    return "".join(rendered)


def _lines(raw: bytes) -> list[str]:
    try:
        text = decode_source(raw).text
    except SourceError:
        text = raw.decode("utf-8", "replace")
    return text.splitlines(keepends=True)
