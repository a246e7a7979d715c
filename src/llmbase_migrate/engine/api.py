"""The engine's entry point: paths and settings in, one outcome per file out.

The CLI calls :func:`check_paths`; nothing here prints or exits.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.config import Settings
from llmbase_migrate.engine.discovery import DiscoverySkip, SourcePath, discover
from llmbase_migrate.engine.fixer import fix_bytes, is_applicable
from llmbase_migrate.engine.outcome import Clean, Failed, Fixed, HasFindings, Outcome, Skipped
from llmbase_migrate.engine.pool import run_jobs
from llmbase_migrate.engine.relocation import relocate
from llmbase_migrate.engine.result_cache import (
    CacheKey,
    ResultCache,
    catalog_fingerprint,
    context_fingerprint,
)
from llmbase_migrate.engine.runner import (
    MAX_FILE_BYTES,
    FileAnalysis,
    analysed_in_part,
    analyze_bytes,
    passes_prefilter,
    too_large,
)
from llmbase_migrate.engine.selection import RuleSelection
from llmbase_migrate.engine.source import FileTooLarge, atomic_write, mentions_any, read_bytes
from llmbase_migrate.errors import SourceError
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import RuleContext
from llmbase_migrate.secrets import strip_url_credentials

STDIN_PATH = "-"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunOptions:
    force_exclude: bool = False
    respect_gitignore: bool = True
    # Worker processes for files that need parsing; None means one per core.
    jobs: int | None = None
    # Set when a file's content comes from stdin ("-"); the name is used for display
    # and per-file-ignores.
    stdin_filename: str | None = None
    # LLMBase's model catalog for the rules that need one (loaded by the caller)
    catalog: CatalogIndex | None = None
    # Reuse and store per-file outcomes (see engine.result_cache); None: no cache
    cache: ResultCache | None = None
    # Told (files analysed so far, files to analyse) as parsing proceeds; files the
    # pre-filter or the cache settle never count.
    progress: Progress | None = None


@dataclass(frozen=True)
class FixOptions:
    # apply unsafe fixes too
    unsafe: bool = False
    # False for a dry run (--diff): outcomes say what would change, nothing is written
    write: bool = True


@dataclass(frozen=True)
class RunResult:
    outcomes: tuple[Outcome, ...]
    discovery_skips: tuple[DiscoverySkip, ...] = field(default=())
    # the catalog the rules were given, for reports to say which and how old
    catalog: CatalogIndex | None = None


def rule_context(
    settings: Settings,
    relative_path: str | None = None,
    catalog: CatalogIndex | None = None,
    file: Path | None = None,
    cwd: Path | None = None,
) -> RuleContext:
    return RuleContext(
        # Credentials in the configured URL must never be written into source by a fix.
        base_url=strip_url_credentials(settings.base_url),
        api_key_env=settings.api_key_env,
        model_map=dict(settings.model_map),
        prompt_cache_key=settings.prompt_cache_key,
        path=relative_path,
        catalog=catalog,
        keep_hosts=settings.keep_hosts,
        project_root=str(settings.project_root),
        file=str(file.absolute()) if file is not None else None,
        display_root=str(cwd if cwd is not None else Path.cwd()),
    )


def rule_selection(settings: Settings) -> RuleSelection:
    return RuleSelection.build(
        select=settings.select,
        extend_select=settings.extend_select,
        ignore=settings.ignore,
        per_file_ignores=dict(settings.per_file_ignores),
    )


def check_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    cwd: Path,
    options: RunOptions | None = None,
) -> RunResult:
    """Analyse every Python file under ``paths`` (raises only for run-level errors)."""
    return _run(paths, settings, cwd=cwd, options=options or RunOptions(), fix=None)


def fix_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    cwd: Path,
    options: RunOptions | None = None,
    fix: FixOptions | None = None,
) -> RunResult:
    """Fix every Python file under ``paths``; ``Fixed`` outcomes say what changed.

    Files are written atomically, only when their content changes and only if they
    still hold what was analysed (else ``Skipped``). A file fix must not write (see
    :func:`write_refusal`) or whose write fails keeps its findings, as ``HasFindings``
    with the reason in ``fix_error``; a dry run says the same of the files it would
    not write.
    """
    fix = fix or FixOptions()
    options = options or RunOptions()
    result = _run(paths, settings, cwd=cwd, options=options, fix=fix)
    by_display = {source.display: source.path for source in result.files}
    selection = rule_selection(settings)

    def settle(outcome: Fixed) -> Outcome:
        path = by_display[outcome.path]
        reason = _write(outcome, path, settings) if fix.write else write_refusal(path, settings)
        if isinstance(reason, Skipped):
            return reason
        if reason is None:
            return dataclasses.replace(outcome, written=fix.write)
        return _unfixed(outcome, path, f"not fixed: {reason}", settings, selection, options.catalog)

    outcomes = tuple(
        settle(outcome) if isinstance(outcome, Fixed) else outcome for outcome in result.outcomes
    )
    return RunResult(outcomes, result.discovery_skips, result.catalog)


def source_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    cwd: Path,
    options: RunOptions | None = None,
) -> tuple[Path, ...]:
    """The files a run over ``paths`` would analyse, found as the run finds them
    (nothing is read)."""
    options = options or RunOptions()
    discovery = discover(
        paths,
        settings,
        cwd=cwd,
        force_exclude=options.force_exclude,
        respect_gitignore=options.respect_gitignore,
    )
    return tuple(source.path for source in discovery.files)


def check_source(
    raw: bytes,
    settings: Settings,
    *,
    display: str = STDIN_PATH,
    catalog: CatalogIndex | None = None,
) -> FileAnalysis:
    """Analyse one file's bytes (stdin, tests, editors)."""
    selection = rule_selection(settings)
    relative = _relative_to_root(Path(display), settings) if display != STDIN_PATH else None
    file = Path(display) if display != STDIN_PATH else None
    return analyze_bytes(
        display,
        raw,
        selection.for_path(relative),
        rule_context(settings, relative, catalog, file),
        libcst_max_tokens=settings.libcst_max_tokens,
    )


def fix_source(
    raw: bytes,
    settings: Settings,
    *,
    display: str = STDIN_PATH,
    unsafe: bool = False,
    catalog: CatalogIndex | None = None,
) -> Outcome:
    """Fix one file's bytes without writing anything (stdin, tests, editors)."""
    selection = rule_selection(settings)
    relative = _relative_to_root(Path(display), settings) if display != STDIN_PATH else None
    rules = selection.for_path(relative)
    file = Path(display) if display != STDIN_PATH else None
    context = rule_context(settings, relative, catalog, file)
    return fix_bytes(
        display, raw, rules, context, unsafe=unsafe, libcst_max_tokens=settings.libcst_max_tokens
    )


@dataclass(frozen=True)
class _Run(RunResult):
    files: tuple[SourcePath, ...] = field(default=())


def _run(
    paths: Sequence[Path],
    settings: Settings,
    *,
    cwd: Path,
    options: RunOptions,
    fix: FixOptions | None,
) -> _Run:
    selection = rule_selection(settings)
    discovery = discover(
        paths,
        settings,
        cwd=cwd,
        force_exclude=options.force_exclude,
        respect_gitignore=options.respect_gitignore,
    )
    outcomes: list[Outcome] = _analyze_files(
        cwd,
        [(source.display, source.path) for source in discovery.files],
        settings,
        selection,
        jobs=options.jobs or os.cpu_count() or 1,
        unsafe=None if fix is None else fix.unsafe,
        catalog=options.catalog,
        cache=options.cache,
        progress=options.progress,
    )
    outcomes = relocate(
        outcomes,
        [(source.display, source.path) for source in discovery.files],
        lambda path, code: any(
            rule.code == code for rule in selection.for_path(_relative_to_root(path, settings))
        ),
    )
    # A path the user named that is no file to read was not checked: an outcome of
    # the run, like a file that cannot be read, not a note for --verbose.
    named = [Skipped(skip.display, skip.reason) for skip in discovery.skipped if skip.named]
    if named:
        outcomes = sorted([*outcomes, *named], key=lambda outcome: outcome.path)
    others = tuple(skip for skip in discovery.skipped if not skip.named)
    return _Run(tuple(outcomes), others, options.catalog, discovery.files)


def _analyze_files(
    cwd: Path,
    files: Sequence[tuple[str, Path]],
    settings: Settings,
    selection: RuleSelection,
    *,
    jobs: int,
    unsafe: bool | None,
    catalog: CatalogIndex | None = None,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Read and pre-filter every file here; parse the survivors in a process pool.

    Reading and the byte pre-filter are cheap and keep most files out of the pool;
    results come back in input order, so output does not depend on scheduling.
    ``unsafe`` None means check mode; a bool means fix mode with or without unsafe fixes.
    """
    outcomes: list[Outcome | None] = []
    work: list[tuple[int, _Job]] = []
    keys: list[CacheKey | None] = []
    catalog_digest: str | None = None
    for display, path in files:
        relative = _relative_to_root(path, settings)
        rules = selection.for_path(relative)
        try:
            raw = read_bytes(path, max_bytes=MAX_FILE_BYTES)
        except FileTooLarge as error:
            # Never read into memory; pre-filtered through a memory map instead.
            if mentions_any(path, selection.triggers(rules)):
                outcomes.append(Skipped(display, too_large(error.size)))
            else:
                outcomes.append(Clean(display, parsed=False))
            continue
        except SourceError as error:
            outcomes.append(Skipped(display, error.reason))
            continue
        if not passes_prefilter(raw, selection.triggers(rules)):
            outcomes.append(Clean(display, parsed=False))
            continue
        codes = tuple(rule.code for rule in rules)
        context = rule_context(settings, relative, catalog, path, cwd)
        key = None
        if cache is not None:
            if catalog_digest is None:
                catalog_digest = catalog_fingerprint(catalog)
            fingerprint = context_fingerprint(codes, context, catalog_digest)
            key = cache.key(raw, display, f"{fingerprint}:{settings.libcst_max_tokens}")
            cached = cache.get(key)
            if cached is not None and (unsafe is None or not _fixable(cached, unsafe)):
                outcomes.append(cached)
                continue
        keys.append(key)
        work.append(
            (len(outcomes), (display, raw, codes, context, unsafe, settings.libcst_max_tokens))
        )
        outcomes.append(None)
    if progress is not None:
        progress(0, len(work))
    results = run_jobs(
        [job for _, job in work],
        _analyze_job,
        workers=min(jobs, len(work)),
        crashed=_crashed,
        progress=None if progress is None else lambda done: progress(done, len(work)),
        weights=[len(job[1]) for _, job in work],
        heavy=LARGE_FILE_TOKEN_BYTES * settings.libcst_max_tokens,
    )
    for (index, _), key, outcome in zip(work, keys, results, strict=True):
        outcomes[index] = outcome
        if cache is not None and key is not None and _cacheable(outcome):
            cache.put(key, outcome)
    return [outcome for outcome in outcomes if outcome is not None]


_Job = tuple[str, bytes, tuple[str, ...], RuleContext, "bool | None", int]

# A file of more bytes than this many per ``libcst-max-tokens`` token is large: it may
# take all the memory LibCST is allowed (generated code has 3 to 4 bytes a token, real
# code 5 to 12), so no two such files are analysed at once.
LARGE_FILE_TOKEN_BYTES = 4


def _crashed(job: _Job) -> Outcome:
    return Failed(
        job[0],
        "internal error: the analysis process died on this file (a crash in a native "
        "parser or out of memory)",
        "",
    )


def _fixable(outcome: Outcome, unsafe: bool) -> bool:
    return isinstance(outcome, HasFindings) and any(
        is_applicable(finding, unsafe=unsafe) for finding in outcome.findings
    )


def _cacheable(outcome: Outcome) -> bool:
    """Outcomes that depend only on the key: not a fix, nor a fix that failed (a file
    analysed in part, whose note stands where that reason would, does)."""
    if isinstance(outcome, HasFindings):
        return outcome.fix_error is None or analysed_in_part(outcome)
    return isinstance(outcome, (Clean, Skipped))


def _analyze_job(job: _Job) -> Outcome:
    display, raw, codes, context, unsafe, max_tokens = job
    rules = rules_by_code()
    selected = [rules[code] for code in codes]
    if unsafe is None:
        return analyze_bytes(display, raw, selected, context, libcst_max_tokens=max_tokens).outcome
    return fix_bytes(display, raw, selected, context, unsafe=unsafe, libcst_max_tokens=max_tokens)


def write_refusal(path: Path, settings: Settings) -> str | None:
    """Why ``fix`` must not write ``path``, whatever the fix, or None.

    It never writes through a symlink (to the file or to a directory on its way)
    to a file whose real path is outside the project root (``settings.project_root``:
    the directory of the configuration file, else the deepest directory common to
    the paths given), nor a file with several hard links (replaced, it would no
    longer be the file the other names show; written in place, it would change
    files elsewhere, perhaps outside the project too), nor one without any write
    permission bit.
    """
    try:
        status = path.stat()
    except OSError as error:
        return str(error.strerror or error).lower()
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(settings.project_root))
    if real != path.absolute() and not real.is_relative_to(root):
        return f"it resolves to {real.as_posix()}, outside the project ({root.as_posix()})"
    if status.st_nlink > 1:
        return f"the file has {status.st_nlink} hard links; a rewrite would split them"
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "the file is read-only"
    return None


def _write(outcome: Fixed, path: Path, settings: Settings) -> Skipped | str | None:
    """Write a fixed file if it still holds what was analysed and may be written: None
    when written, why not otherwise (``Skipped`` when its findings are out of date)."""
    try:
        current = read_bytes(path)
    except SourceError as error:
        return Skipped(outcome.path, f"not fixed: {error.reason}")
    if current != outcome.original:
        return Skipped(outcome.path, "not fixed: the file changed while it was being fixed")
    refusal = write_refusal(path, settings)
    if refusal is not None:
        return refusal
    try:
        atomic_write(path, outcome.new_source)
    except SourceError as error:
        return error.reason
    return None


def _unfixed(
    outcome: Fixed,
    path: Path,
    reason: str,
    settings: Settings,
    selection: RuleSelection,
    catalog: CatalogIndex | None,
) -> Outcome:
    """The file as it stays, unfixed: its findings (analysed again, positions in the
    unchanged text, the fixable ones still fixable) with the reason."""
    relative = _relative_to_root(path, settings)
    context = rule_context(settings, relative, catalog, path)
    analysis = analyze_bytes(
        outcome.path, outcome.original, selection.for_path(relative), context
    ).outcome
    if isinstance(analysis, HasFindings):
        return dataclasses.replace(analysis, fix_error=reason)
    # Cannot happen for text that was just analysed and fixed; stay on the safe side.
    findings = (*outcome.fixed, *outcome.findings)
    return HasFindings(outcome.path, findings, outcome.suppressed, fix_error=reason)


def _relative_to_root(path: Path, settings: Settings) -> str | None:
    """The path relative to the project root, as per-file-ignores globs see it."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.relative_to(settings.project_root).as_posix()
    except ValueError:
        return absolute.as_posix()
