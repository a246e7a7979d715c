"""The engine's entry point: paths and settings in, one outcome per file out.

The CLI calls :func:`check_paths`; nothing here prints or exits.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from llmbase_migrate.config import Settings
from llmbase_migrate.engine.discovery import DiscoverySkip, discover
from llmbase_migrate.engine.outcome import Clean, Outcome, Skipped
from llmbase_migrate.engine.runner import FileAnalysis, analyze_bytes, passes_prefilter
from llmbase_migrate.engine.selection import RuleSelection
from llmbase_migrate.engine.source import read_bytes
from llmbase_migrate.errors import SourceError
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import RuleContext

STDIN_PATH = "-"


@dataclass(frozen=True)
class RunOptions:
    force_exclude: bool = False
    respect_gitignore: bool = True
    # Worker processes for files that need parsing; None means one per core.
    jobs: int | None = None
    # Set when a file's content comes from stdin ("-"); the name is used for display
    # and per-file-ignores.
    stdin_filename: str | None = None


@dataclass(frozen=True)
class RunResult:
    outcomes: tuple[Outcome, ...]
    discovery_skips: tuple[DiscoverySkip, ...] = field(default=())


def rule_context(settings: Settings) -> RuleContext:
    return RuleContext(base_url=settings.base_url, api_key_env=settings.api_key_env)


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
    options = options or RunOptions()
    selection = rule_selection(settings)
    discovery = discover(
        paths,
        settings,
        cwd=cwd,
        force_exclude=options.force_exclude,
        respect_gitignore=options.respect_gitignore,
    )
    context = rule_context(settings)
    outcomes = _analyze_files(
        [(source.display, source.path) for source in discovery.files],
        settings,
        selection,
        context,
        jobs=options.jobs or os.cpu_count() or 1,
    )
    return RunResult(tuple(outcomes), discovery.skipped)


def check_source(raw: bytes, settings: Settings, *, display: str = STDIN_PATH) -> FileAnalysis:
    """Analyse one file's bytes (stdin, tests, editors)."""
    selection = rule_selection(settings)
    relative = _relative_to_root(Path(display), settings) if display != STDIN_PATH else None
    return analyze_bytes(display, raw, selection.for_path(relative), rule_context(settings))


def _analyze_files(
    files: Sequence[tuple[str, Path]],
    settings: Settings,
    selection: RuleSelection,
    context: RuleContext,
    *,
    jobs: int,
) -> list[Outcome]:
    """Read and pre-filter every file here; parse the survivors in a process pool.

    Reading and the byte pre-filter are cheap and keep most files out of the pool;
    results come back in input order, so output does not depend on scheduling.
    """
    outcomes: list[Outcome | None] = []
    work: list[tuple[int, _Job]] = []
    for display, path in files:
        try:
            raw = read_bytes(path)
        except SourceError as error:
            outcomes.append(Skipped(display, error.reason))
            continue
        rules = selection.for_path(_relative_to_root(path, settings))
        if not passes_prefilter(raw, selection.triggers(rules)):
            outcomes.append(Clean(display, parsed=False))
            continue
        work.append((len(outcomes), (display, raw, tuple(rule.code for rule in rules), context)))
        outcomes.append(None)
    workers = min(jobs, len(work))
    if workers <= 1:
        results: Iterator[Outcome] = (_analyze_job(job) for _, job in work)
    else:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(_analyze_job, [job for _, job in work], chunksize=8)
    try:
        for (index, _), outcome in zip(work, results, strict=True):
            outcomes[index] = outcome
    finally:
        if workers > 1:
            pool.shutdown(cancel_futures=True)
    return [outcome for outcome in outcomes if outcome is not None]


_Job = tuple[str, bytes, tuple[str, ...], RuleContext]


def _analyze_job(job: _Job) -> Outcome:
    display, raw, codes, context = job
    rules = rules_by_code()
    return analyze_bytes(display, raw, [rules[code] for code in codes], context).outcome


def _relative_to_root(path: Path, settings: Settings) -> str | None:
    """The path relative to the project root, as per-file-ignores globs see it."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.relative_to(settings.project_root).as_posix()
    except ValueError:
        return absolute.as_posix()
