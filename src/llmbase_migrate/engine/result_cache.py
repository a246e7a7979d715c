"""A cache of per-file check outcomes, so an unchanged file is not parsed again.

An entry is keyed by everything its outcome depends on: the file's bytes, its
path (per-file-ignores, and the path reported), the tool version, the rules that
ran on it and the context they were given (settings, and the catalog's
fingerprint). A change to any of them is a different key, so nothing is ever
invalidated by hand; ``llmbase-migrate clean`` empties the directory. An outcome
also depends on the project modules its analysis read (a model ID set in
``config.py``): an entry records their digests, and is a miss once one of them
changes or is gone.

Entries are JSON of plain fields, in private files (``0600`` in ``0700``
directories). An entry holds the parts of its key, which are recomputed and
compared on reading, and is validated field by field: an entry that is not exactly
what this file's analysis would have stored (another file's entry, a hand-edited or
truncated file, a pickle from an older version, a file over 8 MiB) is a miss, never
an error and never code that runs. An outcome that holds a secret (a key a message
or a fix quotes, Fix.secrets) is not stored at all: such files are analysed again
on every run, and no cache file ever holds a key. The directory is trusted as far
as its permissions go: whoever can write it and compute a key can still forge an
entry.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from llmbase_migrate import __version__
from llmbase_migrate.analysis.facts import SourceLocation, Span
from llmbase_migrate.analysis.project import MAX_MODULE_BYTES
from llmbase_migrate.cache_files import make_private_directory, read_bounded, write_private
from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.engine.outcome import Clean, Finding, HasFindings, Outcome, Skipped
from llmbase_migrate.fixes.edit import Applicability, Edit, Fix, ImportChange
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import Rule, RuleContext, Severity
from llmbase_migrate.secrets import redact

_FORMAT: Final = 3
MAX_ENTRY_BYTES: Final = 8 * 1024 * 1024
_APP_NAME: Final = "llmbase-migrate"
# Where versions before format 2 kept pickles; removed, never read.
_LEGACY_DIRECTORY: Final = "results"


def cache_root() -> Path:
    """``<user cache dir>/llmbase-migrate`` (``$XDG_CACHE_HOME`` respected)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(_APP_NAME, appauthor=False))


def cache_directory() -> Path:
    """``<user cache dir>/llmbase-migrate/outcomes``."""
    return cache_root() / "outcomes"


def catalog_fingerprint(catalog: CatalogIndex | None) -> str:
    """A digest of what rules read from the catalog (not where or when it was fetched)."""
    if catalog is None:
        return "none"
    material = repr(
        (
            sorted((model_id, repr(info)) for model_id, info in catalog.models.items()),
            sorted(catalog.renames.items()),
        )
    )
    return hashlib.sha256(material.encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The version and a digest of the installed code: an edited or reinstalled tool
    with an unchanged version number (a development install, a patched copy) must not
    reuse old results."""
    return __version__ + "+" + code_digest(Path(__file__).resolve().parents[1])


def code_digest(package: Path) -> str:
    """A digest of each module's (and data file's) path, size and modification time."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            try:
                info = path.stat()
            except OSError:
                continue
            relative = path.relative_to(package).as_posix()
            digest.update(f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def context_fingerprint(codes: tuple[str, ...], context: RuleContext, catalog_digest: str) -> str:
    """What besides the bytes and path decides an outcome, as a short digest."""
    material = repr(
        (
            _FORMAT,
            tool_fingerprint(),
            codes,
            context.base_url,
            context.api_key_env,
            sorted(context.model_map.items()),
            context.prompt_cache_key,
            context.path,
            context.keep_hosts,
            context.project_root,
            context.file,
            context.display_root,
            catalog_digest,
        )
    )
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CacheKey:
    """What an entry is the outcome of: the file's bytes (their digest), its path as
    reported, and :func:`context_fingerprint`."""

    source_digest: str
    display: str
    fingerprint: str

    @property
    def name(self) -> str:
        material = f"{_FORMAT}\0{self.source_digest}\0{self.display}\0{self.fingerprint}"
        return hashlib.sha256(material.encode("utf-8", "surrogateescape")).hexdigest()


class ResultCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_directory()
        # The directories from here down are the tool's own, and made private.
        self._owned_from = self.directory.parent if directory is None else self.directory
        self._legacy = cache_root() / _LEGACY_DIRECTORY if directory is None else None
        self._prepared = False

    def key(self, raw: bytes, display: str, fingerprint: str) -> CacheKey:
        return CacheKey(hashlib.sha256(raw).hexdigest(), display, fingerprint)

    def get(self, key: CacheKey) -> Outcome | None:
        data = read_bounded(self._path(key), MAX_ENTRY_BYTES)
        if data is None:
            return None
        try:
            outcome = _decode_entry(json.loads(data), key)
        # What a damaged or hostile file can raise: bad UTF-8 or JSON, nesting deeper
        # than the parser goes, and _Invalid for everything the checks refuse.
        except (ValueError, RecursionError, MemoryError, _Invalid):
            return None
        if isinstance(outcome, (Clean, HasFindings)) and not _unchanged(outcome.depends_on):
            return None
        return outcome

    def put(self, key: CacheKey, outcome: Outcome) -> None:
        """Store a check outcome; failures to write are ignored (the cache is optional)."""
        if not isinstance(outcome, (Clean, HasFindings, Skipped)) or _holds_secret(outcome):
            return
        entry = {
            "format": _FORMAT,
            "key": key.name,
            "source": key.source_digest,
            "path": key.display,
            "context": key.fingerprint,
            "outcome": _encode_outcome(outcome),
        }
        data = json.dumps(entry, separators=(",", ":")).encode("ascii")
        if len(data) > MAX_ENTRY_BYTES:
            return
        path = self._path(key)
        with contextlib.suppress(OSError, ValueError):
            self._prepare()
            make_private_directory(path.parent, owned_from=self._owned_from)
            write_private(path, data)

    def clear(self) -> tuple[int, int]:
        """Remove every entry, older versions' pickles too: (entries removed, entries
        that could not be removed)."""
        removed = left = 0
        for directory, pattern in ((self.directory, "*.json"), (self._legacy, "*.pickle")):
            if directory is None or not directory.is_dir():
                continue
            for entry in directory.rglob(pattern):
                try:
                    entry.unlink()
                except FileNotFoundError:
                    continue
                except OSError:
                    left += 1
                else:
                    removed += 1
            shutil.rmtree(directory, ignore_errors=True)
        return removed, left

    def _prepare(self) -> None:
        # Older versions' pickles may hold keys; they are never read, so they go.
        if not self._prepared:
            self._prepared = True
            if self._legacy is not None and self._legacy.is_dir():
                shutil.rmtree(self._legacy, ignore_errors=True)

    def _path(self, key: CacheKey) -> Path:
        name = key.name
        return self.directory / name[:2] / f"{name}.json"


def _unchanged(depends_on: tuple[tuple[str, str], ...]) -> bool:
    """Whether every project module an outcome was computed from still holds what it
    held then."""
    for path, digest in depends_on:
        data = read_bounded(Path(path), MAX_MODULE_BYTES)
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            return False
    return True


def _holds_secret(outcome: Outcome) -> bool:
    """Whether storing ``outcome`` would store text the output boundary masks."""
    if isinstance(outcome, Skipped):
        return redact(outcome.reason) != outcome.reason
    if not isinstance(outcome, HasFindings):
        return False
    for finding in outcome.findings:
        texts = [finding.message]
        if finding.fix is not None:
            if finding.fix.secrets:
                return True
            texts.append(finding.fix.message)
            texts.extend(edit.content for edit in finding.fix.edits)
        if any(redact(text) != text for text in texts):
            return True
    return False


# -- encoding --------------------------------------------------------------------------------


def _encode_outcome(outcome: Clean | HasFindings | Skipped) -> dict[str, Any]:
    if isinstance(outcome, Clean):
        return {
            "kind": "clean",
            "parsed": outcome.parsed,
            "suppressed": outcome.suppressed,
            "depends_on": [list(item) for item in outcome.depends_on],
        }
    if isinstance(outcome, Skipped):
        return {"kind": "skipped", "reason": outcome.reason}
    return {
        "kind": "findings",
        "suppressed": outcome.suppressed,
        "findings": [_encode_finding(finding) for finding in outcome.findings],
        "depends_on": [list(item) for item in outcome.depends_on],
        # a file analysed in part says so (the only note a check outcome carries)
        "note": outcome.fix_error,
    }


def _encode_finding(finding: Finding) -> dict[str, Any]:
    span = finding.span
    fix = finding.fix
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "span": [span.line, span.column, span.end_line, span.end_column],
        "message": finding.message,
        "source": None if finding.source is None else _encode_location(finding.source),
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [
                [edit.line, edit.column, edit.end_line, edit.end_column, edit.content]
                for edit in fix.edits
            ],
            "add_imports": [[change.module, change.name] for change in fix.add_imports],
            "remove_imports": [[change.module, change.name] for change in fix.remove_imports],
            "reason": fix.reason,
            "leftovers": list(fix.leftovers),
        },
    }


def _encode_location(location: SourceLocation) -> list[Any]:
    return [
        location.path,
        location.line,
        location.column,
        location.end_line,
        location.end_column,
        location.file,
    ]


# -- decoding: every field checked, anything else is _Invalid --------------------------------


class _Invalid(Exception):
    """An entry that is not one this version wrote for this key."""


def _decode_entry(document: object, key: CacheKey) -> Outcome:
    entry = _object(document, {"format", "key", "source", "path", "context", "outcome"})
    if entry["format"] != _FORMAT or isinstance(entry["format"], bool):
        raise _Invalid
    stored = CacheKey(_text(entry["source"]), _text(entry["path"]), _text(entry["context"]))
    if stored != key or _text(entry["key"]) != stored.name:
        raise _Invalid
    return _decode_outcome(entry["outcome"], key.display)


def _decode_outcome(document: object, path: str) -> Outcome:
    kind = document.get("kind") if isinstance(document, dict) else None
    if kind == "clean":
        fields = _object(document, {"kind", "parsed", "suppressed", "depends_on"})
        parsed = fields["parsed"]
        if not isinstance(parsed, bool):
            raise _Invalid
        return Clean(
            path, parsed, _count(fields["suppressed"]), _dependencies(fields["depends_on"])
        )
    if kind == "skipped":
        return Skipped(path, _text(_object(document, {"kind", "reason"})["reason"]))
    if kind == "findings":
        fields = _object(document, {"kind", "suppressed", "findings", "depends_on", "note"})
        findings = tuple(_decode_finding(item, path) for item in _list(fields["findings"]))
        note = fields["note"]
        if note is not None and not isinstance(note, str):
            raise _Invalid
        return HasFindings(
            path,
            findings,
            _count(fields["suppressed"]),
            fix_error=note,
            depends_on=_dependencies(fields["depends_on"]),
        )
    raise _Invalid


def _decode_finding(document: object, path: str) -> Finding:
    fields = _object(document, {"code", "name", "severity", "span", "message", "source", "fix"})
    code = _text(fields["code"])
    rule = _known_rules().get(code)
    if rule is None or fields["name"] != rule.name:
        raise _Invalid
    try:
        severity = Severity(fields["severity"])
    except ValueError:
        raise _Invalid from None
    line, column, end_line, end_column = _positions(fields["span"], 4)
    span = Span(line, column, end_line, end_column)
    fix = None if fields["fix"] is None else _decode_fix(fields["fix"])
    source = None if fields["source"] is None else _decode_location(fields["source"])
    return Finding(path, code, rule.name, severity, span, _text(fields["message"]), fix, source)


def _decode_location(document: object) -> SourceLocation:
    values = _list(document)
    if len(values) != 6:
        raise _Invalid
    line, column, end_line, end_column = _positions(values[1:5], 4)
    return SourceLocation(_text(values[0]), line, column, end_line, end_column, _text(values[5]))


def _dependencies(document: object) -> tuple[tuple[str, str], ...]:
    found = []
    for item in _list(document):
        values = _list(item)
        if len(values) != 2:
            raise _Invalid
        found.append((_text(values[0]), _text(values[1])))
    return tuple(found)


def _decode_fix(document: object) -> Fix:
    fields = _object(
        document,
        {
            "applicability",
            "message",
            "edits",
            "add_imports",
            "remove_imports",
            "reason",
            "leftovers",
        },
    )
    try:
        applicability = Applicability(fields["applicability"])
    except ValueError:
        raise _Invalid from None
    edits = []
    for item in _list(fields["edits"]):
        values = _list(item)
        if len(values) != 5:
            raise _Invalid
        line, column, end_line, end_column = _positions(values[:4], 4)
        edits.append(Edit(line, column, end_line, end_column, _text(values[4])))
    reason = fields["reason"]
    if reason is not None and not isinstance(reason, str):
        raise _Invalid
    return Fix(
        applicability,
        _text(fields["message"]),
        tuple(edits),
        _imports(fields["add_imports"]),
        _imports(fields["remove_imports"]),
        reason=reason,
        leftovers=tuple(_text(item) for item in _list(fields["leftovers"])),
    )


_FIX_FIELDS: Final = {
    "applicability",
    "message",
    "edits",
    "add_imports",
    "remove_imports",
    "reason",
    "leftovers",
}


def _imports(document: object) -> tuple[ImportChange, ...]:
    changes = []
    for item in _list(document):
        values = _list(item)
        if len(values) != 2 or not (values[1] is None or isinstance(values[1], str)):
            raise _Invalid
        changes.append(ImportChange(_text(values[0]), values[1]))
    return tuple(changes)


def _object(document: object, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(document, dict) or set(document) != keys:
        raise _Invalid
    return document


def _list(document: object) -> list[Any]:
    if not isinstance(document, list):
        raise _Invalid
    return document


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Invalid
    return value


def _positions(document: object, length: int) -> list[int]:
    """``line, column, end_line, end_column``: lines from 1, the end not before the start."""
    values = [_count(value) for value in _list(document)]
    if len(values) != length or values[0] < 1 or (values[2], values[3]) < (values[0], values[1]):
        raise _Invalid
    return values


@functools.lru_cache(maxsize=1)
def _known_rules() -> Mapping[str, Rule]:
    return rules_by_code()
