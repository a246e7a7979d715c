"""The exceptions llmbase-migrate raises outside the per-file boundary.

Per-file problems never raise past the engine: they become outcome values
(``engine.outcome``). What remains are errors that stop a whole run, each with
a one-line message the CLI prints as it is::

    LlmbaseMigrateError
    ├── ConfigError      bad pyproject.toml / --config / option value (exit 2)
    ├── SelectionError   an unknown rule code or prefix in select/ignore (exit 2)
    ├── PathError        a path named on the command line does not exist (exit 2)
    ├── CatalogError     the model catalog cannot be fetched, read or parsed
    └── SourceError      a file cannot be read or decoded (becomes a Skipped outcome)

None of these import click: the CLI translates them.
"""

from __future__ import annotations

from pathlib import Path


class LlmbaseMigrateError(Exception):
    """Base class: ``str(error)`` is a complete one-line message."""


class ConfigError(LlmbaseMigrateError):
    """The configuration (a file or an option) is invalid."""

    def __init__(self, message: str, *, path: Path | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_config_error, (str(self), self.path, self.key))


def _rebuild_config_error(message: str, path: Path | None, key: str | None) -> ConfigError:
    return ConfigError(message, path=path, key=key)


class SelectionError(ConfigError):
    """A rule code or prefix does not name any rule."""


class PathError(LlmbaseMigrateError):
    """A path given explicitly does not exist or cannot be listed."""


class SourceError(LlmbaseMigrateError):
    """A file cannot be read or decoded; ``reason`` is a short phrase for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        return (SourceError, (self.reason,))


class CatalogError(LlmbaseMigrateError):
    """The model catalog cannot be fetched, read or parsed; the message never holds a whole key.

    ``kind`` names the problem for callers that react to it (``doctor`` picks its advice by
    it): ``no_key``, ``wrong_key``, ``chat_agent_key``, ``invalid_key``, ``quota``,
    ``missing_header``, ``rate_limited``, ``html``, ``malformed``, ``timeout``,
    ``connection``, ``redirect``, ``http``, ``config``, ``usage`` or ``file``.
    """

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_catalog_error, (str(self), self.kind))


def _rebuild_catalog_error(message: str, kind: str) -> CatalogError:
    return CatalogError(message, kind=kind)
