"""Expanding command-line paths into the Python files to analyse.

Directories are walked without following symlinked directories (so loops are
impossible), pruning what ``exclude``/``extend-exclude`` and, inside a git work
tree, ``.gitignore`` files exclude.  Paths named explicitly are always taken,
like ruff does, unless ``force_exclude`` asks for the excludes to apply to them
too.  A file reached under several names (symlinks, hard links) is taken once,
under its real name when that is one of them.  Problems with individual paths
become :class:`DiscoverySkip` entries; only a path that does not exist at all
raises.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pathspec

from llmbase_migrate.config import DEFAULT_EXCLUDES, Settings
from llmbase_migrate.errors import PathError

__all__ = ["PYTHON_SUFFIXES", "Discovery", "DiscoverySkip", "SourcePath", "discover"]

PYTHON_SUFFIXES: Final[tuple[str, ...]] = (".py", ".pyi")

_GITIGNORE: Final = ".gitignore"
_GIT_DIR: Final = ".git"
_QUIET_PATTERNS: Final = frozenset(DEFAULT_EXCLUDES)
_NOT_A_FILE: Final = "not a regular file"


@dataclass(frozen=True)
class SourcePath:
    """A file to analyse.

    ``path`` is absolute and normalised but symlinks are not resolved, so the
    file is reported under the name the user knows; ``display`` is relative to
    the working directory (posix separators) when the file is under it.
    """

    path: Path
    display: str
    explicit: bool


@dataclass(frozen=True)
class DiscoverySkip:
    """A path that was deliberately or necessarily left out, with a short reason.

    ``named`` marks a path named on the command line that could not be taken (not a
    regular file, a broken link, unreadable): unlike an exclusion, or a problem met
    while walking a directory, it is a file the user asked about and was not checked.
    """

    display: str
    reason: str
    named: bool = False


@dataclass(frozen=True)
class Discovery:
    """The outcome of :func:`discover`: files sorted by display, and what was skipped."""

    files: tuple[SourcePath, ...]
    skipped: tuple[DiscoverySkip, ...]


def discover(
    paths: Sequence[Path],
    settings: Settings,
    *,
    cwd: Path,
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Discovery:
    """Expand ``paths`` (files or directories) into the Python files to analyse.

    Raises :class:`PathError` for a named path that does not exist and
    ``ValueError`` for ``-`` (standard input is the caller's business).
    """
    walker = _Walker(
        settings,
        cwd=Path(os.path.normpath(cwd.absolute())),
        force_exclude=force_exclude,
        respect_gitignore=respect_gitignore,
    )
    for path in paths:
        walker.add_explicit(path)
    return walker.result()


@dataclass(frozen=True)
class _Verdict:
    excluded: bool
    pattern: str


@dataclass(frozen=True, eq=False)
class _PatternFile:
    """Gitignore-style patterns anchored at ``base``.

    Identity-hashed so a set can record which pattern files excluded the
    explicitly named directory a walk started from.
    """

    base: Path
    spec: pathspec.GitIgnoreSpec
    label: str
    # Exclude patterns also apply outside the project (unanchored ones then
    # match any path component); a .gitignore never does.
    applies_outside_base: bool = False

    def verdict(self, path: Path, *, is_dir: bool, lenient: bool) -> _Verdict | None:
        """The decision of the last pattern matching ``path``, if any.

        ``lenient`` disregards matches inherited from the parent directory: the
        walk started inside a directory these patterns exclude because the user
        named it, and git-style patterns would otherwise exclude all of it.
        """
        key = self._key(path, is_dir=is_dir)
        if key is None:
            return None
        if not lenient:
            result = self.spec.check_file(key)
            if result.include is None or result.index is None:
                return None
            return _Verdict(result.include, str(self.spec.patterns[result.index].pattern))
        parent_key = self._key(path.parent, is_dir=True)
        decision: _Verdict | None = None
        for pattern in self.spec.patterns:
            if pattern.include is None or pattern.match_file(key) is None:
                continue
            if parent_key is not None and pattern.match_file(parent_key) is not None:
                continue
            decision = _Verdict(pattern.include, str(pattern.pattern))
        return decision

    def _key(self, path: Path, *, is_dir: bool) -> str | None:
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            if not self.applies_outside_base:
                return None
            relative = path.relative_to(path.anchor).as_posix()
        if relative in ("", "."):
            return None
        # A trailing slash is how gitignore patterns such as "build/" tell
        # directories from files.
        return relative + "/" if is_dir else relative


@dataclass(frozen=True)
class _Exclusion:
    reason: str
    # Default excludes (.git, __pycache__, ...) are expected noise, not news.
    quiet: bool


# The .gitignore-style files that apply to a directory's entries, lowest
# priority first; None outside any git work tree.
_IgnoreContext = tuple[_PatternFile, ...]


class _Walker:
    def __init__(
        self,
        settings: Settings,
        *,
        cwd: Path,
        force_exclude: bool,
        respect_gitignore: bool,
    ) -> None:
        self._cwd = cwd
        self._force_exclude = force_exclude
        self._respect_gitignore = respect_gitignore
        self._project_root = Path(os.path.normpath(settings.project_root.absolute()))
        self._exclude = _PatternFile(
            base=self._project_root,
            spec=_compile((*settings.exclude, *settings.extend_exclude)),
            label="exclude",
            applies_outside_base=True,
        )
        # keyed by the file's identity (device, inode), so that a file has one entry
        self._files: dict[object, SourcePath] = {}
        self._skipped: dict[str, DiscoverySkip] = {}
        self._pattern_files: dict[Path, _PatternFile | None] = {}
        self._contexts: dict[Path, _IgnoreContext | None] = {}

    def result(self) -> Discovery:
        files = sorted(self._files.values(), key=lambda source: source.display)
        skipped = sorted(self._skipped.values(), key=lambda skip: skip.display)
        return Discovery(files=tuple(files), skipped=tuple(skipped))

    def add_explicit(self, given: Path) -> None:
        if str(given) == "-":
            raise ValueError("'-' (standard input) must be handled before discovery")
        path = Path(os.path.normpath(self._cwd / given))
        display = self._display(path)
        try:
            status = path.stat()
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.lexists(path):
                raise PathError(f"path does not exist: {display}") from None
            self._skip(display, _os_error_reason(exc), named=True)
            return

        if stat.S_ISDIR(status.st_mode):
            self._walk_explicit_directory(path, display)
        elif stat.S_ISREG(status.st_mode):
            if self._force_exclude:
                exclusion = self._exclusion(
                    path, is_dir=False, context=self._context_of(path.parent), lenient=frozenset()
                )
                if exclusion is not None:
                    self._skip(display, exclusion.reason)
                    return
            self._take(path, display, explicit=True, status=status)
        else:
            self._skip(display, _NOT_A_FILE, named=True)

    def _walk_explicit_directory(self, root: Path, display: str) -> None:
        inherited = self._context_of(root.parent)
        if self._force_exclude:
            exclusion = self._exclusion(root, is_dir=True, context=inherited, lenient=frozenset())
            if exclusion is not None:
                self._skip(display, exclusion.reason)
                return
            lenient: frozenset[_PatternFile] = frozenset()
        else:
            # Named explicitly, the directory is walked even if excluded; what
            # excludes it must not exclude everything inside it too.
            candidates = (self._exclude, *(inherited or ()))
            lenient = frozenset(
                pattern_file
                for pattern_file in candidates
                if _excludes(pattern_file.verdict(root, is_dir=True, lenient=False))
            )
        self._walk(root, inherited, lenient)

    def _walk(
        self, root: Path, inherited: _IgnoreContext | None, lenient: frozenset[_PatternFile]
    ) -> None:
        pending: list[tuple[Path, _IgnoreContext | None]] = [(root, inherited)]
        while pending:
            directory, context = pending.pop()
            try:
                with os.scandir(directory) as iterator:
                    entries = sorted(iterator, key=lambda entry: entry.name)
            except OSError as exc:
                reason = _os_error_reason(exc, missing="vanished")
                self._skip(self._display(directory), reason, named=directory == root)
                continue
            context = self._enter(directory, {entry.name for entry in entries}, context)
            subdirectories: list[tuple[Path, _IgnoreContext | None]] = []
            for entry in entries:
                path = directory / entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_symlink = not is_dir and entry.is_symlink()
                    is_file = not is_dir and not is_symlink and entry.is_file(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    exclusion = self._exclusion(path, is_dir=True, context=context, lenient=lenient)
                    if exclusion is None:
                        subdirectories.append((path, context))
                    elif not exclusion.quiet:
                        self._skip(self._display(path), exclusion.reason)
                    continue
                # Symlinked directories are never followed, so only links
                # that may be Python files are worth a look.
                if not _is_python_name(entry.name):
                    continue
                if self._exclusion(path, is_dir=False, context=context, lenient=lenient):
                    continue
                if not (is_file or is_symlink):
                    # A FIFO, socket or device with a Python name: reading it
                    # could block or never end.
                    self._skip(self._display(path), _NOT_A_FILE)
                    continue
                try:
                    status = self._symlink_target(path) if is_symlink else entry.stat()
                except OSError as exc:
                    self._skip(self._display(path), _os_error_reason(exc, missing="vanished"))
                    continue
                if status is not None:
                    self._take(path, self._display(path), explicit=False, status=status)
            # Reversed so the depth-first walk visits directories in name order.
            pending.extend(reversed(subdirectories))

    def _symlink_target(self, link: Path) -> os.stat_result | None:
        """The status of the regular file ``link`` leads to, or None (skipped if a problem)."""
        try:
            status = link.stat()
        except OSError as exc:
            self._skip(self._display(link), _os_error_reason(exc))
            return None
        if stat.S_ISDIR(status.st_mode):
            return None
        if not stat.S_ISREG(status.st_mode):
            self._skip(self._display(link), _NOT_A_FILE)
            return None
        return status

    def _exclusion(
        self,
        path: Path,
        *,
        is_dir: bool,
        context: _IgnoreContext | None,
        lenient: frozenset[_PatternFile],
    ) -> _Exclusion | None:
        verdict = self._exclude.verdict(path, is_dir=is_dir, lenient=self._exclude in lenient)
        if verdict is not None and verdict.excluded:
            return _Exclusion(
                f"excluded by {verdict.pattern!r}", quiet=verdict.pattern in _QUIET_PATTERNS
            )
        # The deepest file with an opinion wins, as in git.
        for pattern_file in reversed(context or ()):
            verdict = pattern_file.verdict(path, is_dir=is_dir, lenient=pattern_file in lenient)
            if verdict is not None:
                if verdict.excluded:
                    return _Exclusion(f"ignored by {pattern_file.label}", quiet=False)
                break
        return None

    def _enter(
        self, directory: Path, names: set[str], inherited: _IgnoreContext | None
    ) -> _IgnoreContext | None:
        """The ignore context for the entries of ``directory``, given its listing."""
        if not self._respect_gitignore:
            return None
        if _GIT_DIR in names:
            # A work tree of its own (possibly nested): the outer repository's
            # rules stop here, as they do for git.
            starting: _IgnoreContext = tuple(_present([self._info_exclude(directory)]))
        elif inherited is None:
            return None
        else:
            starting = inherited
        if _GITIGNORE in names:
            own = self._pattern_file(directory / _GITIGNORE, base=directory, label=_GITIGNORE)
            if own is not None:
                return (*starting, own)
        return starting

    def _context_of(self, directory: Path) -> _IgnoreContext | None:
        """The ignore context for the entries of ``directory``, from the file system."""
        if not self._respect_gitignore:
            return None
        if directory in self._contexts:
            return self._contexts[directory]
        names = {name for name in (_GIT_DIR, _GITIGNORE) if os.path.lexists(directory / name)}
        is_filesystem_root = directory.parent == directory
        if _GIT_DIR in names or is_filesystem_root:
            inherited: _IgnoreContext | None = None
        else:
            inherited = self._context_of(directory.parent)
        context = self._enter(directory, names, inherited)
        self._contexts[directory] = context
        return context

    def _info_exclude(self, work_tree: Path) -> _PatternFile | None:
        git_dir = _git_dir(work_tree)
        if git_dir is None:
            return None
        return self._pattern_file(
            git_dir / "info" / "exclude", base=work_tree, label=".git/info/exclude"
        )

    def _pattern_file(self, file: Path, *, base: Path, label: str) -> _PatternFile | None:
        if file not in self._pattern_files:
            try:
                # Git reads these as bytes; a stray invalid byte must not make
                # the whole file unusable.
                lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            spec = _compile(lines)
            useful = any(pattern.include is not None for pattern in spec.patterns)
            self._pattern_files[file] = (
                _PatternFile(base=base, spec=spec, label=label) if useful else None
            )
        return self._pattern_files[file]

    def _take(self, path: Path, display: str, *, explicit: bool, status: os.stat_result) -> None:
        # Some file systems have no inode numbers (0): their files go by path.
        identity: object = (status.st_dev, status.st_ino) if status.st_ino else path
        found = SourcePath(path=path, display=display, explicit=explicit)
        known = self._files.get(identity)
        if known is None:
            self._files[identity] = found
            return
        # Analysed twice, a file would be reported twice and, once fixed under one
        # name, look changed under the other. Its real name is the one to report.
        chosen = min(known, found, key=_naming_preference)
        self._files[identity] = dataclasses.replace(chosen, explicit=known.explicit or explicit)

    def _skip(self, display: str, reason: str, *, named: bool = False) -> None:
        self._skipped.setdefault(
            display, DiscoverySkip(display=display, reason=reason, named=named)
        )

    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self._cwd).as_posix()
        except ValueError:
            return path.as_posix()


def _naming_preference(source: SourcePath) -> tuple[bool, str]:
    """The real name of a file first (not a link to it), then the first in display order."""
    return (os.path.realpath(source.path) != str(source.path), source.display)


def _compile(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """Compile gitignore lines, dropping the invalid ones as git does."""
    lines = list(lines)
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # pathspec raises several unrelated types for bad patterns
        valid = [line for line in lines if _is_valid_pattern(line)]
        return pathspec.GitIgnoreSpec.from_lines(valid)


def _is_valid_pattern(line: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except Exception:  # see _compile
        return False
    return True


def _git_dir(work_tree: Path) -> Path | None:
    """The repository directory of ``work_tree``, following a ``.git`` file."""
    dot_git = work_tree / _GIT_DIR
    if dot_git.is_dir():
        return dot_git
    try:
        # Worktrees and submodules: ".git" is a file saying "gitdir: <path>".
        content = dot_git.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not content.startswith("gitdir:"):
        return None
    git_dir = work_tree / content.removeprefix("gitdir:").strip()
    try:
        # Linked worktrees keep info/exclude in the shared repository.
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    return git_dir / common


def _present(pattern_files: Iterable[_PatternFile | None]) -> Iterable[_PatternFile]:
    return (pattern_file for pattern_file in pattern_files if pattern_file is not None)


def _excludes(verdict: _Verdict | None) -> bool:
    return verdict is not None and verdict.excluded


def _is_python_name(name: str) -> bool:
    return name.endswith(PYTHON_SUFFIXES)


def _os_error_reason(exc: OSError, *, missing: str = "broken symlink") -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return missing
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return str(exc.strerror or exc).lower()
