"""The worker pool: input order, progress, and a worker that dies."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from llmbase_migrate.config import Settings
from llmbase_migrate.engine import api, runner
from llmbase_migrate.engine.api import RunOptions, check_paths
from llmbase_migrate.engine.outcome import Clean, Failed, HasFindings
from llmbase_migrate.engine.pool import run_jobs


def square_or_die(job: int) -> int:
    if job < 0:
        os._exit(3)  # a worker dying without an exception, as a native crash does
    return job * job


def test_results_come_back_in_input_order() -> None:
    jobs = list(range(200))
    seen: list[int] = []
    results = run_jobs(jobs, square_or_die, workers=2, crashed=lambda job: -1, progress=seen.append)
    assert results == [job * job for job in jobs]
    assert seen == sorted(seen) and seen[-1] == 200


def test_in_process_for_one_worker() -> None:
    seen: list[int] = []
    assert run_jobs(
        [2, 3], square_or_die, workers=1, crashed=lambda job: -1, progress=seen.append
    ) == [4, 9]
    assert seen == [1, 2]


@pytest.mark.parametrize("dying", [[-7], [-1, -2], [5, -9, 6]])
def test_a_dying_worker_costs_only_its_jobs(dying: list[int]) -> None:
    jobs = list(range(60)) + dying + list(range(60, 120))
    results = run_jobs(jobs, square_or_die, workers=2, crashed=lambda job: -1000 + job)
    expected = [job * job if job >= 0 else -1000 + job for job in jobs]
    assert results == expected


def mark_while_running(job: tuple[str, int]) -> int:
    """Leaves a file in the job's directory while it runs; notes the others met."""
    directory, weight = Path(job[0]), job[1]
    mine = directory / f"running-{os.getpid()}-{weight}"
    mine.touch()
    time.sleep(0.05)
    others = [path.name for path in directory.glob("running-*") if path != mine]
    mine.unlink()
    if others:
        (directory / f"met-{weight}").write_text(",".join(others))
    return weight


def test_heavy_jobs_run_one_at_a_time_and_first(tmp_path: Path) -> None:
    light = tmp_path / "light"
    light.mkdir()
    # Each heavy job marks the directory all heavy jobs share; light jobs their own.
    shared = tmp_path / "shared"
    shared.mkdir()
    jobs = [(str(light), weight) for weight in range(1, 30)]
    jobs += [(str(shared), 1000 + n) for n in range(4)]
    results = run_jobs(
        jobs,
        mark_while_running,
        workers=2,
        crashed=lambda job: -1,
        weights=[w for _, w in jobs],
        heavy=1000,
    )
    assert results == [weight for _, weight in jobs]
    assert list(shared.glob("met-*")) == []
    assert list(light.glob("met-*")) != []  # light jobs did run side by side


def crash_on_marker(display: str, raw: bytes, *args: object, **kwargs: int) -> object:
    if b"CRASH" in raw:
        os._exit(11)
    return ORIGINAL_ANALYZE(display, raw, *args, **kwargs)  # type: ignore[arg-type]


ORIGINAL_ANALYZE = runner.analyze_bytes


def test_a_file_that_kills_its_worker_is_one_failed_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers are forked: they see the patched analysis.
    monkeypatch.setattr(api, "analyze_bytes", crash_on_marker)
    routed = "from openai import OpenAI\nc = OpenAI()\nc.chat.completions.create(model='m', provider={})\n"
    for number in range(40):
        (tmp_path / f"m{number:02}.py").write_text(routed)
    (tmp_path / "m17.py").write_text(routed + "# CRASH\n")
    result = check_paths(
        [tmp_path], Settings(project_root=tmp_path), cwd=tmp_path, options=RunOptions(jobs=2)
    )
    by_path = {Path(outcome.path).name: outcome for outcome in result.outcomes}
    assert len(by_path) == 40
    crashed = by_path.pop("m17.py")
    assert isinstance(crashed, Failed) and "process died" in crashed.error
    assert all(isinstance(outcome, HasFindings) for outcome in by_path.values())


def record_large_files_at_once(display: str, raw: bytes, *args: object, **kwargs: object) -> object:
    """Stands in for the analysis: a large file marks itself in MARKERS while it is
    analysed, and notes any other large file marked meanwhile."""
    if len(raw) > 300_000:
        markers = Path(os.environ["LLMBASE_TEST_MARKERS"])
        mine = markers / f"{os.getpid()}-{Path(display).name}"
        mine.touch()
        time.sleep(0.3)
        others = [marker.name for marker in markers.iterdir() if marker != mine]
        if others:
            (markers.parent / f"overlap-{mine.name}").write_text(",".join(others))
        mine.unlink()
    return runner.FileAnalysis(Clean(display, parsed=False))


def test_two_large_files_are_never_analysed_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers are forked: they see the patched analysis and the variable.
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("LLMBASE_TEST_MARKERS", str(markers))
    monkeypatch.setattr(api, "analyze_bytes", record_large_files_at_once)
    project = tmp_path / "project"
    project.mkdir()
    large = "import openai\n" + "x = 1\n" * 60_000  # 360 KB: four bytes a token or more
    for number in range(3):
        (project / f"large{number}.py").write_text(large)
    for number in range(12):
        (project / f"small{number:02}.py").write_text("import openai\n")
    result = check_paths(
        [project], Settings(project_root=project), cwd=project, options=RunOptions(jobs=2)
    )
    assert len(result.outcomes) == 15
    assert [path.name for path in tmp_path.glob("overlap-*")] == []
