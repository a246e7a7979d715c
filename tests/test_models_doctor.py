"""``models`` and ``doctor`` against real servers on 127.0.0.1: the strict stand-in, and
scripted replies for what it never answers (402, an HTML page with the header sent)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_server import ScriptedServer, error_reply, html_reply
from cli_runner import Runner
from llmbase_migrate.catalog.client import HARD_BOUND_GRACE
from standin import LLMBaseStandIn


@pytest.fixture
def standin() -> Iterator[LLMBaseStandIn]:
    with LLMBaseStandIn() as server:
        yield server


def configure(root: Path, base_url: str) -> Path:
    (root / "pyproject.toml").write_text(f'[tool.llmbase-migrate]\nbase-url = "{base_url}"\n')
    return root


def test_models_lists_the_live_catalog(
    run: Runner, tmp_path: Path, standin: LLMBaseStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMBASE_API_KEY", standin.api_key)
    root = configure(tmp_path, standin.base_url)
    result = run("models", "--catalog", "live", cwd=root)
    assert result.code == 0, result.err
    header, first = result.out.splitlines()[:2]
    assert header.split() == [
        "id",
        "context",
        "prompt",
        "completion",
        "cache",
        "read",
        "features",
        "input",
    ]
    assert first.startswith("deepseek/deepseek-v3.2")
    assert "json_mode" in result.out and "image" in result.out
    assert "fetched live" in result.out
    (request,) = standin.requests
    assert request.query == {"metadata": ["true"]}


def test_models_json_is_the_entries_as_served(
    run: Runner, tmp_path: Path, standin: LLMBaseStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMBASE_API_KEY", standin.api_key)
    root = configure(tmp_path, standin.base_url)
    document = json.loads(run("models", "--json", "--catalog", "live", cwd=root).out)
    assert document["catalog"]["source"] == "live"
    served = {entry["id"]: entry for entry in document["data"]}
    assert "supported_features" in served["deepseek/deepseek-v4-flash"]


def test_refresh_fills_the_cache_that_offline_runs_read(
    run: Runner, tmp_path: Path, standin: LLMBaseStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMBASE_API_KEY", standin.api_key)
    root = configure(tmp_path, standin.base_url)
    assert run("models", "--refresh", cwd=root).code == 0
    standin.clear()
    offline = json.loads(run("models", "--json", "--catalog", "offline", cwd=root).out)
    assert offline["catalog"]["source"] == "cache"
    assert standin.requests == [], "offline never touches the network"


def test_models_offline_without_a_cache_is_the_snapshot(run: Runner, tmp_path: Path) -> None:
    result = run("models", "--catalog", "offline", cwd=tmp_path)
    assert result.code == 0
    assert "z-ai/glm-5.1" in result.out and "bundled snapshot of 2026-11-25" in result.out


def test_models_live_failure_is_one_line_and_exit_2(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMBASE_API_KEY", "llmbase_" + "0" * 8 + "abcdefabcdefabcdef")
    with ScriptedServer(error_reply(401, "invalid_api_key", "Invalid API key")) as server:
        result = run("models", "--catalog", "live", cwd=configure(tmp_path, server.base_url))
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert line.startswith("llmbase-migrate: error: ") and "401 invalid_api_key" in line
    assert "abcdefabcdefabcdef" not in line, "the key is masked"


def test_doctor_all_well(
    run: Runner, tmp_path: Path, standin: LLMBaseStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMBASE_API_KEY", standin.api_key)
    result = run("doctor", cwd=configure(tmp_path, standin.base_url))
    assert result.code == 0, result.out
    marks = [line.split()[:2] for line in result.out.splitlines()]
    assert marks == [["ok", "base"], ["ok", "key"], ["ok", "models"], ["ok", "balance"]]
    assert standin.api_key not in result.out


@pytest.mark.parametrize(
    ("key", "sentence"),
    [
        pytest.param(None, "LLMBASE_API_KEY is not set", id="no key"),
        pytest.param("sk-proj-" + "a1" * 16, "an OpenAI key, not an LLMBase key", id="openai key"),
        pytest.param("sk-or-v1-" + "b2" * 16, "not an LLMBase key", id="openrouter key"),
        pytest.param(
            "llmbase_chat_" + "c3" * 16, "only works with the agent API", id="chat-agent key"
        ),
    ],
)
def test_doctor_names_the_key_mistake_without_a_request(
    run: Runner,
    tmp_path: Path,
    standin: LLMBaseStandIn,
    monkeypatch: pytest.MonkeyPatch,
    key: str | None,
    sentence: str,
) -> None:
    if key is not None:
        monkeypatch.setenv("LLMBASE_API_KEY", key)
    result = run("doctor", cwd=configure(tmp_path, standin.base_url))
    assert result.code == 1
    assert "FAIL  key       " in result.out and sentence in result.out
    assert standin.requests == [], "a wrong key is never sent"
    if key is not None:
        assert key not in result.out


@pytest.mark.parametrize(
    ("reply", "sentence"),
    [
        pytest.param(
            error_reply(401, "invalid_api_key", "Invalid API key"),
            "401 invalid_api_key",
            id="401",
        ),
        pytest.param(
            error_reply(402, "insufficient_quota", "Insufficient credits"),
            "402 insufficient_quota: add prepaid inference credits",
            id="402",
        ),
        pytest.param(
            html_reply(403),
            "the Authorization: Bearer header is missing or was stripped by a proxy",
            id="cloudflare page",
        ),
    ],
)
def test_doctor_explains_what_the_server_answered(
    run: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reply: object,
    sentence: str,
) -> None:
    key = "llmbase_" + "d4" * 16
    monkeypatch.setenv("LLMBASE_API_KEY", key)
    with ScriptedServer(reply) as server:  # type: ignore[arg-type]
        result = run("doctor", cwd=configure(tmp_path, server.base_url))
        assert all(seen.authorization == f"Bearer {key}" for seen in server.seen)
    assert result.code == 1
    assert "FAIL  models    " in result.out and sentence in result.out
    assert key not in result.out


APP = """\
import os
from openai import OpenAI

client = OpenAI(base_url="{base_url}", api_key=os.environ["LLMBASE_API_KEY"])

def ask(question):
    return client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": question}}])

def legacy_id(question):
    return client.chat.completions.create(model="zai-org/glm-5", messages=[])

def lookup(question, tools):
    return client.chat.completions.create(model="qwen/qwen3.5-9b", messages=[], tools=tools)
"""


def test_check_against_the_live_catalog(
    run: Runner, tmp_path: Path, standin: LLMBaseStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMBASE_API_KEY", standin.api_key)
    root = configure(tmp_path, standin.base_url)
    (root / "app.py").write_text(APP.format(base_url=standin.base_url))
    result = run("check", "--output-format", "json", cwd=root)
    document = json.loads(result.out)
    assert document["catalog"]["source"] == "live"
    by_code: dict[str, list[str]] = {}
    for item in document["diagnostics"]:
        by_code.setdefault(item["code"], []).append(item["message"])
    unknown, renamed = sorted(by_code["LB301"], key=lambda message: "zai-org" in message)
    assert '"gpt-4o"' in unknown and "404" in unknown
    assert '"z-ai/glm-5"' in renamed
    (capability,) = by_code["LB302"]
    assert '"qwen/qwen3.5-9b"' in capability and "tools" in capability
    # a second run within the TTL reads the cache: no second request
    standin.clear()
    again = json.loads(run("check", "--output-format", "json", cwd=root).out)
    assert again["catalog"]["source"] == "cache" and standin.requests == []
    fixed = run("fix", cwd=root)
    assert fixed.code == 1
    assert 'model="z-ai/glm-5"' in (root / "app.py").read_text()


def test_check_offline_needs_no_key_and_no_network(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP.format(base_url="https://api.llmbase.ai/v1"))
    result = run("check", "--offline", cwd=tmp_path)
    assert result.code == 1
    assert "Catalog: 18 models, bundled snapshot of 2026-11-25" in result.out
    assert result.err == "", "offline runs say how they fell back only with --verbose"
    assert 'LB301 [*] model "zai-org/glm-5"' in result.out


def test_check_live_without_a_key_is_exit_2(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP.format(base_url="https://api.llmbase.ai/v1"))
    result = run("check", "--catalog", "live", cwd=tmp_path)
    assert result.code == 2
    assert result.err.strip() == (
        "llmbase-migrate: error: LLMBASE_API_KEY is not set; set it to an llmbase_... inference key"
    )


def test_a_catalog_server_that_never_answers_cannot_hang_check(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a pre-commit hook run without --offline meets on a bad network: the run
    # waits at most the request timeout (10 s) plus a grace second, then goes on
    # with the snapshot.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept_and_hold() -> None:
            listener.settimeout(0.2)
            while not stop.is_set():
                try:
                    held.append(listener.accept()[0])
                except OSError:
                    continue

        acceptor = threading.Thread(target=accept_and_hold, daemon=True)
        acceptor.start()
        port = listener.getsockname()[1]
        monkeypatch.setenv("LLMBASE_API_KEY", "llmbase_" + "0" * 8 + "abcdefabcdefabcdef")
        monkeypatch.setenv("LLMBASE_BASE_URL", f"http://127.0.0.1:{port}/v1")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        (tmp_path / "app.py").write_text(APP.format(base_url="https://api.llmbase.ai/v1"))
        started = time.monotonic()
        try:
            result = run("check", "--verbose", cwd=tmp_path)
        finally:
            stop.set()
            acceptor.join()
            for connection in held:
                connection.close()
        elapsed = time.monotonic() - started
    assert held, "the request reached the silent server"
    assert elapsed < 10 + HARD_BOUND_GRACE + 4
    assert result.code == 1
    assert "Catalog: 18 models, bundled snapshot of 2026-11-25" in result.out
    assert "timed out" in result.err
