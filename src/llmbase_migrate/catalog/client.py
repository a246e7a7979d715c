"""The HTTP client for LLMBase's catalog and balance endpoints, and the key and base-URL
settings they use.

``GET {base}/models?metadata=true`` and ``GET {base}/balance``, each with
``Authorization: Bearer <key>`` (Cloudflare treats requests without it as browser traffic,
contract 1.3). Every failure is a :class:`CatalogError` whose one-line message follows the
seed page's "Common mistakes" table and never holds the whole key.

Network behaviour (``HttpOptions``):

- ``timeout`` bounds the whole call, retries and waits included, so a user never waits
  longer than that; ``connect_timeout`` bounds each connection attempt.
- Up to ``attempts`` tries on connection failures, 429 and 5xx, waiting ``backoff``
  seconds, then twice that. A ``Retry-After`` of at most ``max_retry_after`` seconds is
  honoured; a longer one ends the call at once (waiting a minute helps no CLI run). A
  request that timed out after connecting is not retried: the budget is spent.
- Redirects are followed only within the same origin (scheme, host and port; an
  http -> https upgrade on the same host counts as the same origin), at most
  ``max_redirects`` times. A redirect to any other origin is refused, never followed
  with the key attached.
- httpx is imported on the first request, so offline runs, which still resolve the base
  URL and read the key here, never load it.
- Before anything is sent the key is checked: another service's key is never sent to
  this host, and a chat-agent key is refused as the docs say it is not for inference.
"""

from __future__ import annotations

import email.utils
import errno
import functools
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urljoin, urlsplit, urlunsplit

from llmbase_migrate import __version__
from llmbase_migrate.catalog.models import ParsedModels, parse_models_response
from llmbase_migrate.config import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL
from llmbase_migrate.errors import CatalogError
from llmbase_migrate.printable import printable
from llmbase_migrate.secrets import (
    CHAT_AGENT_KEY_PREFIX,
    INFERENCE_KEY_PREFIX,
    mask,
    redact_exact,
    strip_url_credentials,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_OPTIONS",
    "FetchedModels",
    "HttpOptions",
    "check_key",
    "configured_base_url",
    "describe_balance",
    "fetch_balance",
    "fetch_models",
    "key_error",
    "read_key",
    "resolve_base_url",
]

BASE_URL_ENV: Final = "LLMBASE_BASE_URL"

_USE_INFERENCE_KEY: Final = "use an llmbase_... inference key"
_MAX_SERVER_MESSAGE: Final = 120
_QUOTES: Final = "'\"“”‘’`"


@dataclass(frozen=True)
class HttpOptions:
    connect_timeout: float = 3.0
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5
    max_retry_after: float = 5.0
    max_redirects: int = 3
    # A model list is tens of kilobytes; this only stops a runaway answer.
    max_bytes: int = 32 * 1024 * 1024


DEFAULT_OPTIONS: Final = HttpOptions()


@dataclass(frozen=True)
class FetchedModels:
    """A model list as served: the decoded JSON (what the cache keeps) and its entries."""

    url: str
    payload: Any
    parsed: ParsedModels


# -- configuration ---------------------------------------------------------------------------


def resolve_base_url(
    config_base_url: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The base URL requests go to: :func:`configured_base_url` without credentials.

    A user name and password in the URL would make httpx send them as ``Basic`` auth
    in place of the ``Bearer`` key, and a ``?key=`` would end up in the middle of the
    path; LLMBase reads the key from the ``Authorization`` header only.
    """
    return strip_url_credentials(configured_base_url(config_base_url, env)).rstrip("/")


def configured_base_url(
    config_base_url: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """``LLMBASE_BASE_URL``, else the config's ``base-url``, else LLMBase's, as written
    (credentials included); no trailing slash.

    The config value was validated when it was loaded; the environment variable is checked
    here, as it is the one place it enters.
    """
    environ = os.environ if env is None else env
    from_env = environ.get(BASE_URL_ENV, "").strip()
    if from_env:
        parts = urlsplit(from_env)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise CatalogError(
                f"{BASE_URL_ENV} must be an http(s) URL, got {_display_url(from_env)!r}",
                kind="config",
            )
        return from_env.rstrip("/")
    return (config_base_url or DEFAULT_BASE_URL).rstrip("/")


def read_key(
    api_key_env: str = DEFAULT_API_KEY_ENV, env: Mapping[str, str] | None = None
) -> str | None:
    """The key in the variable named by ``api-key-env``, stripped; None when unset or blank.

    Stripping forgives the newline a key read from a file keeps.
    """
    environ = os.environ if env is None else env
    value = environ.get(api_key_env, "").strip()
    return value or None


def key_error(key: str | None, *, api_key_env: str = DEFAULT_API_KEY_ENV) -> CatalogError | None:
    """The problem with ``key`` as a :class:`CatalogError` (not raised), or None when it
    looks like an LLMBase inference key. Nothing is sent anywhere."""
    if key is None or not key.strip():
        return CatalogError(
            f"{api_key_env} is not set; set it to an llmbase_... inference key", kind="no_key"
        )
    key = key.strip()
    if key.lower().startswith("bearer "):
        return CatalogError(
            f"{api_key_env} starts with 'Bearer '; set it to the bare llmbase_... key",
            kind="wrong_key",
        )
    if key[0] in _QUOTES or key[-1] in _QUOTES:
        return CatalogError(
            f"{api_key_env} is wrapped in quotes; set it to the bare llmbase_... key",
            kind="wrong_key",
        )
    # An HTTP header cannot carry it; a pasted key picks such characters up.
    if not key.isascii():
        return CatalogError(
            f"{api_key_env} holds non-ASCII characters; set it to the bare llmbase_... key",
            kind="wrong_key",
        )
    if any(char.isspace() or not char.isprintable() for char in key):
        return CatalogError(
            f"{api_key_env} holds {mask(key)} with whitespace inside; set it to the bare key",
            kind="wrong_key",
        )
    # llmbase_chat_ also starts with llmbase_: the longer prefix is tested first.
    if key.startswith(CHAT_AGENT_KEY_PREFIX):
        return CatalogError(
            f"{api_key_env} holds {mask(key)}, an llmbase_chat_... chat-agent key, which only "
            f"works with the agent API at https://llmbase.ai/api/v1/agents; {_USE_INFERENCE_KEY}",
            kind="chat_agent_key",
        )
    if not key.startswith(INFERENCE_KEY_PREFIX):
        return CatalogError(
            f"{api_key_env} holds {mask(key)}, {_key_kind(key)}, not an LLMBase key; "
            f"{_USE_INFERENCE_KEY}",
            kind="wrong_key",
        )
    return None


def check_key(key: str | None, *, api_key_env: str = DEFAULT_API_KEY_ENV) -> str | None:
    """The one-line problem with ``key`` (missing, another service's, a chat-agent key), or
    None when it looks like an LLMBase inference key."""
    error = key_error(key, api_key_env=api_key_env)
    return None if error is None else str(error)


def _key_kind(key: str) -> str:
    if key.startswith("sk-or-"):
        return "an OpenRouter key"
    if key.startswith("sk-ant-"):
        return "an Anthropic key"
    if key.startswith("sk-"):
        return "an OpenAI key"
    return "another service's key"


# -- endpoints -------------------------------------------------------------------------------


def fetch_models(
    base_url: str,
    key: str | None,
    *,
    agents: bool = False,
    api_key_env: str = DEFAULT_API_KEY_ENV,
    options: HttpOptions = DEFAULT_OPTIONS,
) -> FetchedModels:
    """``GET {base_url}/models?metadata=true`` (``&filter=agents`` with ``agents``)."""
    query = "metadata=true&filter=agents" if agents else "metadata=true"
    url, payload = _get_json(base_url, "models", query, key, api_key_env, options)
    try:
        parsed = parse_models_response(payload)
    except ValueError as exc:
        raise CatalogError(
            f"{_display_url(url)}: answered JSON that is not a model list ({exc})",
            kind="malformed",
        ) from None
    return FetchedModels(url=url, payload=payload, parsed=parsed)


def fetch_balance(
    base_url: str,
    key: str | None,
    *,
    api_key_env: str = DEFAULT_API_KEY_ENV,
    options: HttpOptions = DEFAULT_OPTIONS,
) -> dict[str, Any]:
    """``GET {base_url}/balance``: the decoded JSON object (its fields are not documented)."""
    url, payload = _get_json(base_url, "balance", "", key, api_key_env, options)
    if not isinstance(payload, dict):
        raise CatalogError(
            f"{_display_url(url)}: answered JSON that is not an object", kind="malformed"
        )
    return payload


def describe_balance(payload: Mapping[str, Any]) -> str:
    """A short human reading of a balance answer (``25.00 USD``), whatever its shape.

    The docs do not give the fields (contract 2.3), so likely names are tried in turn and
    the compact JSON is the fallback.
    """
    for container in (payload, payload.get("data")):
        if not isinstance(container, Mapping):
            continue
        for name in ("balance", "available_balance", "available", "remaining", "credits", "amount"):
            value = container.get(name)
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                currency = container.get("currency") or payload.get("currency")
                shown = f"{value} {currency}" if isinstance(currency, str) else str(value)
                return printable(shown)
    try:
        text = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    except (ValueError, RecursionError):
        return "an answer that cannot be shown"
    text = printable(text)
    return text if len(text) <= 200 else text[:197] + "..."


# -- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes


def _get_json(
    base_url: str,
    path: str,
    query: str,
    key: str | None,
    api_key_env: str,
    options: HttpOptions,
) -> tuple[str, Any]:
    problem = key_error(key, api_key_env=api_key_env)
    if problem is not None:
        raise problem
    key = (key or "").strip()
    url = f"{strip_url_credentials(base_url).rstrip('/')}/{path}" + (f"?{query}" if query else "")
    answer = _get(url, key, options)
    where = _display_url(answer.url)
    if not 200 <= answer.status < 300:
        raise _status_error(answer, key)
    if _is_html(answer):
        raise _html_error(where, answer.status)
    if not answer.body.strip():
        raise CatalogError(f"{where}: answered an empty body instead of JSON", kind="malformed")
    try:
        return answer.url, json.loads(answer.body)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{where}: answered malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
            kind="malformed",
        ) from None
    except UnicodeDecodeError:
        raise CatalogError(
            f"{where}: answered malformed JSON (not UTF-8)", kind="malformed"
        ) from None
    except (RecursionError, MemoryError):
        raise CatalogError(
            f"{where}: answered malformed JSON (nested too deeply to read)", kind="malformed"
        ) from None


# How long past ``timeout`` a request may run before the caller stops waiting for it.
HARD_BOUND_GRACE: Final = 1.0


def _get(url: str, key: str, options: HttpOptions) -> _Answer:
    """``_get_with_retries`` under a hard wall-clock bound.

    httpx's timeouts cover connecting and reading, not a name lookup that hangs in
    the system resolver nor anything else that blocks outside them. The request runs
    in a daemon thread; when it has not finished ``HARD_BOUND_GRACE`` seconds after
    ``timeout`` the caller goes on without it (the thread dies with the process), so
    no hook or CI step can hang on the network.
    """
    results: list[_Answer | BaseException] = []

    def request() -> None:
        try:
            results.append(_get_with_retries(url, key, options))
        except BaseException as error:  # handed to the waiting thread
            results.append(error)

    worker = threading.Thread(target=request, name="llmbase-catalog-request", daemon=True)
    worker.start()
    worker.join(options.timeout + HARD_BOUND_GRACE)
    if not results:
        raise _timeout_error(url, options)
    result = results[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _get_with_retries(url: str, key: str, options: HttpOptions) -> _Answer:
    """GET with retries; returns the last answer that is neither retryable nor a redirect,
    or raises."""
    import httpx

    deadline = time.monotonic() + options.timeout
    headers = {"Accept": "application/json", "User-Agent": f"llmbase-migrate/{__version__}"}
    with httpx.Client(headers=headers, follow_redirects=False) as client:
        attempt = 0
        while True:
            attempt += 1
            wait: float | None = None
            # Built once the number of attempts is known, so the message can say it.
            failure: Callable[[int], CatalogError]
            try:
                answer = _follow(client, url, key, deadline, options)
            except httpx.ConnectTimeout:
                failure = functools.partial(_connect_timeout_error, url, options)
            except httpx.TimeoutException:
                raise _timeout_error(url, options) from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                # A refused connection or one dropped before the answer: worth another try.
                failure = functools.partial(_connection_error, url, exc)
            except httpx.HTTPError as exc:
                raise _connection_error(url, exc) from None
            except httpx.InvalidURL:
                raise CatalogError(
                    f"{_display_url(url)}: not a URL httpx can request; check base-url",
                    kind="config",
                ) from None
            else:
                if answer.status != 429 and answer.status < 500:
                    return answer
                failure = functools.partial(_status_error, answer, key)
                wait = _retry_after(answer.headers)
                if wait is not None and wait > options.max_retry_after:
                    raise failure(attempt)
            if attempt >= options.attempts:
                raise failure(attempt)
            delay = wait if wait is not None else options.backoff * 2 ** (attempt - 1)
            if time.monotonic() + delay >= deadline:
                raise failure(attempt)
            time.sleep(delay)


def _follow(
    client: httpx.Client, url: str, key: str, deadline: float, options: HttpOptions
) -> _Answer:
    import httpx

    current = url
    for _hop in range(options.max_redirects + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpx.ReadTimeout("deadline reached")
        timeout = httpx.Timeout(remaining, connect=min(options.connect_timeout, remaining))
        with client.stream(
            "GET", current, headers={"Authorization": f"Bearer {key}"}, timeout=timeout
        ) as response:
            if response.has_redirect_location:
                target = _without_userinfo(urljoin(current, response.headers["location"]))
                if not _same_origin(current, target):
                    raise CatalogError(
                        f"{_display_url(current)}: redirected to another host "
                        f"({_origin_text(target)}); not following it with the API key "
                        "(set base-url to the final address if it is trusted)",
                        kind="redirect",
                    )
                current = target
                continue
            body = _read_body(response, deadline, options.max_bytes, current)
            return _Answer(current, response.status_code, response.headers, body)
    raise CatalogError(
        f"{_display_url(url)}: more than {options.max_redirects} redirects", kind="redirect"
    )


def _read_body(response: httpx.Response, deadline: float, limit: int, url: str) -> bytes:
    # httpx's read timeout is per chunk; a server trickling bytes must still meet the deadline.
    import httpx

    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise CatalogError(
                f"{_display_url(url)}: answer larger than {limit // (1024 * 1024)} MiB",
                kind="malformed",
            )
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("deadline reached")
    return b"".join(chunks)


def _same_origin(source: str, target: str) -> bool:
    try:
        a, b = urlsplit(source), urlsplit(target)
        a_port, b_port = a.port, b.port
    except ValueError:  # a malformed port in Location: not a place to send the key
        return False
    a_scheme, b_scheme = a.scheme.lower(), b.scheme.lower()
    if (a.hostname or "").lower() != (b.hostname or "").lower():
        return False
    if a_scheme == b_scheme:
        return _port(a_scheme, a_port) == _port(b_scheme, b_port)
    # Upgrading to TLS on the default ports is the same service; downgrading never is.
    return (
        a_scheme == "http"
        and b_scheme == "https"
        and a_port in (None, 80)
        and b_port in (None, 443)
    )


def _port(scheme: str, port: int | None) -> int | None:
    if port is not None:
        return port
    return {"http": 80, "https": 443}.get(scheme)


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


# -- messages --------------------------------------------------------------------------------


def _display_url(url: str) -> str:
    """The URL without credentials or query: what messages show."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return "(invalid URL)"


def _without_userinfo(url: str) -> str:
    """A redirect target without ``user:password@``, which httpx would send as Basic
    auth in place of the Bearer key."""
    try:
        parts = urlsplit(url)
    except ValueError:  # refused by the origin check that follows
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _origin_text(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _is_html(answer: _Answer) -> bool:
    content_type = answer.headers.get("content-type", "").lower()
    return "html" in content_type or answer.body.lstrip()[:1] == b"<"


def _html_error(where: str, status: int) -> CatalogError:
    return CatalogError(
        f"{where}: got an HTML page (HTTP {status}, likely a Cloudflare challenge) instead of "
        "JSON; the Authorization: Bearer header is missing or was stripped by a proxy",
        kind="html",
    )


def _error_fields(body: bytes) -> tuple[str | None, str | None]:
    """``code`` and ``message`` of an OpenAI-style error envelope, when there is one."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError, MemoryError):  # UnicodeDecodeError is a ValueError
        return None, None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, str):
        return None, error
    if not isinstance(error, dict):
        return None, None
    code = error.get("code") or error.get("type")
    message = error.get("message")
    return (
        printable(code) if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
    )


def _one_line(text: str, key: str) -> str:
    # Whitespace first (line breaks become spaces), then what a terminal would act on.
    words = (printable(word) for word in redact_exact(text, (key,)).split())
    flat = " ".join(word for word in words if word)
    return flat if len(flat) <= _MAX_SERVER_MESSAGE else flat[: _MAX_SERVER_MESSAGE - 3] + "..."


def _tries(attempts: int) -> str:
    return f" (after {attempts} attempts)" if attempts > 1 else ""


def _status_error(answer: _Answer, key: str, attempts: int = 1) -> CatalogError:
    where = _display_url(answer.url)
    status = answer.status
    if status < 500 and _is_html(answer):
        return _html_error(where, status)
    code, message = _error_fields(answer.body)
    said = f" ({_one_line(message, key)})" if message else ""
    if status == 401:
        if code == "missing_api_key":
            return CatalogError(
                f"{where}: 401 missing_api_key: the Authorization: Bearer header did not reach "
                "LLMBase; a proxy may strip it",
                kind="missing_header",
            )
        return CatalogError(
            f"{where}: 401 {code or 'invalid_api_key'}: the key {mask(key)} was refused; "
            "use an llmbase_... inference key, not another service's key, an OpenAI key "
            "or an llmbase_chat_... key",
            kind="invalid_key",
        )
    if status == 402:
        return CatalogError(
            f"{where}: 402 {code or 'insufficient_quota'}: add prepaid inference credits, "
            "check the subscription-backed key's budget or spend cap, or use the Chat "
            "app/agent API with a Pro subscription",
            kind="quota",
        )
    if status == 404:
        return CatalogError(
            f"{where}: 404 not found; check base-url or {BASE_URL_ENV} "
            f"(LLMBase's is {DEFAULT_BASE_URL})",
            kind="http",
        )
    if status == 429:
        wait = _retry_after(answer.headers)
        later = f"retry after {wait:.0f} s" if wait is not None else "try again later"
        return CatalogError(
            f"{where}: 429 {code or 'rate limited'}{said}{_tries(attempts)}; {later}",
            kind="rate_limited",
        )
    label = f"{status} {code}" if code else f"HTTP {status}"
    return CatalogError(f"{where}: {label}{said}{_tries(attempts)}", kind="http")


def _connect_timeout_error(url: str, options: HttpOptions, attempts: int = 1) -> CatalogError:
    return CatalogError(
        f"{_display_url(url)}: timed out connecting (no connection within "
        f"{options.connect_timeout:g} s){_tries(attempts)}",
        kind="timeout",
    )


def _timeout_error(url: str, options: HttpOptions) -> CatalogError:
    return CatalogError(
        f"{_display_url(url)}: timed out (no complete answer within {options.timeout:g} s)",
        kind="timeout",
    )


def _connection_error(url: str, exc: httpx.HTTPError, attempts: int = 1) -> CatalogError:
    import httpx

    where = _display_url(url)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            host = urlsplit(url).hostname or "?"
            return CatalogError(
                f"{where}: cannot resolve the host {host}{_tries(attempts)}; check base-url, "
                f"{BASE_URL_ENV} and the network",
                kind="connection",
            )
        if (
            isinstance(cause, ConnectionRefusedError)
            or getattr(cause, "errno", None) == errno.ECONNREFUSED
        ):
            return CatalogError(
                f"{where}: connection refused{_tries(attempts)}; check base-url or {BASE_URL_ENV}",
                kind="connection",
            )
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return CatalogError(
            f"{where}: the connection closed before an answer arrived{_tries(attempts)}",
            kind="connection",
        )
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return CatalogError(f"{where}: cannot connect ({reason}){_tries(attempts)}", kind="connection")
