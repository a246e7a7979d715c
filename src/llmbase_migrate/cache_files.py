"""Reading and writing the tool's cache files: private, bounded, never through a link.

Caches live in the user's cache directory, which other programs, a restored CI cache
or another user may have put things into. So a cache file is created ``0600`` in
directories made ``0700``, replaced atomically (a symlink planted in its place is
replaced, never written through), and read only when it is a regular file of at
most a given size (never a FIFO that would block, never a 300 MB file read whole).
Failures are ``OSError``; callers treat a cache that cannot be used as absent.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["make_private_directory", "read_bounded", "write_private"]

_PRIVATE_FILE = 0o600
_PRIVATE_DIRECTORY = 0o700


def make_private_directory(directory: Path, *, owned_from: Path) -> None:
    """Create ``directory`` and its missing parents up to ``owned_from`` (the first
    directory that is the tool's own), each ``0700``; existing ones from there down are
    made private too. Directories above ``owned_from`` are the user's, left as they are.
    """
    chain = [directory, *directory.parents]
    if owned_from not in chain:
        raise ValueError(f"{directory} is not inside {owned_from}")
    ours = chain[: chain.index(owned_from) + 1]
    owned_from.parent.mkdir(parents=True, exist_ok=True)
    for path in reversed(ours):
        try:
            path.mkdir(mode=_PRIVATE_DIRECTORY)
        except FileExistsError:
            info = path.lstat()
            if not stat.S_ISDIR(info.st_mode):
                raise NotADirectoryError(f"not a directory: {path}") from None
            if stat.S_IMODE(info.st_mode) != _PRIVATE_DIRECTORY and _ours(info):
                path.chmod(_PRIVATE_DIRECTORY)


def _ours(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)  # absent on Windows, where modes mean little
    return getuid is None or info.st_uid == getuid()


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with a ``0600`` file holding ``data``; its directory must exist."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags | getattr(os, "O_BINARY", 0), _PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        # A rename swaps the directory entry: a symlink there is replaced, not followed.
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link) of at most ``limit``
    bytes; None when it is missing, unreadable, larger, or not a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            data = stream.read(limit + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None
