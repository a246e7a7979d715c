"""The validated configuration read from ``[tool.llmbase-migrate]``.

Settings come from the nearest ``pyproject.toml`` that has our table (found by
walking upward like ruff does), or from a file named with ``--config`` which is
either a ``pyproject.toml`` or a standalone TOML file whose top level is the
settings table itself.  Every problem becomes a :class:`ConfigError` with a
one-line message naming the file and the key.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

import pathspec
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from llmbase_migrate.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "DEFAULT_API_KEY_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_EXCLUDES",
    "DEFAULT_LIBCST_MAX_TOKENS",
    "TABLE_NAME",
    "TOML_KEYS",
    "Settings",
    "find_config_file",
    "load_settings",
    "render_settings",
]

DEFAULT_BASE_URL: Final = "https://api.llmbase.ai/v1"
DEFAULT_API_KEY_ENV: Final = "LLMBASE_API_KEY"
DEFAULT_LIBCST_MAX_TOKENS: Final = 80_000
# Ruff's default exclude list, plus __pycache__ which never holds sources.
DEFAULT_EXCLUDES: Final[tuple[str, ...]] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "__pycache__",
)

TABLE_NAME: Final = "llmbase-migrate"

_RULE_CODE = re.compile(r"ALL|LB\d{0,3}")
_ENV_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Both lists of expectations are indexed by how deep the failing value sits:
# the key itself, an entry of it, an entry of an entry.
_EXPECTATIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "base-url": ("an http(s) URL",),
    "api-key-env": ("an environment variable name",),
    "select": ("a list of rule codes", "a rule code"),
    "ignore": ("a list of rule codes", "a rule code"),
    "extend-select": ("a list of rule codes", "a rule code"),
    "per-file-ignores": ("a table of glob = [rule codes]", "a list of rule codes", "a rule code"),
    "exclude": ("a list of glob patterns", "a glob pattern"),
    "extend-exclude": ("a list of glob patterns", "a glob pattern"),
    "model-map": ("a table of model name = replacement model name", "a model name"),
    "prompt-cache-key": ("a non-empty string",),
    "catalog-ttl": ("a positive number of seconds",),
    "keep-hosts": ("a list of host names or patterns", "a host name or pattern"),
    "libcst-max-tokens": ("a positive number of tokens",),
    "config-path": ("a path",),
    "project-root": ("a path",),
}


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _normalize_rule_code(code: str) -> str:
    upper = code.strip().upper()
    if not _RULE_CODE.fullmatch(upper):
        raise PydanticCustomError("invalid_rule_code", "invalid rule code")
    return upper


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        valid = (
            parts.scheme.lower() in ("http", "https")
            and bool(parts.hostname)
            and not any(char.isspace() for char in url)
        )
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        valid = False
    if not valid:
        raise PydanticCustomError("invalid_url", "invalid URL")
    return url


def _check_env_var_name(name: str) -> str:
    if not _ENV_VAR_NAME.fullmatch(name):
        raise PydanticCustomError("invalid_env_var", "invalid environment variable name")
    return name


def _check_glob(pattern: str) -> str:
    # Caught here so a typo in the config is reported against its key, not as a
    # crash half-way through discovery.
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception as exc:  # pathspec raises several unrelated types
        raise PydanticCustomError("invalid_glob", "invalid glob pattern") from exc
    return pattern


def _check_model_name(name: str) -> str:
    if not name.strip():
        raise PydanticCustomError("invalid_model", "empty model name")
    return name


_HOST_PATTERN = re.compile(r"[A-Za-z0-9*?\[\]._-]+(?::\d+)?")


def _check_host_pattern(pattern: str) -> str:
    """A host name or an fnmatch pattern of one (``*.corp.example``): no scheme, path
    or credentials, which a URL would carry."""
    if not _HOST_PATTERN.fullmatch(pattern):
        raise PydanticCustomError("invalid_host", "a host name or pattern, such as *.corp.example")
    return pattern.lower()


def _check_seconds(seconds: float) -> float:
    if not seconds > 0:
        raise PydanticCustomError("invalid_seconds", "a positive number of seconds")
    return seconds


def _check_positive(count: int) -> int:
    if count <= 0:
        raise PydanticCustomError("invalid_count", "a positive number")
    return count


RuleCode = Annotated[str, AfterValidator(_normalize_rule_code)]
GlobPattern = Annotated[str, AfterValidator(_check_glob)]
HostPattern = Annotated[str, AfterValidator(_check_host_pattern)]
ModelName = Annotated[str, AfterValidator(_check_model_name)]


class Settings(BaseModel):
    """The effective configuration of one run.

    Field names are snake_case; the TOML keys are their kebab-case aliases.
    ``config_path`` and ``project_root`` are set by the loader, never read from
    TOML.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        alias_generator=_kebab,
    )

    base_url: Annotated[str, AfterValidator(_check_url)] = DEFAULT_BASE_URL
    api_key_env: Annotated[str, AfterValidator(_check_env_var_name)] = DEFAULT_API_KEY_ENV
    # None (rather than an empty tuple) means "each rule's own default", which
    # an explicit `select = []` must be able to override.
    select: tuple[RuleCode, ...] | None = None
    ignore: tuple[RuleCode, ...] = ()
    extend_select: tuple[RuleCode, ...] = ()
    per_file_ignores: dict[str, tuple[RuleCode, ...]] = Field(default_factory=dict)
    exclude: tuple[GlobPattern, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[GlobPattern, ...] = ()
    model_map: dict[ModelName, ModelName] = Field(default_factory=dict)
    # The prompt_cache_key LB203's fix writes; None derives one from the module path.
    prompt_cache_key: Annotated[str, AfterValidator(_check_model_name)] | None = None
    # How long a cached model catalog counts as fresh, in seconds (24 h).
    catalog_ttl: Annotated[float, AfterValidator(_check_seconds)] = 86400.0
    # Hosts whose clients stay where they are, besides local servers and other
    # vendors' own APIs (LB107 lists them; LB101/LB102 leave them alone).
    keep_hosts: tuple[HostPattern, ...] = ()
    # The most tokens of a file LibCST is given (see engine.partial): its memory grows
    # by up to 3 KiB a token, so the default keeps a process far below 500 MiB.
    libcst_max_tokens: Annotated[StrictInt, AfterValidator(_check_positive)] = (
        DEFAULT_LIBCST_MAX_TOKENS
    )
    config_path: Path | None = None
    project_root: Path

    def with_overrides(self, **overrides: object) -> Settings:
        """Return a copy with the given fields replaced and validated.

        Keyword names are field names (``base_url``, ``select``...); ``None``
        values are ignored so a CLI can pass every option unconditionally.
        Invalid values raise :class:`ConfigError` naming the ``--option``.
        """
        unknown = sorted(set(overrides) - set(type(self).model_fields))
        if unknown:
            raise TypeError(f"unknown setting {unknown[0]!r}")
        updates = {name: value for name, value in overrides.items() if value is not None}
        if not updates:
            return self
        data: dict[str, Any] = {**self.model_dump(), **updates}
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            raise _translate_validation_error(
                exc, source=None, describe_key=lambda key: f"--{key}"
            ) from None

    def show(self) -> str:
        """Render the effective configuration, one ``key = value`` per line."""
        return render_settings(self)


# The loader-only fields are not settings a user may write.
TOML_KEYS: Final[tuple[str, ...]] = tuple(
    _kebab(name) for name in Settings.model_fields if name not in ("config_path", "project_root")
)


def render_settings(settings: Settings) -> str:
    """Human-readable, TOML-like rendering of ``settings`` for ``--show-settings``."""
    config_file = (
        _render_value(settings.config_path.as_posix()) if settings.config_path else "(none)"
    )
    lines = [
        f"config-file = {config_file}",
        f"project-root = {_render_value(settings.project_root.as_posix())}",
    ]
    for key in TOML_KEYS:
        value = getattr(settings, key.replace("-", "_"))
        rendered = "(rules' defaults)" if value is None else _render_value(value)
        lines.append(f"{key} = {rendered}")
    return "\n".join(lines)


def _render_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Path):
        return json.dumps(value.as_posix(), ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_render_value(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ", ".join(f"{_render_key(str(k))} = {_render_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    return str(value)


def _render_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def find_config_file(start: Path) -> Path | None:
    """Return the nearest ``pyproject.toml`` at or above ``start`` with our table.

    A ``pyproject.toml`` without ``[tool.llmbase-migrate]`` is skipped and the
    search continues upward, as ruff does; it stops at the filesystem root.
    """
    directory = _absolute(start)
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        try:
            raw = candidate.read_bytes()
        except OSError:
            # Missing is the common case; an unreadable one (someone else's
            # home, say) cannot be ours to honour either.
            continue
        # Parsing every pyproject on the way up would turn an unrelated broken
        # file into our error; only ones that mention us are worth parsing.
        if TABLE_NAME.encode() not in raw:
            continue
        document = _parse_toml(raw, candidate, display=_display(candidate, directory))
        tool = document.get("tool")
        if isinstance(tool, dict) and TABLE_NAME in tool:
            return candidate
    return None


def load_settings(*, config_file: Path | None, search_from: Path) -> Settings:
    """Load and validate the settings for a run.

    ``config_file`` (from ``--config``) must exist; it is either a
    ``pyproject.toml`` (its ``[tool.llmbase-migrate]`` table is read, a missing
    table means defaults) or a standalone TOML file holding the settings at its
    top level.  Without it the nearest configured ``pyproject.toml`` above
    ``search_from`` is used; with none, defaults rooted at ``search_from``.
    """
    search_root = _absolute(search_from)
    if config_file is None:
        found = find_config_file(search_root)
        if found is None:
            return Settings(project_root=search_root)
        path = found
        display = _display(found, search_root)
    else:
        path = _absolute(config_file)
        display = str(config_file)
        if not path.exists():
            raise ConfigError(f"{display}: config file does not exist", path=path)
        if path.is_dir():
            raise ConfigError(f"{display}: config file is a directory", path=path)

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{display}: cannot read: {exc.strerror or exc}", path=path) from None
    document = _parse_toml(raw, path, display=display)

    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{display}: 'tool' must be a table", path=path, key="tool")
        table = tool.get(TABLE_NAME, {})
        if not isinstance(table, dict):
            raise ConfigError(
                f"{display}: 'tool.{TABLE_NAME}' must be a table", path=path, key=TABLE_NAME
            )
        where = f" in [tool.{TABLE_NAME}]"
    else:
        table = document
        where = ""

    for key in table:
        if key not in TOML_KEYS:
            raise ConfigError(
                f"{display}: unknown key {key!r}{where}{_did_you_mean(key)}", path=path, key=key
            )

    data: dict[str, Any] = {**table, "config_path": path, "project_root": path.parent}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise _translate_validation_error(
            exc, source=display, describe_key=lambda key: f"'{key}'", path=path
        ) from None


def _absolute(path: Path) -> Path:
    # Not resolve(): the user's spelling of symlinked directories is kept.
    return Path(os.path.normpath(path.absolute()))


def _display(path: Path, relative_to: Path) -> str:
    try:
        return path.relative_to(relative_to).as_posix()
    except ValueError:
        return path.as_posix()


def _parse_toml(raw: bytes, path: Path, *, display: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{display}: invalid TOML: not valid UTF-8 (byte {exc.start})", path=path
        ) from None
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = _toml_error_reason(exc)
        raise ConfigError(f"{display}: invalid TOML: {reason}", path=path) from None
    return document


def _toml_error_reason(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc).splitlines()[0] if str(exc) else "parse error"
    match = re.fullmatch(r"(?P<reason>.*?) \(at line (?P<line>\d+), column \d+\)", message)
    if match:
        return f"{_lower_first(match['reason'])} (line {match['line']})"
    match = re.fullmatch(r"(?P<reason>.*?) \(at end of document\)", message)
    if match:
        return f"{_lower_first(match['reason'])} (at end of file)"
    return _lower_first(message)


def _lower_first(text: str) -> str:
    # "Expected ..." reads oddly after a colon; acronyms such as "TOML" stay.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _did_you_mean(key: str) -> str:
    kebab = key.replace("_", "-")
    if kebab in TOML_KEYS:
        return f" (did you mean {kebab!r}?)"
    matches = difflib.get_close_matches(kebab, TOML_KEYS, n=1)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _translate_validation_error(
    exc: ValidationError,
    *,
    source: str | None,
    describe_key: Callable[[str], str],
    path: Path | None = None,
) -> ConfigError:
    """Turn pydantic's multi-line report into one line about the first problem."""
    error: ErrorDetails = exc.errors()[0]
    location = error["loc"]
    key = _kebab(str(location[0])) if location else "?"
    prefix = f"{source}: " if source else ""
    expectations = _EXPECTATIONS.get(key, ("a valid value",))
    nested = location[1:]
    if error["type"] == "invalid_rule_code":
        container = _describe_location(key, nested[:-1], describe_key)
        message = (
            f"{container} has an invalid rule code {_render_input(error['input'])} "
            "(expected ALL, or LB followed by up to three digits)"
        )
    else:
        expectation = expectations[min(_depth(key, nested), len(expectations) - 1)]
        message = (
            f"{_describe_location(key, nested, describe_key)} must be {expectation}, "
            f"got {_render_input(error['input'])}"
        )
    return ConfigError(prefix + message, path=path, key=key)


def _depth(key: str, nested: tuple[int | str, ...]) -> int:
    # pydantic reports dictionary keys as extra "[key]" location parts.
    return sum(1 for part in nested if part != "[key]")


def _describe_location(
    key: str, nested: tuple[int | str, ...], describe_key: Callable[[str], str]
) -> str:
    if not nested:
        return describe_key(key)
    suffix = ""
    for part in nested:
        if part == "[key]":
            continue
        suffix += f"[{part}]" if isinstance(part, int) else f"[{json.dumps(part)}]"
    return describe_key(key + suffix)


def _render_input(value: object) -> str:
    if isinstance(value, str):
        rendered = repr(value)
    elif isinstance(value, Path):
        rendered = repr(value.as_posix())
    else:
        rendered = _render_value(value)
    # The message must stay on one line however large the offending value is.
    rendered = " ".join(rendered.split())
    return rendered if len(rendered) <= 60 else rendered[:57] + "..."
