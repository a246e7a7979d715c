"""The catalog client against real HTTP servers on 127.0.0.1: what it sends, and the
one-line error it gives for each of the seed page's common mistakes and each network fault."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from catalog_server import (
    GOOD_KEY,
    GOOD_METADATA,
    Reply,
    ScriptedServer,
    error_reply,
    html_reply,
    isolate_environment,
    json_reply,
)
from llmbase_migrate.catalog.client import (
    HARD_BOUND_GRACE,
    HttpOptions,
    check_key,
    describe_balance,
    fetch_balance,
    fetch_models,
    key_error,
    read_key,
    resolve_base_url,
)
from llmbase_migrate.errors import CatalogError

# Short waits so that retries and timeouts cost milliseconds, not seconds.
FAST = HttpOptions(connect_timeout=1.0, timeout=3.0, backoff=0.01)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_environment(monkeypatch, str(tmp_path / "cache"))


def fetch_error(server: ScriptedServer, key: str | None = GOOD_KEY) -> CatalogError:
    with pytest.raises(CatalogError) as caught:
        fetch_models(server.base_url, key, options=FAST)
    message = str(caught.value)
    assert "\n" not in message
    if key:
        assert key not in message
    return caught.value


# -- what is sent --------------------------------------------------------------------------


def test_good_metadata_is_fetched_with_the_bearer_key() -> None:
    with ScriptedServer(json_reply(GOOD_METADATA)) as server:
        fetched = fetch_models(server.base_url, GOOD_KEY, options=FAST)
    assert [entry.id for entry in fetched.parsed.entries] == [
        entry["id"] for entry in GOOD_METADATA["data"]
    ]
    assert fetched.payload == GOOD_METADATA
    assert fetched.parsed.skipped == 0
    (seen,) = server.seen
    assert (seen.path, seen.query) == ("/v1/models", "metadata=true")
    assert seen.authorization == f"Bearer {GOOD_KEY}"
    assert seen.headers["accept"] == "application/json"


def test_agents_filter_is_asked_for() -> None:
    with ScriptedServer() as server:
        fetch_models(server.base_url + "/", GOOD_KEY, agents=True, options=FAST)
    assert server.seen[0].path == "/v1/models"
    assert server.seen[0].query == "metadata=true&filter=agents"


def test_extra_and_missing_fields_keep_capabilities_tri_state() -> None:
    payload = {
        "object": "list",
        "data": [
            {
                "id": "acme/unknown-caps",
                "pricing": {"prompt": 0.0000004, "completion": "0.0000016", "request": "0"},
                "context_length": "65536",
                "brand_new_field": {"nested": True},
            },
            {
                "id": "acme/no-tools",
                "supported_features": [],
                "supported_parameters": ["temperature"],
                "architecture": {"input_modalities": ["text", "image"]},
            },
            {"id": "acme/odd", "supported_features": "tools", "pricing": "free"},
            {"object": "model"},
        ],
    }
    with ScriptedServer(json_reply(payload)) as server:
        fetched = fetch_models(server.base_url, GOOD_KEY, options=FAST)
    unknown, no_tools, odd = fetched.parsed.entries
    assert fetched.parsed.skipped == 1
    assert unknown.model_extra == {"brand_new_field": {"nested": True}}
    assert unknown.supported_features is None
    assert no_tools.supported_features == []
    assert odd.supported_features is None and odd.pricing is None
    # Entries are kept as served, the one without an id included, for `models --json`.
    assert fetched.parsed.raw == payload["data"]


def test_empty_list_is_a_valid_answer() -> None:
    with ScriptedServer(json_reply({"object": "list", "data": []})) as server:
        fetched = fetch_models(server.base_url, GOOD_KEY, options=FAST)
    assert fetched.parsed.entries == []


# -- the common mistakes -------------------------------------------------------------------


def test_401_invalid_api_key_names_the_right_key_kind() -> None:
    reply = error_reply(401, "invalid_api_key", f"Invalid API key {GOOD_KEY}")
    with ScriptedServer(reply) as server:
        error = fetch_error(server)
    assert error.kind == "invalid_key"
    assert str(error) == (
        f"{server.base_url}/models: 401 invalid_api_key: the key llmb…ef was refused; use an "
        "llmbase_... inference key, not another service's key, an OpenAI key or an "
        "llmbase_chat_... key"
    )
    assert len(server.seen) == 1  # not retried


def test_401_missing_api_key_blames_a_proxy() -> None:
    with ScriptedServer(error_reply(401, "missing_api_key", "Missing API key")) as server:
        error = fetch_error(server)
    assert error.kind == "missing_header"
    assert "Authorization: Bearer header did not reach LLMBase" in str(error)


def test_402_insufficient_quota() -> None:
    with ScriptedServer(error_reply(402, "insufficient_quota", "Balance too low")) as server:
        error = fetch_error(server)
    assert error.kind == "quota"
    assert str(error) == (
        f"{server.base_url}/models: 402 insufficient_quota: add prepaid inference credits, "
        "check the subscription-backed key's budget or spend cap, or use the Chat app/agent "
        "API with a Pro subscription"
    )


@pytest.mark.parametrize("status", [403, 200])
def test_cloudflare_html_page_says_the_bearer_header_is_missing(status: int) -> None:
    with ScriptedServer(html_reply(status)) as server:
        error = fetch_error(server)
    assert error.kind == "html"
    assert str(error) == (
        f"{server.base_url}/models: got an HTML page (HTTP {status}, likely a Cloudflare "
        "challenge) instead of JSON; the Authorization: Bearer header is missing or was "
        "stripped by a proxy"
    )


def test_malformed_json() -> None:
    with ScriptedServer(Reply(200, b'{"object": "list", "data": [')) as server:
        error = fetch_error(server)
    assert error.kind == "malformed"
    assert str(error).startswith(f"{server.base_url}/models: answered malformed JSON (")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [({"object": "list"}, "no 'data' list"), ({"data": {"id": "x"}}, "'data' is not a list")],
)
def test_json_that_is_not_a_model_list(payload: object, reason: str) -> None:
    with ScriptedServer(json_reply(payload)) as server:
        error = fetch_error(server)
    assert error.kind == "malformed"
    assert (
        str(error) == f"{server.base_url}/models: answered JSON that is not a model list ({reason})"
    )


def test_404_points_at_the_base_url() -> None:
    with ScriptedServer(error_reply(404, "not_found", "Unknown endpoint")) as server:
        error = fetch_error(server)
    assert error.kind == "http"
    assert "check base-url or LLMBASE_BASE_URL (LLMBase's is https://api.llmbase.ai/v1)" in str(
        error
    )


# -- keys checked before anything is sent --------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kind", "message"),
    [
        (None, "no_key", "LLMBASE_API_KEY is not set; set it to an llmbase_... inference key"),
        (
            "sk-proj-0123456789abcdefghijklmnop",
            "wrong_key",
            "LLMBASE_API_KEY holds sk-p…op, an OpenAI key, not an LLMBase key; "
            "use an llmbase_... inference key",
        ),
        (
            "gsk_0123456789abcdefghijklmnop",
            "wrong_key",
            "LLMBASE_API_KEY holds gsk_…op, another service's key, not an LLMBase key; "
            "use an llmbase_... inference key",
        ),
        (
            "llmbase_chat_0123456789abcdefghij",
            "chat_agent_key",
            "LLMBASE_API_KEY holds llmb…ij, an llmbase_chat_... chat-agent key, which only "
            "works with the agent API at https://llmbase.ai/api/v1/agents; "
            "use an llmbase_... inference key",
        ),
        (
            f"Bearer {GOOD_KEY}",
            "wrong_key",
            "LLMBASE_API_KEY starts with 'Bearer '; set it to the bare llmbase_... key",
        ),
        (
            f'"{GOOD_KEY}"',
            "wrong_key",
            "LLMBASE_API_KEY is wrapped in quotes; set it to the bare llmbase_... key",
        ),
        (
            f"{GOOD_KEY}é",
            "wrong_key",
            "LLMBASE_API_KEY holds non-ASCII characters; set it to the bare llmbase_... key",
        ),
        (
            "llmbase_0123456789 abcdef",
            "wrong_key",
            "LLMBASE_API_KEY holds llmb…ef with whitespace inside; set it to the bare key",
        ),
    ],
)
def test_bad_keys_are_refused_before_any_request(key: str | None, kind: str, message: str) -> None:
    with ScriptedServer() as server:
        error = fetch_error(server, key)
    assert (error.kind, str(error)) == (kind, message)
    assert check_key(key) == message
    assert server.seen == []


def test_check_key_accepts_an_inference_key_and_names_the_variable() -> None:
    assert check_key(GOOD_KEY) is None
    assert check_key("", api_key_env="MY_KEY") == (
        "MY_KEY is not set; set it to an llmbase_... inference key"
    )
    error = key_error("sk-ant-0123456789abcdefghij")
    assert error is not None and "an Anthropic key" in str(error)


def test_read_key_strips_and_treats_blank_as_unset() -> None:
    assert read_key("K", {"K": f"  {GOOD_KEY}\n"}) == GOOD_KEY
    assert read_key("K", {"K": "  "}) is None
    assert read_key("K", {}) is None


# -- retries, timeouts, connection faults --------------------------------------------------


def test_429_then_200_honours_retry_after() -> None:
    limited = error_reply(
        429, "too_many_concurrent_requests", "Too many active requests", **{"Retry-After": "0"}
    )
    with ScriptedServer(limited, json_reply(GOOD_METADATA)) as server:
        fetched = fetch_models(server.base_url, GOOD_KEY, options=FAST)
    assert len(fetched.parsed.entries) == len(GOOD_METADATA["data"])
    assert len(server.seen) == 2
    assert all(seen.authorization == f"Bearer {GOOD_KEY}" for seen in server.seen)


def test_429_with_a_long_retry_after_gives_up_at_once() -> None:
    limited = error_reply(
        429, "too_many_concurrent_requests", "Too many active requests", **{"Retry-After": "120"}
    )
    started = time.monotonic()
    with ScriptedServer(limited) as server:
        error = fetch_error(server)
    assert time.monotonic() - started < 1.0
    assert error.kind == "rate_limited"
    assert str(error) == (
        f"{server.base_url}/models: 429 too_many_concurrent_requests (Too many active "
        "requests); retry after 120 s"
    )
    assert len(server.seen) == 1


def test_500_then_200_is_retried() -> None:
    with ScriptedServer(
        error_reply(500, "server_error", "boom"), json_reply(GOOD_METADATA)
    ) as server:
        fetched = fetch_models(server.base_url, GOOD_KEY, options=FAST)
    assert fetched.parsed.entries
    assert len(server.seen) == 2


def test_persistent_5xx_stops_after_three_attempts() -> None:
    with ScriptedServer(Reply(503, b"upstream unavailable", "text/plain")) as server:
        error = fetch_error(server)
    assert error.kind == "http"
    assert str(error) == f"{server.base_url}/models: HTTP 503 (after 3 attempts)"
    assert len(server.seen) == 3


def test_retry_after_as_an_http_date_far_ahead_gives_up_at_once() -> None:
    unavailable = Reply(503, b"", "text/plain", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    with ScriptedServer(unavailable) as server:
        error = fetch_error(server)
    assert str(error) == f"{server.base_url}/models: HTTP 503"
    assert len(server.seen) == 1


def test_retries_stop_when_the_time_budget_would_run_out() -> None:
    options = HttpOptions(connect_timeout=1.0, timeout=0.5, backoff=1.0)
    started = time.monotonic()
    failing = error_reply(500, "server_error", "boom")
    with ScriptedServer(failing) as server, pytest.raises(CatalogError) as caught:
        fetch_models(server.base_url, GOOD_KEY, options=options)
    assert time.monotonic() - started < 0.5
    assert str(caught.value) == f"{server.base_url}/models: 500 server_error (boom)"
    assert len(server.seen) == 1


def test_server_messages_are_one_line_with_the_key_masked() -> None:
    echo = error_reply(418, "teapot", f"refusing\n key {GOOD_KEY} " + "x" * 300)
    with ScriptedServer(echo) as server:
        error = fetch_error(server)
    message = str(error)
    assert message.startswith(f"{server.base_url}/models: 418 teapot (refusing key llmb…ef xxx")
    assert message.endswith("...)")
    assert len(message) < len(server.base_url) + 160


def test_slow_answer_times_out_without_retrying() -> None:
    options = HttpOptions(connect_timeout=1.0, timeout=0.3, backoff=0.01)
    with ScriptedServer(Reply(200, b"{}", delay=5.0)) as server:
        started = time.monotonic()
        with pytest.raises(CatalogError) as caught:
            fetch_models(server.base_url, GOOD_KEY, options=options)
        elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert caught.value.kind == "timeout"
    assert str(caught.value) == (
        f"{server.base_url}/models: timed out (no complete answer within 0.3 s)"
    )
    assert len(server.seen) == 1


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CatalogError) as caught:
        fetch_models(f"http://127.0.0.1:{port}/v1", GOOD_KEY, options=FAST)
    assert caught.value.kind == "connection"
    assert str(caught.value) == (
        f"http://127.0.0.1:{port}/v1/models: connection refused (after 3 attempts); "
        "check base-url or LLMBASE_BASE_URL"
    )


# -- redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_redirect_to_another_host_is_not_followed_with_the_key(host: str) -> None:
    with ScriptedServer(json_reply(GOOD_METADATA)) as other:
        target = f"http://{host}:{other.port}/v1/models?metadata=true"
        with ScriptedServer(Reply(302, b"", headers={"Location": target})) as server:
            error = fetch_error(server)
    assert error.kind == "redirect"
    assert str(error) == (
        f"{server.base_url}/models: redirected to another host (http://{host}:{other.port}); "
        "not following it with the API key (set base-url to the final address if it is trusted)"
    )
    assert other.seen == []
    assert len(server.seen) == 1


def test_same_origin_redirect_is_followed_with_the_key() -> None:
    moved = Reply(308, b"", headers={"Location": "/api/v1/models?metadata=true"})
    with ScriptedServer(moved, json_reply(GOOD_METADATA)) as server:
        fetched = fetch_models(server.base_url, GOOD_KEY, options=FAST)
    assert fetched.url == f"{server.origin}/api/v1/models?metadata=true"
    assert [seen.path for seen in server.seen] == ["/v1/models", "/api/v1/models"]
    assert all(seen.authorization == f"Bearer {GOOD_KEY}" for seen in server.seen)


def test_redirect_loop_stops() -> None:
    with ScriptedServer(Reply(302, b"", headers={"Location": "/v1/models"})) as server:
        error = fetch_error(server)
    assert str(error) == f"{server.base_url}/models: more than 3 redirects"
    assert len(server.seen) == 4


# -- balance and base URL ------------------------------------------------------------------


def test_balance() -> None:
    answer = {"object": "balance", "currency": "USD", "balance": "25.00"}
    with ScriptedServer(json_reply(answer)) as server:
        balance = fetch_balance(server.base_url, GOOD_KEY, options=FAST)
    assert balance == answer
    assert describe_balance(balance) == "25.00 USD"
    assert server.seen[0].path == "/v1/balance"
    assert server.seen[0].authorization == f"Bearer {GOOD_KEY}"


def test_balance_shapes_the_docs_leave_open() -> None:
    assert describe_balance({"data": {"available": 3.5}}) == "3.5"
    assert describe_balance({"credits_usd": 1}) == '{"credits_usd":1}'


def test_balance_errors_like_models() -> None:
    quota = error_reply(402, "insufficient_quota", "Balance too low")
    with ScriptedServer(quota) as server, pytest.raises(CatalogError) as caught:
        fetch_balance(server.base_url, GOOD_KEY, options=FAST)
    assert caught.value.kind == "quota"
    assert str(caught.value).startswith(f"{server.base_url}/balance: 402 insufficient_quota:")


def test_base_url_resolution() -> None:
    assert resolve_base_url(None, {}) == "https://api.llmbase.ai/v1"
    assert resolve_base_url("http://proxy.internal/v1/", {}) == "http://proxy.internal/v1"
    env = {"LLMBASE_BASE_URL": "http://127.0.0.1:9/v1/"}
    assert resolve_base_url("http://proxy.internal/v1", env) == "http://127.0.0.1:9/v1"
    with pytest.raises(CatalogError) as caught:
        resolve_base_url(None, {"LLMBASE_BASE_URL": "api.llmbase.ai/v1"})
    assert str(caught.value) == "LLMBASE_BASE_URL must be an http(s) URL, got 'api.llmbase.ai/v1'"
    assert caught.value.kind == "config"


def test_catalog_error_survives_pickling() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(CatalogError("gone", kind="timeout")))
    assert (str(error), error.kind) == ("gone", "timeout")


@pytest.mark.parametrize(
    ("source", "target", "same"),
    [
        ("https://api.llmbase.ai/v1/models", "https://API.llmbase.ai:443/v2/models", True),
        ("http://api.llmbase.ai/v1/models", "https://api.llmbase.ai/v1/models", True),
        ("https://api.llmbase.ai/v1/models", "http://api.llmbase.ai/v1/models", False),
        ("https://api.llmbase.ai/v1/models", "https://api.llmbase.ai:8443/v1/models", False),
        ("https://api.llmbase.ai/v1/models", "https://llmbase.ai/v1/models", False),
        ("https://api.llmbase.ai/v1/models", "https://api.llmbase.ai.evil.example/v1", False),
        ("https://api.llmbase.ai/v1/models", "https://api.llmbase.ai:bad/v1", False),
    ],
)
def test_same_origin(source: str, target: str, same: bool) -> None:
    from llmbase_migrate.catalog.client import _same_origin

    assert _same_origin(source, target) is same


def test_a_hanging_name_lookup_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx's timeouts do not cover the system resolver: the hard bound does.
    release = threading.Event()

    def hanging_lookup(*args: object, **kwargs: object) -> list[Any]:
        release.wait(30)
        raise OSError("lookup abandoned")

    monkeypatch.setattr(socket, "getaddrinfo", hanging_lookup)
    options = HttpOptions(connect_timeout=0.2, timeout=0.3, backoff=0.01)
    started = time.monotonic()
    try:
        with pytest.raises(CatalogError) as caught:
            fetch_models("https://catalog.invalid/v1", GOOD_KEY, options=options)
    finally:
        release.set()
    elapsed = time.monotonic() - started
    assert elapsed < 0.3 + HARD_BOUND_GRACE + 0.5
    assert caught.value.kind == "timeout"
