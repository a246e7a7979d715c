"""What the request rules' fixes (LB201-LB205) share beyond the edit builders of
``fixes.edits``: which fields can be removed where they are written, the one fix
that removes them, and the prompt-cache key LB203 writes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from llmbase_migrate.analysis.facts import ChatCall, Field
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edit import Applicability, Fix
from llmbase_migrate.fixes.edits import call_without_fields, remove_fields

# What LB203's fix writes as prompt_cache_key when neither the configuration nor
# the file's path gives a key (code read from stdin without --stdin-filename).
DEFAULT_PROMPT_CACHE_KEY = "default"

_PY_SUFFIX = re.compile(r"\.pyw?$|\.pyi$")


def prompt_cache_key(configured: str | None, path: str | None) -> str:
    """The key LB203's fix writes: the configured ``prompt-cache-key``, else the
    module's dotted path (``app/example.py`` -> ``app.example``, ``pkg/__init__.py``
    -> ``pkg``), else :data:`DEFAULT_PROMPT_CACHE_KEY`. Stable across runs, so
    requests from one module share their prompt cache."""
    if configured:
        return configured
    if path:
        parts = [part for part in _PY_SUFFIX.sub("", path.replace("\\", "/")).split("/") if part]
        parts = [part for part in parts if part != "."]
        if parts and parts[-1] == "__init__":
            parts.pop()
        if parts:
            return ".".join(parts)
    return DEFAULT_PROMPT_CACHE_KEY


def removable(call: ChatCall, fields: Iterable[Field]) -> list[Field]:
    """The fields that can be deleted where they are written: keywords, and entries
    of an ``extra_body`` written at the call (not ``**`` dicts, not names)."""
    return [field for field in fields if call_without_fields(call.node, [field]) is not None]


def removal_fix(
    source: SourceMap, call: ChatCall, fields: Sequence[Field], applicability: Applicability
) -> tuple[Fix, list[Field]] | None:
    """One fix deleting every removable field of ``fields`` from ``call`` (``extra_body``
    goes when it is left empty), with the fields it covers."""
    covered = removable(call, fields)
    if not covered:
        return None
    edit = remove_fields(source, call.node, covered)
    if edit is None:
        return None
    names = ", ".join(sorted({field.name for field in covered}))
    return Fix(applicability, f"remove {names}", (edit,)), covered
