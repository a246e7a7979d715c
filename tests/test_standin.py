"""The LLMBase stand-in keeps the contract, seen through the real ``openai`` SDK.

The end-to-end tests trust the stand-in to fail exactly where LLMBase would; these tests
are what earns that trust.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

from standin import DEFAULT_CATALOG, LLMBaseStandIn, LoggedRequest

CONTRACT_MODELS = {
    "deepseek/deepseek-v3.2",
    "deepseek/deepseek-v4-flash",
    "deepseek/deepseek-v4-pro",
    "google/gemma-4-26b-a4b-it",
    "minimax/minimax-m2.5",
    "moonshotai/kimi-k2.5",
    "moonshotai/kimi-k2.6",
    "nvidia/nemotron-3-nano-omni-30b-a3b-reasoning",
    "openai/gpt-oss-120b",
    "paddlepaddle/paddleocr-vl-0.9b",
    "qwen/qwen3-coder",
    "qwen/qwen3.5-122b-a10b",
    "qwen/qwen3.5-35b-a3b",
    "qwen/qwen3.5-397b-a17b",
    "qwen/qwen3.5-9b",
    "qwen/qwen3.6-35b-a3b",
    "z-ai/glm-5",
    "z-ai/glm-5.1",
}
FLASH = "deepseek/deepseek-v4-flash"
HELLO: list[ChatCompletionMessageParam] = [
    {"role": "user", "content": "Write a short deployment checklist."}
]
WEATHER_TOOL: ChatCompletionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture(scope="module")
def server() -> Iterator[LLMBaseStandIn]:
    with LLMBaseStandIn() as standin:
        yield standin


@pytest.fixture
def standin(server: LLMBaseStandIn) -> LLMBaseStandIn:
    server.clear()
    return server


def make_client(standin: LLMBaseStandIn, api_key: str | None = None) -> openai.OpenAI:
    # trust_env=False: a proxy configured on the machine must not see loopback traffic.
    return openai.OpenAI(
        base_url=standin.base_url,
        api_key=api_key or standin.api_key,
        max_retries=0,
        http_client=openai.DefaultHttpxClient(trust_env=False),
    )


@pytest.fixture
def client(standin: LLMBaseStandIn) -> Iterator[openai.OpenAI]:
    with make_client(standin) as sdk_client:
        yield sdk_client


def raw(
    standin: LLMBaseStandIn, path: str, headers: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """GET without the SDK: status, content type, body."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(standin.base_url + path, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def last(standin: LLMBaseStandIn) -> LoggedRequest:
    requests = standin.requests
    assert requests, "the stand-in saw no request"
    return requests[-1]


def error_code(error: openai.APIStatusError) -> object:
    assert isinstance(error.body, dict)
    return error.body.get("code")


# -- what works ------------------------------------------------------------------------------


def test_plain_chat_completion(standin: LLMBaseStandIn, client: openai.OpenAI) -> None:
    response = client.chat.completions.with_raw_response.create(
        model=FLASH, messages=HELLO, max_tokens=200, temperature=0.2, seed=7
    )
    completion = response.parse()
    assert completion.object == "chat.completion"
    assert completion.model == FLASH
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content == "Echo: Write a short deployment checklist."
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert response.headers["x-llmbase-served-model"] == FLASH
    logged = last(standin)
    assert (logged.method, logged.path, logged.status) == ("POST", "/v1/chat/completions", 200)
    assert logged.headers["authorization"] == f"Bearer {standin.api_key}"
    assert logged.body["max_tokens"] == 200 and logged.body["messages"] == HELLO


def test_answers_are_deterministic(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(model=FLASH, messages=HELLO)
    second = client.chat.completions.create(model=FLASH, messages=HELLO)
    assert first.choices[0].message.content == second.choices[0].message.content


def test_streaming_ends_with_usage_on_the_last_choice_chunk(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model=FLASH, messages=HELLO, stream=True))
    assert len(chunks) > 3
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == "Echo: Write a short deployment checklist."
    final = chunks[-1]
    assert final.choices and final.choices[0].finish_reason == "stop"
    assert final.usage is not None and final.usage.completion_tokens > 0


def test_stream_options_include_usage_adds_openais_trailing_chunk(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model=FLASH, messages=HELLO, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-2].choices[0].finish_reason == "stop"


def test_the_sse_wire_format(standin: LLMBaseStandIn, client: openai.OpenAI) -> None:
    with client.chat.completions.with_streaming_response.create(
        model=FLASH, messages=HELLO, stream=True
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    assert all(line.startswith("data: ") for line in lines)
    assert json.loads(lines[0][len("data: ") :])["object"] == "chat.completion.chunk"


def test_async_client_and_concurrent_requests(standin: LLMBaseStandIn) -> None:
    async def ask_all() -> list[str]:
        async with openai.AsyncOpenAI(
            base_url=standin.base_url,
            api_key=standin.api_key,
            max_retries=0,
            http_client=openai.DefaultAsyncHttpxClient(trust_env=False),
        ) as client:
            replies = await asyncio.gather(
                *(
                    client.chat.completions.create(
                        model=FLASH, messages=[{"role": "user", "content": f"question {n}"}]
                    )
                    for n in range(6)
                )
            )
        return [reply.choices[0].message.content or "" for reply in replies]

    assert asyncio.run(ask_all()) == [f"Echo: question {n}" for n in range(6)]
    assert sorted(entry.body["messages"][0]["content"] for entry in standin.requests) == [
        f"question {n}" for n in range(6)
    ]


def test_the_log_is_complete_under_concurrent_threads(
    standin: LLMBaseStandIn, client: openai.OpenAI
) -> None:
    def ask(n: int) -> None:
        client.chat.completions.create(model=FLASH, messages=[{"role": "user", "content": str(n)}])

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(standin.requests) == 12 and all(entry.ok for entry in standin.requests)


def test_extra_body_fields_arrive_at_the_top_level(
    standin: LLMBaseStandIn, client: openai.OpenAI
) -> None:
    client.chat.completions.create(
        model="qwen/qwen3.5-35b-a3b",
        messages=HELLO,
        prompt_cache_key="deploy-checklist",
        extra_body={
            "top_k": 40,
            "min_p": 0.05,
            "repetition_penalty": 1.1,
            "chat_template_kwargs": {"enable_thinking": False},
        },
    )
    body = last(standin).body
    assert last(standin).status == 200
    assert "extra_body" not in body
    assert body["top_k"] == 40 and body["min_p"] == 0.05 and body["repetition_penalty"] == 1.1
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["prompt_cache_key"] == "deploy-checklist"


def test_null_is_not_given_but_a_null_vendor_field_is_still_refused(
    client: openai.OpenAI,
) -> None:
    client.chat.completions.create(model=FLASH, messages=HELLO, max_tokens=None, seed=None)
    with pytest.raises(openai.BadRequestError, match="provider"):
        client.chat.completions.create(model=FLASH, messages=HELLO, extra_body={"provider": None})


def test_max_tokens_cuts_plain_text(client: openai.OpenAI) -> None:
    cut = client.chat.completions.create(model=FLASH, messages=HELLO, max_tokens=2)
    assert cut.choices[0].message.content == "Echo: Write"
    assert cut.choices[0].finish_reason == "length"


def test_top_k_as_a_keyword_never_reaches_the_server(
    standin: LLMBaseStandIn, client: openai.OpenAI
) -> None:
    """Why LB204 exists: the SDK refuses sampling fields outside ``extra_body``."""
    kwargs: dict[str, Any] = {"top_k": 40}
    with pytest.raises(TypeError):
        client.chat.completions.create(model=FLASH, messages=HELLO, **kwargs)
    assert standin.requests == []


def test_tool_call_round_trip(standin: LLMBaseStandIn, client: openai.OpenAI) -> None:
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Lisbon?"}]
    first = client.chat.completions.create(
        model="z-ai/glm-5.1", messages=messages, tools=[WEATHER_TOOL], tool_choice="auto"
    )
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.tool_calls
    call = choice.message.tool_calls[0]
    assert call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Lisbon"}
    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'})
    second = client.chat.completions.create(
        model="z-ai/glm-5.1", messages=messages, tools=[WEATHER_TOOL]
    )
    assert second.choices[0].finish_reason == "stop"
    assert '{"temp_c": 21}' in (second.choices[0].message.content or "")
    assert [entry.status for entry in standin.requests] == [200, 200]


def test_a_tool_result_nobody_asked_for_is_rejected(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="z-ai/glm-5.1",
            messages=[*HELLO, {"role": "tool", "tool_call_id": "call_1", "content": "{}"}],
            tools=[WEATHER_TOOL],
        )


def test_streamed_tool_calls(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model=FLASH,
        messages=[{"role": "user", "content": "weather in Oslo please"}],
        tools=[WEATHER_TOOL],
        stream=True,
    )
    names, arguments, finish = [], "", None
    for chunk in stream:
        for delta_call in chunk.choices[0].delta.tool_calls or []:
            if delta_call.function and delta_call.function.name:
                names.append(delta_call.function.name)
            arguments += (delta_call.function.arguments or "") if delta_call.function else ""
        finish = chunk.choices[0].finish_reason or finish
    assert names == ["get_weather"] and json.loads(arguments) == {"city": "Oslo"}
    assert finish == "tool_calls"


def test_json_mode_and_structured_outputs(client: openai.OpenAI) -> None:
    json_mode = client.chat.completions.create(
        model="deepseek/deepseek-v3.2", messages=HELLO, response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(json_mode.choices[0].message.content or ""), dict)
    schema = {
        "type": "object",
        "properties": {
            "steps": {"type": "array", "items": {"type": "string"}},
            "risk": {"type": "string", "enum": ["low", "high"]},
            "minutes": {"type": "integer"},
        },
        "required": ["steps", "risk", "minutes"],
        "additionalProperties": False,
    }
    structured = client.chat.completions.create(
        model="deepseek/deepseek-v3.2",
        messages=HELLO,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "checklist", "schema": schema, "strict": True},
        },
    )
    value = json.loads(structured.choices[0].message.content or "")
    assert value["risk"] == "low" and isinstance(value["minutes"], int)
    assert value["steps"] and all(isinstance(step, str) for step in value["steps"])


def test_logprobs_reasoning_and_images_on_models_that_advertise_them(
    client: openai.OpenAI,
) -> None:
    scored = client.chat.completions.create(
        model=FLASH, messages=HELLO, logprobs=True, top_logprobs=2
    )
    logprobs = scored.choices[0].logprobs
    assert logprobs is not None and logprobs.content
    assert len(logprobs.content[0].top_logprobs) == 2
    thought = client.chat.completions.create(
        model="deepseek/deepseek-v4-pro", messages=HELLO, reasoning_effort="high"
    )
    assert thought.choices[0].message.content
    seen = client.chat.completions.create(
        model="paddlepaddle/paddleocr-vl-0.9b",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Read the receipt."},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="},
                    },
                ],
            }
        ],
    )
    assert seen.choices[0].message.content == "Echo: Read the receipt."


# -- authentication --------------------------------------------------------------------------


def test_no_authorization_header_gets_a_cloudflare_page(
    standin: LLMBaseStandIn, client: openai.OpenAI
) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(
            model=FLASH, messages=HELLO, extra_headers={"Authorization": openai.Omit()}
        )
    assert caught.value.status_code == 403
    assert caught.value.response.headers["content-type"].startswith("text/html")
    assert "Cloudflare" in caught.value.response.text
    assert "authorization" not in last(standin).headers
    status, content_type, body = raw(standin, "/models")
    assert (status, content_type.split(";")[0]) == (403, "text/html")
    assert "<html" in body


def test_chat_agent_key_is_refused(standin: LLMBaseStandIn) -> None:
    with (
        make_client(standin, api_key="llmbase_chat_0123456789abcdef") as agent,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        agent.chat.completions.create(model=FLASH, messages=HELLO)
    assert caught.value.status_code == 401
    assert error_code(caught.value) == "invalid_api_key"
    assert "llmbase_chat_" in caught.value.message


@pytest.mark.parametrize(
    "key",
    [
        "sk-proj-0123456789abcdefghijklmnopqrstuvwxyz",
        "sk-or-v1-0123456789abcdef0123456789abcdef",
        "llmbase_someone_elses_key",
        "LLMBASE_API_KEY",
    ],
)
def test_any_other_key_is_invalid(standin: LLMBaseStandIn, key: str) -> None:
    with (
        make_client(standin, api_key=key) as other,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        other.chat.completions.create(model=FLASH, messages=HELLO)
    assert error_code(caught.value) == "invalid_api_key"
    assert isinstance(caught.value.body, dict)
    assert caught.value.body.get("type") == "invalid_request_error"
    assert last(standin).status == 401


def test_model_discovery_needs_a_bearer_header_but_no_account(standin: LLMBaseStandIn) -> None:
    """Per the discovery page the Worker does not authorise ``GET /v1/models``."""
    with make_client(standin, api_key="sk-or-v1-0123456789abcdef") as other:
        assert {model.id for model in other.models.list()} == CONTRACT_MODELS
        with pytest.raises(openai.AuthenticationError):
            other.get("/balance", cast_to=object)


# -- rejected requests -----------------------------------------------------------------------


def test_unknown_model_is_404(standin: LLMBaseStandIn, client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert "Model not found" in caught.value.message
    assert last(standin).status == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("provider", {"order": ["DeepSeek"], "allow_fallbacks": False}),
        ("models", [FLASH, "deepseek/deepseek-v3.2"]),
        ("route", "fallback"),
        ("plugins", [{"id": "web"}]),
        ("transforms", ["middle-out"]),
        ("debug", {"echo_upstream_body": True}),
        ("service_tier", "flex"),
        ("cache_control", {"type": "ephemeral"}),
    ],
)
def test_vendor_fields_are_rejected(
    standin: LLMBaseStandIn, client: openai.OpenAI, field: str, value: object
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=FLASH, messages=HELLO, extra_body={field: value})
    assert f"'{field}'" in caught.value.message
    assert isinstance(caught.value.body, dict)
    assert caught.value.body.get("type") == "invalid_request_error"
    assert last(standin).status == 400 and last(standin).body[field] == value


def test_service_tier_as_a_keyword_is_rejected_too(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="service_tier"):
        client.chat.completions.create(model=FLASH, messages=HELLO, service_tier="auto")


def test_undocumented_openai_fields_are_rejected(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="store"):
        client.chat.completions.create(model=FLASH, messages=HELLO, store=True)


@pytest.mark.parametrize(
    ("model", "kwargs", "feature"),
    [
        ("qwen/qwen3.5-9b", {"tools": [WEATHER_TOOL]}, "tools"),
        (
            "paddlepaddle/paddleocr-vl-0.9b",
            {"tools": [WEATHER_TOOL], "tool_choice": "auto"},
            "tools",
        ),
        (
            "paddlepaddle/paddleocr-vl-0.9b",
            {"response_format": {"type": "json_object"}},
            "json_mode",
        ),
        (
            "z-ai/glm-5",
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"type": "object"}},
                }
            },
            "structured_outputs",
        ),
        ("z-ai/glm-5.1", {"logprobs": True}, "logprobs"),
        ("moonshotai/kimi-k2.5", {"logprobs": True, "top_logprobs": 3}, "logprobs"),
        ("qwen/qwen3-coder", {"reasoning_effort": "high"}, "reasoning_effort"),
        (
            FLASH,
            {"extra_body": {"chat_template_kwargs": {"enable_thinking": True}}},
            "chat_template_kwargs",
        ),
    ],
)
def test_capabilities_a_model_does_not_advertise_are_400(
    standin: LLMBaseStandIn,
    client: openai.OpenAI,
    model: str,
    kwargs: dict[str, Any],
    feature: str,
) -> None:
    listed = {entry.id: entry for entry in DEFAULT_CATALOG}[model]
    assert feature not in (*listed.features, *listed.supported_parameters)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=model, messages=HELLO, **kwargs)
    assert feature in caught.value.message
    assert last(standin).status == 400


def test_images_on_a_text_only_model_are_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="image"):
        client.chat.completions.create(
            model=FLASH,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
                    ],
                }
            ],
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"temperature": 3},
        {"top_logprobs": 2},
        {"stream_options": {"include_usage": True}},
        {"extra_body": {"top_k": "40"}},
        {"stop": ["a", "b", "c", "d", "e"]},
    ],
)
def test_malformed_values_are_400(client: openai.OpenAI, kwargs: dict[str, Any]) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=FLASH, messages=HELLO, **kwargs)


def test_empty_messages_are_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="messages"):
        client.chat.completions.create(model=FLASH, messages=[])


def test_endpoints_llmbase_does_not_serve_are_404(
    standin: LLMBaseStandIn, client: openai.OpenAI
) -> None:
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="text-embedding-3-small", input="hello")
    with pytest.raises(openai.NotFoundError):
        client.images.generate(model="gpt-image-1", prompt="a cat")
    with pytest.raises(openai.NotFoundError):
        client.completions.create(model=FLASH, prompt="hello")
    assert [entry.path for entry in standin.requests] == [
        "/v1/embeddings",
        "/v1/images/generations",
        "/v1/completions",
    ]
    assert {entry.status for entry in standin.requests} == {404}


# -- discovery and balance -------------------------------------------------------------------


def test_the_catalog_is_the_contract_catalog(client: openai.OpenAI) -> None:
    models = list(client.models.list())
    assert {model.id for model in models} == CONTRACT_MODELS
    assert all(model.object == "model" for model in models)
    plain = models[0].model_dump()
    assert "pricing" not in plain and "supported_features" not in plain


def test_metadata_lists_prices_and_capabilities(standin: LLMBaseStandIn) -> None:
    status, _, text = raw(
        standin, "/models?metadata=true", {"Authorization": f"Bearer {standin.api_key}"}
    )
    assert status == 200
    listing = json.loads(text)
    assert listing["object"] == "list"
    by_id = {entry["id"]: entry for entry in listing["data"]}
    assert set(by_id) == CONTRACT_MODELS
    flash = by_id[FLASH]
    assert flash["context_length"] == 1_048_576
    assert (
        flash["pricing"]["prompt"] == "0.0000002" and flash["pricing"]["completion"] == "0.0000003"
    )
    assert {"tools", "json_mode", "logprobs"} <= set(flash["supported_features"])
    assert "reasoning_effort" in flash["supported_parameters"]
    assert flash["architecture"]["input_modalities"] == ["text"]
    features = [set(entry["supported_features"]) for entry in listing["data"]]
    assert any("tools" not in found for found in features)
    assert any("logprobs" not in found for found in features)
    assert "image" in by_id["paddlepaddle/paddleocr-vl-0.9b"]["architecture"]["input_modalities"]


def test_agent_filter_keeps_tool_capable_models(standin: LLMBaseStandIn) -> None:
    status, _, text = raw(
        standin,
        "/models?filter=agents&metadata=true",
        {"Authorization": f"Bearer {standin.api_key}"},
    )
    assert status == 200
    entries = json.loads(text)["data"]
    assert entries and all("tools" in entry["supported_features"] for entry in entries)
    assert "paddlepaddle/paddleocr-vl-0.9b" not in {entry["id"] for entry in entries}


def test_balance(standin: LLMBaseStandIn, client: openai.OpenAI) -> None:
    balance = client.get("/balance", cast_to=object)
    assert isinstance(balance, dict) and balance["currency"] == "USD"
    assert last(standin).path == "/v1/balance" and last(standin).ok


def test_a_custom_catalog(standin: LLMBaseStandIn) -> None:
    only = next(entry for entry in DEFAULT_CATALOG if entry.id == "z-ai/glm-5")
    with LLMBaseStandIn([only]) as small, make_client(small) as small_client:
        models = small_client.models.list()
        assert [model.id for model in models] == ["z-ai/glm-5"]
        assert small.base_url != standin.base_url
