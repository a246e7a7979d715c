"""A client moves to LLMBase with its key, or not at all: checked on the wire.

An app with one client of each kind the migration plan tells apart runs, as a
subprocess with the real ``openai`` package, before any fix, after ``fix`` (safe
fixes) and after ``fix --unsafe-fixes``. Every server it can reach is on loopback and
records the host and ``Authorization`` header of each request: the LLMBase stand-in,
an "OpenAI" that serves embeddings (where ``$OPENAI_BASE_URL`` points), a proxy
``$MY_PROXY_URL`` names, and a local server. After every run:

- no request carries an ``llmbase_`` key to a host other than the stand-in;
- no request carries any other key to the stand-in;
- embeddings still reach the server that serves them.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox import ProxyTrap, sandbox_env
from standin import LLMBaseStandIn

OPENAI_KEY = "sk-test-0123456789abcdefghijklmnopqrstuv"
PARTNER_KEY = "sk-partner-9876543210zyxwvutsrqponmlkji"
TIMEOUT = 120

APP = """\
import os

from openai import OpenAI

MODEL = "deepseek/deepseek-v4-flash"
HELLO = [{{"role": "user", "content": "hello"}}]


def get_key():
    return os.environ["PARTNER_KEY"]


# chat only: a safe fix moves its base URL and key together
fresh = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
# a base URL that may point anywhere: never given LLMBase's key while it does
remote = OpenAI(base_url=os.environ.get("MY_PROXY_URL"))
# chat and embeddings: it stays; a second client takes the chat requests
plain = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
# a local server: stays where it is
local = OpenAI(base_url="http://127.0.0.1:{local_port}/v1", api_key="ollama")
# a public gateway with a key the tool cannot follow
partner = OpenAI(base_url="https://partner-gateway.acme-ai.io/v1", api_key=get_key())


def attempt(name, call):
    try:
        call()
    except Exception as error:
        print(f"{{name}}: {{type(error).__name__}}")
    else:
        print(f"{{name}}: ok")


attempt("fresh", lambda: fresh.chat.completions.create(model=MODEL, messages=HELLO))
attempt("remote", lambda: remote.chat.completions.create(model=MODEL, messages=HELLO))
attempt("plain-chat", lambda: plain.chat.completions.create(model=MODEL, messages=HELLO))
attempt("plain-embed", lambda: plain.embeddings.create(model="text-embedding-3-small", input="x"))
attempt("local", lambda: local.chat.completions.create(model="llama3.2", messages=HELLO))
attempt("partner", lambda: partner.chat.completions.create(model=MODEL, messages=HELLO))
"""


@dataclass(frozen=True)
class Seen:
    server: str
    path: str
    authorization: str


class Recorder:
    """An OpenAI-compatible server on loopback that answers anything and records it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[Seen] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body: Any = json.loads(self.rfile.read(length) or b"null")
                recorder.seen.append(
                    Seen(recorder.name, self.path, self.headers.get("authorization", ""))
                )
                if self.path.endswith("/embeddings"):
                    answer: dict[str, Any] = {
                        "object": "list",
                        "model": body["model"],
                        "data": [{"object": "embedding", "index": 0, "embedding": [0.0]}],
                        "usage": {"prompt_tokens": 1, "total_tokens": 1},
                    }
                else:
                    answer = {
                        "id": "chat-1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": "hi"},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def servers() -> Iterator[tuple[LLMBaseStandIn, Recorder, Recorder, Recorder, ProxyTrap]]:
    with (
        LLMBaseStandIn() as standin,
        Recorder("openai") as openai_server,
        Recorder("proxy") as proxy,
        Recorder("local") as local,
        ProxyTrap() as trap,
    ):
        yield standin, openai_server, proxy, local, trap


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def test_keys_never_reach_the_wrong_host(
    tmp_path: Path, servers: tuple[LLMBaseStandIn, Recorder, Recorder, Recorder, ProxyTrap]
) -> None:
    standin, openai_server, proxy, local, trap = servers
    (tmp_path / "app.py").write_text(APP.format(local_port=local.port))
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.llmbase-migrate]\nbase-url = {json.dumps(standin.base_url)}\n"
    )
    env = {
        **sandbox_env(standin, trap),
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": openai_server.url,
        "MY_PROXY_URL": proxy.url,
        "PARTNER_KEY": PARTNER_KEY,
    }
    llmbase_key = f"Bearer {standin.api_key}"

    def run_app() -> tuple[dict[str, str], list[Seen]]:
        for recorder in (openai_server, proxy, local):
            recorder.seen.clear()
        standin.clear()
        result = _run([sys.executable, "app.py"], tmp_path, env)
        assert result.returncode == 0, result.stdout + result.stderr
        outcomes = dict(line.split(": ", 1) for line in result.stdout.splitlines())
        seen = [
            *openai_server.seen,
            *proxy.seen,
            *local.seen,
            *(
                Seen("llmbase", entry.path, entry.headers.get("authorization", ""))
                for entry in standin.requests
            ),
        ]
        for request in seen:
            if request.server == "llmbase":
                assert request.authorization == llmbase_key, (request, outcomes)
            else:
                assert "llmbase_" not in request.authorization, (request, outcomes)
        return outcomes, seen

    def fix(*options: str) -> None:
        result = _run(
            [sys.executable, "-m", "llmbase_migrate", "fix", "--offline", *options, "."],
            tmp_path,
            env,
        )
        assert result.returncode in (0, 1), result.stdout + result.stderr

    before, seen = run_app()
    assert before["plain-embed"] == "ok"
    assert Seen("openai", "/v1/embeddings", f"Bearer {OPENAI_KEY}") in seen
    # the partner gateway is on the internet: the sandbox's trap refuses it
    assert before["partner"] == "APIConnectionError"

    fix()
    after_safe, seen = run_app()
    # only the client whose key and base URL could both move safely went to LLMBase
    assert [request.path for request in seen if request.server == "llmbase"] == [
        "/v1/chat/completions"
    ]
    assert after_safe["fresh"] == "ok"
    assert Seen("proxy", "/v1/chat/completions", f"Bearer {OPENAI_KEY}") in seen
    assert Seen("openai", "/v1/embeddings", f"Bearer {OPENAI_KEY}") in seen
    assert Seen("local", "/v1/chat/completions", "Bearer ollama") in seen

    fix("--unsafe-fixes")
    after_unsafe, seen = run_app()
    assert after_unsafe == dict.fromkeys(before, "ok"), after_unsafe
    to_llmbase = [request for request in seen if request.server == "llmbase"]
    # fresh, remote, plain's chat through its new client, partner
    assert len(to_llmbase) == 4, seen
    assert Seen("openai", "/v1/embeddings", f"Bearer {OPENAI_KEY}") in seen
    assert Seen("local", "/v1/chat/completions", "Bearer ollama") in seen
    assert not proxy.seen
    assert PARTNER_KEY not in (tmp_path / "app.py").read_text() + "".join(
        request.authorization for request in seen
    )
