"""Reading, decoding and atomically rewriting Python source files.

Decoding follows the interpreter (PEP 263 coding cookies, the UTF-8 BOM, NUL
bytes rejected) so that what we analyse is exactly what Python would run, and
encoding is its exact inverse so that an untouched file round-trips byte for
byte.  Every failure is a :class:`SourceError` whose reason is a short phrase.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import mmap
import os
import re
import secrets
import stat
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from llmbase_migrate.errors import SourceError

__all__ = ["DecodedSource", "atomic_write", "decode_source", "encode_source", "read_bytes"]

# The same cookie syntax tokenize.detect_encoding accepts (PEP 263).
_CODING_COOKIE: Final = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)

_LINE_ENDING: Final = re.compile(r"\r\n|\r|\n")
_PHYSICAL_LINE: Final = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?")

_READ_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

_READ_FAILURE_REASONS: Final = {
    errno.ENOENT: "file vanished",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a directory",
    errno.ELOOP: "symlink loop",
    # Opening a socket.
    errno.ENXIO: "not a regular file",
}

_WRITE_FAILURE_REASONS: Final = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOENT: "directory vanished",
}


@dataclass(frozen=True)
class DecodedSource:
    """A decoded source file plus what is needed to encode it back identically.

    ``encoding`` never carries a ``-sig`` suffix: the BOM is recorded in ``bom``
    so that ``encode_source`` adds it exactly once.
    """

    text: str
    encoding: str
    bom: bool
    newline: str
    ends_with_newline: bool


class FileTooLarge(SourceError):
    """A regular file larger than the reader's limit; it was not read."""

    def __init__(self, size: int) -> None:
        super().__init__(f"larger than the limit ({size} bytes)")
        self.size = size

    def __reduce__(self) -> tuple[object, ...]:
        return (FileTooLarge, (self.size,))


def read_bytes(path: Path, *, max_bytes: int | None = None) -> bytes:
    """Return the raw contents of ``path`` or raise :class:`SourceError`
    (:class:`FileTooLarge`, before reading anything, past ``max_bytes``).

    Only a regular file is read. Discovery takes nothing else, but a path can
    change between discovery and reading: a FIFO swapped in would otherwise
    block the run until some process writes to it, and a device such as
    /dev/zero would never end.
    """
    try:
        # O_NONBLOCK so that opening a FIFO does not wait for a writer; it has
        # no effect on reading a regular file.
        descriptor = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise SourceError(_read_failure(exc)) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise SourceError("is a directory")
        if not stat.S_ISREG(mode):
            raise SourceError("not a regular file")
        size = os.fstat(descriptor).st_size
        if max_bytes is not None and size > max_bytes:
            raise FileTooLarge(size)
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read()
    except OSError as exc:
        raise SourceError(_read_failure(exc)) from None
    finally:
        os.close(descriptor)


def mentions_any(path: Path, words: Sequence[bytes]) -> bool:
    """Whether the file holds one of ``words``, searched through a memory map: a file
    too large to read whole is still pre-filtered without loading it."""
    try:
        with (
            path.open("rb") as stream,
            mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view,
        ):
            return any(view.find(word) != -1 for word in words)
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return True


def decode_source(raw: bytes) -> DecodedSource:
    """Decode ``raw`` the way the Python interpreter decodes a source file."""
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        detected, _ = tokenize.detect_encoding(_readline(raw))
    except SyntaxError as exc:
        raise _cookie_error(raw, str(exc)) from None
    encoding = detected.removesuffix("-sig") if bom else detected
    if not _is_ascii_compatible(encoding):
        # CPython refuses these too ("encoding problem: utf-16"): the cookie
        # itself could not have been read in such an encoding, or the codec
        # does not produce text at all (rot13, base64).
        raise SourceError(f"unsupported encoding {encoding!r} in coding cookie")
    body = raw[len(codecs.BOM_UTF8) :] if bom else raw
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(codecs.BOM_UTF8) if bom else 0)
        raise SourceError(_undecodable(encoding, offset)) from None
    if "\0" in text:
        raise SourceError("contains a NUL byte")
    return DecodedSource(
        text=text,
        encoding=encoding,
        bom=bom,
        newline=_first_newline(text),
        ends_with_newline=text.endswith(("\n", "\r")),
    )


def encode_source(text: str, like: DecodedSource) -> bytes:
    """Encode ``text`` with the encoding and BOM of ``like`` (inverse of decoding)."""
    try:
        data = text.encode(like.encoding)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise SourceError(f"cannot encode {bad!r} as {like.encoding}") from None
    return codecs.BOM_UTF8 + data if like.bom else data


def atomic_write(path: Path, data: bytes) -> None:
    """Replace the contents of ``path`` with ``data`` so readers never see a partial file.

    The data goes to a temporary file in the same directory (so the final
    rename stays on one file system), is fsynced, gets the original's owner,
    group, mode bits and extended attributes (ACLs included) and then replaces
    the original.  When the owner or an attribute cannot be kept, nothing is
    replaced.  On failure the original is untouched, the temporary file is
    removed and :class:`SourceError` is raised.
    """
    # Writing through a symlink keeps the link; replacing it would turn it into
    # a regular file and silently fork the shared source.
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        try:
            original: os.stat_result | None = target.stat()
        except FileNotFoundError:
            original = None
        # A new file gets 0o666 minus the umask like any other created file; an
        # existing one is private until it has the original's mode.
        create_mode = 0o666 if original is None else 0o600
        descriptor = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
            create_mode,
        )
    except OSError as exc:
        raise SourceError(_write_failure(exc)) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if original is not None:
            _take_metadata(temporary, target, original)
        temporary.replace(target)
    except (OSError, SourceError) as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, SourceError):
            raise
        raise SourceError(_write_failure(exc)) from None
    _fsync_directory(target.parent)


def _take_metadata(temporary: Path, target: Path, original: os.stat_result) -> None:
    """Give ``temporary`` the owner, group, mode and extended attributes of ``target``."""
    created = temporary.stat()
    if (created.st_uid, created.st_gid) != (original.st_uid, original.st_gid):
        try:
            os.chown(temporary, original.st_uid, original.st_gid)
        except OSError:
            # Replacing the file would hand it to whoever runs the fix.
            raise SourceError(
                f"cannot keep the file's owner and group ({original.st_uid}:{original.st_gid})"
            ) from None
    # After chown, which clears the set-user-ID and set-group-ID bits.
    temporary.chmod(stat.S_IMODE(original.st_mode))
    for name, value in _extended_attributes(target):
        try:
            if os.getxattr(temporary, name) == value:
                continue  # set by the system already (an SELinux label)
        except OSError:
            pass
        try:
            os.setxattr(temporary, name, value)
        except OSError:
            raise SourceError(f"cannot keep the extended attribute {name!r}") from None


def _extended_attributes(path: Path) -> list[tuple[str, bytes]]:
    if not hasattr(os, "listxattr"):
        return []
    try:
        names = os.listxattr(path)
        return [(name, os.getxattr(path, name)) for name in names]
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return []
        raise


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible everywhere (Windows), and
    # the write has already succeeded, so failure here is not an error.
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _read_failure(exc: OSError) -> str:
    if exc.errno is not None and exc.errno in _READ_FAILURE_REASONS:
        return _READ_FAILURE_REASONS[exc.errno]
    return str(exc.strerror or exc)


def _write_failure(exc: OSError) -> str:
    if exc.errno is not None and exc.errno in _WRITE_FAILURE_REASONS:
        return _WRITE_FAILURE_REASONS[exc.errno]
    return str(exc.strerror or exc)


def _readline(raw: bytes) -> Callable[[], bytes]:
    """``readline`` over ``raw`` ending lines at CRLF, LF and a lone CR, as CPython
    does when it looks for the coding cookie. ``io.BytesIO`` ends them at LF only: a
    file with CR line endings would be one long line and its cookie go unseen."""
    lines = _PHYSICAL_LINE.finditer(raw)

    def readline() -> bytes:
        line = next(lines, None)
        return b"" if line is None else line.group()

    return readline


def _cookie_error(raw: bytes, message: str) -> SourceError:
    """Explain why tokenize.detect_encoding rejected the first two lines."""
    cookie = _find_cookie(raw)
    if message.startswith("unknown encoding") and cookie is not None:
        return SourceError(f"unknown encoding {cookie!r} in coding cookie")
    if message.startswith("encoding problem") and cookie is not None:
        return SourceError(f"UTF-8 BOM conflicts with coding cookie {cookie!r}")
    if message.startswith("invalid or missing encoding declaration"):
        # No usable cookie and the first lines are not UTF-8.
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return SourceError(_undecodable("utf-8", exc.start))
    return SourceError(message.split("\n", 1)[0])


def _is_ascii_compatible(encoding: str) -> bool:
    probe = "# -*- coding: x -*-\nimport os\r\n"
    try:
        return probe.encode(encoding) == probe.encode("ascii")
    except (LookupError, UnicodeError):
        return False


def _find_cookie(raw: bytes) -> str | None:
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    for line in body.splitlines()[:2]:
        match = _CODING_COOKIE.match(line)
        if match:
            return match.group(1).decode("ascii")
    return None


def _undecodable(encoding: str, offset: int) -> str:
    if codecs.lookup(encoding).name == "utf-8":
        return f"invalid utf-8 at byte {offset}"
    return f"cannot decode as {encoding} at byte {offset}"


def _first_newline(text: str) -> str:
    match = _LINE_ENDING.search(text)
    return match.group() if match else "\n"
