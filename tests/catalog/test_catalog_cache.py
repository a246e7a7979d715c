"""The on-disk catalog cache: round trip, freshness, keys, and files that are not ours."""

from __future__ import annotations

import json
import stat
import sys
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalog_server import GOOD_METADATA, isolate_environment
from llmbase_migrate.catalog.cache import (
    DEFAULT_TTL,
    cache_dir,
    cache_path,
    format_timestamp,
    normalize_base_url,
    read_cache,
    write_cache,
)
from llmbase_migrate.errors import CatalogError

BASE = "https://api.llmbase.ai/v1"
NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_environment(monkeypatch, str(tmp_path / "xdg-cache"))


def test_round_trip(tmp_path: Path) -> None:
    path = write_cache(BASE, GOOD_METADATA, fetched_at=NOW, directory=tmp_path)
    cached = read_cache(BASE, directory=tmp_path, now=NOW)
    assert cached is not None
    assert cached.path == path
    assert cached.payload == GOOD_METADATA
    assert cached.fetched_at == NOW
    assert cached.fetched_at_text == "2026-11-25T12:00:00Z"
    assert len(cached.parsed.entries) == len(GOOD_METADATA["data"])
    stored = json.loads(path.read_text("utf-8"))
    assert stored == {
        "version": 1,
        "base_url": BASE,
        "agents": False,
        "fetched_at": "2026-11-25T12:00:00Z",
        "response": GOOD_METADATA,
    }
    # Nothing half-written is left beside it.
    assert [item.name for item in tmp_path.iterdir()] == [path.name]


def test_ttl_fresh_and_stale(tmp_path: Path) -> None:
    write_cache(BASE, GOOD_METADATA, fetched_at=NOW, directory=tmp_path)
    later = NOW + timedelta(hours=23)
    cached = read_cache(BASE, directory=tmp_path, now=later)
    assert cached is not None
    assert cached.age(later) == 23 * 3600
    assert cached.is_fresh(later, DEFAULT_TTL)
    assert not cached.is_fresh(later, ttl=3600)
    much_later = NOW + timedelta(days=3)
    stale = read_cache(BASE, directory=tmp_path, now=much_later)
    # A stale entry is still returned: callers decide whether old is good enough.
    assert stale is not None and not stale.is_fresh(much_later, DEFAULT_TTL)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff garbage",
        b'{"version": 1, "base_url": "https://api.llmbase.ai/v1", "fetch',
        b"[]",
        json.dumps({"version": 2, "base_url": BASE, "fetched_at": "2026-11-25T12:00:00Z",
                    "response": GOOD_METADATA}).encode(),
        # A timestamp without a zone cannot be aged.
        json.dumps({"version": 1, "base_url": BASE, "fetched_at": "2026-11-25T12:00:00",
                    "response": GOOD_METADATA}).encode(),
        json.dumps({"version": 1, "base_url": BASE, "fetched_at": "2026-11-25T12:00:00Z",
                    "response": {"object": "list"}}).encode(),
        # Another base URL's entry under this name (a hash collision, or a copied file).
        json.dumps({"version": 1, "base_url": "https://other.example/v1",
                    "fetched_at": "2026-11-25T12:00:00Z", "response": GOOD_METADATA}).encode(),
        # From the future: its age cannot be trusted.
        json.dumps({"version": 1, "base_url": BASE, "fetched_at": "2026-12-25T12:00:00Z",
                    "response": GOOD_METADATA}).encode(),
    ],
)  # fmt: skip
def test_corrupt_files_are_ignored(tmp_path: Path, content: bytes) -> None:
    path = cache_path(BASE, directory=tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert read_cache(BASE, directory=tmp_path, now=NOW) is None


def test_unreadable_cache_is_ignored(tmp_path: Path) -> None:
    cache_path(BASE, directory=tmp_path).mkdir(parents=True)  # a directory where the file goes
    assert read_cache(BASE, directory=tmp_path, now=NOW) is None


def test_missing_cache_is_none(tmp_path: Path) -> None:
    assert read_cache(BASE, directory=tmp_path / "never-created", now=NOW) is None


def test_keyed_by_normalized_base_url_and_agents(tmp_path: Path) -> None:
    assert normalize_base_url("HTTPS://API.LLMBase.ai:443/v1/") == BASE
    assert normalize_base_url("https://user:secret@api.llmbase.ai/v1?x=1") == BASE
    assert normalize_base_url("http://[::1]:8080/v1") == "http://[::1]:8080/v1"
    assert cache_path("HTTPS://API.LLMBase.ai:443/v1/", directory=tmp_path) == cache_path(
        BASE, directory=tmp_path
    )
    other = "http://127.0.0.1:8080/v1"
    assert cache_path(other, directory=tmp_path) != cache_path(BASE, directory=tmp_path)
    assert cache_path(BASE, agents=True, directory=tmp_path) != cache_path(BASE, directory=tmp_path)

    write_cache(BASE, GOOD_METADATA, fetched_at=NOW, directory=tmp_path)
    assert read_cache("https://api.llmbase.ai/v1/", directory=tmp_path, now=NOW) is not None
    assert read_cache(other, directory=tmp_path, now=NOW) is None
    assert read_cache(BASE, agents=True, directory=tmp_path, now=NOW) is None


def test_credentials_in_the_base_url_never_reach_the_disk(tmp_path: Path) -> None:
    path = write_cache(
        "https://user:hunter2@api.llmbase.ai/v1", GOOD_METADATA, fetched_at=NOW, directory=tmp_path
    )
    assert "hunter2" not in path.read_text("utf-8")


def test_xdg_cache_home_is_respected(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("platformdirs reads XDG_CACHE_HOME on Linux only")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere" / "llmbase-migrate" / "catalog"
    path = write_cache(BASE, GOOD_METADATA, fetched_at=NOW)
    assert path.parent == cache_dir()
    assert read_cache(BASE, now=NOW) is not None


def test_write_failure_is_a_catalog_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CatalogError) as caught:
        write_cache(BASE, GOOD_METADATA, fetched_at=NOW, directory=blocker / "sub")
    assert caught.value.kind == "file"
    assert str(caught.value).startswith(f"cannot write the catalog cache {blocker / 'sub'}")


def test_timestamps_are_utc_with_z() -> None:
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, 678)) == "2026-01-02T03:04:05Z"
    east = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=east)) == "2026-01-02T01:04:05Z"


def test_cache_files_are_private(tmp_path: Path) -> None:
    directory = tmp_path / "llmbase-migrate" / "catalog"
    path = write_cache(BASE, GOOD_METADATA, fetched_at=NOW, directory=directory)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    # a file from an older version, readable by all, becomes private when replaced
    path.chmod(0o644)
    write_cache(BASE, GOOD_METADATA, fetched_at=NOW, directory=directory)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_symlink_in_the_cache_is_replaced_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = cache_path(BASE, directory=tmp_path / "cache")
    path.parent.mkdir(parents=True)
    path.symlink_to(victim)
    assert read_cache(BASE, directory=tmp_path / "cache", now=NOW) is None
    write_cache(BASE, GOOD_METADATA, fetched_at=NOW, directory=tmp_path / "cache")
    assert victim.read_text() == "precious"
    assert not path.is_symlink()


def test_a_huge_cache_file_is_never_read_whole(tmp_path: Path) -> None:
    path = cache_path(BASE, directory=tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        stream.write(b'{"version": 1, "base_url": "' + BASE.encode() + b'", "pad": "')
        stream.truncate(300 * 1024 * 1024)
    tracemalloc.start()
    try:
        assert read_cache(BASE, directory=tmp_path, now=NOW) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024


def test_a_deeply_nested_cache_file_is_ignored(tmp_path: Path) -> None:
    path = cache_path(BASE, directory=tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    response = b'{"data": [{"id": "x", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}"
    path.write_bytes(
        b'{"version": 1, "base_url": "' + BASE.encode() + b'", "fetched_at": '
        b'"2026-11-25T12:00:00Z", "response": ' + response + b"}"
    )
    assert read_cache(BASE, directory=tmp_path, now=NOW) is None
