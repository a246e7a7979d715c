"""A summary never says more than the run did: what was not checked is said, options
that contradict each other are refused, and any file name comes out intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import Runner, project
from llmbase_migrate.engine.result_cache import ResultCache
from unchangeable import unchangeable

ROUTED = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(
    model="deepseek/deepseek-v4-flash",
    messages=[],
    extra_body={"provider": {"order": ["x"]}},
)
"""
OFFLINE = ("--offline", "--jobs", "1", "--no-cache")


def one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("llmbase-migrate: error: "), err
    return err.removeprefix("llmbase-migrate: error: ").rstrip("\n")


def test_diff_says_a_file_over_the_size_limit_was_not_checked(run: Runner, tmp_path: Path) -> None:
    padding = "# " + "generated " * 99 + "\n"
    big = "import openai\n" + padding * (11 * 1024 * 1024 // len(padding) + 1)
    root = project(tmp_path, {"big.py": big})
    checked = run("check", *OFFLINE, cwd=root)
    assert checked.code == 1
    diff = run("fix", "--diff", *OFFLINE, cwd=root)
    assert diff.code == 1, "the file could not be checked: as check says"
    assert diff.out == ""
    assert diff.err == (
        "big.py: skipped: too large to analyse (11.0 MB; the limit is 10 MB)\n"
        "No fixes available; 1 file could not be checked (see above).\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_named_fifo_is_not_a_pass(run: Runner, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.py")
    result = run("check", *OFFLINE, "fifo.py", cwd=tmp_path)
    assert result.code == 1
    assert "fifo.py: skipped: not a regular file" in result.out
    assert "All checks passed" not in result.out
    document = json.loads(
        run("check", *OFFLINE, "--output-format", "json", "fifo.py", cwd=tmp_path).out
    )
    assert document["summary"]["skipped"] == [{"path": "fifo.py", "reason": "not a regular file"}]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_named_device_is_not_a_pass(run: Runner, tmp_path: Path) -> None:
    result = run("check", *OFFLINE, "/dev/zero", cwd=tmp_path)
    assert result.code == 1
    assert "/dev/zero: skipped: not a regular file" in result.out
    assert "All checks passed" not in result.out


def test_an_empty_select_is_a_usage_error(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": ROUTED})
    result = run("check", *OFFLINE, "--select", "", cwd=root)
    assert result.code == 2
    assert one_error_line(result.err).startswith("Invalid value for '--select'")


def test_a_selection_that_leaves_no_rule_is_an_error(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": ROUTED}, config="select = []\n")
    result = run("check", *OFFLINE, cwd=root)
    assert result.code == 2
    assert "no rule is enabled" in one_error_line(result.err)
    ignored = run("check", *OFFLINE, "--select", "LB2", "--ignore", "LB2", cwd=tmp_path)
    assert ignored.code == 2 and "no rule is enabled" in ignored.err


@pytest.mark.parametrize("command", ["check", "fix", "migrate"])
def test_catalog_live_and_offline_contradict(run: Runner, tmp_path: Path, command: str) -> None:
    root = project(tmp_path, {"app.py": ROUTED})
    extra = ("--allow-dirty",) if command == "migrate" else ()
    result = run(command, *extra, "--catalog", "live", "--offline", cwd=root)
    assert result.code == 2
    assert one_error_line(result.err) == "--offline contradicts --catalog live"
    assert (root / "app.py").read_text() == ROUTED


def test_offline_reads_a_catalog_file_it_is_given(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": ROUTED})
    catalog = Path(__file__).resolve().parent / "data" / "catalog.json"
    result = run("check", "--catalog", str(catalog), "--offline", *OFFLINE[1:], cwd=root)
    assert "from a file" in result.out.splitlines()[-1], result.out


def test_diff_with_json_output_is_refused(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": ROUTED})
    result = run("fix", "--diff", "--output-format", "json", *OFFLINE, cwd=root)
    assert result.code == 2
    assert one_error_line(result.err) == (
        "--diff prints a unified diff; it cannot be combined with --output-format json"
    )


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    """Files whose names are not UTF-8, or hold a newline."""
    try:
        (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text(ROUTED)
        (tmp_path / "two\nlines.py").write_text(ROUTED)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses such names")
    return tmp_path


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "llmbase_migrate", *args],
        cwd=root,
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"},
    )


def test_json_output_with_any_file_name_is_valid_json(odd_names: Path) -> None:
    result = _cli(odd_names, "check", *OFFLINE, "--output-format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout.decode("utf-8"))
    names = {os.fsencode(d["path"]) for d in document["diagnostics"]}
    # Python's surrogate escapes: os.fsencode gives the file's bytes back.
    assert names == {b"caf\xe9.py", b"two\nlines.py"}
    assert b"\\udce9" in result.stdout


def test_text_output_quotes_a_name_that_would_break_its_line(odd_names: Path) -> None:
    result = _cli(odd_names, "check", *OFFLINE)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert [line.split(": LB201")[0] for line in lines if ": LB201" in line] == [
        "'caf\\udce9.py':8:17",
        "'two\\nlines.py':8:17",
    ]


def test_clean_counts_only_what_it_removed(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"a.py": ROUTED})
    assert run("check", "--offline", cwd=root).code == 1
    [entry] = ResultCache().directory.rglob("*.json")
    with unchangeable(entry):
        result = run("clean", cwd=root)
    assert result.code == 1
    assert result.out == "Removed 0 cached results.\n"
    assert one_error_line(result.err).startswith("could not remove 1 cached result")
    assert run("clean", cwd=root).out == "Removed 1 cached result.\n"
