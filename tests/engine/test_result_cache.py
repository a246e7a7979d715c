"""The result cache returns exactly what a fresh run would, and invalidates on every
input an outcome depends on; the candidate pass only ever skips files. It holds plain
data, never a secret, in private files, and an entry that is not exactly what this
file's analysis would have stored (a pickle, another file's entry, a huge or deeply
nested file) is a miss."""

from __future__ import annotations

import os
import pickle
import stat
import tracemalloc
from pathlib import Path

import pytest

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


def entry_files(cache: ResultCache) -> list[Path]:
    return sorted(path for path in cache.directory.rglob("*") if path.is_file())


def entries(cache: ResultCache) -> int:
    return len(entry_files(cache))


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
    cache_files = {path: path.stat().st_mtime_ns for path in entry_files(cache)}
    warm = run_check(root, cache)
    assert warm == cold
    assert {path: path.stat().st_mtime_ns for path in entry_files(cache)} == (cache_files), (
        "a hit is not rewritten"
    )


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
    for entry in entry_files(cache):
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


# -- what is stored, and what is trusted

HEX_KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
PASSWORD = "hunter2pass"
LEAKY = f"""\
import os
from openai import OpenAI

client = OpenAI(
    api_key="{HEX_KEY}",
    base_url="https://bob:{PASSWORD}@openrouter.ai/api/v1",
    default_headers={{"Authorization": "Bearer sk-or-v1-0123456789abcdef0123456789"}},
)
client.chat.completions.create(model="gpt-4o", messages=[], extra_body={{"provider": {{}}}})
"""


def test_no_secret_is_ever_stored(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"leaky.py": LEAKY, "a.py": ROUTED})
    cache = ResultCache(tmp_path / "cache")
    cold = run_check(root, cache)
    assert any(isinstance(outcome, HasFindings) for outcome in cold)
    stored = b"".join(path.read_bytes() for path in entry_files(cache))
    assert stored, "files without secrets are still cached"
    for secret in (HEX_KEY, PASSWORD, "0123456789abcdef0123456789", HEX_KEY[:12]):
        assert secret.encode() not in stored
    assert run_check(root, cache) == cold


def test_cache_files_are_private(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    assert run("check", "--offline", cwd=root).code == 1
    ours = Path(os.environ["XDG_CACHE_HOME"]) / "llmbase-migrate"
    files = [path for path in ours.rglob("*") if path.is_file()]
    directories = [ours, *(path for path in ours.rglob("*") if path.is_dir())]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in directories:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


class _Payload:
    """What a hostile pickle would run when unpickled: create a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_a_pickle_in_the_cache_is_never_unpickled(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    cache = ResultCache(tmp_path / "cache")
    cold = run_check(root, cache)
    marker = tmp_path / "ran"
    for entry in entry_files(cache):
        entry.write_bytes(pickle.dumps(_Payload(marker)))
    assert run_check(root, cache) == cold
    assert not marker.exists(), "the cache ran code"


def test_another_files_entry_is_not_trusted(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"clean.py": "import openai\nopenai.OpenAI\n"})
    cache = ResultCache(tmp_path / "cache")
    run_check(root, cache)
    (clean_entry,) = entry_files(cache)
    (root / "a.py").write_text(ROUTED)
    cold = run_check(root, cache)
    (routed_entry,) = set(entry_files(cache)) - {clean_entry}
    routed_entry.write_bytes(clean_entry.read_bytes())
    assert run_check(root, cache) == cold, "a forged clean entry must not hide findings"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested brackets"),
        pytest.param(b'{"format": 2, "outcome": {"kind": "clean"}}', id="partial entry"),
        pytest.param(b"\xff\xfe", id="not text"),
    ],
)
def test_a_malformed_entry_is_a_miss(tmp_path: Path, content: bytes) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    cache = ResultCache(tmp_path / "cache")
    cold = run_check(root, cache)
    for entry in entry_files(cache):
        entry.write_bytes(content)
    assert run_check(root, cache) == cold


def test_a_huge_entry_is_never_read_whole(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    cache = ResultCache(tmp_path / "cache")
    cold = run_check(root, cache)
    size = 300 * 1024 * 1024
    for entry in entry_files(cache):
        with entry.open("wb") as stream:
            # A pickled bytes object of 300 MB: its header, then (sparse) zeros.
            stream.write(b"\x80\x05\x8e" + size.to_bytes(8, "little"))
            stream.truncate(size)
    tracemalloc.start()
    try:
        warm = run_check(root, cache)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert warm == cold
    assert peak < 64 * 1024 * 1024
