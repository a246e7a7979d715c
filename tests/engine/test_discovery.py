"""Tests for expanding command-line paths into the Python files to analyse."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

from llmbase_migrate.config import Settings
from llmbase_migrate.engine.discovery import Discovery, DiscoverySkip, SourcePath, discover
from llmbase_migrate.errors import PathError

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def make_files(root: Path, *relative_paths: str) -> None:
    for relative in relative_paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def git_init(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(directory)], check=True, capture_output=True)


def run(
    root: Path,
    paths: Iterable[str] = (".",),
    *,
    cwd: Path | None = None,
    **settings_fields: object,
) -> Discovery:
    settings = Settings.model_validate({"project_root": root, **settings_fields})
    return discover([Path(p) for p in paths], settings, cwd=cwd or root)


def displays(discovery: Discovery) -> list[str]:
    return [source.display for source in discovery.files]


def skips(discovery: Discovery) -> dict[str, str]:
    return {skip.display: skip.reason for skip in discovery.skipped}


def test_python_files_only_and_sorted(tmp_path: Path) -> None:
    make_files(tmp_path, "b.py", "a/z.py", "a/m.pyi", "notes.txt", "setup.cfg", "a/data.json")

    discovery = run(tmp_path)

    assert displays(discovery) == ["a/m.pyi", "a/z.py", "b.py"]
    assert discovery.files[0] == SourcePath(
        path=tmp_path / "a" / "m.pyi", display="a/m.pyi", explicit=False
    )
    assert discovery.skipped == ()


def test_default_excludes_prune_quietly_at_any_depth(tmp_path: Path) -> None:
    make_files(
        tmp_path,
        "src/app.py",
        ".venv/lib/site.py",
        "venv/x.py",
        "build/gen.py",
        "src/pkg/build/gen.py",
        "src/__pycache__/app.py",
        "node_modules/m.py",
        ".git/hooks/hook.py",
        ".tox/py/t.py",
    )

    discovery = run(tmp_path)

    assert displays(discovery) == ["src/app.py"]
    assert discovery.skipped == ()


def test_replacing_exclude_drops_the_defaults(tmp_path: Path) -> None:
    make_files(tmp_path, "build/gen.py", "vendor/v.py")

    discovery = run(tmp_path, exclude=["vendor"])

    assert displays(discovery) == ["build/gen.py"]
    assert skips(discovery) == {"vendor": "excluded by 'vendor'"}


def test_extend_exclude_keeps_defaults_and_records_pruned_directories(tmp_path: Path) -> None:
    make_files(tmp_path, "app.py", "generated/a.py", "generated/b.py", "pkg/generated/c.py")
    make_files(tmp_path, "build/x.py")

    discovery = run(tmp_path, extend_exclude=["generated"])

    assert displays(discovery) == ["app.py"]
    # One record per pruned directory, none for the files inside it.
    assert skips(discovery) == {
        "generated": "excluded by 'generated'",
        "pkg/generated": "excluded by 'generated'",
    }


def test_file_patterns_exclude_files_silently(tmp_path: Path) -> None:
    make_files(tmp_path, "a.py", "a_pb2.py", "pkg/b_pb2.py")

    discovery = run(tmp_path, extend_exclude=["*_pb2.py"])

    assert displays(discovery) == ["a.py"]
    assert discovery.skipped == ()


def test_anchored_patterns_are_relative_to_the_project_root(tmp_path: Path) -> None:
    make_files(
        tmp_path,
        "gen/a.py",
        "pkg/gen/b.py",
        "tools/scripts/c.py",
        "pkg/tools/scripts/d.py",
        "docs/conf.py",
        "docs/api/e.py",
    )
    subdirectory = tmp_path / "pkg"

    discovery = run(
        tmp_path,
        [".", "../gen", "../tools", "../docs"],
        cwd=subdirectory,
        extend_exclude=["/gen", "tools/scripts", "docs/*.py"],
    )

    # /gen was named explicitly (so it is walked); pkg/gen is not anchored-excluded.
    assert displays(discovery) == [
        f"{tmp_path.as_posix()}/docs/api/e.py",
        f"{tmp_path.as_posix()}/gen/a.py",
        "gen/b.py",
        "tools/scripts/d.py",
    ]
    assert skips(discovery) == {
        f"{tmp_path.as_posix()}/tools/scripts": "excluded by 'tools/scripts'",
    }


def test_directory_only_pattern_does_not_exclude_a_file(tmp_path: Path) -> None:
    make_files(tmp_path, "cache/a.py", "pkg/cache.py")

    discovery = run(tmp_path, extend_exclude=["cache/"])

    assert displays(discovery) == ["pkg/cache.py"]


def test_explicit_excluded_directory_is_walked_without_force_exclude(tmp_path: Path) -> None:
    make_files(tmp_path, "build/a.py", "build/sub/b.py", "build/__pycache__/c.py")

    discovery = run(tmp_path, ["build"])

    # What excludes the named directory does not exclude its contents, but
    # other patterns still apply inside it.
    assert displays(discovery) == ["build/a.py", "build/sub/b.py"]


def test_force_exclude_applies_to_explicit_paths(tmp_path: Path) -> None:
    make_files(tmp_path, "build/a.py", "pkg/build/b.py", "ok.py", "gen_pb2.py")

    loose = run(tmp_path, ["build/a.py", "pkg/build/b.py", "ok.py", "gen_pb2.py"])
    forced = discover(
        [Path("build/a.py"), Path("pkg/build"), Path("ok.py"), Path("gen_pb2.py")],
        Settings(project_root=tmp_path, extend_exclude=("*_pb2.py",)),
        cwd=tmp_path,
        force_exclude=True,
    )

    assert displays(loose) == ["build/a.py", "gen_pb2.py", "ok.py", "pkg/build/b.py"]
    assert all(source.explicit for source in loose.files)
    assert displays(forced) == ["ok.py"]
    assert skips(forced) == {
        "build/a.py": "excluded by 'build'",
        "pkg/build": "excluded by 'build'",
        "gen_pb2.py": "excluded by '*_pb2.py'",
    }


def test_explicit_file_is_taken_whatever_its_suffix(tmp_path: Path) -> None:
    make_files(tmp_path, "bin/tool", "script.txt")

    discovery = run(tmp_path, ["bin/tool", "script.txt"])

    assert discovery.files == (
        SourcePath(path=tmp_path / "bin" / "tool", display="bin/tool", explicit=True),
        SourcePath(path=tmp_path / "script.txt", display="script.txt", explicit=True),
    )


def test_nonexistent_path_raises_one_line_path_error(tmp_path: Path) -> None:
    make_files(tmp_path, "a.py")

    with pytest.raises(PathError) as caught:
        run(tmp_path, ["a.py", "missing/nope.py"])

    assert str(caught.value) == "path does not exist: missing/nope.py"


def test_path_under_a_file_does_not_exist(tmp_path: Path) -> None:
    make_files(tmp_path, "a.py")

    with pytest.raises(PathError, match=r"^path does not exist: a\.py/b\.py$"):
        run(tmp_path, ["a.py/b.py"])


def test_stdin_marker_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="standard input"):
        run(tmp_path, ["-"])


def test_duplicates_collapse_and_explicit_wins(tmp_path: Path) -> None:
    make_files(tmp_path, "pkg/a.py", "pkg/b.py")

    discovery = run(tmp_path, [".", "pkg", "pkg/a.py", "./pkg/../pkg/a.py"])

    assert displays(discovery) == ["pkg/a.py", "pkg/b.py"]
    assert [source.explicit for source in discovery.files] == [True, False]


def test_order_is_deterministic(tmp_path: Path) -> None:
    names = [f"d{i % 7}/f{i}.py" for i in range(40)]
    make_files(tmp_path, *names)

    first = run(tmp_path, ["d3", "."])
    second = run(tmp_path, [".", "d3"])

    assert first == second
    assert displays(first) == sorted(displays(first))
    assert len(first.files) == 40


def test_files_outside_cwd_are_displayed_absolute(tmp_path: Path) -> None:
    make_files(tmp_path, "project/a.py", "elsewhere/b.py")

    discovery = run(tmp_path / "project", [".", "../elsewhere"], cwd=tmp_path / "project")

    assert displays(discovery) == [f"{(tmp_path / 'elsewhere' / 'b.py').as_posix()}", "a.py"]


def test_broken_symlink_and_symlink_loop_are_skipped(tmp_path: Path) -> None:
    make_files(tmp_path, "real.py")
    (tmp_path / "broken.py").symlink_to("missing.py")
    (tmp_path / "loop.py").symlink_to("loop.py")
    (tmp_path / "ping.py").symlink_to("pong.py")
    (tmp_path / "pong.py").symlink_to("ping.py")
    (tmp_path / "broken_dir").symlink_to("no-such-dir")

    walked = run(tmp_path)
    explicit = run(tmp_path, ["broken.py", "loop.py"])

    assert displays(walked) == ["real.py"]
    assert skips(walked) == {
        "broken.py": "broken symlink",
        "loop.py": "symlink loop",
        "ping.py": "symlink loop",
        "pong.py": "symlink loop",
    }
    assert explicit.files == ()
    assert skips(explicit) == {"broken.py": "broken symlink", "loop.py": "symlink loop"}


def test_symlinked_directories_are_not_followed_but_symlinked_files_are(tmp_path: Path) -> None:
    make_files(tmp_path, "pkg/a.py", "shared/lib.py")
    (tmp_path / "pkg" / "up").symlink_to("..")
    (tmp_path / "pkg" / "shared").symlink_to(tmp_path / "shared")
    (tmp_path / "pkg" / "alias.py").symlink_to(tmp_path / "shared" / "lib.py")

    discovery = run(tmp_path, ["pkg"])

    assert displays(discovery) == ["pkg/a.py", "pkg/alias.py"]
    # Not resolved: the file keeps the name it was found under.
    assert discovery.files[1].path == tmp_path / "pkg" / "alias.py"
    assert discovery.skipped == ()


def test_symlinked_directory_named_explicitly_is_walked(tmp_path: Path) -> None:
    make_files(tmp_path, "shared/lib.py")
    (tmp_path / "link").symlink_to(tmp_path / "shared")

    assert displays(run(tmp_path, ["link"])) == ["link/lib.py"]


def test_unreadable_directory_is_skipped(tmp_path: Path) -> None:
    make_files(tmp_path, "a.py", "locked/b.py")
    locked = tmp_path / "locked"
    locked.chmod(0)
    try:
        try:
            list(locked.iterdir())
        except PermissionError:
            access_denied = True
        else:
            access_denied = False  # running as root: permissions are not enforced

        discovery = run(tmp_path)

        if access_denied:
            assert displays(discovery) == ["a.py"]
            assert skips(discovery) == {"locked": "permission denied"}
        else:
            assert os.geteuid() == 0
            assert displays(discovery) == ["a.py", "locked/b.py"]
    finally:
        locked.chmod(0o755)


def test_gitignore_is_ignored_outside_a_git_work_tree(tmp_path: Path) -> None:
    make_files(tmp_path, "kept.py", "ignored.py", "out/gen.py")
    (tmp_path / ".gitignore").write_text("ignored.py\nout/\n", encoding="utf-8")

    discovery = run(tmp_path)

    assert displays(discovery) == ["ignored.py", "kept.py", "out/gen.py"]


@needs_git
def test_nested_gitignore_files_and_info_exclude(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git_init(repo)
    make_files(
        repo,
        "main.py",
        "gen_a.gen.py",
        "out/o.py",
        "pkg/local.py",
        "pkg/keep.gen.py",
        "pkg/other.gen.py",
        "pkg/deep/local.py",
        "pkg/deep/fine.py",
        "other/local.py",
        "secret.py",
    )
    (repo / ".gitignore").write_text("*.gen.py\nout/\n", encoding="utf-8")
    # Anchored at pkg/: applies to pkg/local.py and pkg/deep/local.py, not other/.
    (repo / "pkg" / ".gitignore").write_text("local.py\n!keep.gen.py\n", encoding="utf-8")
    (repo / ".git" / "info" / "exclude").write_text("/secret.py\n", encoding="utf-8")

    discovery = run(repo)

    assert displays(discovery) == [
        "main.py",
        "other/local.py",
        "pkg/deep/fine.py",
        "pkg/keep.gen.py",
    ]
    assert skips(discovery) == {"out": "ignored by .gitignore"}


@needs_git
def test_gitignore_applies_when_walking_from_a_subdirectory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git_init(repo)
    make_files(repo, "pkg/sub/a.py", "pkg/sub/skip_me.py")
    (repo / ".gitignore").write_text("skip_me.py\n", encoding="utf-8")

    discovery = run(repo, ["sub"], cwd=repo / "pkg")

    assert displays(discovery) == ["sub/a.py"]


@needs_git
def test_respect_gitignore_false(tmp_path: Path) -> None:
    git_init(tmp_path)
    make_files(tmp_path, "a.py", "ignored.py")
    (tmp_path / ".gitignore").write_text("ignored.py\n", encoding="utf-8")

    discovery = discover(
        [Path()], Settings(project_root=tmp_path), cwd=tmp_path, respect_gitignore=False
    )

    assert displays(discovery) == ["a.py", "ignored.py"]


@needs_git
def test_gitignored_explicit_file_is_taken_unless_force_exclude(tmp_path: Path) -> None:
    git_init(tmp_path)
    make_files(tmp_path, "scratch/try.py")
    (tmp_path / ".gitignore").write_text("scratch/\n", encoding="utf-8")
    settings = Settings(project_root=tmp_path)

    loose = discover([Path("scratch/try.py")], settings, cwd=tmp_path)
    walked = discover([Path("scratch")], settings, cwd=tmp_path)
    forced = discover([Path("scratch/try.py")], settings, cwd=tmp_path, force_exclude=True)

    assert displays(loose) == ["scratch/try.py"]
    assert displays(walked) == ["scratch/try.py"]
    assert forced.files == ()
    assert forced.skipped == (DiscoverySkip("scratch/try.py", "ignored by .gitignore"),)


@needs_git
def test_nested_repository_uses_its_own_ignore_rules(tmp_path: Path) -> None:
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("*_local.py\n", encoding="utf-8")
    inner = tmp_path / "vendor" / "inner"
    git_init(inner)
    (inner / ".gitignore").write_text("private.py\n", encoding="utf-8")
    make_files(tmp_path, "x_local.py", "vendor/inner/y_local.py", "vendor/inner/private.py")

    discovery = run(tmp_path)

    assert displays(discovery) == ["vendor/inner/y_local.py"]


def test_a_file_reached_under_two_names_is_taken_once_under_its_real_name(
    tmp_path: Path,
) -> None:
    make_files(tmp_path, "pkg/real.py", "other.py")
    (tmp_path / "alias.py").symlink_to("pkg/real.py")
    (tmp_path / "zz.py").symlink_to(tmp_path / "pkg" / "real.py")
    os.link(tmp_path / "other.py", tmp_path / "pkg" / "hard.py")

    walked = run(tmp_path)
    named = run(tmp_path, ["alias.py", "pkg/real.py"])
    alone = run(tmp_path, ["alias.py"])

    assert displays(walked) == ["other.py", "pkg/real.py"]
    assert displays(named) == ["pkg/real.py"]
    # Found only through the link, the file keeps the link's name.
    assert displays(alone) == ["alias.py"]
    assert walked.skipped == ()


def test_only_problems_with_named_paths_are_marked_as_such(tmp_path: Path) -> None:
    make_files(tmp_path, "a.py", "excluded/b.py")
    (tmp_path / "broken.py").symlink_to("missing.py")

    named = run(tmp_path, ["broken.py", "excluded"], extend_exclude=["excluded"])
    forced = discover(
        [Path("excluded")],
        Settings.model_validate({"project_root": tmp_path, "extend_exclude": ["excluded"]}),
        cwd=tmp_path,
        force_exclude=True,
    )
    walked = run(tmp_path)

    assert named.skipped == (DiscoverySkip("broken.py", "broken symlink", named=True),)
    # an exclusion is deliberate, and problems met during a walk are only listed
    assert forced.skipped == (DiscoverySkip("excluded", "excluded by 'excluded'"),)
    assert walked.skipped == (DiscoverySkip("broken.py", "broken symlink"),)
