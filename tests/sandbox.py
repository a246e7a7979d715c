"""The network sandbox end-to-end tests run apps in: only loopback is reachable.

Apps run with every proxy variable pointing at a local trap that records and refuses
each attempt to reach another host; only loopback bypasses it.
"""

from __future__ import annotations

import os
import socketserver
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

from standin import LLMBaseStandIn

# Keys an unmigrated app would send; neither is accepted by LLMBase.
OPENAI_TEST_KEY = "sk-test-0123456789abcdefghijklmnopqrstuv"
OPENROUTER_TEST_KEY = "sk-or-test-0123456789abcdefghijklmnop"


class _QuietTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients give up on the refused proxy in every way; none of it is news.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ProxyTrap:
    """A local "proxy" that records what a client asked it to reach and refuses it."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._lock = threading.Lock()
        trap = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                # "CONNECT host:443 HTTP/1.1" for https, "GET http://host/... HTTP/1.1" for http;
                # a client cancelled mid-connect sends nothing.
                parts = self.rfile.readline(4096).decode("latin-1").split()
                if len(parts) >= 2:
                    target = urlsplit(parts[1]).netloc if "://" in parts[1] else parts[1]
                    with trap._lock:
                        trap.attempts.append(target)
                self.wfile.write(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )

        self._server = _QuietTCPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ProxyTrap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def hosts(self) -> set[str]:
        with self._lock:
            return set(self.attempts)


def sandbox_env(standin: LLMBaseStandIn, trap: ProxyTrap) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith(("OPENAI_", "OPENROUTER_", "LLMBASE_", "DIGEST_"))
        and "PROXY" not in name.upper()
    }
    return {
        **inherited,
        "OPENAI_API_KEY": OPENAI_TEST_KEY,
        "OPENROUTER_API_KEY": OPENROUTER_TEST_KEY,
        "LLMBASE_API_KEY": standin.api_key,
        "HTTPS_PROXY": trap.url,
        "HTTP_PROXY": trap.url,
        "ALL_PROXY": trap.url,
        "https_proxy": trap.url,
        "http_proxy": trap.url,
        "all_proxy": trap.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }
