"""Run per-file jobs in worker processes, surviving a worker that dies.

A worker can die without an exception: a native parser overflowing the C stack, the
kernel's OOM killer. ``concurrent.futures`` then breaks the whole pool and every
pending result is lost. Here the jobs that had not finished are run again, each in a
process of its own, so one file that kills its process costs exactly one outcome
(``crashed``) and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

# Jobs per task sent to a worker: fewer round trips, but a chunk is also the unit lost
# (and rerun) when a worker dies, and the unit of progress.
MAX_CHUNK = 8


def run_jobs(
    jobs: Sequence[Job],
    work: Callable[[Job], Result],
    *,
    workers: int,
    crashed: Callable[[Job], Result],
    progress: Callable[[int], None] | None = None,
) -> list[Result]:
    """``work(job)`` for every job, in input order.

    ``workers`` <= 1 runs in this process. ``crashed(job)`` stands for the result of a
    job whose process died even when it ran alone. ``progress(n)`` is called with the
    number of jobs finished so far, in this process.
    """
    if workers <= 1 or len(jobs) <= 1:
        in_process: list[Result] = []
        for job in jobs:
            in_process.append(work(job))
            if progress is not None:
                progress(len(in_process))
        return in_process
    chunk = max(1, min(MAX_CHUNK, len(jobs) // (workers * 4)))
    starts = range(0, len(jobs), chunk)
    done: dict[int, list[Result]] = {}
    finished = 0
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        futures: dict[Future[list[Result]], int] = {
            pool.submit(_run_chunk, work, jobs[start : start + chunk]): start for start in starts
        }
        try:
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                finished += len(done[futures[future]])
                if progress is not None:
                    progress(finished)
        except BrokenProcessPool:
            for future, start in futures.items():
                if start not in done and future.done() and future.exception() is None:
                    done[start] = future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    results: list[Result] = []
    for start in starts:
        if start in done:
            results.extend(done[start])
            continue
        for job in jobs[start : start + chunk]:
            results.append(_run_alone(job, work, crashed))
            finished += 1
            if progress is not None:
                progress(finished)
    return results


def _run_chunk(work: Callable[[Job], Result], jobs: Sequence[Job]) -> list[Result]:
    return [work(job) for job in jobs]


def _run_alone(job: Job, work: Callable[[Job], Result], crashed: Callable[[Job], Result]) -> Result:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work, job)
        try:
            return future.result()
        except BrokenProcessPool:
            return crashed(job)
