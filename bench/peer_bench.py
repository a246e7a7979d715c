"""Time ``check --offline --no-cache`` (cold) and a warm re-run on public corpora, with
the baselines and peers of the scale issue measured in the same run.

    python bench/peer_bench.py CORPUS [CORPUS...] [--runs 3] [--peer-bench DIR]

Per corpus it prints median wall times of:

- ``rg -l --type py 'chat\\.completions'`` when ripgrep is on PATH (the I/O floor);
- ``ast.parse`` of every file in one process (CPython's parser);
- ``libcst.parse_module`` of every file, one process and a pool of ``--jobs``;
- semgrep and fixit through the peer-bench ``run.sh`` (``--peer-bench``) when they are
  on PATH: the same single rule (``provider`` in chat calls) the issue's table used;
- ours: ``check --offline --no-cache`` (cold) and ``check --offline`` twice with a
  fresh cache directory, the second run timed (warm), with peak memory: the largest
  single process (``wait4``) and the largest sampled sum over the process tree.

Then ratios: ours against semgrep (below 1 is faster), fixit against ours (the issue
asks for 20x or more), ours against the LibCST parse, warm against cold.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stdlib_run import Step, run_step


def python_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if path.is_file())


def median_wall(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _ast_parse(path: Path) -> None:
    with (
        warnings.catch_warnings(),
        contextlib.suppress(SyntaxError, ValueError, RecursionError, MemoryError),
    ):
        warnings.simplefilter("ignore")
        ast.parse(path.read_bytes())


def _libcst_parse(path: Path) -> None:
    import libcst

    # a parse failure costs what it costs
    with contextlib.suppress(Exception):
        libcst.parse_module(path.read_bytes())


def parse_all(paths: Sequence[Path], parse: Callable[[Path], None], jobs: int) -> None:
    """Parse in worker processes, one for ``jobs=1`` too: Linux keeps a process's
    peak memory across exec, so a bench process grown by parsing in place would pass
    its peak to every process it starts, ours included (``ru_maxrss``)."""
    with ProcessPoolExecutor(max(jobs, 1)) as pool:
        list(pool.map(parse, paths, chunksize=16))


def ours(corpus: Path, args: Sequence[str], cache_home: Path) -> Step:
    env_cache = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache_home)
    try:
        argv = ["check", "--offline", "--exit-zero", "--quiet", *args, "."]
        return run_step("check", argv, cwd=corpus)
    finally:
        if env_cache is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = env_cache


def median_step(corpus: Path, args: Sequence[str], cache_home: Path, runs: int) -> Step:
    steps = [ours(corpus, args, cache_home) for _ in range(runs)]
    for step in steps:
        if step.returncode != 0:
            raise SystemExit(f"check failed on {corpus}: {step.stderr.strip()[:500]}")
    return sorted(steps, key=lambda step: step.wall)[len(steps) // 2]


def peer(run_sh: Path, tool: str, corpus: Path) -> None:
    subprocess.run(
        [str(run_sh), tool, str(corpus)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def measure(corpus: Path, args: argparse.Namespace, run_sh: Path | None) -> None:
    paths = python_files(corpus)
    size = sum(path.stat().st_size for path in paths)
    print(f"\n{corpus.name}: {len(paths)} .py files, {size / 1e6:.1f} MB", flush=True)
    times: dict[str, float] = {}
    rg = shutil.which("rg")
    if rg is not None:
        rg_argv = [rg, "-l", "--type", "py", r"chat\.completions", str(corpus)]
        times["rg"] = median_wall(
            lambda: subprocess.run(rg_argv, stdout=subprocess.DEVNULL, check=False), args.runs
        )
    times["ast.parse, 1 proc"] = median_wall(lambda: parse_all(paths, _ast_parse, 1), args.runs)
    times["libcst parse, 1 proc"] = median_wall(
        lambda: parse_all(paths, _libcst_parse, 1), args.baseline_runs
    )
    pool_label = f"libcst parse, {args.jobs} procs"
    times[pool_label] = median_wall(
        lambda: parse_all(paths, _libcst_parse, args.jobs), args.baseline_runs
    )
    if run_sh is not None:
        for tool in ("semgrep", "fixit"):
            if shutil.which(tool) is not None:
                runs = args.runs if tool == "semgrep" else args.baseline_runs
                times[tool] = median_wall(functools.partial(peer, run_sh, tool, corpus), runs)
    cache_home = Path(tempfile.mkdtemp(prefix="llmbase-peer-cache-"))
    try:
        cold = median_step(corpus, ["--no-cache"], cache_home, args.runs)
        ours(corpus, [], cache_home)  # fill the cache
        warm = median_step(corpus, [], cache_home, args.runs)
    finally:
        shutil.rmtree(cache_home, ignore_errors=True)
    times["ours: check --no-cache (cold)"] = cold.wall
    times["ours: check, warm cache"] = warm.wall
    for name, seconds in times.items():
        print(f"  {name:34s} {seconds:8.3f} s", flush=True)
    tree = cold.peak_tree_rss_kib
    print(
        f"  ours, cold: cpu {cold.cpu:.1f} s, largest process {cold.max_rss_kib / 1024:.0f} MiB"
        + (f", process tree {tree / 1024:.0f} MiB" if tree else "")
    )
    ratios = [
        f"warm/cold {warm.wall / cold.wall:.3f}",
        f"cold / libcst parse ({args.jobs} procs) {cold.wall / times[pool_label]:.3f}",
    ]
    if "semgrep" in times:
        ratios.append(f"cold / semgrep {cold.wall / times['semgrep']:.2f}")
    if "fixit" in times:
        ratios.append(f"fixit / cold {times['fixit'] / cold.wall:.1f}x")
    print("  ratios: " + "; ".join(ratios), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument(
        "--baseline-runs", type=int, default=1, help="runs of the slow LibCST parse baselines"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--peer-bench", type=Path, help="the peer-bench folder (its run.sh)")
    args = parser.parse_args()
    run_sh = args.peer_bench / "run.sh" if args.peer_bench else None
    for corpus in args.corpora:
        measure(corpus.resolve(), args, run_sh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
