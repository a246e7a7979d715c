"""Recall and false alarms of llmbase-migrate on hand-labelled public repositories.

Runs ``EXE check --output-format json --offline --no-cache --exit-zero .`` in each
repository of a labels file (``bench/recall_labels.toml``; the cwd is the repository
root, so its own configuration is honoured) and matches the findings to the labels:

- a label is found when a finding of its rule family is reported at the label's place
  (its file and line, or one of its ``alt`` places), or names that place in its message
  (``set in config.py:7`` at a sink, or ``used in 3 places: app/chat.py:31, 49`` at
  the value);
- a finding of a labelled rule family that matches no label is reported either at a
  label's ``sink`` (where the value is used: the right problem, not the place to edit)
  or is wrong (a false alarm; those at a ``[[keep]]`` place are counted apart as well);
- findings of the other rules (LB105, LB205, ...) are listed, not scored.

Usage:

    python bench/recall_score.py EXE bench/recall_labels.toml /work/recall \\
        [--before OLD_EXE] [--details] [--json FILE]

``--before`` runs a second executable and prints both side by side (before, after).
The catalog is the one bundled with each executable: the run gets an empty cache
directory, so a catalog cached on this machine cannot change the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

FAMILIES: dict[str, frozenset[str]] = {
    "base_url": frozenset({"LB101", "LB106"}),
    "key": frozenset({"LB102", "LB103", "LB104", "LB106"}),
    "model": frozenset({"LB301"}),
    "routing": frozenset({"LB201", "LB202", "LB203", "LB204"}),
    "param": frozenset({"LB201", "LB202", "LB203", "LB204"}),
    "endpoint": frozenset({"LB401", "LB501"}),
}
SCORED_CODES = frozenset().union(*FAMILIES.values())
# The one category a false alarm is counted under (LB106 is a base URL and a key finding).
ALARM_CATEGORY = {
    **dict.fromkeys(FAMILIES["routing"], "routing"),
    "LB101": "base_url",
    "LB106": "base_url",
    "LB102": "key",
    "LB103": "key",
    "LB104": "key",
    "LB301": "model",
    "LB401": "endpoint",
    "LB501": "endpoint",
}
SHAPES = (
    "direct",
    "module_const",
    "other_module",
    "config_field",
    "fallback",
    "ternary",
    "dict_steps",
    "helper",
    "parameter",
    "endpoint",
    "other",
)

_SET_IN = re.compile(r"set in ((?:[^\s,;()]+:\d+)(?:, [^\s,;()]+:\d+)*)")
_USED_IN = re.compile(r"used in \d+ places?: ([^;]*?)(?: and \d+ more)?(?:$|;)")

Place = tuple[str, int]
CHECK_ARGS = ("check", "--output-format", "json", "--offline", "--no-cache", "--exit-zero", ".")


@dataclass(frozen=True)
class Label:
    repo: str
    file: str
    line: int
    category: str
    shape: str
    note: str
    alt: tuple[Place, ...] = ()
    sink: tuple[Place, ...] = ()

    @property
    def places(self) -> frozenset[Place]:
        return frozenset({(self.file, self.line), *self.alt})

    @property
    def sinks(self) -> frozenset[Place]:
        return frozenset(self.sink)

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Keep:
    repo: str
    file: str
    line: int
    end_line: int
    what: str

    @property
    def places(self) -> frozenset[Place]:
        return frozenset((self.file, line) for line in range(self.line, self.end_line + 1))


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str

    @property
    def places(self) -> frozenset[Place]:
        return frozenset({(self.path, self.line), *named_places(self.message)})

    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class RepoResult:
    findings: list[Finding]
    found: set[Label] = field(default_factory=set)
    found_at_sink: set[Label] = field(default_factory=set)
    false_alarms: list[Finding] = field(default_factory=list)
    at_sink: list[Finding] = field(default_factory=list)
    at_keep: list[tuple[Finding, Keep]] = field(default_factory=list)
    other_rules: list[Finding] = field(default_factory=list)
    error: str | None = None


def named_places(message: str) -> list[Place]:
    """The places a message names: ``set in a.py:3, b.py:5`` and ``used in 2 places: a.py:3, 9``."""
    places: list[Place] = []
    for match in _SET_IN.finditer(message):
        for item in match.group(1).split(", "):
            path, _, line = item.rpartition(":")
            places.append((path, int(line)))
    for match in _USED_IN.finditer(message):
        current = ""
        for item in match.group(1).split(", "):
            item = item.strip()
            if not item:
                continue
            if item.isdigit():
                if current:
                    places.append((current, int(item)))
                continue
            path, _, line = item.rpartition(":")
            if line.isdigit():
                current = path
                places.append((path, int(line)))
    return places


def _places(texts: Iterable[str]) -> tuple[Place, ...]:
    """``a.py:3`` and ``a.py:3-5`` (a range of lines)."""
    places: list[Place] = []
    for text in texts:
        path, _, lines = text.rpartition(":")
        first, _, last = lines.partition("-")
        places += [(path, line) for line in range(int(first), int(last or first) + 1)]
    return tuple(places)


def load_labels(path: Path) -> tuple[dict[str, dict[str, str]], list[Label], list[Keep]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    repos: dict[str, dict[str, str]] = data["repos"]
    labels = [
        Label(
            repo=entry["repo"],
            file=entry["file"],
            line=entry["line"],
            category=entry["category"],
            shape=entry["shape"],
            note=entry.get("note", ""),
            alt=_places(entry.get("alt", [])),
            sink=_places(entry.get("sink", [])),
        )
        for entry in data.get("label", [])
    ]
    keeps = [
        Keep(
            repo=entry["repo"],
            file=entry["file"],
            line=entry["line"],
            end_line=entry.get("end_line", entry["line"]),
            what=entry["what"],
        )
        for entry in data.get("keep", [])
    ]
    for label in labels:
        if label.repo not in repos:
            raise SystemExit(f"recall_score: label for unknown repository {label.repo}")
        if label.category not in FAMILIES:
            raise SystemExit(f"recall_score: unknown category {label.category!r} at {label}")
        if label.shape not in SHAPES:
            raise SystemExit(f"recall_score: unknown shape {label.shape!r} at {label}")
    return repos, labels, keeps


def head_commit(directory: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def resolve_executable(name: str) -> str:
    """An absolute path: each run's cwd is a repository, where a relative name would not resolve."""
    found = shutil.which(name) if os.sep not in name else name
    if found is None or not os.access(found, os.X_OK):
        raise SystemExit(f"recall_score: no executable {name}")
    return str(Path(found).absolute())


def run_check(executable: str, directory: Path) -> tuple[list[Finding], str | None]:
    with tempfile.TemporaryDirectory(prefix="recall-cache-") as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        env.pop("LLMBASE_API_KEY", None)
        completed = subprocess.run(
            [executable, *CHECK_ARGS],
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        document = json.loads(completed.stdout)
    except json.JSONDecodeError:
        return [], f"exit {completed.returncode}: {completed.stderr.strip()[:300]}"
    error = None
    if completed.returncode not in (0, 1):
        error = f"exit {completed.returncode}: {completed.stderr.strip()[:300]}"
    findings = [
        Finding(
            path=item["path"],
            line=item["line"],
            code=item["code"],
            message=item["message"],
        )
        for item in document["diagnostics"]
    ]
    findings.sort(key=lambda finding: (finding.path, finding.line, finding.code, finding.message))
    return findings, error


def score_repo(
    findings: list[Finding], labels: Sequence[Label], keeps: Sequence[Keep]
) -> RepoResult:
    result = RepoResult(findings=findings)
    keep_at = {place: keep for keep in keeps for place in keep.places}
    for finding in findings:
        if finding.code not in SCORED_CODES:
            result.other_rules.append(finding)
            continue
        matched = [
            label
            for label in labels
            if finding.code in FAMILIES[label.category] and label.places & finding.places
        ]
        result.found.update(matched)
        if matched:
            continue
        result.false_alarms.append(finding)
        used_at = [
            label
            for label in labels
            if finding.code in FAMILIES[label.category] and label.sinks & finding.places
        ]
        if used_at:
            result.found_at_sink.update(used_at)
            result.at_sink.append(finding)
            continue
        for place in sorted(finding.places):
            if place in keep_at:
                result.at_keep.append((finding, keep_at[place]))
                break
    return result


def evaluate(
    executable: str,
    root: Path,
    repos: dict[str, dict[str, str]],
    labels: Sequence[Label],
    keeps: Sequence[Keep],
) -> dict[str, RepoResult]:
    results: dict[str, RepoResult] = {}
    for name in sorted(repos):
        directory = root / repos[name]["dir"]
        commit = head_commit(directory)
        if commit != repos[name]["commit"]:
            raise SystemExit(
                f"recall_score: {directory} is at {commit}, labels are for {repos[name]['commit']}"
            )
        findings, error = run_check(executable, directory)
        result = score_repo(
            findings,
            [label for label in labels if label.repo == name],
            [keep for keep in keeps if keep.repo == name],
        )
        result.error = error
        results[name] = result
    return results


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   - "


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(header[i]), *(len(row[i]) for row in cells)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)),
        "  ".join("-" * width for width in widths),
    ]
    lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in cells]
    return "\n".join(lines)


def report(
    runs: dict[str, dict[str, RepoResult]],
    repos: dict[str, dict[str, str]],
    labels: Sequence[Label],
    keeps: Sequence[Keep],
    details: bool,
) -> str:
    """Tables per repository, shape and category, totals, and with ``details`` every
    miss and false alarm.

    "found" counts labels found at their place (or named there); "+sink" adds those
    reported only where the value is used. "wrong" counts findings that match neither a
    label nor a label's sink; "at use" those at a sink only.
    """
    names = list(runs)  # "before", "after" or just "tool"
    out: list[str] = []

    def found(run: str, subset: Iterable[Label]) -> int:
        return sum(1 for label in subset if label in runs[run][label.repo].found)

    def found_or_sink(run: str, subset: Iterable[Label]) -> int:
        result = runs[run]
        return sum(
            1
            for label in subset
            if label in result[label.repo].found or label in result[label.repo].found_at_sink
        )

    def wrong(result: RepoResult) -> list[Finding]:
        at_sink = {id(finding) for finding in result.at_sink}
        return [finding for finding in result.false_alarms if id(finding) not in at_sink]

    header = ["repository", "labels"]
    header += [f"found {n}" for n in names] + [f"+sink {n}" for n in names]
    header += [f"wrong {n}" for n in names] + [f"at use {n}" for n in names]
    header += [f"at keep {n}" for n in names]
    rows = []
    for repo in sorted(repos):
        mine = [label for label in labels if label.repo == repo]
        row: list[object] = [repo, len(mine)]
        row += [found(n, mine) for n in names]
        row += [found_or_sink(n, mine) for n in names]
        row += [len(wrong(runs[n][repo])) for n in names]
        row += [len(runs[n][repo].at_sink) for n in names]
        row += [len(runs[n][repo].at_keep) for n in names]
        rows.append(row)
    out.append(_table(header, rows))

    out.append("")
    header = ["shape", "labels"] + [f"found {n}" for n in names]
    header += [f"recall {n}" for n in names] + [f"+sink {n}" for n in names]
    rows = []
    for shape in SHAPES:
        mine = [label for label in labels if label.shape == shape]
        if not mine:
            continue
        rows.append(
            [shape, len(mine)]
            + [found(n, mine) for n in names]
            + [_pct(found(n, mine), len(mine)) for n in names]
            + [found_or_sink(n, mine) for n in names]
        )
    out.append(_table(header, rows))

    out.append("")
    header = ["category", "labels"] + [f"found {n}" for n in names]
    header += [f"+sink {n}" for n in names] + [f"wrong {n}" for n in names]
    rows = []
    for category in FAMILIES:
        mine = [label for label in labels if label.category == category]
        alarms = [
            sum(
                1
                for result in runs[n].values()
                for finding in wrong(result)
                if ALARM_CATEGORY[finding.code] == category
            )
            for n in names
        ]
        if not mine and not any(alarms):
            continue
        rows.append(
            [category, len(mine)]
            + [found(n, mine) for n in names]
            + [found_or_sink(n, mine) for n in names]
            + alarms
        )
    out.append(_table(header, rows))

    out.append("")
    for n in names:
        results = runs[n].values()
        scored = sum(1 for r in results for f in r.findings if f.code in SCORED_CODES)
        unmatched = sum(len(r.false_alarms) for r in results)
        wrong_count = sum(len(wrong(r)) for r in results)
        at_keep = sum(len(r.at_keep) for r in results)
        others = sum(len(r.other_rules) for r in results)
        strict = found(n, labels)
        loose = found_or_sink(n, labels)
        out.append(
            f"{n}: recall {strict}/{len(labels)} = {_pct(strict, len(labels)).strip()} "
            f"(+ at the use: {loose}/{len(labels)} = {_pct(loose, len(labels)).strip()}); "
            f"precision {scored - unmatched}/{scored} at the place to edit, "
            f"{scored - wrong_count}/{scored} = {_pct(scored - wrong_count, scored).strip()} "
            f"not wrong; wrong {wrong_count}; keep places reported "
            f"{len({keep for r in results for _, keep in r.at_keep})}/{len(keeps)} "
            f"({at_keep} findings); findings of other rules {others}"
        )
        for repo, result in runs[n].items():
            if result.error:
                out.append(f"  run error: {repo}: {result.error}")

    if details:
        for n in names:
            out.append("")
            out.append(f"== {n}: misses (* = reported only where the value is used)")
            for label in labels:
                result = runs[n][label.repo]
                if label not in result.found:
                    kind = f"{label.category}/{label.shape}"
                    star = "*" if label in result.found_at_sink else " "
                    out.append(f" {star}{label.repo} {label.where()} {kind}: {label.note}")
            out.append(f"== {n}: findings at no label's place (use = at a label's sink)")
            for repo, result in runs[n].items():
                keep_of = {id(finding): keep for finding, keep in result.at_keep}
                at_sink = {id(finding) for finding in result.at_sink}
                for finding in result.false_alarms:
                    keep = keep_of.get(id(finding))
                    tag = "use" if id(finding) in at_sink else "WRONG"
                    if keep is not None:
                        tag += f", at keep: {keep.what}"
                    out.append(
                        f"  [{tag}] {repo} {finding.where()} {finding.code}: {finding.message}"
                    )
            out.append(f"== {n}: findings of other rules")
            for repo, result in runs[n].items():
                for finding in result.other_rules:
                    out.append(f"  {repo} {finding.where()} {finding.code}: {finding.message}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("executable", help="the llmbase-migrate to measure (after)")
    parser.add_argument("labels", type=Path)
    parser.add_argument("root", type=Path, help="directory holding the checkouts")
    parser.add_argument("--before", help="a second executable, shown as 'before'")
    parser.add_argument("--details", action="store_true", help="list misses and false alarms")
    parser.add_argument("--json", type=Path, help="write every finding and match here")
    args = parser.parse_args(argv)

    repos, labels, keeps = load_labels(args.labels)
    executable = resolve_executable(args.executable)
    runs: dict[str, dict[str, RepoResult]] = {}
    if args.before:
        runs["before"] = evaluate(resolve_executable(args.before), args.root, repos, labels, keeps)
        runs["after"] = evaluate(executable, args.root, repos, labels, keeps)
    else:
        runs["tool"] = evaluate(executable, args.root, repos, labels, keeps)
    print(report(runs, repos, labels, keeps, args.details))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    run: {
                        repo: {
                            "findings": [vars(finding) for finding in result.findings],
                            "found": sorted(
                                f"{label.where()} {label.category}" for label in result.found
                            ),
                            "false_alarms": [vars(finding) for finding in result.false_alarms],
                            "error": result.error,
                        }
                        for repo, result in results.items()
                    }
                    for run, results in runs.items()
                },
                indent=1,
                sort_keys=True,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
