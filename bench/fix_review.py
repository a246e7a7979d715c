"""Lay out every client fix the tool offers on public repositories, for a person to judge.

A client's base URL, key and Azure findings (LB101, LB102, LB103, LB106; LB107 with
``--lb107``) share the client's one fix. For each repository of ``--repos`` (checked out
at ``<root>/<owner>+<name>``, at the commit the file names) this runs the installed
``llmbase-migrate`` in subprocesses, never touching the network:

- ``check --output-format json --offline --no-cache``: the findings and their fixes
  (applicability, message, edits);
- ``fix --diff --offline --no-cache``, safe fixes, then with ``--unsafe-fixes``: what
  each fix writes, and the files a fix would not be applied to;
- ``migrate --offline --allow-dirty`` on a throwaway copy of the repository's Python
  files: the Markdown report is the only output that says *why* an applied fix is
  unsafe (the JSON has no ``reason``);
- ``check --select LB107``: the clients kept off LLMBase on purpose, to check that
  none of them should have moved.

It writes ``<out>/<owner>+<name>.md`` listing each distinct client fix once (file:line,
the codes it serves, safe or unsafe, its reason, whether each run applied it, and the
diff hunks it produces), the client findings without a fix, the clients kept, and the
hunks of client-fixed files that no single fix accounts for (an added ``import os``).
It prints one line of totals per repository:

- ``constructors``: OpenAI-family constructor calls in the tracked Python files that
  import ``openai`` (matched by name, so another package's ``OpenAI`` class counts too);
- ``clients``: distinct clients with a client finding (findings grouped by the
  constructor call around them);
- ``fixes_safe``, ``fixes_unsafe``: distinct client fixes the first round offers;
  ``applied_safe_run``, ``applied_unsafe_run``: those with a hunk in each diff;
- ``findings_without_fix``: client findings the first round offers no fix for (a later
  round may still fix one, once another fix has moved its client: its edit then shows
  inside that fix's hunks);
- ``kept_lb107``: clients kept off LLMBase on purpose.

Output is deterministic: no times, sorted everywhere, so two runs over the same
checkouts give the same files.

Usage::

    python bench/fix_review.py [--root /work/eval] [--repos bench/eval_repos.toml]
                               [--out bench/out] [--only OWNER/NAME] [--lb107]
    python bench/fix_review.py --dir fixtures/corpus [--dir ...]   # a directory as it is
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

BENCH = Path(__file__).resolve().parent
CLIENT_CODES = ("LB101", "LB102", "LB103", "LB106")
CLIENT_CLASSES = frozenset({"OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI"})
SDK_ALIASES = frozenset({"Client", "AsyncClient"})
TOOL = ("llmbase-migrate",)
HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
REVIEW_LINE = re.compile(
    r"^- `(?P<path>.+?)` (?P<line>\d+):(?P<col>\d+) \*\*(?P<codes>[^*]+)\*\* (?P<rest>.*)$"
)


@dataclass(frozen=True)
class Repo:
    name: str
    commit: str
    kind: str
    # a directory reviewed as it is (--dir), instead of a checkout under --root
    path: Path | None = None

    @property
    def directory(self) -> str:
        return self.name.replace("/", "+")

    def checkout(self, root: Path) -> Path:
        return self.path if self.path is not None else root / self.directory


@dataclass
class Hunk:
    path: str
    header: str
    lines: list[str]
    # lines of the original file the hunk removes, or inserts next to
    touched: set[int] = field(default_factory=set)

    def text(self) -> str:
        return "\n".join([self.header, *self.lines])


@dataclass
class ClientFix:
    path: str
    line: int
    column: int
    codes: list[str]
    applicability: str
    message: str
    edits: list[dict[str, Any]]
    reason: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    hunks_safe: list[Hunk] = field(default_factory=list)
    hunks_unsafe: list[Hunk] = field(default_factory=list)

    def rows(self) -> range:
        if not self.edits:
            return range(0)
        first = min(edit["location"]["row"] for edit in self.edits)
        last = max(edit["end_location"]["row"] for edit in self.edits)
        return range(first, last + 1)


@dataclass
class Review:
    repo: Repo
    fixes: list[ClientFix]
    unfixed: list[dict[str, Any]]
    kept: list[dict[str, Any]]
    clients: int
    constructors: int
    notes_safe: list[str]
    notes_unsafe: list[str]
    stray_hunks: list[Hunk]


def load_repos(path: Path) -> list[Repo]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Repo(entry["name"], entry["commit"], entry.get("kind", "")) for entry in document["repo"]
    ]


def run(
    arguments: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TOOL, *arguments], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def head_commit(checkout: Path) -> str:
    completed = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip()


def check_json(checkout: Path, extra: Sequence[str]) -> list[dict[str, Any]]:
    completed = run(
        ["check", "--offline", "--no-cache", "--output-format", "json", "--exit-zero", *extra, "."],
        checkout,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"check failed in {checkout}: {completed.stderr.strip()}")
    diagnostics: list[dict[str, Any]] = json.loads(completed.stdout)["diagnostics"]
    return diagnostics


def fix_diff(checkout: Path, unsafe: bool, extra: Sequence[str]) -> tuple[list[Hunk], list[str]]:
    arguments = ["fix", "--diff", "--offline", "--no-cache", *extra]
    if unsafe:
        arguments.append("--unsafe-fixes")
    completed = run([*arguments, "."], checkout)
    if completed.returncode == 2:
        raise RuntimeError(f"fix --diff failed in {checkout}: {completed.stderr.strip()}")
    notes = [line for line in completed.stderr.splitlines()[:-1] if line.strip()]
    return parse_diff(completed.stdout), notes


def parse_diff(text: str) -> list[Hunk]:
    hunks: list[Hunk] = []
    path = ""
    current: Hunk | None = None
    old_line = 0
    for line in text.splitlines():
        if line.startswith("--- a/"):
            current = None
            continue
        if line.startswith("+++ b/"):
            path = line[len("+++ b/") :]
            continue
        header = HUNK_HEADER.match(line)
        if header:
            current = Hunk(path, line, [])
            hunks.append(current)
            old_line = int(header.group(1))
            continue
        if current is None:
            continue
        current.lines.append(line)
        if line.startswith("-"):
            current.touched.add(old_line)
            old_line += 1
        elif line.startswith("+"):
            # an insertion sits between two old lines: either may be the edit's row
            current.touched.update({old_line - 1, old_line})
        elif line.startswith(" "):
            old_line += 1
    return hunks


def migrate_reasons(checkout: Path) -> dict[tuple[str, int, int], tuple[str, str]]:
    """(path, line, column) of each unsafe fix migrate applied -> (codes, text after the
    codes: the fix's message, then ": " and its reason)."""
    with tempfile.TemporaryDirectory(prefix="fix-review-") as scratch:
        copy = Path(scratch) / "repo"
        copy_python_tree(checkout, copy)
        report = Path(scratch) / "report.md"
        env = dict(os.environ, XDG_CACHE_HOME=str(Path(scratch) / "cache"))
        completed = run(
            ["migrate", "--offline", "--allow-dirty", "--jobs", "2", "--report", str(report), "."],
            copy,
            env,
        )
        if completed.returncode == 2 or not report.exists():
            raise RuntimeError(f"migrate failed in {checkout}: {completed.stderr.strip()}")
        text = report.read_text(encoding="utf-8")
    reasons: dict[tuple[str, int, int], tuple[str, str]] = {}
    in_review = False
    for line in text.splitlines():
        if line.startswith("### "):
            in_review = line == "### Review these fixes"
            continue
        match = REVIEW_LINE.match(line) if in_review else None
        if match:
            key = (match["path"], int(match["line"]), int(match["col"]))
            reasons[key] = (match["codes"], match["rest"].replace("\\|", "|"))
    return reasons


def copy_python_tree(source: Path, destination: Path) -> None:
    """The repository's Python files and what decides which are checked (.gitignore,
    pyproject.toml), under an empty ``.git`` so .gitignore files count as they do in
    the checkout."""
    destination.mkdir(parents=True)
    (destination / ".git").mkdir()
    for directory, subdirectories, files in os.walk(source):
        subdirectories[:] = sorted(name for name in subdirectories if name != ".git")
        relative = Path(directory).relative_to(source)
        for name in files:
            if not (name.endswith(".py") or name in {".gitignore", "pyproject.toml"}):
                continue
            origin = Path(directory) / name
            target = destination / relative / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_symlink():
                target.symlink_to(origin.readlink())
            elif origin.is_file():
                shutil.copy2(origin, target)


def group_fixes(diagnostics: Iterable[dict[str, Any]], codes: Sequence[str]) -> list[ClientFix]:
    """One entry per distinct fix: the findings of a client share one."""
    grouped: dict[tuple[str, str], ClientFix] = {}
    for diagnostic in diagnostics:
        fix = diagnostic["fix"]
        if diagnostic["code"] not in codes or fix is None:
            continue
        identity = (diagnostic["path"], json.dumps(fix, sort_keys=True))
        entry = grouped.get(identity)
        if entry is None:
            entry = ClientFix(
                path=diagnostic["path"],
                line=diagnostic["line"],
                column=diagnostic["column"],
                codes=[],
                applicability=fix["applicability"],
                message=fix["message"],
                edits=fix["edits"],
            )
            grouped[identity] = entry
        entry.findings.append(diagnostic)
        if diagnostic["code"] not in entry.codes:
            entry.codes.append(diagnostic["code"])
    fixes = sorted(grouped.values(), key=lambda f: (f.path, f.line, f.column, f.codes))
    for entry in fixes:
        entry.codes.sort()
    return fixes


def attach_hunks(fixes: Sequence[ClientFix], hunks: Sequence[Hunk], *, unsafe: bool) -> None:
    for entry in fixes:
        rows = set(entry.rows())
        matching = [h for h in hunks if h.path == entry.path and h.touched & rows]
        if unsafe:
            entry.hunks_unsafe = matching
        else:
            entry.hunks_safe = matching


def attach_reasons(
    fixes: Sequence[ClientFix], reasons: dict[tuple[str, int, int], tuple[str, str]]
) -> None:
    for entry in fixes:
        if entry.applicability != "unsafe":
            continue
        message = entry.message.replace("\n", " ")
        found = next(
            (
                reasons[key]
                for key in ((d["path"], d["line"], d["column"]) for d in entry.findings)
                if key in reasons
            ),
            None,
        )
        if found is None:
            entry.reason = "(not in migrate's report: migrate did not apply it)"
        elif found[1].startswith(message + ": "):
            entry.reason = found[1][len(message) + 2 :]
        elif found[1] == message:
            entry.reason = "(no reason given)"
        else:
            entry.reason = f"(report line for another fix here) {found[1]}"


def constructor_lines(source: str) -> list[tuple[int, int]]:
    """(first, last) lines of each OpenAI-family constructor call in ``source``:
    ``OpenAI(...)``, ``AzureOpenAI(...)`` and their async forms, under any name the
    module imports them as, and ``openai.Client(...)``/``openai.AsyncClient(...)``
    (the SDK's aliases) through any name ``openai`` is imported as. Names only:
    a name bound to a class of another package (agno's ``OpenAI``) is counted too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
    classes = set(CLIENT_CLASSES)
    modules = {"openai"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(a.asname for a in node.names if a.name == "openai" and a.asname)
        elif isinstance(node, ast.ImportFrom) and node.module == "openai":
            for alias in node.names:
                if alias.name in CLIENT_CLASSES | SDK_ALIASES:
                    classes.add(alias.asname or alias.name)
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name):
            known = function.id in classes
        elif isinstance(function, ast.Attribute):
            known = function.attr in CLIENT_CLASSES or (
                function.attr in SDK_ALIASES
                and isinstance(function.value, ast.Name)
                and function.value.id in modules
            )
        else:
            known = False
        if known:
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return sorted(spans)


def imports_openai(source: str) -> bool:
    return re.search(r"^\s*(?:from\s+openai\b|import\s+openai\b)", source, re.MULTILINE) is not None


def count_constructors(checkout: Path) -> int:
    listed = subprocess.run(
        ["git", "-C", str(checkout), "ls-files", "-z", "*.py"], capture_output=True, check=False
    ).stdout.split(b"\0")
    total = 0
    for raw in listed:
        if not raw:
            continue
        path = checkout / os.fsdecode(raw)
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "openai" in source and imports_openai(source):
            total += len(constructor_lines(source))
    return total


MODULE_SETTING = re.compile(r"^\s*[\w.]+\.(?:api_key|base_url|api_base|api_type|organization)\s*=")


def client_key(
    checkout: Path,
    diagnostic: dict[str, Any],
    cache: dict[str, tuple[list[str], list[tuple[int, int]]]],
) -> tuple[str, int | str]:
    """The client a finding belongs to: the innermost constructor call around it, the
    module client for ``openai.*`` settings, else the finding's own line."""
    path = diagnostic["path"]
    if path not in cache:
        try:
            source = (checkout / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            source = ""
        cache[path] = (source.splitlines(), constructor_lines(source))
    lines, spans = cache[path]
    line = diagnostic["line"]
    around = [span for span in spans if span[0] <= line <= span[1]]
    if around:
        return (path, max(around)[0])
    if 0 < line <= len(lines) and MODULE_SETTING.match(lines[line - 1]):
        return (path, "module client")
    return (path, line)


def review(repo: Repo, root: Path, lb107: bool) -> Review:
    checkout = repo.checkout(root)
    if not checkout.is_dir():
        raise RuntimeError(f"{repo.name}: no checkout at {checkout}")
    head = head_commit(checkout)
    if repo.path is None and head != repo.commit:
        raise RuntimeError(f"{repo.name}: checkout is at {head or '?'}, not {repo.commit}")
    extra = ["--extend-select", "LB107"] if lb107 else []
    codes = (*CLIENT_CODES, "LB107") if lb107 else CLIENT_CODES
    diagnostics = check_json(checkout, extra)
    fixes = group_fixes(diagnostics, codes)
    hunks_safe, notes_safe = fix_diff(checkout, unsafe=False, extra=extra)
    hunks_unsafe, notes_unsafe = fix_diff(checkout, unsafe=True, extra=extra)
    attach_hunks(fixes, hunks_safe, unsafe=False)
    attach_hunks(fixes, hunks_unsafe, unsafe=True)
    attach_reasons(fixes, migrate_reasons(checkout))
    client_findings = [d for d in diagnostics if d["code"] in codes]
    unfixed = [d for d in client_findings if d["fix"] is None]
    kept = [d for d in check_json(checkout, ["--select", "LB107"]) if d["code"] == "LB107"]
    spans: dict[str, tuple[list[str], list[tuple[int, int]]]] = {}
    clients = {client_key(checkout, d, spans) for d in client_findings}
    fixed_paths = {entry.path for entry in fixes}
    claimed = {id(h) for entry in fixes for h in entry.hunks_unsafe}
    stray = [h for h in hunks_unsafe if h.path in fixed_paths and id(h) not in claimed]
    return Review(
        repo=repo,
        fixes=fixes,
        unfixed=sorted(unfixed, key=lambda d: (d["path"], d["line"], d["column"], d["code"])),
        kept=sorted(kept, key=lambda d: (d["path"], d["line"], d["column"])),
        clients=len(clients),
        constructors=count_constructors(checkout),
        notes_safe=notes_safe,
        notes_unsafe=notes_unsafe,
        stray_hunks=stray,
    )


def totals(result: Review) -> dict[str, int]:
    safe = [f for f in result.fixes if f.applicability == "safe"]
    unsafe = [f for f in result.fixes if f.applicability == "unsafe"]
    return {
        "constructors": result.constructors,
        "clients": result.clients,
        "fixes_safe": len(safe),
        "fixes_unsafe": len(unsafe),
        "applied_safe_run": sum(1 for f in safe if f.hunks_safe),
        "applied_unsafe_run": sum(1 for f in result.fixes if f.hunks_unsafe),
        "findings_without_fix": len(result.unfixed),
        "kept_lb107": len(result.kept),
    }


def render(result: Review) -> str:
    repo = result.repo
    counts = totals(result)
    out = [
        f"# {repo.name} @ {repo.commit or 'working tree'}",
        "",
        f"{repo.kind}",
        "",
        "Totals: " + ", ".join(f"{key} {value}" for key, value in counts.items()),
        "",
        "## Client fixes",
        "",
    ]
    for number, entry in enumerate(result.fixes, 1):
        applied = (
            f"safe run: {'applied' if entry.hunks_safe else 'not applied'}; "
            f"unsafe run: {'applied' if entry.hunks_unsafe else 'not applied'}"
        )
        out += [
            f"### F{number:02d} `{entry.path}:{entry.line}` {', '.join(entry.codes)} "
            f"[{entry.applicability}]",
            "",
            f"- message: {entry.message}",
        ]
        if entry.applicability == "unsafe":
            out.append(f"- reason: {entry.reason}")
        out += [f"- {applied}", "- findings:"]
        out += [f"  - {d['code']} {d['line']}:{d['column']} {d['message']}" for d in entry.findings]
        hunks = entry.hunks_unsafe or entry.hunks_safe
        if hunks:
            out += ["", "```diff", *(h.text() for h in hunks), "```"]
        else:
            out += [
                "",
                "edits (no hunk in either diff):",
                "```json",
                json.dumps(entry.edits, indent=1),
                "```",
            ]
        out.append("")
    out += ["## Client findings without a fix", ""]
    out += [f"- `{d['path']}:{d['line']}` {d['code']} {d['message']}" for d in result.unfixed] or [
        "(none)"
    ]
    out += ["", "## Clients kept off LLMBase (LB107)", ""]
    out += [f"- `{d['path']}:{d['line']}` {d['message']}" for d in result.kept] or ["(none)"]
    out += ["", "## Hunks in client-fixed files that no client fix accounts for (unsafe run)", ""]
    if result.stray_hunks:
        for hunk in result.stray_hunks:
            out += [f"`{hunk.path}`", "```diff", hunk.text(), "```"]
    else:
        out.append("(none)")
    out += ["", "## Files a fix would not be applied to", ""]
    notes = [f"- safe run: {n}" for n in result.notes_safe] + [
        f"- unsafe run: {n}" for n in result.notes_unsafe
    ]
    out += notes or ["(none)"]
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/work/eval"))
    parser.add_argument("--repos", type=Path, default=BENCH / "eval_repos.toml")
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    parser.add_argument("--only", action="append", help="owner/name (repeatable)")
    parser.add_argument(
        "--dir",
        action="append",
        type=Path,
        help="review this directory as it is instead of the repositories (repeatable)",
    )
    parser.add_argument(
        "--lb107", action="store_true", help="also select LB107 and review its fixes"
    )
    args = parser.parse_args()
    if shutil.which(TOOL[0]) is None:
        parser.error(f"{TOOL[0]} is not on PATH (activate the project's venv)")
    if args.dir:
        repos = [
            Repo(f"dir/{path.as_posix().strip('/')}", "", "local directory", path.resolve())
            for path in args.dir
        ]
    else:
        repos = [r for r in load_repos(args.repos) if not args.only or r.name in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    grand: dict[str, int] = defaultdict(int)
    failed = 0
    for repo in repos:
        try:
            result = review(repo, args.root, args.lb107)
        except RuntimeError as error:
            print(f"{repo.name}: error: {error}", file=sys.stderr)
            failed += 1
            continue
        (args.out / f"{repo.directory}.md").write_text(render(result), encoding="utf-8")
        counts = totals(result)
        for key, value in counts.items():
            grand[key] += value
        print(f"{repo.name}: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    print("all: " + ", ".join(f"{key} {value}" for key, value in grand.items()))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
