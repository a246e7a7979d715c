"""Run per-file jobs in worker processes, surviving a worker that dies.

A worker can die without an exception: a native parser overflowing the C stack, the
kernel's OOM killer. ``concurrent.futures`` then breaks the whole pool and every
pending result is lost. Here the jobs that had not finished are run again, each in a
process of its own, so one file that kills its process costs exactly one outcome
(``crashed``) and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

# Jobs per task sent to a worker: fewer round trips, but a chunk is also the unit lost
# (and rerun) when a worker dies, and the unit of progress.
MAX_CHUNK = 8
# A chunk stops growing at this share of the total weight: big files travel alone.
CHUNK_SHARE = 1 / 64


def run_jobs(
    jobs: Sequence[Job],
    work: Callable[[Job], Result],
    *,
    workers: int,
    crashed: Callable[[Job], Result],
    progress: Callable[[int], None] | None = None,
    weights: Sequence[int] | None = None,
    heavy: int | None = None,
) -> list[Result]:
    """``work(job)`` for every job, results in input order.

    ``workers`` <= 1 runs in this process. ``crashed(job)`` stands for the result of a
    job whose process died even when it ran alone. ``progress(n)`` is called with the
    number of jobs finished so far, in this process. ``weights`` (a job's expected
    cost, such as its size) make the heaviest jobs start first and travel alone, so
    one big file does not finish last on a worker while the others idle. A job of
    ``heavy`` weight or more never runs while another such job does: the memory two
    of them would take at once is what the limit on one is for.
    """
    if workers <= 1 or len(jobs) <= 1:
        in_process: list[Result] = []
        for job in jobs:
            in_process.append(work(job))
            if progress is not None:
                progress(len(in_process))
        return in_process
    weights = weights if weights is not None else [1] * len(jobs)
    chunks = _chunks(weights, heavy)
    heavy_chunks = {
        number
        for number, chunk in enumerate(chunks)
        if heavy is not None and weights[chunk[0]] >= heavy
    }
    done: dict[int, list[Result]] = {}
    finished = 0
    pool = ProcessPoolExecutor(max_workers=workers)
    running: dict[Future[list[Result]], int] = {}
    try:
        waiting = list(range(len(chunks)))  # heaviest first
        try:
            while waiting or running:
                _submit(pool, work, jobs, chunks, waiting, running, heavy_chunks, workers + 1)
                finished_now, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished_now:
                    number = running.pop(future)
                    done[number] = future.result()
                    finished += len(done[number])
                    if progress is not None:
                        progress(finished)
        except BrokenProcessPool:
            for future, number in running.items():
                if future.done() and future.exception() is None:
                    done[number] = future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    results: dict[int, Result] = {}
    for number, chunk in enumerate(chunks):
        if number in done:
            results.update(zip(chunk, done[number], strict=True))
            continue
        for index in chunk:
            results[index] = _run_alone(jobs[index], work, crashed)
            finished += 1
            if progress is not None:
                progress(finished)
    return [results[index] for index in range(len(jobs))]


def _submit(
    pool: ProcessPoolExecutor,
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    chunks: Sequence[list[int]],
    waiting: list[int],
    running: dict[Future[list[Result]], int],
    heavy_chunks: set[int],
    most: int,
) -> None:
    """Submit waiting chunks, in order, until ``most`` run or wait in the pool; a heavy
    chunk only when no other heavy one does (those wait their turn, first in line)."""
    heavy_running = not heavy_chunks.isdisjoint(running.values())
    position = 0
    while len(running) < most and position < len(waiting):
        number = waiting[position]
        if number in heavy_chunks:
            if heavy_running:
                position += 1
                continue
            heavy_running = True
        del waiting[position]
        future = pool.submit(_run_chunk, work, [jobs[index] for index in chunks[number]])
        running[future] = number


def _chunks(weights: Sequence[int], heavy: int | None = None) -> list[list[int]]:
    """Job indices grouped into chunks, heaviest first; a heavy job alone."""
    order = sorted(range(len(weights)), key=lambda index: -weights[index])
    limit = max(1.0, sum(weights) * CHUNK_SHARE)
    if heavy is not None:
        limit = min(limit, heavy)
    chunks: list[list[int]] = []
    current: list[int] = []
    current_weight = 0
    for index in order:
        current.append(index)
        current_weight += weights[index]
        if len(current) >= MAX_CHUNK or current_weight >= limit:
            chunks.append(current)
            current, current_weight = [], 0
    if current:
        chunks.append(current)
    return chunks


def _run_chunk(work: Callable[[Job], Result], jobs: Sequence[Job]) -> list[Result]:
    return [work(job) for job in jobs]


def _run_alone(job: Job, work: Callable[[Job], Result], crashed: Callable[[Job], Result]) -> Result:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work, job)
        try:
            return future.result()
        except BrokenProcessPool:
            return crashed(job)
