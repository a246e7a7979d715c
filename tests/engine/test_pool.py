"""The worker pool: input order, progress, and a worker that dies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llmbase_migrate.config import Settings
from llmbase_migrate.engine import api, runner
from llmbase_migrate.engine.api import RunOptions, check_paths
from llmbase_migrate.engine.outcome import Failed, HasFindings
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


def crash_on_marker(display: str, raw: bytes, *args: object) -> object:
    if b"CRASH" in raw:
        os._exit(11)
    return ORIGINAL_ANALYZE(display, raw, *args)  # type: ignore[arg-type]


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
