"""A cache of per-file check outcomes, so an unchanged file is not parsed again.

An entry is keyed by everything its outcome depends on: the file's bytes, its
path (per-file-ignores, and the path reported), the tool version, the rules that
ran on it and the context they were given (settings, and the catalog's
fingerprint). A change to any of them is a different key, so nothing is ever
invalidated by hand; ``llmbase-migrate clean`` empties the directory.

Entries are pickles in the user's own cache directory; one that cannot be read
(truncated, from another version) is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import pickle
import shutil
from pathlib import Path

from llmbase_migrate import __version__
from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.engine.outcome import Clean, HasFindings, Outcome, Skipped
from llmbase_migrate.engine.source import atomic_write
from llmbase_migrate.errors import SourceError
from llmbase_migrate.rules.base import RuleContext

_FORMAT = 1


def cache_directory() -> Path:
    """``<user cache dir>/llmbase-migrate/results`` (``$XDG_CACHE_HOME`` respected)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("llmbase-migrate", appauthor=False)) / "results"


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
            catalog_digest,
        )
    )
    return hashlib.sha256(material.encode()).hexdigest()


class ResultCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_directory()

    def key(self, raw: bytes, display: str, fingerprint: str) -> str:
        digest = hashlib.sha256(raw)
        digest.update(b"\0" + display.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(fingerprint.encode())
        return digest.hexdigest()

    def get(self, key: str) -> Outcome | None:
        path = self._path(key)
        try:
            with path.open("rb") as stream:
                outcome = pickle.load(stream)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            return None
        except Exception:  # a damaged entry must never stop a run
            return None
        return outcome if isinstance(outcome, (Clean, HasFindings, Skipped)) else None

    def put(self, key: str, outcome: Outcome) -> None:
        """Store a check outcome; failures to write are ignored (the cache is optional)."""
        if not isinstance(outcome, (Clean, HasFindings, Skipped)):
            return
        path = self._path(key)
        with contextlib.suppress(OSError, SourceError):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))

    def clear(self) -> tuple[int, int]:
        """Remove every entry: (entries removed, entries that could not be removed)."""
        removed = left = 0
        for entry in self.directory.rglob("*.pickle"):
            try:
                entry.unlink()
            except FileNotFoundError:
                continue
            except OSError:
                left += 1
            else:
                removed += 1
        shutil.rmtree(self.directory, ignore_errors=True)
        return removed, left

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"
