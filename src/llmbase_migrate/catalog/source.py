"""Where a run's model catalog comes from: ``--catalog auto|live|offline|PATH``.

- ``auto``: a fresh cache entry, else a live fetch when a usable key is set, else a stale
  cache entry (with a warning giving its age), else the bundled snapshot (with a warning).
  A failed live fetch is a warning here, never an error.
- ``live``: the live catalog or a :class:`CatalogError` (for CI jobs that want certainty).
- ``offline``: never touches the network: the cache of any age, else the snapshot.
- anything else: the path of a saved ``/v1/models?metadata=true`` answer (a cache file or
  the bundled snapshot's format are read too).

``refresh`` forces the live fetch (failure raises) and rewrites the cache. A live answer
is cached unless it lists no models: an empty catalog would make every model ID unknown,
so ``auto`` falls back from it like from any failure, while ``live`` returns it with a
warning. A cached catalog that lists no models, or lacks most of the documented ones
(a damaged or planted file), is not used at all, however fresh: it would turn every
model ID into an LB301 until it expired. The documented renames (``zai-org/glm-5`` ->
``z-ai/glm-5``) come with every source. The HTTP client (and httpx) is only loaded when
a fetch is attempted.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from llmbase_migrate.catalog.cache import (
    DEFAULT_TTL,
    CachedCatalog,
    format_timestamp,
    read_cache,
    write_cache,
)
from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.catalog.models import ParsedModels, parse_models_response, to_index
from llmbase_migrate.catalog.snapshot import documented_renames, load_snapshot
from llmbase_migrate.errors import CatalogError

if TYPE_CHECKING:
    from llmbase_migrate.catalog.client import HttpOptions

__all__ = ["MODES", "LoadedCatalog", "format_age", "load_catalog"]

MODES: Final = ("auto", "live", "offline")
_REFRESH_HINT: Final = "run `llmbase-migrate models --refresh` to update it"


@dataclass(frozen=True)
class LoadedCatalog:
    """A catalog ready for the rules (``index``) and for ``models --json`` (``entries``).

    ``source`` is "live", "cache", "snapshot" or "file"; ``fetched_at`` an ISO 8601
    timestamp (the snapshot's date for the snapshot; None for a file that does not say);
    ``age_seconds`` is measured from it. ``warnings`` are one-line messages for the user.
    ``base_url`` is the API the catalog belongs to (None for a file).
    """

    index: CatalogIndex
    entries: list[dict[str, Any]]
    source: str
    fetched_at: str | None
    age_seconds: float | None
    warnings: list[str] = field(default_factory=list)
    base_url: str | None = None


def load_catalog(
    mode: str,
    *,
    base_url: str,
    api_key_env: str,
    ttl: float = DEFAULT_TTL,
    agents: bool = False,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
    refresh: bool = False,
    cache_directory: Path | None = None,
    http: HttpOptions | None = None,
) -> LoadedCatalog:
    """Load the catalog ``mode`` asks for; see the module docstring for the order.

    ``base_url`` is the config's ``base-url`` (``LLMBASE_BASE_URL`` in ``env`` overrides
    it); the key is read from the variable ``api_key_env`` names in ``env`` (default:
    ``os.environ``). ``cache_directory`` replaces the platform cache directory and ``http``
    the client's timeouts and retries (both for tests). Raises :class:`CatalogError`.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    moment = _utc(now)
    if mode not in MODES:
        if refresh:
            raise CatalogError(
                "--refresh fetches the live catalog; it cannot be used with a catalog file",
                kind="usage",
            )
        return _from_file(Path(mode).expanduser(), moment)
    if mode == "offline" and refresh:
        raise CatalogError(
            "--refresh fetches the live catalog; it cannot be used offline", kind="usage"
        )

    from llmbase_migrate.catalog.client import read_key, resolve_base_url

    url = resolve_base_url(base_url, environ)
    loader = _Loader(url, agents, moment, ttl, cache_directory)
    if mode == "live" or refresh:
        return loader.live(read_key(api_key_env, environ), api_key_env, http, required=True)
    cached = read_cache(url, agents=agents, directory=cache_directory, now=moment)
    distrust = None if cached is None else _implausible(cached.parsed)
    if distrust is not None:
        cached = None
        distrust = f"the cached catalog for {url} {distrust}; not using it"
    if mode == "offline":
        if cached is not None:
            return loader.from_cache(cached, reason=None)
        return loader.from_snapshot(distrust or f"no cached catalog for {url}")
    if cached is not None and cached.is_fresh(moment, ttl):
        return loader.from_cache(cached, reason=None)
    try:
        live = loader.live(read_key(api_key_env, environ), api_key_env, http, required=False)
    except CatalogError as exc:
        reason = str(exc)
    else:
        if live.entries:
            return _with_note(live, distrust)
        reason = f"{url}: the live catalog lists no models"
    if cached is not None:
        return loader.from_cache(cached, reason=reason)
    return _with_note(loader.from_snapshot(reason), distrust)


def _implausible(parsed: ParsedModels) -> str | None:
    """Why a cached catalog cannot be LLMBase's (empty, or without most of the models
    the docs list), or None."""
    if not parsed.entries:
        return "lists no models"
    documented = {entry.id for entry in load_snapshot().parsed.entries}
    listed = documented & {entry.id for entry in parsed.entries}
    if 2 * len(listed) < len(documented):
        return f"lacks most of the documented models ({len(listed)} of {len(documented)})"
    return None


def _with_note(loaded: LoadedCatalog, note: str | None) -> LoadedCatalog:
    return (
        loaded if note is None else dataclasses.replace(loaded, warnings=[note, *loaded.warnings])
    )


def format_age(seconds: float) -> str:
    """``45 seconds``, ``12 minutes``, ``5 hours``, ``3 days``: rounded down, for messages."""
    whole = max(0, int(seconds))
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if whole >= size:
            count = whole // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{whole} second{'s' if whole != 1 else ''}"


@dataclass(frozen=True)
class _Loader:
    url: str
    agents: bool
    now: datetime
    ttl: float
    cache_directory: Path | None

    def live(
        self, key: str | None, api_key_env: str, http: HttpOptions | None, *, required: bool
    ) -> LoadedCatalog:
        from llmbase_migrate.catalog.client import DEFAULT_OPTIONS, fetch_models

        fetched = fetch_models(
            self.url,
            key,
            agents=self.agents,
            api_key_env=api_key_env,
            options=http or DEFAULT_OPTIONS,
        )
        warnings = _skipped_warning(self.url, fetched.parsed)
        if fetched.parsed.entries:
            try:
                write_cache(
                    self.url,
                    fetched.payload,
                    fetched_at=self.now,
                    agents=self.agents,
                    directory=self.cache_directory,
                )
            except CatalogError as exc:
                warnings.append(str(exc))
        elif required:
            warnings.append(
                f"{self.url}: the live catalog lists no models; every model ID will be unknown"
            )
        return _loaded(
            fetched.parsed,
            "live",
            format_timestamp(self.now),
            0.0,
            warnings,
            self.url,
        )

    def from_cache(self, cached: CachedCatalog, *, reason: str | None) -> LoadedCatalog:
        age = cached.age(self.now)
        warnings = _skipped_warning(self.url, cached.parsed)
        if reason is not None:
            warnings.append(
                f"{reason}; using the cached catalog from {format_age(age)} ago "
                f"({cached.fetched_at_text})"
            )
        elif not cached.is_fresh(self.now, self.ttl):
            warnings.append(
                f"the cached catalog for {self.url} is {format_age(age)} old "
                f"({cached.fetched_at_text}); {_REFRESH_HINT}"
            )
        return _loaded(cached.parsed, "cache", cached.fetched_at_text, age, warnings, self.url)

    def from_snapshot(self, reason: str) -> LoadedCatalog:
        snapshot = load_snapshot()
        dated = datetime.fromisoformat(snapshot.snapshot_date).replace(tzinfo=timezone.utc)
        age = max(0.0, (self.now - dated).total_seconds())
        warning = (
            f"{reason}; using the bundled snapshot of LLMBase's model table from "
            f"{snapshot.snapshot_date} (IDs and prices only; capabilities unknown)"
        )
        return _loaded(
            snapshot.parsed, "snapshot", snapshot.snapshot_date, age, [warning], self.url
        )


def _loaded(
    parsed: ParsedModels,
    source: str,
    fetched_at: str | None,
    age: float | None,
    warnings: list[str],
    base_url: str | None,
    renames: Mapping[str, str] | None = None,
) -> LoadedCatalog:
    index = to_index(
        parsed.entries, source, fetched_at, documented_renames() if renames is None else renames
    )
    return LoadedCatalog(
        index=index,
        entries=list(parsed.raw),
        source=source,
        fetched_at=fetched_at,
        age_seconds=age,
        warnings=warnings,
        base_url=base_url,
    )


def _skipped_warning(where: str, parsed: ParsedModels) -> list[str]:
    if not parsed.skipped:
        return []
    plural = "entry" if parsed.skipped == 1 else "entries"
    return [f"{where}: skipped {parsed.skipped} catalog {plural} without a model id"]


def _from_file(path: Path, now: datetime) -> LoadedCatalog:
    display = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"{display}: catalog file does not exist", kind="file") from None
    except IsADirectoryError:
        raise CatalogError(f"{display}: catalog file is a directory", kind="file") from None
    except OSError as exc:
        raise CatalogError(
            f"{display}: cannot read the catalog file: {exc.strerror or exc}", kind="file"
        ) from None
    try:
        payload = json.loads(raw)
    except (RecursionError, MemoryError):
        raise CatalogError(
            f"{display}: catalog file is not valid JSON (nested too deeply to read)",
            kind="file",
        ) from None
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{display}: catalog file is not valid JSON "
            f"({exc.msg} at line {exc.lineno} column {exc.colno})",
            kind="file",
        ) from None
    except UnicodeDecodeError:
        raise CatalogError(f"{display}: catalog file is not UTF-8", kind="file") from None
    document = payload
    # A copied cache file holds the answer under "response".
    if isinstance(payload, dict) and "data" not in payload and "response" in payload:
        document = payload["response"]
    try:
        parsed = parse_models_response(document)
    except ValueError as exc:
        raise CatalogError(
            f"{display}: not a saved /v1/models?metadata=true answer ({exc})", kind="file"
        ) from None
    fetched_at, age = _file_date(payload, now)
    renames = dict(documented_renames())
    if isinstance(payload, dict) and isinstance(payload.get("renames"), dict):
        renames.update(
            (old, new)
            for old, new in payload["renames"].items()
            if isinstance(old, str) and isinstance(new, str)
        )
    warnings = _skipped_warning(display, parsed)
    if not parsed.entries:
        warnings.append(
            f"{display}: the catalog file lists no models; every model ID will be unknown"
        )
    return _loaded(parsed, "file", fetched_at, age, warnings, None, renames)


def _file_date(payload: object, now: datetime) -> tuple[str | None, float | None]:
    """The fetch date a saved file records (a cache file's ``fetched_at``, the snapshot's
    ``snapshot_date``), if any; a bare answer says nothing, and its mtime would only tell
    when it was checked out."""
    if not isinstance(payload, dict):
        return None, None
    for name in ("fetched_at", "snapshot_date"):
        value = payload.get(name)
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return value, max(0.0, (now - moment).total_seconds())
    return None, None


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
