"""The result cache returns exactly what a fresh run would, and invalidates on every
input an outcome depends on; the candidate pass only ever skips files."""

from __future__ import annotations

from pathlib import Path

from cli_runner import Runner, project
from llmbase_migrate.catalog.index import CatalogIndex, ModelInfo
from llmbase_migrate.config import Settings
from llmbase_migrate.engine.api import RunOptions, check_paths
from llmbase_migrate.engine.outcome import Clean, HasFindings, Outcome
from llmbase_migrate.engine.result_cache import ResultCache, code_digest

ROUTED = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(model="gpt-4o", messages=[], extra_body={"provider": {}})
"""


def entries(cache: ResultCache) -> int:
    return sum(1 for _ in cache.directory.rglob("*.pickle"))


def run_check(
    root: Path,
    cache: ResultCache,
    *,
    ignore: tuple[str, ...] = (),
    catalog: CatalogIndex | None = None,
) -> list[Outcome]:
    settings = Settings(project_root=root, ignore=ignore)
    options = RunOptions(jobs=1, cache=cache, catalog=catalog)
    return list(check_paths([root], settings, cwd=root, options=options).outcomes)


def test_a_warm_run_gives_the_cold_run_outcomes_without_analysing(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED, "b.py": "import openai\n"})
    cache = ResultCache(tmp_path / "cache")
    cold = run_check(root, cache)
    assert entries(cache) == 2
    cache_files = {path: path.stat().st_mtime_ns for path in cache.directory.rglob("*.pickle")}
    warm = run_check(root, cache)
    assert warm == cold
    assert {path: path.stat().st_mtime_ns for path in cache.directory.rglob("*.pickle")} == (
        cache_files
    ), "a hit is not rewritten"


def test_every_input_of_an_outcome_is_part_of_its_key(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    cache = ResultCache(tmp_path / "cache")
    (first,) = run_check(root, cache)
    assert isinstance(first, HasFindings)
    assert {finding.code for finding in first.findings} == {"LB201"}
    (ignored,) = run_check(root, cache, ignore=("LB201",))
    assert isinstance(ignored, Clean)
    catalog = CatalogIndex({"gpt-4o": ModelInfo("gpt-4o")}, "file")
    (with_catalog,) = run_check(root, cache, catalog=catalog)
    assert isinstance(with_catalog, HasFindings)
    assert "LB301" not in {finding.code for finding in with_catalog.findings}
    other_catalog = CatalogIndex({"z-ai/glm-5.1": ModelInfo("z-ai/glm-5.1")}, "file")
    (unknown,) = run_check(root, cache, catalog=other_catalog)
    assert isinstance(unknown, HasFindings)
    assert "LB301" in {finding.code for finding in unknown.findings}
    (root / "a.py").write_text(ROUTED.replace(', extra_body={"provider": {}}', ""))
    (edited,) = run_check(root, cache)
    assert isinstance(edited, Clean)
    assert entries(cache) == 5


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    cache = ResultCache(tmp_path / "cache")
    cold = run_check(root, cache)
    for entry in cache.directory.rglob("*.pickle"):
        entry.write_bytes(b"\x80\x05not a pickle")
    assert run_check(root, cache) == cold


def test_no_cache_and_clean(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    cache = ResultCache()
    assert run("check", "--offline", "--no-cache", cwd=root).code == 1
    assert entries(cache) == 0
    assert run("check", "--offline", cwd=root).code == 1
    assert entries(cache) == 1
    cleaned = run("clean", cwd=root)
    assert cleaned.out.strip() == "Removed 1 cached result." and entries(cache) == 0


def test_fix_mode_reuses_clean_entries_and_fixes_the_rest(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED, "b.py": "import openai\n"})
    assert run("check", "--offline", cwd=root).code == 1
    fixed = run("fix", "--offline", cwd=root)
    assert fixed.code == 1
    assert '"provider"' not in (root / "a.py").read_text()


def test_a_mention_of_openai_without_an_import_is_never_parsed(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"notes.py": 'TEXT = "openai.OpenAI(provider=1)"\n'})
    (outcome,) = run_check(root, ResultCache(tmp_path / "cache"))
    assert outcome == Clean("notes.py", parsed=False)


def test_edited_tool_code_changes_the_key(tmp_path: Path) -> None:
    # A development install keeps its version number while its code changes.
    package = tmp_path / "pkg"
    (package / "rules").mkdir(parents=True)
    module = package / "rules" / "lb999.py"
    module.write_text("X = 1\n")
    before = code_digest(package)
    assert code_digest(package) == before
    module.write_text("X = 22\n")
    assert code_digest(package) != before
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.py").write_text("")
    after = code_digest(package)
    (package / "__pycache__" / "x.py").write_text("changed")
    assert code_digest(package) == after, "bytecode caches do not count"
