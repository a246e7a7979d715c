"""``fix``, ``check --fix``, ``--diff`` and ``migrate`` as users run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import Runner, project

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
ROUTED_FIXED = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(
    model="deepseek/deepseek-v4-flash",
    messages=[],
)
"""
EMBEDDINGS = ROUTED_FIXED + 'client.embeddings.create(model="e", input="x")\n'


def test_fix_rewrites_then_a_second_run_has_nothing_to_do(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app/routed.py": ROUTED})
    first = run("fix", cwd=root)
    assert first.code == 1, "a changed file exits 1 so pre-commit shows the change"
    assert (root / "app/routed.py").read_text() == ROUTED_FIXED
    assert "Fixed 1 finding in 1 file, none remaining." in first.out
    second = run("fix", cwd=root)
    assert second.code == 0
    assert "Nothing to fix." in second.out


def test_check_fix_is_an_alias(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"routed.py": ROUTED})
    result = run("check", "--fix", cwd=root)
    assert result.code == 1
    assert (root / "routed.py").read_text() == ROUTED_FIXED


def test_remaining_findings_are_reported_like_check(run: Runner, tmp_path: Path) -> None:
    root = project(
        tmp_path, {"app.py": ROUTED + 'client.embeddings.create(model="e", input="x")\n'}
    )
    result = run("fix", cwd=root)
    assert result.code == 1
    # positions are those of the fixed file (line 10 before the fix removed a line)
    assert "app.py:9:8: LB401 client.embeddings" in result.out
    assert "Fixed 1 finding in 1 file, 1 remaining." in result.out
    again = run("fix", cwd=root)
    assert again.code == 1, "findings remain"
    assert "Nothing fixed; 1 finding remaining." in again.out


def test_diff_prints_and_writes_nothing(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"routed.py": ROUTED})
    result = run("fix", "--diff", cwd=root)
    assert result.code == 1
    assert result.out.startswith("--- a/routed.py\n+++ b/routed.py\n@@ ")
    assert '-    extra_body={"provider": {"order": ["x"]}},\n' in result.out
    assert "Would fix 1 finding in 1 file." in result.err
    assert (root / "routed.py").read_text() == ROUTED
    clean = project(tmp_path / "clean", {"clean.py": ROUTED_FIXED})
    nothing = run("fix", "--diff", cwd=clean)
    assert (nothing.code, nothing.out) == (0, "")


def test_fix_from_stdin_prints_the_fixed_source(run: Runner, tmp_path: Path) -> None:
    result = run("fix", "-", "--stdin-filename", "app.py", cwd=tmp_path, stdin=ROUTED.encode())
    assert result.out == ROUTED_FIXED
    assert result.code == 1
    unchanged = run("fix", "-", cwd=tmp_path, stdin=EMBEDDINGS.encode())
    assert unchanged.out == EMBEDDINGS
    assert "-:9:8: LB401" in unchanged.err


def test_fix_leaves_a_file_that_does_not_parse(run: Runner, tmp_path: Path) -> None:
    broken = "from openai import OpenAI\nclient = OpenAI(\n"
    root = project(tmp_path, {"broken.py": broken, "routed.py": ROUTED})
    result = run("fix", cwd=root)
    assert result.code == 1
    assert "broken.py:3:1: LB001" in result.out or "broken.py:2:16: LB001" in result.out
    assert (root / "broken.py").read_text() == broken
    assert (root / "routed.py").read_text() == ROUTED_FIXED


def test_fix_json_lists_what_was_fixed(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"routed.py": ROUTED})
    document = json.loads(run("fix", "--output-format", "json", cwd=root).out)
    assert [item["code"] for item in document["fixed"]] == ["LB201"]
    assert document["diagnostics"] == []
    assert document["summary"]["fixed"] == 1 and document["summary"]["files_fixed"] == 1


def test_unsafe_fixes_are_announced_not_applied(run: Runner, tmp_path: Path) -> None:
    models_only = ROUTED.replace('    model="deepseek/deepseek-v4-flash",\n', "").replace(
        '{"provider": {"order": ["x"]}}', '{"models": ["z-ai/glm-5.1", "qwen/qwen3-coder"]}'
    )
    root = project(tmp_path, {"routed.py": models_only})
    checked = run("check", cwd=root)
    assert "(1 fixable with `fix --unsafe-fixes`)" in checked.out
    assert "LB201 [*]" not in checked.out
    safe = run("fix", cwd=root)
    assert "1 more fixable with --unsafe-fixes" in safe.out
    assert (root / "routed.py").read_text() == models_only
    unsafe = run("fix", "--unsafe-fixes", cwd=root)
    assert unsafe.code == 1
    assert 'model="z-ai/glm-5.1"' in (root / "routed.py").read_text()


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = project(tmp_path / "repo", {"app/routed.py": ROUTED, "app/vectors.py": EMBEDDINGS})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def test_migrate_refuses_uncommitted_changes(run: Runner, repository: Path) -> None:
    (repository / "app/new.py").write_text("x = 1\n")
    result = run("migrate", cwd=repository)
    assert result.code == 2
    assert result.err.startswith("llmbase-migrate: error: uncommitted changes under . (app/new.py)")
    assert (repository / "app/routed.py").read_text() == ROUTED
    allowed = run("migrate", "--allow-dirty", cwd=repository)
    assert allowed.code == 1
    assert (repository / "app/routed.py").read_text() == ROUTED_FIXED


def test_migrate_writes_a_report_for_the_pull_request(run: Runner, repository: Path) -> None:
    report = repository.parent / "MIGRATION.md"
    result = run("migrate", "--report", str(report), cwd=repository)
    assert result.code == 1, "a finding needs a person"
    assert "Report: " in result.err
    text = report.read_text()
    assert text.startswith("# Migration to LLMBase\n")
    assert "| LB201 | vendor-routing-field" in text
    assert "### `app/routed.py`\n\n- **LB201** remove provider\n" in text
    assert "## What needs a person" in text
    assert "### `app/vectors.py`\n\n- 9:8 **LB401** unsupported-endpoint" in text
    assert (repository / "app/routed.py").read_text() == ROUTED_FIXED


CLIENTS = """\
import os
from openai import OpenAI

OPENROUTER_KEY = os.getenv("OPENROUTER_API_KEY")
router = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=OPENROUTER_KEY)
leaky = OpenAI(api_key="sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123")
both = OpenAI(api_key=os.environ["OPENAI_API_KEY"])


def ask(text):
    router.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
    leaky.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
    both.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
    return both.embeddings.create(model="text-embedding-3-small", input=text)
"""


def test_migrate_reports_what_a_person_must_review_rotate_and_remove(
    run: Runner, tmp_path: Path
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = project(tmp_path / "repo", {"clients.py": CLIENTS})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    result = run("migrate", "--offline", cwd=root)
    text = result.out
    assert "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123" not in text + (root / "clients.py").read_text()
    review = text.split("### Review these fixes")[1].split("###")[0]
    # the client with the key and the one kept beside a new client are unsafe, with why
    assert "`clients.py` 6:" in review and "hardcoded key" in review
    assert "`clients.py` 7:" in review and "adds a client" in review
    assert "`clients.py` 5:" not in review, "moving the OpenRouter client was safe"
    rotate = text.split("### Rotate these keys")[1].split("###")[0]
    assert "- `clients.py` 6:" in rotate and "`sk-p…23`" in rotate
    left = text.split("### Left unused")[1].split("##")[0]
    assert "`OPENROUTER_KEY (line 4)`" in left
    migrated = (root / "clients.py").read_text()
    assert "llmbase_client = OpenAI(" in migrated
    assert "both.embeddings.create" in migrated and "llmbase_client.chat" in migrated


# ``1 is 1`` is a SyntaxWarning from CPython's compiler, "\d" an invalid escape
# sequence its parser warns about (also when LibCST evaluates the model's string):
# the code runs, so it is analysed and fixed.
WARNS_TAIL = (
    'if 1 is 1:\n    pattern = "\\d"\nclient.chat.completions.create(model="m\\d", messages=[])\n'
)
WARNS = ROUTED + WARNS_TAIL


def test_code_with_syntax_warnings_is_fixed(run: Runner, tmp_path: Path) -> None:
    # In-process warnings are errors (pytest's filterwarnings), as under -W error.
    root = project(tmp_path, {"warns.py": WARNS})
    checked = run("check", cwd=root)
    assert "LB001" not in checked.out and "error" not in checked.out, checked.out
    assert "warns.py:8:17: LB201" in checked.out
    result = run("fix", cwd=root)
    assert result.code == 1, result.out + result.err
    assert (root / "warns.py").read_text() == ROUTED_FIXED + WARNS_TAIL


@pytest.mark.parametrize("action", ["always", "error"])
def test_syntax_warnings_never_reach_stderr(tmp_path: Path, action: str) -> None:
    """A user's interpreter shows warnings (``always``) or raises them (``error``):
    the analysed code's warnings are neither printed nor errors."""
    root = project(tmp_path, {"warns.py": WARNS})
    env = {**os.environ, "PYTHONWARNINGS": action}
    result = subprocess.run(
        [sys.executable, "-m", "llmbase_migrate", "fix", "warns.py"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Warning" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert (root / "warns.py").read_text().startswith(ROUTED_FIXED)
