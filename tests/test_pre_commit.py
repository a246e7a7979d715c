"""Both hooks of .pre-commit-hooks.yaml, run by the real pre-commit in a throwaway git repo.

`pre-commit try-repo` installs this project into a hook environment exactly as a user's
`.pre-commit-config.yaml` would, so these tests catch a broken manifest, a wrong entry or
an option the CLI lacks, which calling the CLI directly cannot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent

OPENROUTER_APP = """\
import os

from openai import OpenAI

client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])


def ask(question: str) -> str:
    response = client.chat.completions.create(
        model="deepseek/deepseek-v4-flash",
        messages=[{"role": "user", "content": question}],
        extra_body={"provider": {"order": ["openai"]}},
    )
    return response.choices[0].message.content or ""
"""

LLMBASE_APP = """\
import os

from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])


def ask(question: str) -> str:
    response = client.chat.completions.create(
        model="deepseek/deepseek-v4-flash",
        messages=[{"role": "user", "content": question}],
    )
    return response.choices[0].message.content or ""
"""

NO_OPENAI = """\
def add(a: int, b: int) -> int:
    return a + b
"""

# Unclosed call, CRLF line endings and no final newline: any rewrite, even a
# normalising one, would change these bytes.
UNPARSABLE = (
    b"from openai import OpenAI\r\n"
    b"\r\n"
    b'client = OpenAI(base_url="https://openrouter.ai/api/v1",\r\n'
    b"def broken("
)

MODIFIED = "files were modified by this hook"
HOOK_EXIT = re.compile(r"^- exit code: (\d+)$", re.M)
FINDING = re.compile(r"^\S+:\d+:\d+: LB\d{3} ")


def _pre_commit() -> str:
    beside_python = Path(sys.executable).parent / "pre-commit"
    found = str(beside_python) if beside_python.exists() else shutil.which("pre-commit")
    if found is None:
        pytest.fail("pre-commit is not installed; install the test extra: pip install -e '.[test]'")
    return found


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # try-repo always builds its hook environment in a store of its own temporary
    # directory, so this does not share environments between runs; it keeps anything
    # else pre-commit caches out of the user's ~/.cache/pre-commit.
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project's work tree, untracked files included, as one commit of a new repo."""
    # try-repo on the work tree itself copies only the changes to tracked files
    # (`git add -u`): a module not yet staged would be missing from the hook's install.
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    if listed.returncode != 0:
        pytest.skip("the hooks are installed from a git repository; this is not one (an sdist?)")
    snapshot = tmp_path_factory.mktemp("project")
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        # Skips what the index still lists but the work tree has deleted.
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(
        snapshot,
        "-c",
        "user.name=llmbase-migrate tests",
        "-c",
        "user.email=tests@example.com",
        "commit",
        "-q",
        "--no-verify",
        "--no-gpg-sign",
        "-m",
        "snapshot",
    )
    return snapshot


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=_env(), check=True, capture_output=True)


def _env(pre_commit_home: Path | None = None) -> dict[str, str]:
    # GIT_DIR/GIT_INDEX_FILE exported by an enclosing git hook would point git at the
    # wrong repository; SKIP would make pre-commit skip the hook under test.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT")) and key != "SKIP"
    }
    if pre_commit_home is not None:
        env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    return env


def _make_repo(root: Path, files: Mapping[str, str | bytes]) -> Path:
    root.mkdir()
    _git(root, "init", "-q")
    _git(root, "config", "user.name", "llmbase-migrate tests")
    _git(root, "config", "user.email", "tests@example.com")
    # Keep the bytes of the files under test exactly as written.
    _git(root, "config", "core.autocrlf", "false")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    # pre-commit only sees files git tracks or has staged.
    _git(root, "add", "-A")
    return root


def _try_repo(repo: Path, hook: str, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # --verbose shows the hook's output when it passes too, so asserting what a passing
    # run does not report is not vacuous.
    return subprocess.run(
        [
            _pre_commit(),
            "try-repo",
            str(project),
            hook,
            "--all-files",
            "--verbose",
            "--color=never",
        ],
        cwd=repo,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _shown(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def _hook_exit(result: subprocess.CompletedProcess[str]) -> int:
    """The hook's own exit code, which pre-commit prints only when it is not 0."""
    codes = HOOK_EXIT.findall(result.stdout)
    assert len(codes) <= 1, _shown(result)
    return int(codes[0]) if codes else 0


def _findings(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The hook's `path:line:col: CODE message` lines."""
    return [line for line in result.stdout.splitlines() if FINDING.match(line)]


def test_check_hook_reports_openrouter_code(
    tmp_path: Path, project: Path, pre_commit_home: Path
) -> None:
    repo = _make_repo(tmp_path / "repo", {"app/llm.py": OPENROUTER_APP})

    result = _try_repo(repo, "llmbase-migrate", project, pre_commit_home)

    shown = _shown(result)
    assert (result.returncode, _hook_exit(result)) == (1, 1), shown
    reported = {line.split()[1] for line in _findings(result) if line.startswith("app/llm.py:")}
    assert {"LB101", "LB102", "LB201"} <= reported, shown
    assert (repo / "app" / "llm.py").read_text() == OPENROUTER_APP
    assert MODIFIED not in result.stdout, shown


def test_check_hook_passes_on_clean_repo(
    tmp_path: Path, project: Path, pre_commit_home: Path
) -> None:
    repo = _make_repo(tmp_path / "repo", {"llm.py": LLMBASE_APP, "maths.py": NO_OPENAI})

    result = _try_repo(repo, "llmbase-migrate", project, pre_commit_home)

    assert result.returncode == 0, _shown(result)
    assert _findings(result) == [], _shown(result)


def test_check_hook_honours_force_exclude(
    tmp_path: Path, project: Path, pre_commit_home: Path
) -> None:
    repo = _make_repo(
        tmp_path / "repo",
        {
            "pyproject.toml": '[tool.llmbase-migrate]\nextend-exclude = ["legacy/"]\n',
            "legacy/old_client.py": OPENROUTER_APP,
            "llm.py": LLMBASE_APP,
        },
    )

    result = _try_repo(repo, "llmbase-migrate", project, pre_commit_home)

    # pre-commit names legacy/old_client.py on the command line; only --force-exclude
    # keeps the project's exclude in force for it.
    assert result.returncode == 0, _shown(result)
    assert _findings(result) == [], _shown(result)
    assert "old_client.py" not in result.stdout, _shown(result)


def test_check_hook_reports_unparsable_file(
    tmp_path: Path, project: Path, pre_commit_home: Path
) -> None:
    repo = _make_repo(tmp_path / "repo", {"broken.py": UNPARSABLE})

    result = _try_repo(repo, "llmbase-migrate", project, pre_commit_home)

    assert (result.returncode, _hook_exit(result)) == (1, 1), _shown(result)
    reported = [(line.split(":")[0], line.split()[1]) for line in _findings(result)]
    assert reported == [("broken.py", "LB001")], _shown(result)
    assert (repo / "broken.py").read_bytes() == UNPARSABLE


def test_fix_hook_rewrites_then_passes(
    tmp_path: Path, project: Path, pre_commit_home: Path
) -> None:
    repo = _make_repo(tmp_path / "repo", {"app/llm.py": OPENROUTER_APP})
    target = repo / "app" / "llm.py"

    first = _try_repo(repo, "llmbase-migrate-fix", project, pre_commit_home)

    assert (first.returncode, _hook_exit(first)) == (1, 1), _shown(first)
    assert MODIFIED in first.stdout, _shown(first)
    fixed = target.read_text()
    assert 'base_url="https://api.llmbase.ai/v1"' in fixed, fixed
    assert 'api_key=os.environ["LLMBASE_API_KEY"]' in fixed, fixed
    assert "provider" not in fixed, fixed
    assert "extra_body" not in fixed, fixed

    # As a user would before committing again.
    _git(repo, "add", "-A")
    second = _try_repo(repo, "llmbase-migrate-fix", project, pre_commit_home)

    assert second.returncode == 0, _shown(second)
    assert MODIFIED not in second.stdout, _shown(second)
    assert target.read_text() == fixed


def test_fix_hook_leaves_unparsable_file_untouched(
    tmp_path: Path, project: Path, pre_commit_home: Path
) -> None:
    repo = _make_repo(tmp_path / "repo", {"broken.py": UNPARSABLE})

    result = _try_repo(repo, "llmbase-migrate-fix", project, pre_commit_home)

    # LB001 remains, so the hook fails, but it must not be by rewriting the file.
    assert (result.returncode, _hook_exit(result)) == (1, 1), _shown(result)
    assert MODIFIED not in result.stdout, _shown(result)
    assert (repo / "broken.py").read_bytes() == UNPARSABLE
