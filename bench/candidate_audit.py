"""Audit the candidate pass on a source tree: does it skip a file with findings?

The candidate pass (``engine/candidates.py``) decides, from CPython's tree, which
files LibCST parses. It may only skip files the analyzer finds nothing in. This
script runs the analyzer itself on every file that mentions ``openai`` (the byte
pre-filter), candidate or not, and counts:

- misses: files with findings the candidate pass would skip (must be 0);
- how many files and bytes the pass saves LibCST from.

Usage::

    python bench/candidate_audit.py DIR [DIR...] [--jobs N]

Exit status 1 when there is a miss.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from llmbase_migrate.catalog.source import load_catalog
from llmbase_migrate.engine.candidates import might_use_openai
from llmbase_migrate.engine.outcome import HasFindings
from llmbase_migrate.engine.runner import analyze_text
from llmbase_migrate.engine.source import decode_source
from llmbase_migrate.errors import SourceError
from llmbase_migrate.rules import all_rules
from llmbase_migrate.rules.base import RuleContext

BASE_URL = "https://api.llmbase.ai/v1"


@dataclass(frozen=True)
class Audit:
    path: str
    size: int
    candidate: bool
    findings: int


def audit(path: str) -> Audit | None:
    raw = Path(path).read_bytes()
    if b"openai" not in raw:
        return None
    try:
        text = decode_source(raw).text
    except SourceError:
        return None
    catalog = load_catalog("offline", base_url=BASE_URL, api_key_env="LLMBASE_API_KEY").index
    context = RuleContext(base_url=BASE_URL, api_key_env="LLMBASE_API_KEY", catalog=catalog)
    outcome = analyze_text(path, text, all_rules(), context).outcome
    findings = len(outcome.findings) if isinstance(outcome, HasFindings) else 0
    return Audit(path, len(raw), might_use_openai(text), findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    paths = sorted(str(p) for root in args.roots for p in root.rglob("*.py") if p.is_file())
    started = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        audits = [a for a in pool.map(audit, paths, chunksize=8) if a is not None]
    with_findings = [a for a in audits if a.findings]
    candidates = [a for a in audits if a.candidate]
    misses = [a for a in with_findings if not a.candidate]
    print(f"{len(paths)} files; {len(audits)} mention openai ({_mb(audits)})")
    print(f"with findings: {len(with_findings)} ({_mb(with_findings)})")
    print(f"candidates:    {len(candidates)} ({_mb(candidates)})")
    print(f"misses:        {len(misses)} ({sum(a.findings for a in misses)} findings)")
    for miss in misses:
        print(f"  MISS {miss.path}: {miss.findings} finding(s)")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 1 if misses else 0


def _mb(audits: list[Audit]) -> str:
    return f"{sum(a.size for a in audits) / 1e6:.1f} MB"


if __name__ == "__main__":
    sys.exit(main())
