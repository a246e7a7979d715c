"""``--catalog auto|live|offline|PATH``: which source is used, when the network is touched,
and what the user is warned about."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalog_server import (
    GOOD_KEY,
    GOOD_METADATA,
    ScriptedServer,
    error_reply,
    isolate_environment,
    json_reply,
)
from llmbase_migrate.catalog.cache import read_cache, write_cache
from llmbase_migrate.catalog.client import HttpOptions
from llmbase_migrate.catalog.snapshot import load_snapshot
from llmbase_migrate.catalog.source import LoadedCatalog, format_age, load_catalog
from llmbase_migrate.errors import CatalogError

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)
FAST = HttpOptions(connect_timeout=1.0, timeout=3.0, backoff=0.01)
SNAPSHOT_NOTE = (
    "using the bundled snapshot of LLMBase's model table from 2026-11-25 "
    "(IDs and prices only; capabilities unknown)"
)
# A cached catalog is trusted only when it lists the documented models.
DOCUMENTED = [{"id": entry.id} for entry in load_snapshot().parsed.entries]
CACHED_METADATA = {
    "object": "list",
    "data": [{"id": "cached/model", "supported_features": []}, *DOCUMENTED],
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_environment(monkeypatch, str(tmp_path / "xdg-cache"))


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def load(
    mode: str,
    server_url: str,
    cache: Path,
    *,
    key: str | None = GOOD_KEY,
    now: datetime = NOW,
    agents: bool = False,
    refresh: bool = False,
) -> LoadedCatalog:
    env = {"LLMBASE_API_KEY": key} if key is not None else {}
    return load_catalog(
        mode,
        base_url=server_url,
        api_key_env="LLMBASE_API_KEY",
        env=env,
        now=now,
        cache_directory=cache,
        http=FAST,
        agents=agents,
        refresh=refresh,
    )


def seed_cache(base_url: str, cache: Path, age: timedelta) -> None:
    write_cache(base_url, CACHED_METADATA, fetched_at=NOW - age, directory=cache)


# -- auto ----------------------------------------------------------------------------------


def test_auto_uses_a_fresh_cache_without_touching_the_network(cache: Path) -> None:
    with ScriptedServer() as server:
        seed_cache(server.base_url, cache, timedelta(hours=2))
        loaded = load("auto", server.base_url, cache)
    assert server.seen == []
    assert (loaded.source, loaded.fetched_at, loaded.age_seconds) == (
        "cache",
        "2026-11-25T10:00:00Z",
        7200.0,
    )
    assert loaded.warnings == []
    assert next(iter(loaded.index.models)) == "cached/model"
    assert loaded.entries == CACHED_METADATA["data"]
    assert loaded.base_url == server.base_url


def test_auto_fetches_live_and_caches_when_the_cache_is_stale(cache: Path) -> None:
    with ScriptedServer(json_reply(GOOD_METADATA)) as server:
        seed_cache(server.base_url, cache, timedelta(days=2))
        loaded = load("auto", server.base_url, cache)
        again = load("auto", server.base_url, cache, now=NOW + timedelta(hours=1))
    assert len(server.seen) == 1
    assert (loaded.source, loaded.fetched_at, loaded.age_seconds) == (
        "live",
        "2026-11-25T12:00:00Z",
        0.0,
    )
    assert loaded.warnings == []
    assert loaded.entries == GOOD_METADATA["data"]
    assert loaded.index.capabilities_known
    assert (again.source, again.age_seconds) == ("cache", 3600.0)
    cached = read_cache(server.base_url, directory=cache, now=NOW)
    assert cached is not None and cached.payload == GOOD_METADATA


def test_auto_falls_back_to_a_stale_cache_with_its_age(cache: Path) -> None:
    with ScriptedServer(error_reply(500, "server_error", "boom")) as server:
        seed_cache(server.base_url, cache, timedelta(days=3, hours=5))
        loaded = load("auto", server.base_url, cache)
    assert len(server.seen) == 3
    assert loaded.source == "cache"
    assert loaded.age_seconds == (3 * 24 + 5) * 3600
    assert loaded.warnings == [
        f"{server.base_url}/models: 500 server_error (boom) (after 3 attempts); "
        "using the cached catalog from 3 days ago (2026-11-22T07:00:00Z)"
    ]


def test_auto_falls_back_to_the_snapshot(cache: Path) -> None:
    with ScriptedServer(error_reply(401, "invalid_api_key", "Invalid API key")) as server:
        loaded = load("auto", server.base_url, cache)
    assert loaded.source == "snapshot"
    assert (loaded.fetched_at, loaded.age_seconds) == ("2026-11-25", 12 * 3600)
    (warning,) = loaded.warnings
    assert warning.startswith(f"{server.base_url}/models: 401 invalid_api_key: the key llmb…ef")
    assert warning.endswith(SNAPSHOT_NOTE)
    assert GOOD_KEY not in warning
    assert len(loaded.index.models) == 18
    assert not loaded.index.capabilities_known
    assert dict(loaded.index.renames) == {"zai-org/glm-5": "z-ai/glm-5"}


def test_auto_without_a_key_says_so_and_sends_nothing(cache: Path) -> None:
    with ScriptedServer() as server:
        seed_cache(server.base_url, cache, timedelta(days=2))
        stale = load("auto", server.base_url, cache, key=None)
        chat = load("auto", server.base_url, cache / "empty", key="llmbase_chat_0123456789abcdef")
    assert server.seen == []
    assert stale.source == "cache"
    assert stale.warnings == [
        "LLMBASE_API_KEY is not set; set it to an llmbase_... inference key; "
        "using the cached catalog from 2 days ago (2026-11-23T12:00:00Z)"
    ]
    assert chat.source == "snapshot"
    assert "chat-agent key" in chat.warnings[0] and "llmbase_chat_0123" not in chat.warnings[0]


def test_auto_does_not_trust_an_empty_live_catalog(cache: Path) -> None:
    with ScriptedServer(json_reply({"object": "list", "data": []})) as server:
        loaded = load("auto", server.base_url, cache)
    assert loaded.source == "snapshot"
    assert loaded.warnings == [
        f"{server.base_url}: the live catalog lists no models; {SNAPSHOT_NOTE}"
    ]
    assert read_cache(server.base_url, directory=cache, now=NOW) is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param([], "lists no models", id="empty"),
        pytest.param(
            [{"id": "evil/only-model"}, *DOCUMENTED[:5]],
            "lacks most of the documented models",
            id="without the documented models",
        ),
    ],
)
def test_a_cached_catalog_that_cannot_be_right_is_not_trusted(
    cache: Path, data: list[dict[str, str]], reason: str
) -> None:
    with ScriptedServer(json_reply(GOOD_METADATA)) as server:
        write_cache(server.base_url, {"data": data}, fetched_at=NOW, directory=cache)
        offline = load("offline", server.base_url, cache)
        no_key = load("auto", server.base_url, cache, key=None)
        assert server.seen == []
        live = load("auto", server.base_url, cache)
        assert len(server.seen) == 1, "a fresh but implausible cache is refetched"
    for loaded in (offline, no_key):
        assert loaded.source == "snapshot"
        assert any(reason in warning for warning in loaded.warnings), loaded.warnings
        assert "deepseek/deepseek-v4-flash" in loaded.index
    assert live.source == "live"
    cached = read_cache(server.base_url, directory=cache, now=NOW)
    assert cached is not None and cached.payload == GOOD_METADATA


def test_auto_with_the_agents_filter_uses_its_own_cache(cache: Path) -> None:
    with ScriptedServer(json_reply(GOOD_METADATA)) as server:
        seed_cache(server.base_url, cache, timedelta(hours=1))
        loaded = load("auto", server.base_url, cache, agents=True)
    assert loaded.source == "live"
    assert server.seen[0].query == "metadata=true&filter=agents"


def test_llmbase_base_url_overrides_the_config(cache: Path) -> None:
    with ScriptedServer(json_reply(GOOD_METADATA)) as server:
        loaded = load_catalog(
            "auto",
            base_url="https://api.llmbase.ai/v1",
            api_key_env="MY_KEY",
            env={"LLMBASE_BASE_URL": server.base_url, "MY_KEY": GOOD_KEY},
            now=NOW,
            cache_directory=cache,
            http=FAST,
        )
    assert loaded.source == "live"
    assert loaded.base_url == server.base_url
    assert server.seen[0].authorization == f"Bearer {GOOD_KEY}"


# -- offline -------------------------------------------------------------------------------


def test_offline_never_touches_the_network(cache: Path) -> None:
    with ScriptedServer() as server:
        snapshot = load("offline", server.base_url, cache)
        seed_cache(server.base_url, cache, timedelta(days=40))
        cached = load("offline", server.base_url, cache)
    assert server.seen == []
    assert snapshot.source == "snapshot"
    assert snapshot.warnings == [f"no cached catalog for {server.base_url}; {SNAPSHOT_NOTE}"]
    assert cached.source == "cache"
    assert cached.warnings == [
        f"the cached catalog for {server.base_url} is 40 days old (2026-10-16T12:00:00Z); "
        "run `llmbase-migrate models --refresh` to update it"
    ]


def test_offline_needs_no_key_and_no_server(cache: Path) -> None:
    loaded = load("offline", "https://api.llmbase.ai/v1", cache, key=None)
    assert loaded.source == "snapshot"
    assert "z-ai/glm-5" in loaded.index


def test_offline_does_not_even_load_the_http_client(tmp_path: Path) -> None:
    # The test process has httpx loaded already (openai); a fresh interpreter has not.
    script = (
        "import sys, pathlib\n"
        "from llmbase_migrate.catalog.source import load_catalog\n"
        "loaded = load_catalog('offline', base_url='https://api.llmbase.ai/v1',\n"
        "    api_key_env='LLMBASE_API_KEY', cache_directory=pathlib.Path(sys.argv[1]))\n"
        "assert loaded.source == 'snapshot', loaded.source\n"
        "assert 'httpx' not in sys.modules, 'httpx was imported'\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, timeout=60)


def test_offline_refresh_is_refused(cache: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load("offline", "https://api.llmbase.ai/v1", cache, refresh=True)
    assert str(caught.value) == "--refresh fetches the live catalog; it cannot be used offline"


# -- live and refresh ----------------------------------------------------------------------


def test_live_failure_raises(cache: Path) -> None:
    with ScriptedServer(error_reply(402, "insufficient_quota", "Balance too low")) as server:
        seed_cache(server.base_url, cache, timedelta(hours=1))
        with pytest.raises(CatalogError) as caught:
            load("live", server.base_url, cache)
    assert caught.value.kind == "quota"


def test_live_without_a_key_raises(cache: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load("live", "https://api.llmbase.ai/v1", cache, key=None)
    assert caught.value.kind == "no_key"


def test_live_with_an_empty_catalog_warns(cache: Path) -> None:
    with ScriptedServer(json_reply({"data": []})) as server:
        loaded = load("live", server.base_url, cache)
    assert loaded.source == "live"
    assert loaded.warnings == [
        f"{server.base_url}: the live catalog lists no models; every model ID will be unknown"
    ]


def test_refresh_replaces_a_fresh_cache(cache: Path) -> None:
    with ScriptedServer(json_reply(GOOD_METADATA)) as server:
        seed_cache(server.base_url, cache, timedelta(minutes=5))
        loaded = load("auto", server.base_url, cache, refresh=True)
    assert loaded.source == "live"
    assert len(server.seen) == 1
    cached = read_cache(server.base_url, directory=cache, now=NOW)
    assert cached is not None and cached.fetched_at == NOW


def test_refresh_failure_raises_even_in_auto_mode(cache: Path) -> None:
    failing = error_reply(500, "server_error", "boom")
    with ScriptedServer(failing) as server, pytest.raises(CatalogError):
        load("auto", server.base_url, cache, refresh=True)


def test_a_cache_that_cannot_be_written_is_a_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with ScriptedServer(json_reply(GOOD_METADATA)) as server:
        loaded = load("live", server.base_url, blocker)
    assert loaded.source == "live"
    (warning,) = loaded.warnings
    assert warning.startswith(f"cannot write the catalog cache {blocker}/")


# -- a saved file --------------------------------------------------------------------------


def test_path_reads_a_saved_answer(tmp_path: Path) -> None:
    saved = tmp_path / "models.json"
    saved.write_text(json.dumps(GOOD_METADATA))
    loaded = load(str(saved), "http://unused.invalid/v1", tmp_path / "cache")
    assert (loaded.source, loaded.fetched_at, loaded.age_seconds) == ("file", None, None)
    assert loaded.entries == GOOD_METADATA["data"]
    assert loaded.index.capabilities_known
    assert dict(loaded.index.renames) == {"zai-org/glm-5": "z-ai/glm-5"}
    assert loaded.base_url is None
    assert loaded.warnings == []


def test_path_reads_a_cache_file_with_its_date(tmp_path: Path) -> None:
    path = write_cache(
        "https://api.llmbase.ai/v1",
        GOOD_METADATA,
        fetched_at=NOW - timedelta(days=1),
        directory=tmp_path,
    )
    loaded = load(str(path), "https://api.llmbase.ai/v1", tmp_path / "other")
    assert (loaded.source, loaded.fetched_at, loaded.age_seconds) == (
        "file",
        "2026-11-24T12:00:00Z",
        86400.0,
    )


def test_path_file_may_add_renames(tmp_path: Path) -> None:
    saved = tmp_path / "catalog.json"
    saved.write_text(
        json.dumps({"data": [{"id": "a/new"}], "renames": {"a/old": "a/new", "bad": 3}})
    )
    loaded = load(str(saved), "https://api.llmbase.ai/v1", tmp_path / "cache")
    assert dict(loaded.index.renames) == {"zai-org/glm-5": "z-ai/glm-5", "a/old": "a/new"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: catalog file does not exist"),
        (
            b'{"data": [',
            "{path}: catalog file is not valid JSON (Expecting value at line 1 column 11)",
        ),
        (b"\xff\xfe\xfa", "{path}: catalog file is not UTF-8"),
        (b'{"models": []}', "{path}: not a saved /v1/models?metadata=true answer (no 'data' list)"),
    ],
)
def test_path_problems_are_one_line_errors(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    saved = tmp_path / "models.json"
    if content is not None:
        saved.write_bytes(content)
    with pytest.raises(CatalogError) as caught:
        load(str(saved), "https://api.llmbase.ai/v1", tmp_path / "cache")
    assert caught.value.kind == "file"
    assert str(caught.value) == message.format(path=saved)


def test_path_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load(str(tmp_path), "https://api.llmbase.ai/v1", tmp_path / "cache")
    assert str(caught.value) == f"{tmp_path}: catalog file is a directory"


def test_path_with_refresh_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load(str(tmp_path / "x.json"), "https://api.llmbase.ai/v1", tmp_path, refresh=True)
    assert caught.value.kind == "usage"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59.9, "59 seconds"),
        (60, "1 minute"),
        (7199, "1 hour"),
        (7200, "2 hours"),
        (86_400 * 3 + 5, "3 days"),
        (-5, "0 seconds"),
    ],
)
def test_format_age(seconds: float, text: str) -> None:
    assert format_age(seconds) == text
