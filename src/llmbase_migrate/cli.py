"""The command line: the only module that prints or exits.

It parses options, builds settings, calls the engine, hands the outcomes to a
reporter and turns them into an exit code: 0 nothing found, 1 findings remain,
2 usage, configuration or internal error. Errors are one line on stderr; a
traceback appears only with ``--debug``.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import sys
import textwrap
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from llmbase_migrate import __version__
from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.config import Settings, load_settings, render_settings
from llmbase_migrate.engine.api import (
    STDIN_PATH,
    FixOptions,
    RunOptions,
    RunResult,
    check_paths,
    check_source,
    fix_paths,
    fix_source,
    rule_selection,
    source_paths,
)
from llmbase_migrate.engine.outcome import Failed, Fixed, HasFindings, Skipped
from llmbase_migrate.engine.result_cache import ResultCache
from llmbase_migrate.engine.selection import validate_selectors
from llmbase_migrate.engine.source import atomic_write
from llmbase_migrate.engine.vcs import DirtyWorkTreeError, uncommitted_changes
from llmbase_migrate.errors import LlmbaseMigrateError, PathError, SelectionError, SourceError
from llmbase_migrate.printable import escape_unprintable_json, printable
from llmbase_migrate.reporting import Summary, quote_path
from llmbase_migrate.reporting.catalog import describe_catalog
from llmbase_migrate.reporting.diff import render_diff
from llmbase_migrate.reporting.json import render_json
from llmbase_migrate.reporting.markdown import render_markdown
from llmbase_migrate.reporting.progress import ProgressLine
from llmbase_migrate.reporting.text import render_text
from llmbase_migrate.rules import all_rules, rules_by_code
from llmbase_migrate.rules.base import Invalid, Rule, Valid
from llmbase_migrate.secrets import mask, mask_url, redact, url_has_credentials

PROGRAM = "llmbase-migrate"
EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
OUTPUT_FORMATS = ("text", "json")


def _split_codes(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> tuple[str, ...] | None:
    """``--select LB2,LB101 --select LB4`` -> ("LB2", "LB101", "LB4")."""
    if not values:
        return None
    codes = tuple(code.strip() for value in values for code in value.split(",") if code.strip())
    if not codes:
        # ruff would run nothing and report a pass: a check that checks nothing.
        raise click.BadParameter("no rule code given")
    try:
        return validate_selectors(codes, option=f"--{param.name.replace('_', '-')}")
    except LlmbaseMigrateError as error:
        raise click.BadParameter(str(error).split(": ", 1)[-1]) from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROGRAM)
def cli() -> None:
    """Find and fix what stops OpenAI-SDK code from running on LLMBase."""


_catalog_option = click.option(
    "--catalog",
    "catalog_mode",
    default="auto",
    show_default=True,
    metavar="auto|live|offline|PATH",
    help=(
        "Where LLMBase's model catalog comes from: a fresh cache, else a live fetch, else "
        "a stale cache, else the bundled snapshot (auto); a live fetch or exit 2 (live); "
        "never the network (offline); or a saved /v1/models?metadata=true response (PATH)."
    ),
)


def _path_and_rule_options(function: Callable[..., int]) -> Callable[..., int]:
    """The options every command that analyses files shares (ruff's names)."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--select",
            multiple=True,
            callback=_split_codes,
            help="Rule codes or prefixes to run (replaces the defaults).",
        ),
        click.option(
            "--extend-select",
            multiple=True,
            callback=_split_codes,
            help="Rule codes or prefixes to run in addition.",
        ),
        click.option(
            "--ignore", multiple=True, callback=_split_codes, help="Rule codes or prefixes to skip."
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Read settings from this TOML file instead of the nearest pyproject.toml.",
        ),
        click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
        click.option(
            "--offline", is_flag=True, help="Never touch the network (same as --catalog offline)."
        ),
        _catalog_option,
        click.option(
            "--force-exclude",
            is_flag=True,
            help="Apply excludes to files named on the command line too.",
        ),
        click.option("--respect-gitignore/--no-respect-gitignore", default=True, show_default=True),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            help="Worker processes for parsing (default: one per core).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Neither read nor write the cache of per-file results.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _report_options(function: Callable[..., int]) -> Callable[..., int]:
    """The options of check and fix: output, stdin, and fixing."""
    options = [
        click.option(
            "--output-format", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True
        ),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain."),
        click.option("--statistics", is_flag=True, help="Count findings per rule."),
        click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary."),
        click.option(
            "-v", "--verbose", is_flag=True, help="Also list skipped files with the reason."
        ),
        click.option("--stdin-filename", help="The file name to report for source read from '-'."),
        click.option(
            "--show-settings", is_flag=True, help="Print the effective configuration and exit."
        ),
        click.option("--unsafe-fixes", is_flag=True, help="Apply unsafe fixes too."),
        click.option(
            "--diff",
            is_flag=True,
            help="Print a diff of what fixing would change and write nothing.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@_path_and_rule_options
@_report_options
@click.option("--fix", "fix_mode", is_flag=True, help="Apply fixes (the same as 'fix').")
def check(fix_mode: bool, **options: Any) -> int:
    """Report what stops the code under PATHS (default: .) from working on LLMBase."""
    return _lint(fix_mode=fix_mode or options["diff"], **options)


@cli.command()
@_path_and_rule_options
@_report_options
def fix(**options: Any) -> int:
    """Apply fixes to the code under PATHS (default: .), then report what remains.

    Exit 1 when a file changed (or, with --diff, would change) or findings remain.
    """
    return _lint(fix_mode=True, **options)


def _lint(
    *,
    fix_mode: bool,
    paths: tuple[Path, ...],
    select: tuple[str, ...] | None,
    extend_select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
    output_format: str,
    config_file: Path | None,
    exit_zero: bool,
    statistics: bool,
    quiet: bool,
    verbose: bool,
    debug: bool,
    offline: bool,
    catalog_mode: str,
    force_exclude: bool,
    respect_gitignore: bool,
    jobs: int | None,
    no_cache: bool,
    stdin_filename: str | None,
    show_settings: bool,
    unsafe_fixes: bool,
    diff: bool,
) -> int:
    cwd = Path.cwd()
    targets = list(paths) or [Path()]
    reading_stdin = any(str(path) == STDIN_PATH for path in targets)
    if reading_stdin and len(targets) > 1:
        raise click.UsageError("'-' (read from stdin) cannot be combined with other paths")
    if diff and output_format == "json":
        raise click.UsageError(
            "--diff prints a unified diff; it cannot be combined with --output-format json"
        )
    catalog_mode = _catalog_mode(catalog_mode, offline=offline)
    settings = load_settings(
        config_file=config_file, search_from=_search_start(targets, cwd, stdin_filename)
    )
    settings = _apply_cli_selection(settings, select, extend_select, ignore)
    if show_settings:
        click.echo(redact(render_settings(settings)))
        return EXIT_CLEAN
    _require_rules(settings)
    _warn_about_url_credentials(settings)
    if not reading_stdin:
        for target in targets:
            # Said before the catalog is fetched: a typo should not wait on the network.
            if not (target if target.is_absolute() else cwd / target).exists():
                raise PathError(f"path does not exist: {target}")
    catalog = _catalog_for(settings, catalog_mode, verbose=verbose)
    progress = _progress_line(output_format == "text" and not quiet)
    run_options = RunOptions(
        force_exclude=force_exclude,
        respect_gitignore=respect_gitignore,
        jobs=jobs,
        catalog=catalog,
        cache=None if no_cache else ResultCache(),
        progress=None if progress is None else functools.partial(_show_progress, progress),
    )
    if reading_stdin:
        raw = sys.stdin.buffer.read()
        display = stdin_filename or STDIN_PATH
        if fix_mode:
            return _fix_stdin(raw, settings, display, unsafe_fixes, diff, exit_zero, catalog)
        outcome = check_source(raw, settings, display=display, catalog=catalog).outcome
        result = RunResult((outcome,), catalog=catalog)
    elif fix_mode:
        # fix_paths may also print a diff on stdout: the progress line stays on stderr.
        result = fix_paths(
            targets,
            settings,
            cwd=cwd,
            options=run_options,
            fix=FixOptions(unsafe=unsafe_fixes, write=not diff),
        )
    else:
        result = check_paths(targets, settings, cwd=cwd, options=run_options)
    if progress is not None:
        _write_stderr(progress.finish())
    if diff:
        return _report_diff(result)
    if output_format == "json":
        click.echo(render_json(result, unsafe_fixes=unsafe_fixes))
    else:
        text = render_text(
            result,
            statistics=statistics,
            verbose=verbose,
            quiet=quiet,
            show_debug=debug,
            fix_mode=fix_mode,
            unsafe_fixes=unsafe_fixes,
        )
        if text:
            click.echo(text)
    return _exit_code(result, exit_zero=exit_zero)


def _progress_line(for_people: bool) -> ProgressLine | None:
    """A progress line for a long run, only when stderr is a terminal and the
    output is meant for people (never with JSON, never in a pipe or a hook's log)."""
    if not for_people or not sys.stderr.isatty():
        return None
    return ProgressLine()


def _show_progress(progress: ProgressLine, done: int, total: int) -> None:
    text = progress.update(done, total)
    if text is not None:
        _write_stderr(text)


def _write_stderr(text: str) -> None:
    if text:
        click.echo(text, err=True, nl=False)


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--report",
    "report_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the Markdown migration report here (default: print it).",
)
@click.option(
    "--allow-dirty", is_flag=True, help="Run even if git shows uncommitted changes under PATH."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read settings from this TOML file instead of the nearest pyproject.toml.",
)
@click.option(
    "--select",
    multiple=True,
    callback=_split_codes,
    help="Rule codes or prefixes to run (replaces the defaults).",
)
@click.option(
    "--ignore", multiple=True, callback=_split_codes, help="Rule codes or prefixes to skip."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes for parsing (default: one per core).",
)
@click.option("--offline", is_flag=True, help="Never touch the network.")
@_catalog_option
def migrate(
    path: Path | None,
    report_file: Path | None,
    allow_dirty: bool,
    config_file: Path | None,
    select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
    jobs: int | None,
    offline: bool,
    catalog_mode: str,
) -> int:
    """Migrate the repository at PATH (default: .) in one go, unsafe fixes included.

    Refuses to run when git shows uncommitted changes under PATH (so every change it
    makes can be reviewed and undone), unless --allow-dirty. Prints, or writes to
    --report, a Markdown report for the pull request. Exit 0 when nothing is left for
    a person to do, 1 when findings remain, 2 on errors.
    """
    cwd = Path.cwd()
    target = path or Path()
    if not target.exists():
        raise click.UsageError(f"path does not exist: {target}")
    catalog_mode = _catalog_mode(catalog_mode, offline=offline)
    if not allow_dirty:
        changed = uncommitted_changes(target if target.is_absolute() else cwd / target)
        if changed:
            shown = ", ".join(changed[:3]) + (
                f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            )
            raise DirtyWorkTreeError(
                f"uncommitted changes under {target} ({shown}); commit or stash them first, "
                "or pass --allow-dirty"
            )
    settings = load_settings(
        config_file=config_file, search_from=_search_start([target], cwd, None)
    )
    settings = _apply_cli_selection(settings, select, None, ignore)
    _require_rules(settings)
    _warn_about_url_credentials(settings)
    if report_file is not None:
        # Checked before anything changes: a report that cannot be written after
        # the migration would be lost, one written over a source file destroys it.
        problem = _report_path_problem(report_file, target, settings, cwd)
        if problem is not None:
            raise click.UsageError(f"cannot write the report to {report_file}: {problem}")
    catalog = _catalog_for(settings, catalog_mode)
    result = fix_paths(
        [target],
        settings,
        cwd=cwd,
        options=RunOptions(jobs=jobs, catalog=catalog),
        fix=FixOptions(unsafe=True, write=True),
    )
    report = render_markdown(result, settings, target=str(target))
    if report_file is not None:
        try:
            atomic_write(report_file, report.encode("utf-8"))
        except SourceError as error:
            # The tree has changed: the report must not be lost with the error.
            click.echo(report, nl=False)
            raise click.ClickException(
                f"cannot write the report to {report_file}: {error.reason} "
                "(printed on standard output instead)"
            ) from None
        summary = Summary.of(result)
        click.echo(
            f"Migrated: {summary.fixed} fixes in {summary.files_fixed} files; "
            f"{summary.findings} findings need a person. Report: {report_file}",
            err=True,
        )
    else:
        click.echo(report, nl=False)
    if any(isinstance(outcome, Failed) for outcome in result.outcomes):
        return EXIT_ERROR
    remaining = any(
        isinstance(outcome, (HasFindings, Skipped))
        or (isinstance(outcome, Fixed) and outcome.findings)
        for outcome in result.outcomes
    )
    return EXIT_FINDINGS if remaining else EXIT_CLEAN


def _catalog_mode(catalog_mode: str, *, offline: bool) -> str:
    """``--catalog`` as ``--offline`` amends it; the two must not contradict."""
    if not offline:
        return catalog_mode
    if catalog_mode == "live":
        raise click.UsageError("--offline contradicts --catalog live")
    # A catalog file is read without the network: --offline leaves it as it is.
    return "offline" if catalog_mode == "auto" else catalog_mode


def _require_rules(settings: Settings) -> None:
    """A run with no rule checks nothing: it must not report that all checks passed."""
    if not rule_selection(settings).for_path(None):
        raise SelectionError(
            "no rule is enabled: select, extend-select and ignore (options and "
            "configuration) leave nothing to check"
        )


def _report_path_problem(report: Path, target: Path, settings: Settings, cwd: Path) -> str | None:
    """Why the migration report cannot be written to ``report``, or None."""
    absolute = report if report.is_absolute() else cwd / report
    directory = absolute.parent
    if not directory.exists():
        return f"the directory {report.parent} does not exist"
    if not directory.is_dir():
        return f"{report.parent} is not a directory"
    if absolute.is_dir():
        return "it is a directory"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"the directory {report.parent} is not writable"
    try:
        status = absolute.stat()
    except OSError:
        return None  # a new file: it cannot be one of those migrated
    identity = (status.st_dev, status.st_ino)
    for source in source_paths([target], settings, cwd=cwd):
        try:
            found = source.stat()
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == identity:
            return "it is one of the files being migrated"
    return None


def _fix_stdin(
    raw: bytes,
    settings: Settings,
    display: str,
    unsafe: bool,
    diff: bool,
    exit_zero: bool,
    catalog: CatalogIndex | None,
) -> int:
    """Fixed source on stdout (as editors expect), findings on stderr."""
    outcome = fix_source(raw, settings, display=display, unsafe=unsafe, catalog=catalog)
    result = RunResult((outcome,), catalog=catalog)
    if diff:
        return _report_diff(result)
    sys.stdout.buffer.write(outcome.new_source if isinstance(outcome, Fixed) else raw)
    sys.stdout.buffer.flush()
    text = render_text(result, quiet=True, fix_mode=True, unsafe_fixes=unsafe)
    if text:
        click.echo(text, err=True)
    return _exit_code(result, exit_zero=exit_zero)


def _url_credentials_problem(settings: Settings) -> str | None:
    """What is wrong when the configured base URL carries credentials, or None."""
    from llmbase_migrate.catalog.client import BASE_URL_ENV

    from_env = os.environ.get(BASE_URL_ENV, "").strip()
    url = from_env or settings.base_url
    if not url_has_credentials(url):
        return None
    where = f"${BASE_URL_ENV}" if from_env else "base-url"
    return (
        f"{where} carries credentials ({mask_url(url)}); they are ignored, never sent nor "
        f"written into code: LLMBase takes the key only as a Bearer token, from "
        f"${settings.api_key_env}"
    )


def _warn_about_url_credentials(settings: Settings) -> None:
    problem = _url_credentials_problem(settings)
    if problem is not None:
        click.echo(f"{PROGRAM}: warning: {problem}", err=True)


# Rules that read the catalog; without any of them enabled none is loaded.
_CATALOG_RULES = frozenset({"LB205", "LB301", "LB302"})


def _catalog_for(settings: Settings, mode: str, *, verbose: bool = False) -> CatalogIndex | None:
    """Load the catalog the enabled rules need (warnings on stderr; errors raise).

    Offline runs (pre-commit) asked not to fetch: how they fell back is said only
    with --verbose; the summary line still names the catalog used.
    """
    enabled = {rule.code for rule in rule_selection(settings).for_path(None)}
    if not enabled & _CATALOG_RULES:
        return None
    from llmbase_migrate.catalog.source import load_catalog

    loaded = load_catalog(
        mode,
        base_url=settings.base_url,
        api_key_env=settings.api_key_env,
        ttl=settings.catalog_ttl,
    )
    if mode != "offline" or verbose:
        for warning in loaded.warnings:
            click.echo(f"{PROGRAM}: warning: {_shown(warning)}", err=True)
    index: CatalogIndex = loaded.index
    if "LB302" in enabled and not index.capabilities_known and loaded.source == "file":
        click.echo(
            f"{PROGRAM}: note: LB302 checks nothing: the catalog file lists no model capabilities",
            err=True,
        )
    return index


def _report_diff(result: RunResult) -> int:
    """The diff on stdout, problems and a count on stderr; exit 1 when anything would
    change, a fix would not be applied or a file could not be checked."""
    click.echo(render_diff(result), nl=False)
    summary = Summary.of(result)
    for outcome in result.outcomes:
        if isinstance(outcome, HasFindings) and outcome.fix_error:
            click.echo(f"{quote_path(outcome.path)}: {redact(outcome.fix_error)}", err=True)
        elif isinstance(outcome, Failed):
            click.echo(f"{quote_path(outcome.path)}: error: {redact(outcome.error)}", err=True)
        elif isinstance(outcome, Skipped):
            click.echo(f"{quote_path(outcome.path)}: skipped: {outcome.reason}", err=True)
    if summary.fixed:
        line = (
            f"Would fix {summary.fixed} finding{'s' if summary.fixed != 1 else ''} "
            f"in {summary.files_fixed} file{'s' if summary.files_fixed != 1 else ''}"
        )
    else:
        line = "No fixes available"
    if summary.unreadable:
        line += f"; {summary.unreadable} file{'s' if summary.unreadable != 1 else ''} "
        line += "could not be checked (see above)"
    click.echo(line + ".", err=True)
    if summary.files_failed:
        return EXIT_ERROR
    problems = summary.files_fixed or summary.files_not_fixed or summary.unreadable
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def _apply_cli_selection(
    settings: Settings,
    select: tuple[str, ...] | None,
    extend_select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
) -> Settings:
    """Command-line selection: --select replaces, the others extend the configured lists."""
    overrides: dict[str, Any] = {}
    if select is not None:
        overrides["select"] = select
    if extend_select:
        overrides["extend_select"] = (*settings.extend_select, *extend_select)
    if ignore:
        overrides["ignore"] = (*settings.ignore, *ignore)
    return settings.with_overrides(**overrides) if overrides else settings


def _search_start(targets: Sequence[Path], cwd: Path, stdin_filename: str | None) -> Path:
    """Where to start looking for pyproject.toml: the deepest directory common to the paths."""
    if len(targets) == 1 and str(targets[0]) == STDIN_PATH:
        if stdin_filename is None:
            return cwd
        targets = [Path(stdin_filename)]
    absolute = [path if path.is_absolute() else cwd / path for path in targets]
    directories = [path if path.is_dir() else path.parent for path in absolute]
    try:
        common = Path(os.path.commonpath([str(directory) for directory in directories]))
    except ValueError:
        return cwd
    return common if common.is_dir() else cwd


def _exit_code(result: RunResult, *, exit_zero: bool) -> int:
    """2 if the tool failed on a file; 1 if findings remain, a file was skipped or a
    file changed (so pre-commit shows the change); 0 otherwise."""
    if any(isinstance(outcome, Failed) for outcome in result.outcomes):
        return EXIT_ERROR
    problems = any(
        isinstance(outcome, (HasFindings, Skipped, Fixed)) for outcome in result.outcomes
    )
    return EXIT_FINDINGS if problems and not exit_zero else EXIT_CLEAN


@cli.command()
@click.option("--agents", is_flag=True, help="Only the models the agent API routes to.")
@click.option("--json", "as_json", is_flag=True, help="The entries as served, as JSON.")
@click.option("--refresh", is_flag=True, help="Fetch the live catalog and rewrite the cache.")
@_catalog_option
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read settings from this TOML file instead of the nearest pyproject.toml.",
)
def models(
    agents: bool, as_json: bool, refresh: bool, catalog_mode: str, config_file: Path | None
) -> int:
    """List LLMBase's models: context, prices per 1M tokens, features, input modalities."""
    from llmbase_migrate.catalog.source import load_catalog

    settings = load_settings(config_file=config_file, search_from=Path.cwd())
    _warn_about_url_credentials(settings)
    loaded = load_catalog(
        catalog_mode,
        base_url=settings.base_url,
        api_key_env=settings.api_key_env,
        ttl=settings.catalog_ttl,
        agents=agents,
        refresh=refresh,
    )
    for warning in loaded.warnings:
        click.echo(f"{PROGRAM}: warning: {_shown(warning)}", err=True)
    if as_json:
        document = {
            "data": loaded.entries,
            "catalog": {"source": loaded.source, "fetched_at": loaded.fetched_at},
        }
        # The entries as served, but a terminal must not act on what they hold.
        click.echo(escape_unprintable_json(json.dumps(document, indent=2, ensure_ascii=False)))
        return EXIT_CLEAN
    rows = [("id", "context", "prompt", "completion", "cache read", "features", "input")]
    for info in loaded.index.models.values():
        rows.append(
            (
                info.id,
                f"{info.context_length:,}" if info.context_length else "-",
                _price(info.prompt_price),
                _price(info.completion_price),
                _price(info.cache_read_price),
                ", ".join(sorted(info.features)) if info.features is not None else "unknown",
                ", ".join(sorted(info.input_modalities))
                if info.input_modalities is not None
                else "unknown",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    click.echo(f"\nPrices in USD per 1M tokens. {describe_catalog(loaded.index)}")
    return EXIT_CLEAN


def _price(value: float | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read settings from this TOML file instead of the nearest pyproject.toml.",
)
def doctor(config_file: Path | None) -> int:
    """Check the API key and that LLMBase answers with it: GET /models and /balance.

    Each problem comes with its fix. Exit 0 when all is well, 1 otherwise.
    """
    from llmbase_migrate.catalog.client import (
        describe_balance,
        fetch_balance,
        fetch_models,
        key_error,
        read_key,
        resolve_base_url,
    )
    from llmbase_migrate.errors import CatalogError

    settings = load_settings(config_file=config_file, search_from=Path.cwd())
    variable = settings.api_key_env
    try:
        base_url = resolve_base_url(settings.base_url)
    except CatalogError as error:
        _doctor_line(False, "base URL", str(error))
        return EXIT_FINDINGS
    # The rest is checked without the credentials, as check and models send it.
    credentials = _url_credentials_problem(settings)
    healthy = credentials is None
    _doctor_line(healthy, "base URL", base_url if credentials is None else credentials)
    key = read_key(variable)
    problem = key_error(key, api_key_env=variable)
    if problem is not None or key is None:
        _doctor_line(False, "key", str(problem))
        _doctor_line(None, "models", "not tried without a usable key")
        _doctor_line(None, "balance", "not tried without a usable key")
        return EXIT_FINDINGS
    _doctor_line(True, "key", f"${variable} holds {mask(key)}, an llmbase_... inference key")
    try:
        fetched = fetch_models(base_url, key, api_key_env=variable)
    except CatalogError as error:
        _doctor_line(False, "models", str(error))
        healthy = False
    else:
        _doctor_line(True, "models", f"GET {fetched.url}: {len(fetched.parsed.entries)} models")
    try:
        balance = fetch_balance(base_url, key, api_key_env=variable)
    except CatalogError as error:
        _doctor_line(False, "balance", str(error))
        healthy = False
    else:
        _doctor_line(True, "balance", describe_balance(balance))
    return EXIT_CLEAN if healthy else EXIT_FINDINGS


def _doctor_line(ok: bool | None, what: str, detail: str) -> None:
    mark = {True: "ok", False: "FAIL", None: "-"}[ok]
    click.echo(f"{mark:4s}  {what:8s}  {_shown(detail)}")


def _shown(text: str) -> str:
    """A message for the terminal: secrets masked, nothing a terminal would act on
    (much of what the tool says quotes a server)."""
    return printable(redact(text))


@cli.command()
def clean() -> int:
    """Empty the cache of per-file results (the model catalog's cache is kept)."""
    cache = ResultCache()
    removed, left = cache.clear()
    click.echo(f"Removed {removed} cached result{'s' if removed != 1 else ''}.")
    if left:
        click.echo(
            f"{PROGRAM}: error: could not remove {left} cached result{'s' if left != 1 else ''} "
            f"in {cache.directory}",
            err=True,
        )
        return EXIT_FINDINGS
    return EXIT_CLEAN


@cli.command("rules")
@click.option(
    "--output-format", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True
)
def rules_command(output_format: str) -> int:
    """List every rule: code, name, severity, default, fix."""
    rules = all_rules()
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": rule.code,
                        "name": rule.name,
                        "summary": rule.spec.summary,
                        "severity": rule.spec.severity.value,
                        "default": rule.spec.default_enabled,
                        "fix": rule.spec.fix.value if rule.spec.fix else None,
                    }
                    for rule in rules
                ],
                indent=2,
            )
        )
        return EXIT_CLEAN
    rows = [("code", "name", "severity", "default", "fix", "summary")]
    for rule in rules:
        rows.append(
            (
                rule.code,
                rule.name,
                rule.spec.severity.value,
                "on" if rule.spec.default_enabled else "off",
                rule.spec.fix.value if rule.spec.fix else "-",
                rule.spec.summary,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)]
        click.echo("  ".join([*cells, row[5]]).rstrip())
    return EXIT_CLEAN


@cli.command()
@click.argument("code")
def explain(code: str) -> int:
    """Show the documentation of rule CODE (for example LB201) with examples."""
    rule = _find_rule(code)
    click.echo(_explanation(rule))
    return EXIT_CLEAN


def _find_rule(code: str) -> Rule:
    rules = rules_by_code()
    wanted = code.strip().upper()
    if wanted in rules:
        return rules[wanted]
    by_name = {rule.name: rule for rule in rules.values()}
    if code.strip().lower() in by_name:
        return by_name[code.strip().lower()]
    close = difflib.get_close_matches(wanted, list(rules), n=1) or difflib.get_close_matches(
        code.lower(), list(by_name), n=1
    )
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise click.UsageError(f"unknown rule {code!r}{hint}; see '{PROGRAM} rules'")


def _explanation(rule: Rule) -> str:
    spec = rule.spec
    default = "on" if spec.default_enabled else "off"
    header = f"{rule.code} {rule.name} ({spec.severity.value}, {default} by default)"
    fix = f"Fix: {spec.fix.value}." if spec.fix else "Fix: none (report only)."
    parts = [header, "", rule.docs, "", fix]
    invalid = next((e for e in rule.examples if isinstance(e, Invalid)), None)
    valid = next((e for e in rule.examples if isinstance(e, Valid)), None)
    if invalid is not None:
        parts += [
            "",
            "Reported:",
            "",
            textwrap.indent(textwrap.dedent(invalid.code).strip(), "    "),
        ]
    if valid is not None:
        parts += ["", "Fine:", "", textwrap.indent(textwrap.dedent(valid.code).strip(), "    ")]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point: run the CLI and exit with its code, errors on one line."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    try:
        code = cli.main(args=arguments, prog_name=PROGRAM, standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.ClickException as error:
        _fail(error.format_message(), EXIT_ERROR)
    except LlmbaseMigrateError as error:
        _fail(str(error), EXIT_ERROR)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as error:  # the last boundary: one line unless --debug
        if debug:
            traceback.print_exc()
        _fail(
            f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)",
            EXIT_ERROR,
        )
    sys.exit(code if isinstance(code, int) else EXIT_CLEAN)


def _fail(message: str, code: int) -> NoReturn:
    first_line = _shown(" ".join(message.split()))
    click.echo(f"{PROGRAM}: error: {first_line}", err=True)
    sys.exit(code)
