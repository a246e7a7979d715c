"""Run ``llmbase-migrate`` over the whole standard library with an OpenAI client
appended to every file, and check what issue 5 asks of it.

    python bench/stdlib_run.py [--limit N] [--jobs N] [--keep] [--stdlib DIR]

Every ``.py`` file of the running interpreter's standard library (site-packages
and __pycache__ left out) is copied to a temporary directory with these lines
appended, in the file's own encoding and newline style (a newline is added first
when the file does not end with one)::

    import openai as _llmbase_probe
    _llmbase_client = _llmbase_probe.OpenAI()

Then ``check --output-format json``, ``fix --unsafe-fixes`` and a second ``fix``
run on the copy as subprocesses (the console script beside ``sys.executable``),
and these are checked, with ``compile()`` in this interpreter as the oracle:

1. The files reported LB001 are exactly the files ``compile()`` rejects, plus the
   files LibCST cannot parse although CPython compiles them (LB001 too by our
   rule; listed and counted). A file that cannot even be decoded (invalid UTF-8,
   an unknown coding cookie) may instead be reported as skipped with the reason,
   as the hostile-input part of issue 5 asks; those are listed.
2. Every compiling file that is not LB001 has LB101 or LB102 on the appended
   client's line.
3. After ``fix --unsafe-fixes`` every file that compiled still compiles and keeps
   every original line but the client's (fixing the probe may only add arguments
   and imports), a file that did not compile is byte for byte unchanged, and a
   second ``fix`` changes nothing. Clients still reported after the fix are listed
   with a guess at why (no fix offered, a star import ...).
4. No run has a Failed outcome, a traceback on stderr or exit status 2, and every
   copied file was accounted for (analysed, skipped with a reason, or failed).
   Anything the tool prints on stderr is listed.
5. Wall time, CPU time and peak memory of each step: ``ru_maxrss`` of the step's
   process tree (``os.wait4``, the figure ``resource.getrusage(RUSAGE_CHILDREN)``
   gives, but per step: the largest single process) and, on Linux, the largest
   sampled sum of RSS over the tool and its worker processes.

The run is configured by a TOML file outside the copy (``--config``) that keeps
only ``__pycache__`` excluded: the default excludes (ruff's) would drop the
stdlib's own ``venv`` package. Exit status 0 when every check holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import tokenize
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROBE_LINES = (
    "import openai as _llmbase_probe",
    "_llmbase_client = _llmbase_probe.OpenAI()",
)
# The rules that report a client constructed without LLMBase's base_url / key.
CLIENT_CODES = frozenset({"LB101", "LB102"})
# Skip reasons that mean "the bytes are not Python source text" (source.py's wording).
DECODE_REASONS = re.compile(
    r"invalid utf-8|cannot decode|unknown encoding|unsupported encoding|BOM conflicts|NUL byte"
)
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
CONFIG = 'exclude = ["__pycache__"]\n'
CORPUS_DIR = "lib"


# --- the corpus -----------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusFile:
    """One copied file: where its client is and whether CPython compiles it."""

    path: str  # relative to the corpus root, posix separators (the tool's display path)
    client_line: int  # 1-based line of ``_llmbase_client = ...``
    encoding: str | None  # what tokenize.detect_encoding says, None when it refuses
    compile_error: str | None  # None when compile() accepts the appended file
    original_compile_error: str | None  # the same for the file as it was
    size: int


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_files(root: Path) -> list[str]:
    """Every .py file under ``root`` (posix, relative, sorted), site-packages and
    __pycache__ left out."""
    found: list[str] = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            name for name in subdirectories if name not in ("site-packages", "__pycache__")
        )
        base = Path(directory)
        found.extend(
            (base / name).relative_to(root).as_posix() for name in files if name.endswith(".py")
        )
    return sorted(found)


def detect_encoding(raw: bytes) -> str | None:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError:
        return None
    return encoding


def append_probe(raw: bytes) -> tuple[bytes, int, str | None]:
    """``raw`` with the client appended; the client's line and the file's encoding.

    The probe uses the file's first line break and is encoded in the file's encoding
    (ASCII where none can be told); a file not ending in a line break gets one first.
    """
    encoding = detect_encoding(raw)
    first_break = _LINE_BREAK.search(raw)
    newline = first_break.group().decode("ascii") if first_break else "\n"
    probe = newline.join(PROBE_LINES) + newline
    if raw and not raw.endswith((b"\n", b"\r")):
        probe = newline + probe
    try:
        data = probe.encode(encoding.removesuffix("-sig") if encoding else "ascii")
    except (LookupError, UnicodeError):
        data = probe.encode("ascii")
    if data.decode("latin-1") != probe:  # not ASCII-compatible (utf-16): plain ASCII
        data = probe.encode("ascii")
    appended = raw + data
    # The client's line is the last: its number is the count of line breaks. Python
    # breaks lines at \r\n, \r and \n only (not at \f or U+2028), and no
    # ASCII-compatible encoding has those bytes inside a multi-byte character.
    client_line = len(_LINE_BREAK.findall(appended))
    return appended, client_line, encoding


def compile_problem(raw: bytes, filename: str) -> str | None:
    """Why this interpreter's ``compile()`` rejects ``raw`` (bytes: cookies and the
    BOM count, as for a file), or None. Warnings are neither shown nor errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(raw, filename, "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"{type(error).__name__}: line {error.lineno}: {error.msg}"
        except Exception as error:  # ValueError (NUL), RecursionError, MemoryError
            return f"{type(error).__name__}: {error}"
    return None


def build_corpus(sources: Iterable[tuple[str, bytes]], dest: Path) -> dict[str, CorpusFile]:
    """Write each (relative path, original bytes) under ``dest`` with the probe appended."""
    corpus: dict[str, CorpusFile] = {}
    for relative, raw in sources:
        appended, client_line, encoding = append_probe(raw)
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(appended)
        corpus[relative] = CorpusFile(
            path=relative,
            client_line=client_line,
            encoding=encoding,
            compile_error=compile_problem(appended, relative),
            original_compile_error=compile_problem(raw, relative),
            size=len(appended),
        )
    return corpus


def read_sources(root: Path, relatives: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    for relative in relatives:
        yield relative, (root / relative).read_bytes()


def snapshot(dest: Path, paths: Iterable[str]) -> dict[str, str]:
    return {path: hashlib.sha256((dest / path).read_bytes()).hexdigest() for path in paths}


# --- running the tool ---------------------------------------------------------------


@dataclass
class Step:
    """One run of the tool: what was run, its output, and what it cost."""

    name: str
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    wall: float
    cpu: float  # user + system of the process tree
    max_rss_kib: int  # largest single process of the tree
    peak_tree_rss_kib: int | None  # largest sampled sum over the tree (Linux only)
    load: float | None = None  # 1-minute load average when it ended (other work skews wall)

    def document(self) -> dict[str, Any]:
        """The JSON report (``{}`` when stdout is not JSON)."""
        try:
            parsed = json.loads(self.stdout)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


def tool_command() -> list[str]:
    script = Path(sys.executable).parent / "llmbase-migrate"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "llmbase_migrate"]


def _tree_rss_kib(pid: int) -> int:
    """RSS of ``pid`` and its descendants, from /proc."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE)
        total += int(match.group(1)) if match else 0
        pending.extend(int(child) for child in children)
    return total


def run_step(name: str, args: Sequence[str], *, cwd: Path) -> Step:
    """Run the tool with ``args`` in ``cwd``; output and cost of this one run."""
    argv = [*tool_command(), *args]
    sampling = Path("/proc/self/status").exists()
    peak = 0
    done = threading.Event()
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=env)

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, _tree_rss_kib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if sampling:
            sampler.start()
        # wait4 gives this child's usage only (its reaped workers included), where
        # getrusage(RUSAGE_CHILDREN) would mix every step run so far.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if sampling:
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return Step(
        name=name,
        argv=argv,
        returncode=process.returncode,
        stdout=stdout,
        stderr=stderr,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        # Linux reports kibibytes, macOS bytes.
        max_rss_kib=usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss,
        peak_tree_rss_kib=peak if sampling else None,
        load=os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    )


# --- the checks ---------------------------------------------------------------------


# The checks a problem belongs to (the numbers of the module docstring).
LB001, CLIENTS, FIX, HEALTH = "1 LB001", "2 clients", "3 fix", "4 health"


@dataclass(frozen=True)
class Problem:
    """One failed check, about one file when ``path`` is set."""

    check: str
    message: str
    path: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"[{self.check}] {where}{self.message}"


@dataclass
class Outcome:
    """What was found; ``problems`` are the failed checks (empty: the run is clean)."""

    files: int = 0
    megabytes: float = 0.0
    compile_rejected: list[str] = field(default_factory=list)
    changed_by_append: list[str] = field(default_factory=list)  # compile status flipped
    lb001: list[str] = field(default_factory=list)
    lb001_libcst_only: list[str] = field(default_factory=list)  # CPython compiles them
    skipped_undecodable: list[str] = field(default_factory=list)
    clients_found: int = 0
    clients_expected: int = 0
    fixed_files: int = 0
    fixed_findings: int = 0
    not_fixed: Counter[str] = field(default_factory=Counter)
    clients_left_after_fix: Counter[str] = field(default_factory=Counter)
    # why a compiling file's client kept a finding after fix -> those files
    clients_left: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    def fail(self, check: str, message: str, path: str | None = None) -> None:
        self.problems.append(Problem(check, message, path))

    def failed(self, check: str) -> list[Problem]:
        return [problem for problem in self.problems if problem.check == check]


def _by_path(document: dict[str, Any], key: str = "diagnostics") -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for diagnostic in document.get(key, []):
        grouped.setdefault(diagnostic["path"], []).append(diagnostic)
    return grouped


def _summary_list(document: dict[str, Any], key: str, value: str) -> dict[str, str]:
    return {entry["path"]: entry[value] for entry in document.get("summary", {}).get(key, [])}


def _describe(path: str, diagnostics: dict[str, list[dict[str, Any]]]) -> str:
    found = diagnostics.get(path, [])
    if not found:
        return "no findings"
    return "; ".join(f"{d['code']} at {d['line']}:{d['column']}: {d['message']}" for d in found)


def check_step_health(step: Step, corpus: Mapping[str, CorpusFile], outcome: Outcome) -> None:
    """Check 4 for one step: exit status, Failed outcomes, tracebacks, and every
    copied file accounted for (analysed, skipped with a reason, or failed)."""
    if step.returncode not in (0, 1):
        outcome.fail(HEALTH, f"{step.name}: exit status {step.returncode}")
    if "Traceback" in step.stderr or "Traceback" in step.stdout:
        outcome.fail(HEALTH, f"{step.name}: a traceback was printed:\n{step.stderr[-4000:]}")
    elif step.stderr.strip():
        lines = step.stderr.strip().splitlines()
        outcome.notes.append(
            f"{step.name}: {len(lines)} line(s) on stderr, first: " + " | ".join(lines[:5])
        )
    document = step.document()
    if not document:
        outcome.fail(HEALTH, f"{step.name}: stdout is not a JSON report: {step.stdout[:500]!r}")
        return
    failed = _summary_list(document, "failed", "error")
    for path, error in failed.items():
        outcome.fail(HEALTH, f"{step.name}: Failed: {error}", path)
    skipped = _summary_list(document, "skipped", "reason")
    scanned = int(document.get("summary", {}).get("files_scanned", 0))
    accounted = scanned + len(failed) + len(skipped.keys() & corpus.keys())
    if accounted != len(corpus):
        outcome.fail(
            HEALTH,
            f"{step.name}: {scanned} files analysed, {len(skipped)} skipped, {len(failed)} "
            f"failed, but {len(corpus)} copied (discovery left some out)",
        )


def evaluate_check(corpus: dict[str, CorpusFile], step: Step, outcome: Outcome) -> None:
    """Checks 1 and 2 on the JSON of ``check``."""
    document = step.document()
    diagnostics = _by_path(document)
    skipped = _summary_list(document, "skipped", "reason")
    rejected = {path for path, file in corpus.items() if file.compile_error is not None}
    lb001 = {
        path for path, found in diagnostics.items() if any(d["code"] == "LB001" for d in found)
    }
    outcome.compile_rejected = sorted(rejected)
    outcome.lb001 = sorted(lb001)
    outcome.changed_by_append = sorted(
        path
        for path, file in corpus.items()
        if (file.compile_error is None) != (file.original_compile_error is None)
    )
    for path in outcome.changed_by_append:
        file = corpus[path]
        outcome.notes.append(
            f"{path}: appending the client changed compile(): before {file.original_compile_error}"
            f", after {file.compile_error}"
        )
    unknown = lb001 - corpus.keys()
    for path in sorted(unknown):
        outcome.fail(LB001, "check: LB001 for a file that was not copied", path)
    # (1) LB001 == compile() rejects (+ LibCST-only failures, which are LB001 by our rule)
    for path in sorted(rejected - lb001):
        reason = skipped.get(path)
        if reason is not None and DECODE_REASONS.search(reason):
            outcome.skipped_undecodable.append(path)
            continue
        told = f"skipped: {reason}" if reason is not None else _describe(path, diagnostics)
        outcome.fail(
            LB001,
            f"check: compile() rejects it ({corpus[path].compile_error}) "
            f"but it is not LB001 ({told})",
            path,
        )
    for path, reason in sorted(skipped.items()):
        outcome.notes.append(f"check skipped {path}: {reason}")
    outcome.lb001_libcst_only = sorted((lb001 & corpus.keys()) - rejected)
    for path in outcome.lb001_libcst_only:
        messages = [d["message"] for d in diagnostics[path] if d["code"] == "LB001"]
        outcome.notes.append(f"LB001 but CPython compiles it: {path}: {'; '.join(messages)}")
    # (2) every compiling, parseable file has its client reported on the appended line
    expected = [path for path in sorted(corpus) if path not in rejected and path not in lb001]
    outcome.clients_expected = len(expected)
    for path in expected:
        line = corpus[path].client_line
        if any(d["code"] in CLIENT_CODES and d["line"] == line for d in diagnostics.get(path, [])):
            outcome.clients_found += 1
            continue
        told = f"skipped: {skipped[path]}" if path in skipped else _describe(path, diagnostics)
        outcome.fail(CLIENTS, f"check: no LB101/LB102 for the client on line {line} ({told})", path)


_STAR_IMPORT = re.compile(rb"^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]*\*", re.MULTILINE)
# What str.splitlines() breaks at and Python does not: \v \f \x1c \x1d \x1e \x85 U+2028 U+2029.
_NON_PYTHON_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def lines_of(raw: bytes) -> list[bytes]:
    """Python's lines (split at \\r\\n, \\r, \\n only), ends kept."""
    lines: list[bytes] = []
    start = 0
    for match in _LINE_BREAK.finditer(raw):
        lines.append(raw[start : match.end()])
        start = match.end()
    if start < len(raw):
        lines.append(raw[start:])
    return lines


def client_line_in(raw: bytes) -> int | None:
    """The line of the (last) appended client in ``raw``."""
    marker = PROBE_LINES[1].split("=")[0].encode("ascii")
    found = [n for n, line in enumerate(lines_of(raw), start=1) if line.startswith(marker)]
    return found[-1] if found else None


def lost_line(original: bytes, fixed: bytes, client_line: int) -> tuple[int, bytes] | None:
    """The first line of ``original`` (the client's line aside) that ``fixed`` does not
    keep in order, or None. Fixing the probe adds arguments to the client's line and
    may add an import: every other line must survive unchanged."""
    kept = iter(lines_of(fixed))
    for number, line in enumerate(lines_of(original), start=1):
        if number == client_line:
            continue
        if not any(candidate == line for candidate in kept):
            return number, line
    return None


def _why_left(raw: bytes, encoding: str | None, found: list[dict[str, Any]]) -> str:
    """A guess at why a client finding survived ``fix`` (for the notes)."""
    reasons = ["a fix was offered" if any(d["fix"] for d in found) else "no fix offered"]
    if _STAR_IMPORT.search(raw):
        reasons.append("the module has a star import")
    try:
        text = raw.decode((encoding or "utf-8").removesuffix("-sig"))
    except (LookupError, UnicodeError):
        text = ""
    odd = sorted(set(_NON_PYTHON_BREAKS.findall(text)))
    if odd:
        reasons.append(f"the text holds {''.join(odd)!r}, a line break to str.splitlines only")
    return ", ".join(reasons)


def evaluate_fix(
    corpus: dict[str, CorpusFile],
    dest: Path,
    originals: Mapping[str, bytes],
    fix: Step,
    after_fix: dict[str, str],
    refix: Step,
    after_refix: dict[str, str],
    outcome: Outcome,
) -> None:
    """Check 3: compiling files still compile and keep every original line, the
    others are untouched, and the fix is a fixed point."""
    before = {path: hashlib.sha256(raw).hexdigest() for path, raw in originals.items()}
    document = fix.document()
    summary = document.get("summary", {})
    outcome.fixed_files = int(summary.get("files_fixed", 0))
    outcome.fixed_findings = int(summary.get("fixed", 0))
    for reason in _summary_list(document, "not_fixed", "reason").values():
        # Group "not fixed: the file does not compile as it is (line 3: ...)" by its gist.
        outcome.not_fixed[reason.split(" (", 1)[0]] += 1
    changed = {path for path in corpus if before[path] != after_fix[path]}
    fixed_by_path = _by_path(document, "fixed")
    if len(changed) != outcome.fixed_files:
        outcome.fail(
            FIX,
            f"fix: {len(changed)} files changed on disk but the report says "
            f"{outcome.fixed_files} were fixed",
        )
    for path in sorted(corpus):
        file = corpus[path]
        if file.compile_error is not None:
            if path in changed:
                outcome.fail(FIX, "fix: it did not compile and was modified", path)
            continue
        if path not in changed:
            continue
        fixed = (dest / path).read_bytes()
        problem = compile_problem(fixed, path)
        if problem is not None:
            applied = _describe(path, fixed_by_path)
            outcome.fail(
                FIX, f"fix: compiled before, not after: {problem} (fixed: {applied})", path
            )
        lost = lost_line(originals[path], fixed, file.client_line)
        if lost is not None:
            number, text = lost
            applied = _describe(path, fixed_by_path)
            outcome.fail(
                FIX, f"fix: changed or removed line {number} {text!r} (fixed: {applied})", path
            )
    remaining = _by_path(refix.document())
    for path in sorted(corpus):
        file = corpus[path]
        # An added import moves the client down: find its line again.
        line = client_line_in((dest / path).read_bytes()) or file.client_line
        left = [
            d for d in remaining.get(path, []) if d["code"] in CLIENT_CODES and d["line"] == line
        ]
        for diagnostic in left:
            outcome.clients_left_after_fix[diagnostic["code"]] += 1
        if left and file.compile_error is None:
            codes = "/".join(d["code"] for d in left)
            why = _why_left((dest / path).read_bytes(), file.encoding, left)
            outcome.clients_left.setdefault(f"{codes}, {why}", []).append(path)
    second = refix.document().get("summary", {})
    if second.get("files_fixed") or refix.document().get("fixed"):
        outcome.fail(
            FIX,
            f"second fix: fixed {second.get('fixed')} findings "
            f"in {second.get('files_fixed')} files",
        )
    refixed = _by_path(refix.document(), "fixed")
    for path in sorted(path for path in corpus if after_fix[path] != after_refix[path]):
        outcome.fail(FIX, f"second fix: changed again ({_describe(path, refixed)})", path)


def _save(work: Path, step: Step) -> None:
    """The step's output beside the copy (kept with --keep)."""
    stem = step.name.replace(" ", "-")
    (work / f"{stem}.json").write_text(step.stdout)
    (work / f"{stem}.stderr").write_text(step.stderr)


def run(
    sources: Iterable[tuple[str, bytes]],
    work: Path,
    *,
    jobs: int | None = None,
    log: bool = False,
) -> Outcome:
    """Build the corpus under ``work``, run check / fix / fix, and evaluate."""
    dest = work / CORPUS_DIR
    dest.mkdir(parents=True)
    config = work / "llmbase-migrate.toml"
    config.write_text(CONFIG)

    def say(message: str) -> None:
        if log:
            print(message, file=sys.stderr, flush=True)

    corpus = build_corpus(sources, dest)
    outcome = Outcome(files=len(corpus), megabytes=sum(f.size for f in corpus.values()) / 1e6)
    say(f"copied {outcome.files} files ({outcome.megabytes:.1f} MB) to {dest}")
    common = ["--config", str(config), "--offline", "--no-respect-gitignore"]
    common += ["--output-format", "json"]
    if jobs is not None:
        common += ["--jobs", str(jobs)]
    originals = {path: (dest / path).read_bytes() for path in corpus}
    before = snapshot(dest, corpus)

    say("check ...")
    check = run_step("check", ["check", *common, "."], cwd=dest)
    outcome.steps.append(check)
    _save(work, check)
    check_step_health(check, corpus, outcome)
    if snapshot(dest, corpus) != before:
        outcome.fail(HEALTH, "check: files changed on disk")
    evaluate_check(corpus, check, outcome)

    say("fix --unsafe-fixes ...")
    fix = run_step("fix", ["fix", "--unsafe-fixes", *common, "."], cwd=dest)
    outcome.steps.append(fix)
    _save(work, fix)
    check_step_health(fix, corpus, outcome)
    after_fix = snapshot(dest, corpus)

    say("fix --unsafe-fixes again ...")
    refix = run_step("second fix", ["fix", "--unsafe-fixes", *common, "."], cwd=dest)
    outcome.steps.append(refix)
    _save(work, refix)
    check_step_health(refix, corpus, outcome)
    after_refix = snapshot(dest, corpus)
    evaluate_fix(corpus, dest, originals, fix, after_fix, refix, after_refix, outcome)
    return outcome


# --- the command --------------------------------------------------------------------


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def render(outcome: Outcome) -> str:
    lines = [
        f"files: {outcome.files} ({outcome.megabytes:.1f} MB with the client appended)",
        f"compile() rejects: {len(outcome.compile_rejected)}",
        f"reported LB001: {len(outcome.lb001)} "
        f"(of which CPython compiles {len(outcome.lb001_libcst_only)}: LibCST cannot parse them)",
        f"compile() rejects, skipped as undecodable: {len(outcome.skipped_undecodable)}"
        + (f" ({', '.join(outcome.skipped_undecodable)})" if outcome.skipped_undecodable else ""),
        f"appended client reported (LB101/LB102 on its line): "
        f"{outcome.clients_found} of {outcome.clients_expected} compiling, parseable files",
        f"fix: {outcome.fixed_findings} findings fixed in {outcome.fixed_files} files",
    ]
    lines += [f"  not fixed, {count} file(s): {why}" for why, count in outcome.not_fixed.items()]
    left = ", ".join(f"{code} {n}" for code, n in sorted(outcome.clients_left_after_fix.items()))
    lines.append(f"client findings left after fix: {left or 'none'}")
    for why, paths in sorted(outcome.clients_left.items()):
        shown = ", ".join(paths[:12]) + (", ..." if len(paths) > 12 else "")
        lines.append(f"  in {len(paths)} compiling file(s): {why}: {shown}")
    lines.append("steps:")
    for step in outcome.steps:
        lines.append(
            f"  {step.name:11s} wall {step.wall:7.1f} s  cpu {step.cpu:7.1f} s  "
            f"max rss (one process) {_mib(step.max_rss_kib):>8s}  "
            f"peak rss (tool + workers) {_mib(step.peak_tree_rss_kib):>8s}  "
            f"exit {step.returncode}  load {'n/a' if step.load is None else f'{step.load:.1f}'}"
        )
    if outcome.compile_rejected:
        lines.append("compile() rejects:")
        lines += [f"  {path}" for path in outcome.compile_rejected]
    if outcome.notes:
        lines.append(f"notes ({len(outcome.notes)}):")
        lines += [f"  {note}" for note in outcome.notes]
    if outcome.problems:
        lines.append(f"FAILED CHECKS ({len(outcome.problems)}):")
        lines += [f"  {problem}" for problem in outcome.problems]
    else:
        lines.append("all checks passed")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, help="only the first N files (sorted by path)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: the tool's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--stdlib", type=Path, default=None, help="the library to copy")
    args = parser.parse_args(argv)

    root = args.stdlib or stdlib_dir()
    relatives = stdlib_files(root)
    if args.limit is not None:
        relatives = relatives[: args.limit]
    work = Path(tempfile.mkdtemp(prefix="llmbase-stdlib-"))
    try:
        print(f"{sys.version.split()[0]} stdlib at {root}", flush=True)
        outcome = run(read_sources(root, relatives), work, jobs=args.jobs, log=True)
        print(render(outcome))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
