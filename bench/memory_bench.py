"""Peak memory of ``check`` and ``fix --diff`` per process on generated large files.

    python bench/memory_bench.py [--sizes 0.1,1,5,10] [--commands check,fix] [--no-pool]

Generates one Python file per size (in MB: many functions and classes, with an OpenAI
client at the top and chat calls spread through the file every ``--every`` KB, so
every file is a candidate), runs the tool on each file alone (``check --no-cache
--offline`` and ``fix --diff --no-cache --offline``), then on a directory holding
all of them with ``--jobs 2`` (``--no-pool`` leaves that out). For each run it
prints the wall time, the peak RSS of the main process and of each worker (VmHWM
sampled from /proc every 20 ms; the last sample before a process exits holds its
peak), the largest single process as ``wait4`` reports it, how many workers held
more than ``--large-mib`` at once, and the outcome line the tool printed. Linux only.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HEADER = '''"""Generated module: many functions and classes, OpenAI calls spread through it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from openai import OpenAI

BASE_URL = "https://openrouter.ai/api/v1"
MODEL = "openai/gpt-4o"
CLIENT = OpenAI(base_url=BASE_URL, api_key=os.getenv("OPENROUTER_API_KEY"))
'''

PLAIN_FUNCTION = '''

def transform_{n}(records: list[dict[str, object]], limit: int = {k}) -> list[str]:
    """Turn records into display lines, skipping the ones without a name."""
    lines: list[str] = []
    for index, record in enumerate(records):
        if index >= limit:
            break
        name = str(record.get("name", ""))
        if not name:
            continue
        score = float(record.get("score", 0.0)) * {k} / 100
        tags = ", ".join(sorted(str(tag) for tag in record.get("tags", [])))
        lines.append(f"{{index:>4}} {{name:<20}} {{score:8.2f}} [{{tags}}]")
    return lines
'''

PLAIN_CLASS = """

@dataclass
class Inventory{n}:
    items: dict[str, int] = field(default_factory=dict)
    history: list[tuple[str, int]] = field(default_factory=list)

    def add(self, name: str, count: int = 1) -> None:
        self.items[name] = self.items.get(name, 0) + count
        self.history.append((name, count))

    def remove(self, name: str, count: int = 1) -> bool:
        if self.items.get(name, 0) < count:
            return False
        self.items[name] -= count
        self.history.append((name, -count))
        return True

    def report(self) -> str:
        rows = [f"{{name}}: {{count}}" for name, count in sorted(self.items.items())]
        return json.dumps({{"id": {n}, "rows": rows, "changes": len(self.history)}})
"""

OPENAI_CLASS = """

class Assistant{n}:
    def __init__(self) -> None:
        self.client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))

    def reply(self, text: str) -> str:
        response = self.client.chat.completions.create(
            model=MODEL,
            messages=[{{"role": "user", "content": text}}],
            provider={{"order": ["azure"]}},
            top_k=20,
        )
        return response.choices[0].message.content or ""
"""

OPENAI_FUNCTION = """

def summarise_{n}(text: str) -> str:
    params = {{"model": "openai/gpt-4o-mini", "messages": [{{"role": "user", "content": text}}]}}
    params["service_tier"] = "flex"
    response = CLIENT.chat.completions.create(**params)
    return response.choices[0].message.content or ""
"""


def generate(size: int, *, every: int = 50_000, seed: int = 7) -> str:
    """About ``size`` bytes of code: plain functions and classes, and one class or
    function calling the chat API every ``every`` bytes."""
    rng = random.Random(seed)
    parts = [HEADER]
    total = len(HEADER)
    next_call = every // 2
    n = 0
    while total < size:
        if total >= next_call:
            template = OPENAI_CLASS if rng.random() < 0.5 else OPENAI_FUNCTION
            next_call += every
        else:
            template = PLAIN_FUNCTION if rng.random() < 0.6 else PLAIN_CLASS
        part = template.format(n=n, k=rng.randrange(5, 500))
        parts.append(part)
        total += len(part)
        n += 1
    return "".join(parts)


def tool_command() -> list[str]:
    script = Path(sys.executable).parent / "llmbase-migrate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "llmbase_migrate"]


def _status_kib(pid: int, field_name: str) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field_name}:\s+(\d+)", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.append(int(child))
            pending.append(int(child))
    return found


@dataclass
class Run:
    label: str
    wall: float
    returncode: int
    main_kib: int
    worker_kib: dict[int, int] = field(default_factory=dict)
    wait4_kib: int = 0
    cpu: float = 0.0  # user + system of the process and its reaped workers
    large_at_once: int = 0
    outcome: str = ""


def measure(label: str, argv: list[str], *, large_kib: int, timeout: float) -> Run:
    """Run ``argv``; per-process peak RSS sampled from /proc while it runs."""
    env = {key: value for key, value in os.environ.items() if key != "LLMBASE_API_KEY"}
    peaks: dict[int, int] = {}
    large_at_once = 0
    done = threading.Event()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env)

        def sample() -> None:
            nonlocal large_at_once
            while not done.wait(0.02):
                large = 0
                for pid in [process.pid, *_descendants(process.pid)]:
                    peak = _status_kib(pid, "VmHWM")
                    if peak is not None:
                        peaks[pid] = max(peaks.get(pid, 0), peak)
                    current = _status_kib(pid, "VmRSS")
                    if pid != process.pid and current is not None and current > large_kib:
                        large += 1
                large_at_once = max(large_at_once, large)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace") + err.read().decode("utf-8", "replace")
    returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in text.splitlines() if line.strip()]
    outcome = _outcome(lines) if returncode >= 0 else f"killed after {timeout:.0f} s"
    return Run(
        label=label,
        wall=wall,
        returncode=returncode,
        main_kib=peaks.pop(process.pid, 0),
        worker_kib=peaks,
        wait4_kib=usage.ru_maxrss,
        cpu=usage.ru_utime + usage.ru_stime,
        large_at_once=large_at_once,
        outcome=outcome,
    )


def _outcome(lines: list[str]) -> str:
    """What became of the files: the summary, and how many were skipped or analysed
    in part (with how many of their top-level statements LibCST saw)."""
    said = [line.split(". ")[0] for line in lines if line.startswith(_SUMMARIES)]
    for line in lines:
        part = re.search(r": analysed in part: the ([\d,]+ of its [\d,]+) top-level", line)
        if part:
            said.append(f"in part ({part.group(1)} statements)")
        elif ": skipped: " in line:
            said.append("skipped: " + line.split(": skipped: ", 1)[1])
    return "; ".join(said)


_SUMMARIES = ("Found", "All checks", "Would fix", "No fixes", "Nothing", "Fixed")


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def render(runs: list[Run]) -> str:
    rows = [
        (
            "run",
            "wall s",
            "cpu s",
            "main MiB",
            "workers MiB",
            "max MiB (wait4)",
            "large at once",
            "outcome",
        )
    ]
    for run in runs:
        workers = " ".join(_mib(kib) for kib in sorted(run.worker_kib.values(), reverse=True))
        rows.append(
            (
                run.label,
                f"{run.wall:.1f}",
                f"{run.cpu:.1f}",
                _mib(run.main_kib),
                workers or "-",
                _mib(run.wait4_kib),
                str(run.large_at_once) if run.worker_kib else "-",
                run.outcome,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append(" | ".join([*cells, row[-1]]))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0.1,1,5,10", help="file sizes in MB")
    parser.add_argument("--commands", default="check,fix", help="check, fix or both")
    parser.add_argument("--every", type=int, default=50, help="KB between two OpenAI calls")
    parser.add_argument("--no-pool", action="store_true", help="no run on all files at once")
    parser.add_argument("--large-mib", type=int, default=200, help="a worker this big is large")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a run is killed")
    args = parser.parse_args()
    if not Path("/proc/self/status").exists():
        parser.error("reads /proc: Linux only")
    sizes = [float(size) for size in args.sizes.split(",")]
    commands = [command.strip() for command in args.commands.split(",")]
    tool = tool_command()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="llmbase-memory-") as directory:
        root = Path(directory) / "files"
        root.mkdir()
        files = []
        for size in sizes:
            path = root / f"generated_{size:g}mb.py"
            path.write_text(generate(int(size * 1_000_000), every=args.every * 1000))
            files.append(path)
        flags = ["--no-cache", "--offline"]
        for path, size in zip(files, sizes, strict=True):
            for command in commands:
                argv = [*tool, "check", *flags, str(path)]
                if command == "fix":
                    argv = [*tool, "fix", "--diff", *flags, str(path)]
                label = f"{command} {size:g} MB"
                runs.append(
                    measure(label, argv, large_kib=args.large_mib * 1024, timeout=args.timeout)
                )
                print(f"{label}: {runs[-1].wall:.1f} s", file=sys.stderr, flush=True)
        if not args.no_pool and len(files) > 1:
            for command in commands:
                argv = [*tool, "check", "--jobs", "2", *flags, str(root)]
                if command == "fix":
                    argv = [*tool, "fix", "--diff", "--jobs", "2", *flags, str(root)]
                label = f"{command} all, --jobs 2"
                runs.append(
                    measure(label, argv, large_kib=args.large_mib * 1024, timeout=args.timeout)
                )
                print(f"{label}: {runs[-1].wall:.1f} s", file=sys.stderr, flush=True)
    print(render(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
