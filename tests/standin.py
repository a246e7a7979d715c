"""A strict, local stand-in for LLMBase's OpenAI-compatible API.

It is a real HTTP server on 127.0.0.1 so that unmodified client code (the openai SDK and
apps built on it) can be pointed at it through ``base_url``. It enforces the contract the
project works from (LLMBase's OpenAI-compatibility page and the notes on its other docs
pages): ``llmbase_...`` Bearer keys, one model catalog, no gateway routing fields, and
capabilities only on models that advertise them. Where the docs are silent it errs towards
rejecting, so a migration that works here has not leaned on anything LLMBase never promised.

Decisions the docs leave open (all here rather than scattered):

- Prices in the metadata are USD-per-token strings (``pricing.prompt``/``completion``),
  as OpenRouter spells them; the docs name the keys but not the unit.
- ``GET /v1/models`` needs only *a* Bearer header (the docs say the Worker does not
  authorise it; the header is for Cloudflare). Everything else needs this server's key;
  another ``llmbase_...`` key is as invalid as an OpenAI one.
- A missing Bearer header answers the Cloudflare-style HTML page with 403 before anything
  else is looked at; then unknown paths answer 404 JSON, then the key is checked.
- Chat requests are checked in this order: vendor routing fields (400), fields outside the
  documented surface plus the OpenAI core fields the linter accepts (400), the model (404),
  messages and values (400), capabilities the model does not advertise (400).
- An explicit null is the same as leaving an optional field out, as on OpenAI.
- ``extra_body.chat_template_kwargs`` arrives top-level (the SDK flattens ``extra_body``)
  and is accepted there; keys other than the three thinking flags are ignored.
- The ``developer`` role is accepted like ``system``.
- Streams carry usage on the final choice chunk (as the docs describe) and, when
  ``stream_options.include_usage`` is set, also in OpenAI's trailing ``choices: []`` chunk.
- Answers echo the last user message; ``max_tokens`` cuts plain text (a word counts as a
  token, ``finish_reason`` becomes ``length``) but never JSON answers.
"""

from __future__ import annotations

import http.server
import json
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CATALOG",
    "LLMBaseStandIn",
    "LoggedRequest",
    "ModelInfo",
]

DEFAULT_API_KEY: Final = "llmbase_standin_0123456789abcdef0123456789abcdef"

# Every value answered as `created`, so that responses are byte-for-byte reproducible.
_CREATED: Final = 1_767_225_600

# What every model takes: sampling controls, streaming and prompt caching.
_BASE_PARAMETERS = (
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
    "stop",
    "seed",
    "max_tokens",
    "max_completion_tokens",
    "stream",
    "stream_options",
    "n",
    "user",
    "logit_bias",
    "prompt_cache_key",
)


@dataclass(frozen=True)
class ModelInfo:
    """One catalog entry. Prices are USD per million tokens, as the models page lists them."""

    id: str
    input_price: str
    output_price: str
    context_length: int
    features: tuple[str, ...] = ()
    input_modalities: tuple[str, ...] = ("text",)
    max_output_length: int = 32_768
    cache_read_price: str | None = None
    template_flags: bool = False

    @property
    def supported_parameters(self) -> tuple[str, ...]:
        params = list(_BASE_PARAMETERS)
        if "tools" in self.features:
            params += ["tools", "tool_choice", "parallel_tool_calls"]
        if {"json_mode", "structured_outputs"} & set(self.features):
            params.append("response_format")
        if "logprobs" in self.features:
            params += ["logprobs", "top_logprobs"]
        if "reasoning" in self.features:
            params.append("reasoning_effort")
        if self.template_flags:
            params.append("chat_template_kwargs")
        return tuple(params)

    @property
    def agent_compatible(self) -> bool:
        # The agent view keeps only chat/tool-capable models (contract 2.2).
        return "tools" in self.features

    def entry(self, *, metadata: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": self.id,
            "object": "model",
            "created": _CREATED,
            "owned_by": self.id.split("/", 1)[0],
        }
        if not metadata:
            return entry
        pricing = {
            "prompt": _per_token(self.input_price),
            "completion": _per_token(self.output_price),
        }
        if self.cache_read_price is not None:
            pricing["input_cache_read"] = _per_token(self.cache_read_price)
        entry.update(
            name=self.id,
            context_length=self.context_length,
            max_output_length=self.max_output_length,
            pricing=pricing,
            architecture={
                "input_modalities": list(self.input_modalities),
                "output_modalities": ["text"],
            },
            supported_features=list(self.features),
            supported_parameters=list(self.supported_parameters),
            prompt_cache_supported=self.cache_read_price is not None,
        )
        return entry


def _per_token(per_million: str) -> str:
    return format(Decimal(per_million) / 1_000_000, "f")


_TEXT: Final = ("text",)
_VISION: Final = ("text", "image")
_ALL: Final = ("tools", "json_mode", "structured_outputs", "reasoning", "logprobs")
_CHAT: Final = ("tools", "json_mode", "reasoning")
_CHAT_SO: Final = (*_CHAT, "structured_outputs")
_CODER: Final = ("tools", "json_mode", "structured_outputs", "logprobs")
_SMALL: Final = ("json_mode", "reasoning", "logprobs")

# Prices and context from the models page (contract 5.1). Features, modalities, cache-read
# prices and template flags are plausible guesses, arranged so that some models lack tools,
# logprobs, JSON or images. Columns: id, input and output price, context, features, input
# modalities, cache-read price, accepts chat_template_kwargs thinking flags.
_ROWS: Final = (
    ("deepseek/deepseek-v3.2", "0.30", "0.50", 163_840, _ALL, _TEXT, "0.03", False),
    ("deepseek/deepseek-v4-flash", "0.20", "0.30", 1_048_576, _ALL, _TEXT, "0.02", False),
    ("deepseek/deepseek-v4-pro", "1.80", "3.60", 1_048_576, _ALL, _TEXT, "0.18", False),
    ("google/gemma-4-26b-a4b-it", "0.13", "0.40", 262_144, _CHAT, _VISION, None, True),
    ("minimax/minimax-m2.5", "0.30", "1.20", 196_608, _CHAT, _TEXT, None, False),
    ("moonshotai/kimi-k2.5", "0.60", "2.80", 262_144, _CHAT_SO, _VISION, "0.15", False),
    ("moonshotai/kimi-k2.6", "0.90", "4.00", 262_144, _CHAT_SO, _VISION, "0.15", False),
    (
        "nvidia/nemotron-3-nano-omni-30b-a3b-reasoning",
        "0.30",
        "1.00",
        262_144,
        ("json_mode", "reasoning"),
        _VISION,
        None,
        True,
    ),
    ("openai/gpt-oss-120b", "0.09", "0.36", 131_072, _ALL, _TEXT, None, False),
    ("paddlepaddle/paddleocr-vl-0.9b", "0.20", "1.00", 32_768, (), (*_VISION, "file"), None, False),
    ("qwen/qwen3-coder", "0.40", "1.60", 262_144, _CODER, _TEXT, None, False),
    ("qwen/qwen3.5-122b-a10b", "0.40", "3.00", 262_144, _ALL, _TEXT, None, True),
    ("qwen/qwen3.5-35b-a3b", "0.30", "2.50", 262_144, _ALL, _TEXT, None, True),
    ("qwen/qwen3.5-397b-a17b", "0.60", "3.60", 262_144, _ALL, _VISION, None, True),
    ("qwen/qwen3.5-9b", "0.80", "1.25", 256_000, _SMALL, _TEXT, None, True),
    ("qwen/qwen3.6-35b-a3b", "0.25", "1.20", 262_144, _ALL, _TEXT, None, True),
    ("z-ai/glm-5", "1.00", "3.20", 80_000, _CHAT, _TEXT, None, False),
    ("z-ai/glm-5.1", "1.40", "4.40", 198_000, _CHAT_SO, _TEXT, "0.26", False),
)
DEFAULT_CATALOG: Final[tuple[ModelInfo, ...]] = tuple(
    ModelInfo(
        name,
        prices[0],
        prices[1],
        context,
        features,
        modalities,
        max_output_length=8_192 if "file" in modalities else 32_768,
        cache_read_price=cache_read,
        template_flags=flags,
    )
    for name, *prices, context, features, modalities, cache_read, flags in _ROWS
)

# The seed page's "remove before sending" list, plus OpenRouter's `transforms`.
VENDOR_FIELDS: Final[Mapping[str, str]] = {
    "provider": "choose the LLMBase model ID instead",
    "models": "send one model ID; LLMBase fails over internally",
    "route": "send one model ID; LLMBase fails over internally",
    "plugins": "use supported request fields such as tools or response_format",
    "transforms": "it is a gateway routing field",
    "debug": "it is not part of the public direct inference contract",
    "service_tier": "it is not part of the public direct inference contract",
    "cache_control": "use prompt_cache_key",
}

# What the docs list, plus OpenAI core fields the linter does not flag (LB205 flags the rest).
ACCEPTED_FIELDS: Final = frozenset(
    {
        "model",
        "messages",
        *_BASE_PARAMETERS,
        "stream_options",
        "max_completion_tokens",
        "n",
        "user",
        "logit_bias",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "logprobs",
        "top_logprobs",
        "reasoning_effort",
        "chat_template_kwargs",
    }
)
THINKING_FLAGS: Final = frozenset({"enable_thinking", "thinking", "preserve_thinking"})
REASONING_EFFORTS: Final = frozenset({"low", "medium", "high"})

CLOUDFLARE_PAGE: Final = """<!DOCTYPE html>
<html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow"></head>
<body><div class="main-wrapper" role="main"><div class="main-content">
<h1>api.llmbase.ai</h1><h2>Checking if the site connection is secure</h2>
<noscript>Enable JavaScript and cookies to continue</noscript>
<div id="challenge-body-text">api.llmbase.ai needs to review the security of your connection
before proceeding.</div></div></div>
<div class="footer">Performance &amp; security by Cloudflare</div></body></html>
"""


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the stand-in saw and answered it."""

    method: str
    path: str
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]  # names lower-cased
    body: Any  # parsed JSON, or None when there was no (valid) JSON body
    status: int
    error: str | None = None  # the error message answered, if any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _Reject(Exception):
    def __init__(self, status: int, message: str, code: str | None, kind: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.kind = kind


def _bad_request(message: str, code: str | None = None) -> _Reject:
    return _Reject(400, message, code, "invalid_request_error")


@dataclass
class _Answer:
    status: int
    payload: Any = None
    content_type: str = "application/json"
    text: str | None = None
    events: list[dict[str, Any]] | None = None  # an SSE stream
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def _error(reject: _Reject) -> _Answer:
    error = {"message": reject.message, "type": reject.kind, "code": reject.code}
    return _Answer(reject.status, {"error": error}, error=reject.message)


class LLMBaseStandIn:
    """A loopback LLMBase. Use as a context manager; ``base_url`` and ``api_key`` are ready
    once it is entered."""

    def __init__(
        self,
        catalog: Iterable[ModelInfo] = DEFAULT_CATALOG,
        *,
        api_key: str = DEFAULT_API_KEY,
        balance: str = "25.00",
    ) -> None:
        if not api_key.startswith("llmbase_") or api_key.startswith("llmbase_chat_"):
            raise ValueError("the stand-in's key must be an llmbase_... inference key")
        self.api_key = api_key
        self.catalog: dict[str, ModelInfo] = {model.id: model for model in catalog}
        self.balance = balance
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._counter = 0
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> LLMBaseStandIn:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        server = _Server(("127.0.0.1", 0), _make_handler(self))
        self._server = server
        # A short poll interval keeps stop() quick; tests start many of these.
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="llmbase-standin", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- the request log -------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """A snapshot of every request answered so far, in the order they were answered."""
        with self._lock:
            return list(self._log)

    def clear(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    def _next_id(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    # -- routing ---------------------------------------------------------------------------

    def answer(
        self,
        method: str,
        path: str,
        query: Mapping[str, Sequence[str]],
        headers: Mapping[str, str],
        body: Any,
    ) -> _Answer:
        try:
            return self._route(method, path, query, headers, body)
        except _Reject as reject:
            return _error(reject)

    def _route(
        self,
        method: str,
        path: str,
        query: Mapping[str, Sequence[str]],
        headers: Mapping[str, str],
        body: Any,
    ) -> _Answer:
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            # Cloudflare treats requests without a Bearer header as browser traffic.
            return _Answer(
                403,
                content_type="text/html; charset=UTF-8",
                text=CLOUDFLARE_PAGE,
                headers={"cf-mitigated": "challenge", "server": "cloudflare"},
                error="Cloudflare challenge (no Authorization: Bearer header)",
            )
        token = token.strip()
        routes = {
            "/v1/chat/completions": ("POST", self._chat),
            "/v1/models": ("GET", self._models),
            "/v1/balance": ("GET", self._balance),
        }
        route = routes.get(path.rstrip("/") or "/")
        if route is None:
            raise _Reject(
                404,
                f"Unknown endpoint {method} {path}: LLMBase serves chat completions, models and balance",
                "not_found",
                "invalid_request_error",
            )
        expected_method, handler = route
        if method != expected_method:
            raise _Reject(
                405,
                f"Method {method} not allowed on {path}",
                "method_not_allowed",
                "invalid_request_error",
            )
        if handler != self._models:
            self._authorize(token)
        return handler(query, headers, body)

    def _authorize(self, token: str) -> None:
        if token.startswith("llmbase_chat_"):
            raise _Reject(
                401,
                "Chat-agent keys (llmbase_chat_...) are only valid at https://llmbase.ai/api/v1/agents; "
                "use an llmbase_... inference key for direct inference",
                "invalid_api_key",
                "invalid_request_error",
            )
        if token != self.api_key:
            raise _Reject(401, "Invalid API key", "invalid_api_key", "invalid_request_error")

    def _balance(
        self, query: Mapping[str, Sequence[str]], headers: Mapping[str, str], body: Any
    ) -> _Answer:
        return _Answer(200, {"object": "balance", "currency": "USD", "balance": self.balance})

    def _models(
        self, query: Mapping[str, Sequence[str]], headers: Mapping[str, str], body: Any
    ) -> _Answer:
        metadata = query.get("metadata", ["false"])[-1].lower() in ("true", "1")
        models = list(self.catalog.values())
        if "agents" in query.get("filter", []):
            models = [model for model in models if model.agent_compatible]
        return _Answer(
            200, {"object": "list", "data": [model.entry(metadata=metadata) for model in models]}
        )

    # -- chat completions ------------------------------------------------------------------

    def _chat(
        self, query: Mapping[str, Sequence[str]], headers: Mapping[str, str], body: Any
    ) -> _Answer:
        if not isinstance(body, dict):
            raise _bad_request("The request body must be a JSON object")
        for name in body:
            if name in VENDOR_FIELDS:
                raise _bad_request(
                    f"Unsupported field '{name}': LLMBase direct inference does not accept it; "
                    f"{VENDOR_FIELDS[name]}",
                    "unsupported_field",
                )
        # An explicit null means "not given" for optional fields, as on OpenAI; a vendor
        # field is refused above even when null.
        body = {name: value for name, value in body.items() if value is not None}
        for name in body:
            if name not in ACCEPTED_FIELDS:
                raise _bad_request(
                    f"Unrecognized request argument supplied: {name}", "unknown_field"
                )
        model_id = body.get("model")
        if not isinstance(model_id, str) or not model_id:
            raise _bad_request("'model' is required and must be a string", "missing_model")
        model = self.catalog.get(model_id)
        if model is None:
            raise _Reject(
                404,
                f"Model not found: {model_id!r}. Use an ID returned by GET /v1/models",
                "model_not_found",
                "invalid_request_error",
            )
        messages = _check_messages(body.get("messages"), model)
        _check_sampling(body)
        _check_capabilities(body, model)
        request_id = self._next_id()
        choice = _reply(body, messages, model, request_id)
        prompt_tokens = sum(_count_tokens(_text_of(message)) for message in messages)
        completion_tokens = _count_tokens(choice["message"].get("content") or "") + 8 * len(
            choice["message"].get("tool_calls", [])
        )
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        headers_out = {
            "x-llmbase-requested-model": model.id,
            "x-llmbase-served-model": model.id,
            "x-llmbase-fallback-applied": "false",
        }
        completion_id = f"chatcmpl-standin-{request_id}"
        n = body.get("n", 1)
        if body.get("stream") is True:
            stream_options = body.get("stream_options") or {}
            include_usage = bool(stream_options.get("include_usage"))
            events = list(_chunks(completion_id, model.id, choice, usage, include_usage))
            return _Answer(
                200, events=events, content_type="text/event-stream", headers=headers_out
            )
        choices = [{**choice, "index": index} for index in range(n)]
        payload = {
            "id": completion_id,
            "object": "chat.completion",
            "created": _CREATED,
            "model": model.id,
            "choices": choices,
            "usage": usage,
        }
        return _Answer(200, payload, headers=headers_out)


# -- validation ------------------------------------------------------------------------------


def _check_messages(messages: Any, model: ModelInfo) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise _bad_request("'messages' must be a non-empty array", "invalid_messages")
    pending_calls: set[str] = set()
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise _bad_request(f"{where} must be an object", "invalid_messages")
        role = message.get("role")
        if role not in ("system", "developer", "user", "assistant", "tool"):
            raise _bad_request(f"{where}.role {role!r} is not one of system, user, assistant, tool")
        if pending_calls and role != "tool":
            raise _bad_request(
                f"An assistant message with 'tool_calls' must be followed by tool messages "
                f"responding to each 'tool_call_id'; missing: {sorted(pending_calls)}"
            )
        content = message.get("content")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending_calls:
                raise _bad_request(
                    f"{where} answers tool_call_id {call_id!r}, which no preceding assistant "
                    "message asked for"
                )
            pending_calls.discard(call_id)
        if role == "assistant" and message.get("tool_calls"):
            calls = message["tool_calls"]
            if not isinstance(calls, list):
                raise _bad_request(f"{where}.tool_calls must be an array")
            pending_calls = {str(call.get("id")) for call in calls if isinstance(call, dict)}
        elif content is None and role != "assistant":
            raise _bad_request(f"{where}.content is required")
        if isinstance(content, list):
            for part_index, part in enumerate(content):
                _check_part(part, f"{where}.content[{part_index}]", model)
        elif content is not None and not isinstance(content, str):
            raise _bad_request(f"{where}.content must be a string or an array of parts")
    if pending_calls:
        raise _bad_request(f"Tool calls without a tool message: {sorted(pending_calls)}")
    return messages


def _check_part(part: Any, where: str, model: ModelInfo) -> None:
    kind = part.get("type") if isinstance(part, dict) else None
    if kind == "text":
        if not isinstance(part.get("text"), str):
            raise _bad_request(f"{where}.text must be a string")
        return
    needs = {"image_url": "image", "file": "file"}.get(str(kind))
    if needs is None:
        raise _bad_request(f"{where}: content part type {kind!r} is not supported")
    if needs not in model.input_modalities:
        raise _bad_request(
            f"Model {model.id!r} does not accept {needs} input "
            "(see architecture.input_modalities in GET /v1/models?metadata=true)",
            "unsupported_feature",
        )


def _check_sampling(body: Mapping[str, Any]) -> None:
    ranges = {
        "temperature": (0.0, 2.0),
        "top_p": (0.0, 1.0),
        "min_p": (0.0, 1.0),
        "frequency_penalty": (-2.0, 2.0),
        "presence_penalty": (-2.0, 2.0),
        "repetition_penalty": (0.0, 2.0),
    }
    for name, (low, high) in ranges.items():
        if name in body:
            value = body[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not low <= value <= high
            ):
                raise _bad_request(
                    f"'{name}' must be a number between {low} and {high}", "invalid_value"
                )
    for name in ("top_k", "max_tokens", "max_completion_tokens", "seed", "n"):
        if name in body:
            value = body[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or (name != "seed" and value < 1)
            ):
                raise _bad_request(f"'{name}' must be a positive integer", "invalid_value")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise _bad_request("'stream' must be a boolean", "invalid_value")
    if "stream_options" in body and body.get("stream") is not True:
        raise _bad_request(
            "'stream_options' is only allowed when 'stream' is true", "invalid_value"
        )
    if "stream_options" in body and not isinstance(body["stream_options"], dict):
        raise _bad_request("'stream_options' must be an object", "invalid_value")
    stop = body.get("stop")
    if (
        stop is not None
        and not isinstance(stop, str)
        and (
            not isinstance(stop, list) or len(stop) > 4 or not all(isinstance(s, str) for s in stop)
        )
    ):
        raise _bad_request("'stop' must be a string or up to 4 strings", "invalid_value")
    if "prompt_cache_key" in body and not isinstance(body["prompt_cache_key"], str):
        raise _bad_request("'prompt_cache_key' must be a string", "invalid_value")


def _unsupported(
    model: ModelInfo, what: str, feature: str, listing: str = "supported_features"
) -> _Reject:
    return _bad_request(
        f"Model {model.id!r} does not support {what}: it does not advertise '{feature}' "
        f"(see {listing} in GET /v1/models?metadata=true)",
        "unsupported_feature",
    )


def _check_capabilities(body: Mapping[str, Any], model: ModelInfo) -> None:
    features = set(model.features)
    tools = body.get("tools")
    if tools is not None or "tool_choice" in body:
        if "tools" not in features:
            raise _unsupported(model, "tools", "tools")
        if not isinstance(tools, list) or not tools:
            raise _bad_request(
                "'tools' must be a non-empty array when tools or tool_choice is sent"
            )
        for index, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, dict) else None
            if (
                not isinstance(tool, dict)
                or tool.get("type") != "function"
                or not isinstance(function, dict)
                or not function.get("name")
            ):
                raise _bad_request(
                    f"tools[{index}] must be {{'type': 'function', 'function': {{'name': ...}}}}"
                )
        choice = body.get("tool_choice")
        names = {tool["function"]["name"] for tool in tools}
        if isinstance(choice, dict):
            if choice.get("function", {}).get("name") not in names:
                raise _bad_request("tool_choice names a function that is not in 'tools'")
        elif choice not in (None, "auto", "none", "required"):
            raise _bad_request(f"tool_choice {choice!r} is not auto, none, required or a function")
    response_format = body.get("response_format")
    if response_format is not None:
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if kind == "json_object":
            if "json_mode" not in features:
                raise _unsupported(model, "response_format json_object", "json_mode")
        elif kind == "json_schema":
            if "structured_outputs" not in features:
                raise _unsupported(model, "response_format json_schema", "structured_outputs")
            spec = response_format.get("json_schema")
            if (
                not isinstance(spec, dict)
                or not spec.get("name")
                or not isinstance(spec.get("schema"), dict)
            ):
                raise _bad_request(
                    "response_format.json_schema needs a 'name' and a 'schema' object"
                )
        elif kind != "text":
            raise _bad_request(f"response_format type {kind!r} is not supported")
    if body.get("logprobs") is True or "top_logprobs" in body:
        if "logprobs" not in features:
            raise _unsupported(model, "logprobs", "logprobs")
        if "top_logprobs" in body and body.get("logprobs") is not True:
            raise _bad_request("'top_logprobs' requires 'logprobs': true")
        top = body.get("top_logprobs", 0)
        if isinstance(top, bool) or not isinstance(top, int) or not 0 <= top <= 20:
            raise _bad_request(
                "'top_logprobs' must be an integer between 0 and 20", "invalid_value"
            )
    if "reasoning_effort" in body:
        if "reasoning_effort" not in model.supported_parameters:
            raise _unsupported(
                model, "reasoning_effort", "reasoning_effort", "supported_parameters"
            )
        if body["reasoning_effort"] not in REASONING_EFFORTS:
            raise _bad_request("'reasoning_effort' must be low, medium or high", "invalid_value")
    if "chat_template_kwargs" in body:
        kwargs = body["chat_template_kwargs"]
        if not isinstance(kwargs, dict):
            raise _bad_request("'chat_template_kwargs' must be an object", "invalid_value")
        flags = THINKING_FLAGS & set(kwargs)
        if flags and "chat_template_kwargs" not in model.supported_parameters:
            raise _unsupported(
                model, "thinking flags", "chat_template_kwargs", "supported_parameters"
            )
        for flag in flags:
            if not isinstance(kwargs[flag], bool):
                raise _bad_request(
                    f"chat_template_kwargs.{flag} must be a boolean", "invalid_value"
                )


# -- answers ---------------------------------------------------------------------------------


def _text_of(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if part.get("type") == "text")
    return ""


def _count_tokens(text: str) -> int:
    return len(text.split())


def _snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _reply(
    body: Mapping[str, Any], messages: list[dict[str, Any]], model: ModelInfo, request_id: int
) -> dict[str, Any]:
    last = messages[-1]
    last_user = next((m for m in reversed(messages) if m.get("role") == "user"), last)
    message: dict[str, Any] = {"role": "assistant", "content": None}
    finish_reason = "stop"
    tool_call = _tool_call(body, last, request_id)
    if tool_call is not None:
        message["tool_calls"] = [tool_call]
        finish_reason = "tool_calls"
    else:
        if last.get("role") == "tool":
            text = f"Based on the tool results: {_snippet(_text_of(last))}"
        else:
            text = f"Echo: {_snippet(_text_of(last_user))}"
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_object":
            text = json.dumps({"reply": text})
        elif response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            text = json.dumps(_instance(schema, schema, _text_of(last_user)))
        else:
            # A word counts as a token; JSON is never cut, so that it always parses.
            limit = body.get("max_completion_tokens") or body.get("max_tokens")
            pieces = re.findall(r"\S+\s*", text)
            if limit is not None and len(pieces) > limit:
                text = "".join(pieces[:limit]).rstrip()
                finish_reason = "length"
        message["content"] = text
    if body.get("reasoning_effort") or (body.get("chat_template_kwargs") or {}).get(
        "enable_thinking"
    ):
        message["reasoning_content"] = "The stand-in thought about it briefly."
    choice: dict[str, Any] = {
        "index": 0,
        "message": message,
        "finish_reason": finish_reason,
        "logprobs": None,
    }
    if body.get("logprobs") is True:
        choice["logprobs"] = {
            "content": _logprobs(message.get("content") or "", body.get("top_logprobs", 0))
        }
    return choice


def _tool_call(
    body: Mapping[str, Any], last: Mapping[str, Any], request_id: int
) -> dict[str, Any] | None:
    """A call to the tool the user's last message asks for, if any: keep agent loops short
    and predictable (one tool round, then an answer)."""
    tools = body.get("tools")
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none" or last.get("role") != "user":
        return None
    text = _text_of(last)
    words = set(re.findall(r"[a-z]+", text.lower()))
    chosen: dict[str, Any] | None = None
    if isinstance(choice, dict):
        chosen = next(
            t["function"] for t in tools if t["function"]["name"] == choice["function"]["name"]
        )
    else:
        for tool in tools:
            parts = [p for p in tool["function"]["name"].lower().split("_") if len(p) > 3]
            if any(part in words or part.rstrip("s") in words for part in parts):
                chosen = tool["function"]
                break
        if chosen is None and choice == "required":
            chosen = tools[0]["function"]
    if chosen is None:
        return None
    schema = chosen.get("parameters") or {"type": "object", "properties": {}}
    arguments = _arguments(schema, text)
    return {
        "id": f"call_standin_{request_id}",
        "type": "function",
        "function": {"name": chosen["name"], "arguments": json.dumps(arguments)},
    }


def _arguments(schema: Mapping[str, Any], text: str) -> dict[str, Any]:
    numbers = re.findall(r"-?\d+(?:\.\d+)?", text)
    quoted = re.findall(r"[\"“]([^\"”]+)[\"”]", text)
    words = re.findall(r"[A-Za-z][\w-]*", text)
    # Proper names (capitalised, not opening the message) are the likeliest argument.
    names = [word for word in words[1:] if word[0].isupper()]
    value: dict[str, Any] = {}
    properties: Mapping[str, Any] = schema.get("properties") or {}
    fallback = (names or words or ["example"])[-1]
    for name in schema.get("required") or list(properties):
        prop = properties.get(name) or {}
        kind = prop.get("type")
        if "enum" in prop:
            value[name] = prop["enum"][0]
        elif kind in ("number", "integer"):
            number = numbers.pop(0) if numbers else "1"
            value[name] = int(float(number)) if kind == "integer" else float(number)
        elif kind == "boolean":
            value[name] = False
        else:
            value[name] = quoted.pop(0) if quoted else names.pop(0) if names else fallback
    return value


def _instance(schema: Mapping[str, Any], root: Mapping[str, Any], text: str) -> Any:
    """A small value that satisfies ``schema`` (the subset structured outputs use)."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for key in ref[2:].split("/"):
            target = target[key]
        return _instance(target, root, text)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if schema.get(combinator):
            return _instance(schema[combinator][0], root, text)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: _instance(prop, root, text) for name, prop in properties.items()}
    if kind == "array":
        items = schema.get("items") or {"type": "string"}
        return [_instance(items, root, text) for _ in range(max(1, schema.get("minItems", 1)))]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return float(schema.get("minimum", 0.5))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _snippet(text, 60) or "example"


def _logprobs(content: str, top: int) -> list[dict[str, Any]]:
    entries = []
    for index, token in enumerate(re.findall(r"\S+\s*", content)[:32]):
        logprob = -0.01 * (index % 7 + 1)
        alternatives = [
            {
                "token": token if rank == 0 else f"{token.strip()}_{rank}",
                "logprob": logprob - rank,
                "bytes": None,
            }
            for rank in range(top)
        ]
        entries.append(
            {
                "token": token,
                "logprob": logprob,
                "bytes": list(token.encode()),
                "top_logprobs": alternatives,
            }
        )
    return entries


def _chunks(
    completion_id: str,
    model: str,
    choice: Mapping[str, Any],
    usage: Mapping[str, int],
    include_usage: bool,
) -> Iterator[dict[str, Any]]:
    base = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": model,
    }
    message = choice["message"]

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        return {
            **base,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
            **extra,
        }

    yield chunk({"role": "assistant", "content": ""})
    if message.get("reasoning_content"):
        yield chunk({"reasoning_content": message["reasoning_content"]})
    for index, call in enumerate(message.get("tool_calls", [])):
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                ]
            }
        )
        yield chunk(
            {
                "tool_calls": [
                    {"index": index, "function": {"arguments": call["function"]["arguments"]}}
                ]
            }
        )
    for piece in re.findall(r"\S+\s*", message.get("content") or ""):
        yield chunk({"content": piece})
    # LLMBase documents usage on the last choice chunk of every stream.
    yield chunk({}, choice["finish_reason"], usage=dict(usage))
    if include_usage:
        yield {**base, "choices": [], "usage": dict(usage)}


# -- HTTP plumbing ---------------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Apps that fail or cancel their tasks hang up mid-request; that is not news.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _make_handler(standin: LLMBaseStandIn) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "llmbase-standin"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the request log is the record."""

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def do_DELETE(self) -> None:
            self._handle()

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {name.lower(): value for name, value in self.headers.items()}
            length = int(headers.get("content-length", "0") or "0")
            raw = self.rfile.read(length)
            if len(raw) < length:
                # The client went away mid-request (an app that exits on its first
                # error aborts the requests still in flight): nothing to answer or log.
                self.close_connection = True
                return
            body: Any = None
            answer: _Answer | None = None
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    answer = _error(
                        _bad_request("The request body is not valid JSON", "invalid_json")
                    )
            if answer is None:
                try:
                    answer = standin.answer(self.command, parts.path, query, headers, body)
                except Exception as exc:
                    # A bug in the stand-in must show in the log, not as a hung client.
                    message = f"stand-in internal error: {exc!r}"
                    answer = _error(_Reject(500, message, None, "server_error"))
            standin._record(
                LoggedRequest(
                    self.command, parts.path, query, headers, body, answer.status, answer.error
                )
            )
            self._send(answer)

        def _send(self, answer: _Answer) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.events is not None:
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for event in answer.events:
                    self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
                self._write_chunk(b"data: [DONE]\n\n")
                self._write_chunk(b"")
                return
            data = (answer.text if answer.text is not None else json.dumps(answer.payload)).encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _write_chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler
