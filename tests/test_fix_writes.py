"""What ``fix`` and ``migrate`` may write, and what a run says when a write is refused
or fails: links out of the project, hard links, owners, the report path, files that
cannot be written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_runner import Runner, project
from llmbase_migrate.config import Settings
from llmbase_migrate.engine import api
from llmbase_migrate.engine.api import RunOptions, fix_paths
from llmbase_migrate.engine.outcome import HasFindings
from llmbase_migrate.errors import SourceError
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
ROUTED_FIXED = """\
import os
from openai import OpenAI

client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
client.chat.completions.create(
    model="deepseek/deepseek-v4-flash",
    messages=[],
)
"""
# where LB201 reports in ROUTED
AT = ":8:17: LB201 [*] "
OFFLINE = ("--offline", "--jobs", "1", "--no-cache")


def lines_about(output: str, path: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{path}:")]


# Symlinks ---------------------------------------------------------------------------


@pytest.fixture
def linked_out(tmp_path: Path) -> tuple[Path, Path]:
    """A project (with a config: its directory is the project root) holding a link to
    a file outside it."""
    outside = tmp_path / "outside" / "shared.py"
    outside.parent.mkdir()
    outside.write_text(ROUTED)
    root = project(tmp_path / "proj", {"app.py": ROUTED}, config="")
    (root / "link.py").symlink_to(outside)
    return root, outside


def test_a_link_out_of_the_project_is_checked(run: Runner, linked_out: tuple[Path, Path]) -> None:
    root, _ = linked_out
    checked = run("check", *OFFLINE, cwd=root)
    assert checked.code == 1
    assert [line.split(AT)[0] for line in checked.out.splitlines() if AT in line] == [
        "app.py",
        "link.py",
    ]


@pytest.mark.parametrize("named", [(), ("link.py", "app.py")], ids=["walked", "named"])
def test_a_link_out_of_the_project_is_never_written(
    run: Runner, linked_out: tuple[Path, Path], named: tuple[str, ...]
) -> None:
    root, outside = linked_out
    result = run("fix", *OFFLINE, *named, cwd=root)
    assert result.code == 1
    assert outside.read_text() == ROUTED
    assert (root / "link.py").is_symlink()
    assert (root / "app.py").read_text() == ROUTED_FIXED
    # Its findings stay, with the reason it was not fixed.
    finding, reason = lines_about(result.out, "link.py")
    assert finding.startswith(f"link.py{AT}")
    assert reason == (
        f"link.py: not fixed: it resolves to {outside.as_posix()}, outside the project "
        f"({root.as_posix()})"
    )
    assert "Fixed 1 finding in 1 file, 1 remaining; 1 file left unchanged" in result.out
    diff = run("fix", "--diff", *OFFLINE, *named, cwd=root)
    assert "link.py" not in diff.out, "--diff shows only what fix would write"
    assert "link.py: not fixed: it resolves to" in diff.err


def test_a_link_inside_the_tree_is_analysed_and_fixed_once(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"pkg/real.py": ROUTED}, config="")
    (root / "alias.py").symlink_to("pkg/real.py")
    checked = run("check", *OFFLINE, cwd=root)
    assert [line for line in checked.out.splitlines() if AT in line] == [
        line for line in checked.out.splitlines() if line.startswith(f"pkg/real.py{AT}")
    ]
    assert "Found 1 finding in 1 file" in checked.out
    named = run("check", *OFFLINE, "alias.py", "pkg", cwd=root)
    assert "Found 1 finding in 1 file" in named.out and f"pkg/real.py{AT}" in named.out
    fixed = run("fix", *OFFLINE, cwd=root)
    assert fixed.code == 1
    assert "changed while" not in fixed.out
    assert "Fixed 1 finding in 1 file, none remaining." in fixed.out
    assert (root / "pkg/real.py").read_text() == ROUTED_FIXED
    assert (root / "alias.py").is_symlink()


# Hard links, owner, group, extended attributes ------------------------------------------


def test_a_file_with_another_hard_link_is_not_fixed(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path / "proj", {"app.py": ROUTED}, config="")
    other = tmp_path / "elsewhere.py"
    os.link(root / "app.py", other)
    inode = (root / "app.py").stat().st_ino
    result = run("fix", *OFFLINE, cwd=root)
    assert result.code == 1
    assert (root / "app.py").stat().st_ino == inode
    assert other.read_text() == ROUTED == (root / "app.py").read_text()
    assert lines_about(result.out, "app.py")[0].startswith(f"app.py{AT}")
    assert "app.py: not fixed: the file has 2 hard links" in result.out


def test_two_hard_links_in_the_tree_are_one_file(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": ROUTED}, config="")
    os.link(root / "a.py", root / "b.py")
    checked = run("check", *OFFLINE, cwd=root)
    assert "Found 1 finding in 1 file" in checked.out
    assert f"a.py{AT}" in checked.out and "b.py" not in checked.out


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_fix_keeps_the_owner_and_group(run: Runner, tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": ROUTED}, config="")
    os.chown(root / "app.py", 12345, 23456)
    assert run("fix", *OFFLINE, cwd=root).code == 1
    status = (root / "app.py").stat()
    assert (root / "app.py").read_text() == ROUTED_FIXED
    assert (status.st_uid, status.st_gid) == (12345, 23456)


# migrate --report --------------------------------------------------------------------------


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
    root = project(tmp_path / "repo", {"app/routed.py": ROUTED})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def test_migrate_refuses_a_report_in_a_missing_directory_before_changing_anything(
    run: Runner, repository: Path
) -> None:
    result = run("migrate", "--offline", "--report", "no/such/dir/MIGRATION.md", cwd=repository)
    assert result.code == 2
    assert result.err == (
        "llmbase-migrate: error: cannot write the report to no/such/dir/MIGRATION.md: "
        "the directory no/such/dir does not exist\n"
    )
    assert (repository / "app/routed.py").read_text() == ROUTED


@pytest.mark.parametrize("report", ["app/routed.py", "./app/../app/routed.py"])
def test_migrate_refuses_a_report_over_an_analysed_file(
    run: Runner, repository: Path, report: str
) -> None:
    result = run("migrate", "--offline", "--report", report, cwd=repository)
    assert result.code == 2
    assert result.err == (
        f"llmbase-migrate: error: cannot write the report to {Path(report)}: "
        "it is one of the files being migrated\n"
    )
    assert (repository / "app/routed.py").read_text() == ROUTED


def test_migrate_report_through_a_link_to_an_analysed_file_is_refused(
    run: Runner, repository: Path, tmp_path: Path
) -> None:
    (tmp_path / "report.md").symlink_to(repository / "app/routed.py")
    result = run("migrate", "--offline", "--report", str(tmp_path / "report.md"), cwd=repository)
    assert result.code == 2
    assert "it is one of the files being migrated" in result.err
    assert (repository / "app/routed.py").read_text() == ROUTED


def test_a_report_that_cannot_be_written_after_the_migration_is_printed(
    run: Runner, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(path: Path, data: bytes) -> None:
        raise SourceError("no space left on device")

    monkeypatch.setattr("llmbase_migrate.cli.atomic_write", disk_full)
    result = run("migrate", "--offline", "--report", "MIGRATION.md", cwd=repository)
    assert result.code == 2
    assert result.out.startswith("# Migration to LLMBase\n")
    assert result.err == (
        "llmbase-migrate: error: cannot write the report to MIGRATION.md: no space left on "
        "device (printed on standard output instead)\n"
    )


# Writes that fail ---------------------------------------------------------------------------


def test_a_failed_write_keeps_the_findings_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"app.py": ROUTED})

    def disk_full(path: Path, data: bytes) -> None:
        raise SourceError("no space left on device")

    monkeypatch.setattr(api, "atomic_write", disk_full)
    (outcome,) = fix_paths(
        [root], Settings(project_root=root), cwd=root, options=RunOptions(jobs=1)
    ).outcomes
    assert isinstance(outcome, HasFindings)
    assert outcome.fix_error == "not fixed: no space left on device"
    assert [(f.code, f.span.line, f.span.column) for f in outcome.findings] == [("LB201", 8, 17)]
    assert (root / "app.py").read_text() == ROUTED


@pytest.fixture
def frozen(repository: Path) -> Path:
    """The repository with a second file, routed too, in a directory of its own (made
    unwritable when chattr is not available)."""
    (repository / "locked").mkdir()
    (repository / "locked/frozen.py").write_text(ROUTED)
    git(repository, "add", "-A")
    git(repository, "commit", "-qm", "frozen")
    return repository


def test_a_file_that_cannot_be_written_stays_in_every_output(run: Runner, frozen: Path) -> None:
    with unchangeable(frozen / "locked/frozen.py"):
        text = run("fix", *OFFLINE, cwd=frozen)
        assert text.code == 1
        assert f"locked/frozen.py{AT}" in text.out
        [reason] = [line for line in text.out.splitlines() if line.startswith("locked/frozen.py: ")]
        assert reason.startswith("locked/frozen.py: not fixed: "), reason
        assert "Fixed 1 finding in 1 file, 1 remaining; 1 file left unchanged" in text.out
        (frozen / "app/routed.py").write_text(ROUTED)

        document = json.loads(run("fix", *OFFLINE, "--output-format", "json", cwd=frozen).out)
        assert [(d["path"], d["code"]) for d in document["diagnostics"]] == [
            ("locked/frozen.py", "LB201")
        ]
        assert [entry["path"] for entry in document["summary"]["not_fixed"]] == ["locked/frozen.py"]
        (frozen / "app/routed.py").write_text(ROUTED)

        migrated = run("migrate", "--offline", cwd=frozen)
        assert migrated.code == 1
        assert "Nothing is left for a person" not in migrated.out
        assert "### `locked/frozen.py`\n\n- 8:17 **LB201**" in migrated.out
        assert "## Files left unchanged\n\n- `locked/frozen.py`: not fixed: " in migrated.out
        assert (frozen / "locked/frozen.py").read_text() == ROUTED
