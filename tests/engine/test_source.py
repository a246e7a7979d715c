"""Tests for decoding source files like Python does and writing them back atomically."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest

from llmbase_migrate.engine.source import (
    DecodedSource,
    atomic_write,
    decode_source,
    encode_source,
    read_bytes,
)
from llmbase_migrate.errors import SourceError


def names_in(directory: Path) -> list[str]:
    return sorted(child.name for child in directory.iterdir())


def decode_error(raw: bytes) -> str:
    with pytest.raises(SourceError) as caught:
        decode_source(raw)
    assert "\n" not in caught.value.reason
    return caught.value.reason


def test_plain_utf8_defaults() -> None:
    decoded = decode_source("x = 'é'\n".encode())

    assert decoded == DecodedSource(
        text="x = 'é'\n", encoding="utf-8", bom=False, newline="\n", ends_with_newline=True
    )


def test_latin1_with_coding_cookie() -> None:
    raw = "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")

    decoded = decode_source(raw)

    assert decoded.text == "# -*- coding: latin-1 -*-\nname = 'café'\n"
    assert decoded.encoding == "iso-8859-1"
    assert not decoded.bom


def test_cookie_on_second_line() -> None:
    raw = "#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '€'\n".encode("cp1252")

    decoded = decode_source(raw)

    assert decoded.encoding == "cp1252"
    assert "€" in decoded.text


def test_bom_is_removed_and_remembered() -> None:
    decoded = decode_source(codecs.BOM_UTF8 + b"x = 1\n")

    assert decoded.text == "x = 1\n"
    assert decoded.bom
    assert decoded.encoding == "utf-8"


def test_bom_with_utf8_cookie_is_fine() -> None:
    decoded = decode_source(codecs.BOM_UTF8 + b"# coding: utf-8\nx = 1\n")

    assert decoded.bom
    assert decoded.encoding == "utf-8"


def test_bom_with_non_utf8_cookie_is_an_error() -> None:
    reason = decode_error(codecs.BOM_UTF8 + b"# coding: latin-1\nx = 1\n")

    assert reason == "UTF-8 BOM conflicts with coding cookie 'latin-1'"


@pytest.mark.parametrize(
    ("raw", "newline", "ends_with_newline"),
    [
        (b"a = 1\r\nb = 2\r\n", "\r\n", True),
        (b"a = 1\rb = 2", "\r", False),
        (b"a = 1\nb = 2\r\n", "\n", True),
        (b"a = 1", "\n", False),
        (b"", "\n", False),
        (b"a = 1\r", "\r", True),
    ],
)
def test_newline_detection_leaves_text_untouched(
    raw: bytes, newline: str, ends_with_newline: bool
) -> None:
    decoded = decode_source(raw)

    assert decoded.text == raw.decode()
    assert decoded.newline == newline
    assert decoded.ends_with_newline is ends_with_newline


def test_nul_byte_is_rejected() -> None:
    assert decode_error(b"x = 1\n\x00\n") == "contains a NUL byte"


def test_invalid_utf8_reports_the_offset() -> None:
    assert decode_error(b"x = 1\ny = 2\nz = '\xff'\n") == "invalid utf-8 at byte 17"


def test_invalid_utf8_on_the_first_line_reports_the_offset() -> None:
    # tokenize itself fails here (it reads the first line looking for a cookie).
    assert decode_error(b"s = '\xe9'\n") == "invalid utf-8 at byte 5"


def test_invalid_bytes_for_a_declared_codec() -> None:
    raw = b"# coding: ascii\nx = '\xe9'\n"

    assert decode_error(raw) == "cannot decode as ascii at byte 21"


def test_unknown_codec_in_cookie() -> None:
    assert decode_error(b"# coding: klingon\nx = 1\n") == (
        "unknown encoding 'klingon' in coding cookie"
    )


@pytest.mark.parametrize("codec", ["rot13", "base64", "utf-16", "utf-32"])
def test_unusable_codec_in_cookie(codec: str) -> None:
    # The interpreter rejects these with "encoding problem: <codec>".
    assert decode_error(f"# coding: {codec}\nx = 1\n".encode()) == (
        f"unsupported encoding {codec!r} in coding cookie"
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"x = 1",
        b"x = 1\r\n\r\n",
        b"a\rb\nc\r\n",
        codecs.BOM_UTF8 + b"x = '\xc3\xa9'\r\n",
        codecs.BOM_UTF8,
        "# coding: latin-1\nname = 'café'\n".encode("latin-1"),
        "# -*- coding: euc-jp -*-\nname = '日本'\n".encode("euc-jp"),
        "# coding: shift_jis\nname = 'ソ'\n".encode("shift_jis"),
        "\N{SNOWMAN} = 1\n\N{ZERO WIDTH SPACE}\n".encode(),
    ],
)
def test_round_trip_is_byte_exact(raw: bytes) -> None:
    decoded = decode_source(raw)

    assert encode_source(decoded.text, decoded) == raw


def test_encode_uses_the_original_encoding_and_bom() -> None:
    like = decode_source(codecs.BOM_UTF8 + b"x = 1\n")
    latin = decode_source(b"# coding: latin-1\nx = 1\n")

    assert encode_source("y = 'é'\n", like) == codecs.BOM_UTF8 + "y = 'é'\n".encode()
    assert encode_source("y = 'é'\n", latin) == b"y = '\xe9'\n"


def test_encode_reports_unencodable_text() -> None:
    ascii_source = decode_source(b"# coding: ascii\nx = 1\n")

    with pytest.raises(SourceError, match="cannot encode '€' as ascii"):
        encode_source("x = '€'\n", ascii_source)


def test_read_bytes_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as missing:
        read_bytes(tmp_path / "gone.py")
    assert missing.value.reason == "file vanished"

    with pytest.raises(SourceError) as directory:
        read_bytes(tmp_path)
    assert directory.value.reason == "is a directory"

    unreadable = tmp_path / "secret.py"
    unreadable.write_bytes(b"x = 1\n")
    unreadable.chmod(0)
    try:
        try:
            unreadable.read_bytes()
        except PermissionError:
            with pytest.raises(SourceError) as denied:
                read_bytes(unreadable)
            assert denied.value.reason == "permission denied"
        else:
            # Root reads mode-0 files; the error path cannot be provoked here.
            assert read_bytes(unreadable) == b"x = 1\n"
    finally:
        unreadable.chmod(0o644)


def test_atomic_write_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"old\n")
    target.chmod(0o751)

    atomic_write(target, b"new\r\n")

    assert target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert names_in(tmp_path) == ["module.py"]


def test_atomic_write_creates_a_new_file_with_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "fresh.py"
    umask = os.umask(0o022)
    try:
        atomic_write(target, b"x = 1\n")
    finally:
        os.umask(umask)

    assert target.read_bytes() == b"x = 1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert names_in(tmp_path) == ["fresh.py"]


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real.name)

    atomic_write(link, b"new\n")

    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


def test_atomic_write_failure_in_replace_leaves_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"original\n")

    def refuse(source: object, destination: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)

    with pytest.raises(SourceError) as caught:
        atomic_write(target, b"new\n")

    assert caught.value.reason == "read-only file system"
    assert target.read_bytes() == b"original\n"
    assert names_in(tmp_path) == ["module.py"]


def test_atomic_write_failure_in_unwritable_directory(tmp_path: Path) -> None:
    directory = tmp_path / "locked"
    directory.mkdir()
    target = directory / "module.py"
    target.write_bytes(b"original\n")
    directory.chmod(0o555)
    try:
        probe = directory / "probe"
        try:
            probe.write_bytes(b"")
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("permissions are not enforced for this user (root)")
        with pytest.raises(SourceError) as caught:
            atomic_write(target, b"new\n")
        assert caught.value.reason == "permission denied"
        assert target.read_bytes() == b"original\n"
        assert names_in(directory) == ["module.py"]
    finally:
        directory.chmod(0o755)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_atomic_write_keeps_the_owner_and_group(tmp_path: Path) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"old\n")
    os.chown(target, 12345, 23456)
    target.chmod(0o2755)

    atomic_write(target, b"new\n")

    status = target.stat()
    assert (status.st_uid, status.st_gid) == (12345, 23456)
    # chown clears the set-group-ID bit: the mode is set after it
    assert stat.S_IMODE(status.st_mode) == 0o2755


def test_atomic_write_refuses_when_the_owner_cannot_be_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"original\n")
    status = target.stat()

    def foreign_owner(path: object, *args: object, **kwargs: object) -> os.stat_result:
        real = original_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if Path(str(path)) != target:
            return real
        fields = list(real)
        fields[4] = status.st_uid + 1
        return os.stat_result(fields)

    def refuse(path: object, uid: int, gid: int, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    original_stat = os.stat
    monkeypatch.setattr(os, "stat", foreign_owner)
    monkeypatch.setattr(os, "chown", refuse)
    with pytest.raises(SourceError) as caught:
        atomic_write(target, b"new\n")

    assert (
        caught.value.reason
        == f"cannot keep the file's owner and group ({status.st_uid + 1}:{status.st_gid})"
    )
    assert target.read_bytes() == b"original\n"
    assert names_in(tmp_path) == ["module.py"]


def test_atomic_write_keeps_extended_attributes(tmp_path: Path) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"old\n")
    if not hasattr(os, "setxattr"):
        pytest.skip("no extended attributes on this platform")
    try:
        os.setxattr(target, "user.origin", b"vendored")
    except OSError:
        pytest.skip("this file system has no user extended attributes")

    atomic_write(target, b"new\n")

    assert target.read_bytes() == b"new\n"
    assert os.getxattr(target, "user.origin") == b"vendored"
