"""A scripted HTTP server on 127.0.0.1 for the catalog client's tests.

Each request gets the next scripted reply (the last one repeats), and every request is
recorded with its headers, so tests can assert what reached the server, or that nothing
did. Replies can be slow: a delayed reply waits on an event that stopping the server
sets, so a test that gave up on it never waits for it.
"""

from __future__ import annotations

import http.server
import json
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlsplit

import pytest

from standin import CLOUDFLARE_PAGE, DEFAULT_CATALOG

__all__ = [
    "GOOD_KEY",
    "GOOD_METADATA",
    "Reply",
    "ScriptedServer",
    "Seen",
    "error_reply",
    "html_reply",
    "isolate_environment",
    "json_reply",
]

GOOD_KEY: Final = "llmbase_test_0123456789abcdef0123456789abcdef"
GOOD_METADATA: Final[dict[str, Any]] = {
    "object": "list",
    "data": [model.entry(metadata=True) for model in DEFAULT_CATALOG],
}
_PROXY_VARIABLES: Final = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


def json_reply(payload: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload).encode(), headers=headers)


def html_reply(status: int = 403) -> Reply:
    return Reply(status, CLOUDFLARE_PAGE.encode(), "text/html; charset=UTF-8")


def error_reply(status: int, code: str, message: str, **headers: str) -> Reply:
    payload = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    return json_reply(payload, status, **headers)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # names lower-cased

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


Script = Reply | Callable[[Seen], Reply]


class _Server(http.server.ThreadingHTTPServer):
    # Handler threads are joined on close: nothing outlives the test that started it.
    daemon_threads = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out hangs up before the slow reply is written; expected.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ScriptedServer:
    """Use as a context manager; ``base_url`` ends in ``/v1`` like LLMBase's."""

    def __init__(self, *script: Script) -> None:
        self._script = list(script) or [json_reply(GOOD_METADATA)]
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        # A short poll keeps shutdown() (which waits for the next poll) from costing 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            step = self._script[min(len(self.seen), len(self._script)) - 1]
        return step(seen) if callable(step) else step

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: ``seen`` is the record."""

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = server._next(Seen("GET", parts.path, parts.query, headers))
                self.close_connection = True
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

        return Handler


def isolate_environment(monkeypatch: pytest.MonkeyPatch, cache_home: str) -> None:
    """No proxy between the client and 127.0.0.1, no real LLMBase settings, and a private
    cache directory."""
    for name in (*_PROXY_VARIABLES, "LLMBASE_BASE_URL", "LLMBASE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("XDG_CACHE_HOME", cache_home)
