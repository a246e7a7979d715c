"""The progress line: only on a terminal, only for long runs, never in the output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from llmbase_migrate.reporting.progress import CLEAR_LINE, ProgressLine


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_nothing_shows_before_the_delay() -> None:
    clock = FakeClock()
    line = ProgressLine(delay=1.0, clock=clock)
    clock.now = 0.5
    assert line.update(3, 10) is None
    assert line.finish() == ""


def test_updates_are_throttled_but_the_last_one_shows() -> None:
    clock = FakeClock()
    line = ProgressLine(delay=1.0, interval=0.1, clock=clock)
    clock.now = 1.5
    assert line.update(1, 4) == f"{CLEAR_LINE}Analysing: 1/4 files (25%)"
    clock.now = 1.55
    assert line.update(2, 4) is None
    assert line.update(4, 4) == f"{CLEAR_LINE}Analysing: 4/4 files (100%)"
    assert line.finish() == CLEAR_LINE


CALLS = "".join(
    f"def ask_{n}(c):\n    return c.chat.completions.create(model='m{n}', provider={{'o': [{n}]}})\n"
    for n in range(60)
)


def _project(root: Path, files: int) -> Path:
    root.mkdir()
    for number in range(files):
        (root / f"m{number:03}.py").write_text("from openai import OpenAI\nc = OpenAI()\n" + CALLS)
    return root


def _run_with_terminal_stderr(args: list[str], cwd: Path) -> tuple[str, str]:
    controller, terminal = pty.openpty()
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / ".cache")}
    # stdout goes to a file: a pipe nobody reads while stderr is drained would fill up.
    output = cwd / ".stdout"
    with output.open("wb") as stdout_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "llmbase_migrate", *args],
            cwd=cwd,
            stdout=stdout_file,
            stderr=terminal,
            env=env,
        )
    os.close(terminal)
    stderr = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        stderr += chunk
    process.wait(timeout=300)
    os.close(controller)
    return output.read_text(), stderr.decode(errors="replace")


def test_a_long_run_on_a_terminal_shows_progress_on_stderr_only(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", 16)
    stdout, stderr = _run_with_terminal_stderr(
        ["check", "--offline", "--no-cache", "-j", "1", "."], root
    )
    assert "Analysing: " in stderr and "/16 files" in stderr
    assert stderr.endswith(CLEAR_LINE), "the line is erased at the end"
    assert "Analysing" not in stdout and "\r" not in stdout
    assert "Found" in stdout


def test_json_output_never_shows_progress(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", 16)
    stdout, stderr = _run_with_terminal_stderr(
        ["check", "--offline", "--no-cache", "-j", "1", "--output-format", "json", "."], root
    )
    assert stderr == ""
    assert stdout.startswith("{")


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", 16)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "llmbase_migrate",
            "check",
            "--offline",
            "--no-cache",
            "-j",
            "1",
            ".",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / ".cache")},
        timeout=300,
    )
    assert completed.returncode == 1
    assert completed.stderr == ""
