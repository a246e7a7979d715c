"""Saying which model catalog a run used and how old it is."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from llmbase_migrate.catalog.index import CatalogIndex

_SOURCES = {
    "live": "fetched live",
    "cache": "cached",
    "snapshot": "bundled snapshot",
    "file": "from a file",
}


def catalog_age(index: CatalogIndex, now: datetime | None = None) -> float | None:
    """Seconds since the catalog was fetched (or the snapshot was taken), if known."""
    if index.fetched_at is None:
        return None
    try:
        fetched = datetime.fromisoformat(index.fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=timezone.utc)
    return max(0.0, ((now or datetime.now(timezone.utc)) - fetched).total_seconds())


def describe_catalog(index: CatalogIndex, now: datetime | None = None) -> str:
    """``Catalog: 18 models, bundled snapshot of 2026-11-25, capabilities unknown.``"""
    parts = [f"{len(index.models)} models", _SOURCES.get(index.source, index.source)]
    age = catalog_age(index, now)
    if index.source == "snapshot" and index.fetched_at:
        parts[-1] += f" of {index.fetched_at[:10]}"
    elif age is not None:
        parts.append(f"{_duration(age)} old")
    if not index.capabilities_known:
        parts.append("capabilities unknown")
    return "Catalog: " + ", ".join(parts) + "."


def catalog_json(index: CatalogIndex, now: datetime | None = None) -> dict[str, Any]:
    return {
        "source": index.source,
        "fetched_at": index.fetched_at,
        "age_seconds": catalog_age(index, now),
        "models": len(index.models),
        "capabilities_known": index.capabilities_known,
    }


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"
