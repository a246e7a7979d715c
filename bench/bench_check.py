"""Time ``llmbase-migrate check`` and ``fix --diff`` on a generated corpus against baselines
from the same run.

    python bench/bench_check.py --files 1000 --openai-share 0.3

Baselines: ``ast.parse`` and ``libcst.parse_module`` of every file (one process),
the floor a LibCST-based tool is measured against. Prints wall times and ratios.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import libcst

OPENAI_FILE = """\
import os
from openai import OpenAI

CLIENT = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.getenv("OPENROUTER_API_KEY"))


class Assistant{n}:
    def __init__(self) -> None:
        self.client = OpenAI()

    def reply(self, text: str) -> str:
        params = {{"model": "openai/gpt-4o", "messages": [{{"role": "user", "content": text}}]}}
        params["provider"] = {{"order": ["azure"]}}
        response = self.client.chat.completions.create(**params, top_k=20)
        return response.choices[0].message.content or ""

    def embed(self, text: str) -> list[float]:
        reply = CLIENT.embeddings.create(model="text-embedding-3-small", input=text)
        return reply.data[0].embedding
"""

PLAIN_FILE = """\
from dataclasses import dataclass


@dataclass
class Record{n}:
    name: str
    values: list[int]

    def total(self) -> int:
        return sum(value * {n} for value in self.values if value > 0)

    def describe(self) -> str:
        parts = [f"{{self.name}}:{{value}}" for value in self.values]
        return ", ".join(parts)


def build_{n}(count: int) -> list[Record{n}]:
    return [Record{n}(name=str(i), values=list(range(i % 17))) for i in range(count)]
"""


def generate(root: Path, files: int, share: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    for n in range(files):
        package = root / f"pkg{n % 20}"
        package.mkdir(parents=True, exist_ok=True)
        template = OPENAI_FILE if rng.random() < share else PLAIN_FILE
        # Pad files to a realistic size (~3 KB) with unrelated functions.
        body = template.format(n=n) + "".join(
            f"\n\ndef helper_{n}_{k}(x: int) -> int:\n    return (x * {k}) % 97\n"
            for k in range(40)
        )
        (package / f"module_{n}.py").write_text(body)


def timed(action: object, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--openai-share", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-fix", action="store_true", help="Do not time fix --diff.")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="llmbase-bench-"))
    try:
        generate(root, args.files, args.openai_share)
        paths = sorted(root.rglob("*.py"))
        size = sum(path.stat().st_size for path in paths)
        sources = [path.read_text() for path in paths]

        def ast_parse() -> None:
            for source in sources:
                ast.parse(source)

        def libcst_parse() -> None:
            for source in sources:
                libcst.parse_module(source)

        executable = Path(sys.executable).parent / "llmbase-migrate"
        cache_home = Path(tempfile.mkdtemp(prefix="llmbase-bench-cache-"))
        env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
        env.pop("LLMBASE_API_KEY", None)

        def check(extra: tuple[str, ...] = ()) -> None:
            subprocess.run(
                [
                    str(executable),
                    "check",
                    "--offline",
                    "--exit-zero",
                    "--quiet",
                    *extra,
                    str(root),
                ],
                stdout=subprocess.DEVNULL,
                check=True,
                env=env,
            )

        def check_cold() -> None:
            shutil.rmtree(cache_home, ignore_errors=True)
            check()

        def check_warm() -> None:
            # the cache filled by the previous run; every file unchanged
            check()

        def check_no_cache() -> None:
            check(("--no-cache",))

        rg = shutil.which("rg")

        def ripgrep() -> None:
            assert rg is not None
            subprocess.run(
                [rg, "-l", "--type", "py", "provider", str(root)],
                stdout=subprocess.DEVNULL,
                check=False,
            )

        def fix_diff() -> None:
            # A dry run: every fix is computed, applied in memory, compiled and
            # re-analysed, but nothing is written, so each repeat sees the same files.
            subprocess.run(
                [
                    str(executable),
                    "fix",
                    "--offline",
                    "--no-cache",
                    "--diff",
                    "--unsafe-fixes",
                    str(root),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                env=env,
            )

        results = {}
        if rg is not None:
            results["rg -l provider (baseline)"] = timed(ripgrep, args.repeat)
        results["ast.parse (baseline)"] = timed(ast_parse, args.repeat)
        results["libcst.parse_module (baseline)"] = timed(libcst_parse, args.repeat)
        results["check --no-cache"] = timed(check_no_cache, args.repeat)
        results["check, cold cache"] = timed(check_cold, args.repeat)
        check_cold()
        results["check, warm cache"] = timed(check_warm, args.repeat)
        if not args.skip_fix:
            results["fix --diff --unsafe-fixes"] = timed(fix_diff, args.repeat)
        print(
            f"{len(paths)} files, {size / 1e6:.1f} MB, openai share {args.openai_share:.0%}, "
            f"median of {args.repeat}"
        )
        floor = results["libcst.parse_module (baseline)"]
        cold = results["check, cold cache"]
        for name, seconds in results.items():
            print(f"  {name:34s} {seconds:8.3f} s   {seconds / floor:6.2f}x libcst parse")
        print(f"  warm / cold check: {results['check, warm cache'] / cold:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(cache_home, ignore_errors=True)


if __name__ == "__main__":
    main()
