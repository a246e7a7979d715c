"""Making a file that even root cannot replace or remove, for tests of failed writes.

Permission bits do not stop root, so as root the file is made immutable
(``chattr +i``); otherwise its directory loses its write bit. Either way the
protection is proved by trying to replace the file, and the test is skipped when
neither works here (no chattr, a file system without the flag).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def unchangeable(path: Path) -> Iterator[None]:
    """Within the block, the file ``path`` can be neither replaced nor removed."""
    undo = _protect(path)
    try:
        if undo is None or not _is_protected(path):
            pytest.skip(
                "cannot make a file unchangeable here (no chattr +i, or modes not enforced)"
            )
        yield
    finally:
        if undo is not None:
            undo()


def _protect(path: Path) -> Callable[[], object] | None:
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None:
            return None
        if subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
            return None
        return lambda: subprocess.run([chattr, "-i", str(path)], capture_output=True)
    directory = path.parent
    mode = directory.stat().st_mode
    directory.chmod(0o555)
    return lambda: directory.chmod(mode)


def _is_protected(path: Path) -> bool:
    probe = path.with_name(f".{path.name}.probe")
    try:
        probe.write_bytes(path.read_bytes())
        probe.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            probe.unlink()
        return True
    return False
