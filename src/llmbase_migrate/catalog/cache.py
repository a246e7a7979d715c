"""The on-disk catalog cache: one JSON file per API base URL (and per ``filter=agents``).

Files live in the platform's user cache directory (platformdirs, which honours
``XDG_CACHE_HOME`` on Linux), under ``llmbase-migrate/catalog/``. A file is named by a
hash of the normalised base URL, is replaced atomically, and holds::

    {"version": 1, "base_url": ..., "agents": false,
     "fetched_at": "2026-11-25T19:15:40Z", "response": {...the answer as served...}}

A file that cannot be read or does not hold exactly that (truncated, edited, written by
another version, stamped in the future, larger than 64 MiB, nested deeper than the
parser goes, not a regular file) is treated as absent, never as an error: the cache
only ever saves a request. Files are private (``0600`` in ``0700`` directories) and
replaced atomically, a symlink in their place included.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit, urlunsplit

import platformdirs
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from llmbase_migrate.cache_files import make_private_directory, read_bounded, write_private
from llmbase_migrate.catalog.models import ParsedModels, parse_models_response
from llmbase_migrate.errors import CatalogError

__all__ = [
    "DEFAULT_TTL",
    "CachedCatalog",
    "cache_dir",
    "cache_path",
    "format_timestamp",
    "normalize_base_url",
    "read_cache",
    "write_cache",
]

DEFAULT_TTL: Final = 24 * 60 * 60.0
_APP_NAME: Final = "llmbase-migrate"
_FORMAT_VERSION: Final = 1
# Twice what the client accepts from the network: the file is the answer re-indented.
MAX_CACHE_BYTES: Final = 64 * 1024 * 1024
# Clocks drift a little between machines sharing a home directory; more than this and
# the age of the entry cannot be trusted.
_FUTURE_TOLERANCE: Final = timedelta(minutes=5)


class _CacheFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: Literal[1]
    base_url: str
    agents: bool = False
    fetched_at: AwareDatetime
    response: Any


@dataclass(frozen=True)
class CachedCatalog:
    path: Path
    base_url: str
    fetched_at: datetime  # timezone-aware, UTC
    payload: Any  # the answer as served
    parsed: ParsedModels

    @property
    def fetched_at_text(self) -> str:
        return format_timestamp(self.fetched_at)

    def age(self, now: datetime) -> float:
        """Seconds since the fetch; never negative."""
        return max(0.0, (now - self.fetched_at).total_seconds())

    def is_fresh(self, now: datetime, ttl: float) -> bool:
        return self.age(now) < ttl


def cache_dir() -> Path:
    """Where cache files go; read from the environment on each call."""
    return platformdirs.user_cache_path(_APP_NAME, appauthor=False) / "catalog"


def normalize_base_url(base_url: str) -> str:
    """The spelling-independent form of a base URL: ``HTTPS://API.llmbase.ai:443/v1/`` and
    ``https://api.llmbase.ai/v1`` share a cache file; credentials and queries are dropped."""
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port is None or port == default else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def cache_path(base_url: str, *, agents: bool = False, directory: Path | None = None) -> Path:
    digest = hashlib.sha256(normalize_base_url(base_url).encode()).hexdigest()[:24]
    name = f"{digest}-agents.json" if agents else f"{digest}.json"
    return (directory if directory is not None else cache_dir()) / name


def format_timestamp(moment: datetime) -> str:
    """UTC ISO 8601 to the second, ``Z`` suffix: ``2026-11-25T19:15:40Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc).replace(microsecond=0)
    return utc.isoformat().replace("+00:00", "Z")


def read_cache(
    base_url: str,
    *,
    agents: bool = False,
    directory: Path | None = None,
    now: datetime | None = None,
) -> CachedCatalog | None:
    """The cached catalog for ``base_url``, of any age, or None when there is no usable one."""
    path = cache_path(base_url, agents=agents, directory=directory)
    data = read_bounded(path, MAX_CACHE_BYTES)
    if data is None:
        return None
    try:
        document = _CacheFile.model_validate_json(data)
    except (ValueError, RecursionError, MemoryError):  # ValidationError is a ValueError
        return None
    if normalize_base_url(document.base_url) != normalize_base_url(base_url):
        return None
    if document.agents != agents:
        return None
    fetched_at = document.fetched_at.astimezone(timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    if current.tzinfo is None:
        current = current.replace(tzinfo=timezone.utc)
    if fetched_at - current > _FUTURE_TOLERANCE:
        return None
    try:
        parsed = parse_models_response(document.response)
    except (ValueError, ValidationError, RecursionError):
        return None
    return CachedCatalog(path, document.base_url, fetched_at, document.response, parsed)


def write_cache(
    base_url: str,
    payload: Any,
    *,
    fetched_at: datetime,
    agents: bool = False,
    directory: Path | None = None,
) -> Path:
    """Store ``payload`` (a model list as served) for ``base_url``; raises CatalogError."""
    path = cache_path(base_url, agents=agents, directory=directory)
    document = {
        "version": _FORMAT_VERSION,
        # Normalised: a base URL with credentials in it must not leave them on disk.
        "base_url": normalize_base_url(base_url),
        "agents": agents,
        "fetched_at": format_timestamp(fetched_at),
        "response": payload,
    }
    try:
        data = (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    except (ValueError, RecursionError) as exc:  # lone surrogates, or nested too deeply
        raise CatalogError(
            f"cannot write the catalog cache {path}: the answer cannot be stored ({exc})",
            kind="file",
        ) from None
    # The platform cache directory is the user's; ours starts at llmbase-migrate/.
    owned_from = path.parent.parent if directory is None else path.parent
    try:
        make_private_directory(path.parent, owned_from=owned_from)
        write_private(path, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CatalogError(
            f"cannot write the catalog cache {path}: {reason}", kind="file"
        ) from None
    return path
