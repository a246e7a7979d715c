"""What git says about the files a migration would rewrite."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from llmbase_migrate.errors import LlmbaseMigrateError


class DirtyWorkTreeError(LlmbaseMigrateError):
    """The paths to migrate hold changes git could not give back."""


def uncommitted_changes(path: Path) -> list[str] | None:
    """Files under ``path`` with uncommitted changes (untracked ones included, ignored
    ones not), or None when ``path`` is not inside a git work tree or git is missing."""
    git = shutil.which("git")
    if git is None:
        return None
    directory = path if path.is_dir() else path.parent
    try:
        inside = subprocess.run(
            [git, "rev-parse", "--is-inside-work-tree"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        status = subprocess.run(
            [
                git,
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--",
                str(path.resolve()),
            ],
            cwd=directory,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if status.returncode != 0:
        return None
    entries = [entry for entry in status.stdout.decode("utf-8", "replace").split("\0") if entry]
    changed: list[str] = []
    skip_next = False
    for entry in entries:
        if skip_next:
            # the original name of a rename
            skip_next = False
            continue
        code, name = entry[:2], entry[3:]
        if code[0] in "RC":
            skip_next = True
        changed.append(name)
    return changed
