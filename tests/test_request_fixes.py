"""Request-field fixes (LB201-LB204, LB301, LB501) applied together, as ``fix`` runs them."""

from __future__ import annotations

import ast
import itertools
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from llmbase_migrate.engine.fixer import compile_error, fix_bytes
from llmbase_migrate.engine.outcome import Fixed, HasFindings, Outcome
from llmbase_migrate.fixes.requests import DEFAULT_PROMPT_CACHE_KEY, prompt_cache_key
from llmbase_migrate.rules import rules_by_code
from llmbase_migrate.rules.base import Rule, RuleContext
from llmbase_migrate.rules.lb301_unknown_model import replacement_for

REQUEST_RULES = ("LB201", "LB202", "LB203", "LB204", "LB301", "LB501")

CONTEXT = RuleContext(
    base_url="https://api.llmbase.ai/v1",
    api_key_env="LLMBASE_API_KEY",
    model_map={
        "gpt-4o-mini": "deepseek/deepseek-v4-flash",
        "openai/gpt-4o": "z-ai/glm-5.1",
        "anthropic/claude-3.5-sonnet": "z-ai/glm-5.1",
    },
    path="app/llm.py",
)


def _rules(codes: Sequence[str] = REQUEST_RULES) -> list[Rule]:
    return [rules_by_code()[code] for code in codes]


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _fix(
    source: str,
    codes: Sequence[str] = REQUEST_RULES,
    context: RuleContext = CONTEXT,
    *,
    unsafe: bool = True,
) -> Outcome:
    return fix_bytes("llm.py", source.encode(), _rules(codes), context, unsafe=unsafe)


def _fixed(
    source: str,
    codes: Sequence[str] = REQUEST_RULES,
    context: RuleContext = CONTEXT,
    *,
    unsafe: bool = True,
) -> Fixed:
    """Fix ``source`` and check what every fix must give: code that compiles and
    that a second run leaves alone."""
    outcome = _fix(source, codes, context, unsafe=unsafe)
    assert isinstance(outcome, Fixed), outcome
    text = outcome.new_source.decode()
    assert compile_error(text, "llm.py") is None, text
    again = fix_bytes("llm.py", outcome.new_source, _rules(codes), context, unsafe=unsafe)
    assert not isinstance(again, Fixed), "a second run must change nothing"
    return outcome


# -- several rules on one call --------------------------------------------------------------


def test_routing_tier_sampling_and_cache_fields_are_fixed_together() -> None:
    outcome = _fixed(
        _code(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(messages):
                return client.chat.completions.create(
                    model="deepseek/deepseek-v4-flash",
                    messages=messages,  # the whole history
                    provider={"order": ["deepinfra"], "allow_fallbacks": False},
                    service_tier="flex",
                    top_k=40,
                    cache_control={"type": "ephemeral"},
                    max_tokens=512,
                )
            """
        )
    )
    assert outcome.new_source.decode() == _code(
        """
        from openai import OpenAI

        client = OpenAI()


        def ask(messages):
            return client.chat.completions.create(
                model="deepseek/deepseek-v4-flash",
                messages=messages,  # the whole history
                extra_body={"top_k": 40},
                prompt_cache_key="app.llm",
                max_tokens=512,
            )
        """
    )
    assert {finding.code for finding in outcome.fixed} == {"LB201", "LB202", "LB203", "LB204"}
    assert outcome.findings == ()


def test_fields_everywhere_in_one_call_with_a_mapped_model() -> None:
    outcome = _fixed(
        _code(
            """
            from openai import OpenAI

            client = OpenAI(base_url="https://openrouter.ai/api/v1")
            reply = client.chat.completions.create(
                model="openai/gpt-4o",
                messages=[],
                provider={"sort": "price"},
                service_tier="auto",
                top_k=40,
                enable_thinking=False,
                cache_control={"type": "ephemeral"},
                extra_body={"transforms": ["middle-out"], "service_tier": "flex", "min_p": 0.1},
            )
            """
        )
    )
    assert outcome.new_source.decode() == _code(
        """
        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1")
        reply = client.chat.completions.create(
            model="z-ai/glm-5.1",
            messages=[],
            prompt_cache_key="app.llm",
            extra_body={"min_p": 0.1, "top_k": 40, "chat_template_kwargs": {"enable_thinking": False}},
        )
        """
    )


def test_routing_and_tier_entries_emptying_extra_body_together() -> None:
    """Two rules each remove part of one extra_body: it goes, never left as ``{}``."""
    outcome = _fixed(
        _code(
            """
            from openai import OpenAI

            client = OpenAI()
            client.chat.completions.create(model="m", messages=[], extra_body={"provider": {"sort": "price"}, "service_tier": "flex"})
            client.chat.completions.create(
                model="m",
                messages=[],
                extra_body={
                    "service_tier": "flex",
                    "models": ["a", "b"],
                },
            )
            """
        )
    )
    assert outcome.new_source.decode() == _code(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(model="m", messages=[])
        client.chat.completions.create(
            model="m",
            messages=[],
        )
        """
    )


def test_safe_fixes_alone_leave_the_unsafe_ones_reported() -> None:
    outcome = _fixed(
        _code(
            """
            from openai import OpenAI

            OpenAI().chat.completions.create(
                model="gpt-4o-mini",
                messages=[],
                service_tier="flex",
                cache_control={"type": "ephemeral"},
            )
            """
        ),
        unsafe=False,
    )
    assert outcome.new_source.decode() == _code(
        """
        from openai import OpenAI

        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            cache_control={"type": "ephemeral"},
        )
        """
    )
    assert [finding.code for finding in outcome.findings] == ["LB203"]


# -- realistic OpenRouter code ---------------------------------------------------------------

OPENROUTER_MODULE = _code(
    '''
    """OpenRouter access for the release-notes bot."""

    import os

    from openai import OpenAI

    client = OpenAI(
        base_url="https://openrouter.ai/api/v1",
        api_key=os.environ["OPENROUTER_API_KEY"],
    )

    APP_HEADERS = {"HTTP-Referer": "https://github.com/acme/relnotes-bot", "X-Title": "relnotes-bot"}

    CLASSIFIER_MODEL = "openai/gpt-4o"
    WRITER_MODEL = "anthropic/claude-3.5-sonnet"


    def classify_commit(message):
        response = client.chat.completions.create(
            model=CLASSIFIER_MODEL,
            messages=[{"role": "user", "content": message}],
            temperature=0,
            max_tokens=5,
            extra_headers=APP_HEADERS,
            extra_body={"provider": {"order": ["OpenAI", "Azure"], "allow_fallbacks": True}},
        )
        return response.choices[0].message.content


    def write_notes(changes):
        response = client.chat.completions.create(
            model=WRITER_MODEL,
            messages=[{"role": "user", "content": changes}],
            temperature=0.7,
            top_k=40,
            max_tokens=800,
            extra_headers=APP_HEADERS,
            extra_body={
                "models": ["anthropic/claude-3.5-sonnet", "openai/gpt-4o"],
                "transforms": ["middle-out"],
                "provider": {"sort": "throughput"},
            },
        )
        return response.choices[0].message.content or ""


    def tweet(notes):
        stream = client.chat.completions.create(
            model=WRITER_MODEL,
            messages=[{"role": "user", "content": notes}],
            stream=True,
            max_tokens=120,
            extra_headers=APP_HEADERS,
            extra_body={"cache_control": {"type": "ephemeral"}},
        )
        return "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    '''
)


def test_an_openrouter_module_with_shared_model_constants() -> None:
    outcome = _fixed(OPENROUTER_MODULE)
    expected = (
        OPENROUTER_MODULE.replace('"openai/gpt-4o"\n', '"z-ai/glm-5.1"\n')
        .replace('"anthropic/claude-3.5-sonnet"\n', '"z-ai/glm-5.1"\n')
        .replace(
            '        extra_body={"provider": {"order": ["OpenAI", "Azure"], '
            '"allow_fallbacks": True}},\n',
            "",
        )
        .replace("        top_k=40,\n", "")
        .replace(
            '            "models": ["anthropic/claude-3.5-sonnet", "openai/gpt-4o"],\n'
            '            "transforms": ["middle-out"],\n'
            '            "provider": {"sort": "throughput"},\n',
            '            "top_k": 40,\n',
        )
        .replace('"cache_control": {"type": "ephemeral"}', '"prompt_cache_key": "app.llm"')
    )
    assert outcome.new_source.decode() == expected
    assert outcome.findings == ()


def test_an_async_client_on_self_with_raw_response() -> None:
    outcome = _fixed(
        _code(
            """
            from openai import AsyncOpenAI


            class Assistant:
                def __init__(self):
                    self.client = AsyncOpenAI(base_url="https://openrouter.ai/api/v1")

                async def reply(self, history):
                    raw = await self.client.chat.completions.with_raw_response.create(
                        model="zai-org/glm-5",
                        messages=history,
                        route="fallback",
                        repetition_penalty=1.05,  # less looping
                        extra_body={"chat_template_kwargs": {"enable_thinking": True}},
                    )
                    return raw.parse()
            """
        )
    )
    assert outcome.new_source.decode() == _code(
        """
        from openai import AsyncOpenAI


        class Assistant:
            def __init__(self):
                self.client = AsyncOpenAI(base_url="https://openrouter.ai/api/v1")

            async def reply(self, history):
                raw = await self.client.chat.completions.with_raw_response.create(
                    model="z-ai/glm-5",
                    messages=history,
                    extra_body={"chat_template_kwargs": {"enable_thinking": True}, "repetition_penalty": 1.05},
                )
                return raw.parse()
        """
    )


def test_a_shared_request_dict_is_reported_but_not_fixed() -> None:
    """``**`` dicts and names may be used elsewhere: their fields keep their
    findings; the call's own keywords are still fixed."""
    source = _code(
        """
        from openai import OpenAI

        client = OpenAI()
        ROUTING = {"provider": {"order": ["together"]}, "service_tier": "flex"}
        BASE = {"model": "gpt-4o-mini", "top_k": 20, "cache_control": {"type": "ephemeral"}}


        def ask(prompt):
            return client.chat.completions.create(
                messages=[prompt], min_p=0.05, extra_body=ROUTING, **BASE
            )
        """
    )
    outcome = _fix(source)
    assert isinstance(outcome, HasFindings), outcome
    assert all(finding.fix is None for finding in outcome.findings)
    assert sorted(finding.code for finding in outcome.findings) == [
        "LB201",
        "LB202",
        "LB203",
        "LB204",
        "LB204",
        "LB301",
    ]


def test_models_fallback_list_becomes_a_mapped_model() -> None:
    outcome = _fixed(
        _code(
            """
            from openai import OpenAI

            OpenAI().chat.completions.create(
                messages=[],
                extra_body={"models": ["openai/gpt-4o", "anthropic/claude-3.5-sonnet"], "top_k": 1},
            )
            """
        )
    )
    assert outcome.new_source.decode() == _code(
        """
        from openai import OpenAI

        OpenAI().chat.completions.create(
            messages=[],
            extra_body={"top_k": 1},
            model="z-ai/glm-5.1",
        )
        """
    )


def test_a_legacy_call_is_brought_to_1x_with_its_model_and_sampling_fields() -> None:
    outcome = _fixed(
        _code(
            """
            import openai as oa

            MODEL = "gpt-4o-mini"


            def summarize(text):
                response = oa.ChatCompletion.create(
                    model=MODEL,
                    messages=[{"role": "user", "content": text}],
                    top_k=40,
                    service_tier="flex",
                )
                return response["choices"][0]["message"]["content"]
            """
        )
    )
    assert outcome.new_source.decode() == _code(
        """
        import openai as oa

        MODEL = "deepseek/deepseek-v4-flash"


        def summarize(text):
            response = oa.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": text}],
                extra_body={"top_k": 40},
            )
            return response["choices"][0]["message"]["content"]
        """
    )
    fix = next(finding.fix for finding in outcome.fixed if finding.code == "LB501")
    assert fix is not None
    assert "yourself" in fix.message


def test_a_legacy_azure_call_keeps_its_engine() -> None:
    source = _code(
        """
        import openai

        reply = openai.ChatCompletion.create(engine="gpt-35", messages=[], top_k=5)
        """
    )
    outcome = _fix(source)
    assert isinstance(outcome, HasFindings), outcome
    assert all(finding.fix is None for finding in outcome.findings)


# -- comments ---------------------------------------------------------------------------------


def test_comments_of_removed_lines_go_with_them() -> None:
    """A removed argument's end-of-line comment is not handed to the line before,
    with or without a trailing comma, in the call and in ``extra_body``."""
    source = _code(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(
            model="m",
            messages=[],  # history
            service_tier="flex"  # gone
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body={
                "top_k": 1,
                "service_tier": "flex"  # gone
            },
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body={
                "top_k": 1,  # sharper
                "service_tier": "flex",  # gone
            },
        )
        client.chat.completions.create(
            model="m",
            messages=[],  # history
            cache_control={},  # replaced
            service_tier="flex",  # gone
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body={"service_tier": "flex"},  # gone
            prompt_cache_key="x",
        )
        client.chat.completions.create(
            model="m",
            messages=[],  # history
            temperature=0.1,
            top_k=1,  # sharper
        )
        """
    )
    outcome = _fixed(source, ["LB202", "LB203", "LB204"])
    assert outcome.new_source.decode() == _code(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(
            model="m",
            messages=[]  # history
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body={
                "top_k": 1
            },
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body={
                "top_k": 1,  # sharper
            },
        )
        client.chat.completions.create(
            model="m",
            messages=[],  # history
            prompt_cache_key="app.llm",  # replaced
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            prompt_cache_key="x",
        )
        client.chat.completions.create(
            model="m",
            messages=[],  # history
            temperature=0.1,
            extra_body={"top_k": 1},  # sharper
        )
        """
    )


def test_comments_stay_on_their_line_when_entries_are_appended() -> None:
    source = _code(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(
            model="m",
            messages=[],
            top_k=20,
            extra_body={
                "min_p": 0.05,  # from the card
            },
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            top_k=20,
            extra_body=dict(
                min_p=0.05  # from the card
            ),
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            enable_thinking=True,
            extra_body={
                "chat_template_kwargs": {
                    "thinking": True  # keep
                }
            },
        )
        """
    )
    assert _fixed(source, ["LB204"]).new_source.decode() == _code(
        """
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body={
                "min_p": 0.05,  # from the card
                "top_k": 20,
            },
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body=dict(
                min_p=0.05,  # from the card
                top_k=20
            ),
        )
        client.chat.completions.create(
            model="m",
            messages=[],
            extra_body={
                "chat_template_kwargs": {
                    "thinking": True,  # keep
                    "enable_thinking": True
                }
            },
        )
        """
    )


# -- one-line shapes ----------------------------------------------------------------------------

_PREFIX = 'client.chat.completions.create(model="m", messages=[], '


@pytest.mark.parametrize(
    ("arguments", "fixed"),
    [
        (
            'extra_body=dict(cache_control={"type": "ephemeral"}, top_k=1))',
            'extra_body=dict(prompt_cache_key="app.llm", top_k=1))',
        ),
        ('extra_body=dict(service_tier="flex"))', ""),
        (
            "extra_body=dict(enable_thinking=True, min_p=0.1), thinking=True)",
            "extra_body=dict(min_p=0.1, "
            'chat_template_kwargs={"thinking": True, "enable_thinking": True}))',
        ),
        ("extra_body={'min_p': 0.1}, top_k=3)", """extra_body={'min_p': 0.1, "top_k": 3})"""),
        ("extra_body={}, top_k=3)", 'extra_body={"top_k": 3})'),
        (
            'extra_body={"chat_template_kwargs": {}}, thinking=True)',
            'extra_body={"chat_template_kwargs": {"thinking": True}})',
        ),
        (
            "extra_body={'cache_control': {'type': 'ephemeral'}, 'provider': {}})",
            "extra_body={'prompt_cache_key': 'app.llm'})",
        ),
        (
            'service_tier="flex", cache_control={}, prompt_cache_key="chat")',
            'prompt_cache_key="chat")',
        ),
        # Not fixed: a chat_template_kwargs held in a name, a flag already set, a flag
        # given twice.
        ('extra_body={"chat_template_kwargs": CTK}, thinking=True)', None),
        ('extra_body={"chat_template_kwargs": {"thinking": False}}, thinking=True)', None),
        ('extra_body={"thinking": False}, thinking=True)', None),
    ],
)
def test_one_line_shapes(arguments: str, fixed: str | None) -> None:
    source = f"from openai import OpenAI\n\nclient = OpenAI()\n{_PREFIX}{arguments}\n"
    if fixed is None:
        outcome = _fix(source)
        assert isinstance(outcome, HasFindings), outcome
        assert all(finding.fix is None for finding in outcome.findings)
        return
    expected = _PREFIX.removesuffix(", ") + (", " + fixed if fixed else ")")
    assert _fixed(source).new_source.decode().splitlines()[-1] == expected


# -- every placement of every field -----------------------------------------------------------

_VALUES = {
    "provider": '{"order": ["deepinfra"]}',
    "service_tier": '"flex"',
    "cache_control": '{"type": "ephemeral"}',
    "top_k": "40",
    "enable_thinking": "False",
    "min_p": "0.05",
}
_PLACES = {
    "provider": ("absent", "keyword", "body"),
    "service_tier": ("absent", "keyword", "body"),
    "cache_control": ("absent", "keyword", "body"),
    "top_k": ("absent", "keyword"),
    "enable_thinking": ("absent", "keyword", "body"),
    "min_p": ("absent", "body"),
}
_LAYOUTS = ("one line", "one argument a line", "extra_body over lines")


def _placements() -> list[tuple[dict[str, str], str]]:
    cases = [
        (dict(zip(_PLACES, combination, strict=True)), layout)
        for combination in itertools.product(*_PLACES.values())
        for layout in _LAYOUTS
    ]
    # A stride prime to the layout count: every layout, every field in every place.
    return [case for index, case in enumerate(cases) if index % 7 == 0]


def _request(places: Mapping[str, str], layout: str) -> str:
    keywords = [(name, _VALUES[name]) for name, place in places.items() if place == "keyword"]
    entries = [(name, _VALUES[name]) for name, place in places.items() if place == "body"]
    arguments = [("model", '"m"'), ("messages", "[]"), *keywords, ("temperature", "0.2")]
    if entries and layout == "extra_body over lines":
        lines = "".join(f'        "{name}": {value},\n' for name, value in entries)
        arguments.append(("extra_body", "{\n" + lines + "    }"))
    elif entries:
        arguments.append(("extra_body", "{" + ", ".join(f'"{n}": {v}' for n, v in entries) + "}"))
    if layout == "one line":
        call = "(" + ", ".join(f"{name}={value}" for name, value in arguments) + ")"
    else:
        call = "(\n" + "".join(f"    {name}={value},\n" for name, value in arguments) + ")"
    return f"from openai import OpenAI\n\nclient = OpenAI()\nclient.chat.completions.create{call}\n"


def _expected_body(places: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "m", "messages": [], "temperature": 0.2}
    for name, place in places.items():
        if place == "absent" or name in ("provider", "service_tier"):
            continue
        value = ast.literal_eval(_VALUES[name])
        if name == "cache_control":
            body["prompt_cache_key"] = "app.llm"
        elif name == "enable_thinking":
            body["chat_template_kwargs"] = {"enable_thinking": value}
        else:
            body[name] = value
    return body


def _sent_body(text: str) -> dict[str, Any]:
    """The JSON body the SDK would send: keywords with ``extra_body`` merged in."""
    call = next(
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    )
    body: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for keyword in call.keywords:
        value = ast.literal_eval(keyword.value)
        if keyword.arg == "extra_body":
            assert value, "an empty extra_body is left behind"
            extra = value
        else:
            assert keyword.arg is not None
            body[keyword.arg] = value
    assert not set(body) & set(extra), "a field is sent twice"
    return {**body, **extra}


@pytest.mark.parametrize(
    ("places", "layout"),
    _placements(),
    ids=lambda case: (
        "-".join(f"{name}.{place}" for name, place in case.items() if place != "absent") or "none"
        if isinstance(case, dict)
        else case.replace(" ", "_")
    ),
)
def test_every_placement_converges_to_the_same_request(places: dict[str, str], layout: str) -> None:
    source = _request(places, layout)
    nothing_to_fix = all(place == "absent" or name == "min_p" for name, place in places.items())
    if nothing_to_fix:
        assert not isinstance(_fix(source), Fixed)
        return
    outcome = _fixed(source)
    text = outcome.new_source.decode()
    assert outcome.findings == (), text
    assert _sent_body(text) == _expected_body(places), text
    assert all(line == line.rstrip() for line in text.splitlines()), text


# -- the pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("configured", "path", "key"),
    [
        ("support-bot", "app/example.py", "support-bot"),
        (None, "app/example.py", "app.example"),
        (None, "llm.py", "llm"),
        (None, "pkg/sub/__init__.py", "pkg.sub"),
        (None, "./scripts/run.pyw", "scripts.run"),
        (None, "__init__.py", DEFAULT_PROMPT_CACHE_KEY),
        (None, None, DEFAULT_PROMPT_CACHE_KEY),
    ],
)
def test_prompt_cache_key(configured: str | None, path: str | None, key: str) -> None:
    assert prompt_cache_key(configured, path) == key


def test_the_configured_prompt_cache_key_and_stdin() -> None:
    source = (
        'import openai\nopenai.chat.completions.create(model="m", messages=[], cache_control={})\n'
    )
    configured = RuleContext(
        base_url=CONTEXT.base_url, api_key_env=CONTEXT.api_key_env, prompt_cache_key="bot"
    )
    assert 'prompt_cache_key="bot"' in _fixed(source, ["LB203"], configured).new_source.decode()
    stdin = RuleContext(base_url=CONTEXT.base_url, api_key_env=CONTEXT.api_key_env)
    fixed = _fixed(source, ["LB203"], stdin).new_source.decode()
    assert f'prompt_cache_key="{DEFAULT_PROMPT_CACHE_KEY}"' in fixed


@pytest.mark.parametrize(
    ("model", "replacement"),
    [
        ("gpt-4o-mini", "deepseek/deepseek-v4-flash"),
        ("zai-org/glm-5", "z-ai/glm-5"),
        ("zai-org/glm-5.1", "z-ai/glm-5.1"),
        ("zai-org/", None),
        ("z-ai/glm-5", None),
        ("deepseek/deepseek-v4-flash", None),
    ],
)
def test_replacement_for(model: str, replacement: str | None) -> None:
    found = replacement_for(model, CONTEXT)
    assert (found.model if found is not None else None) == replacement


def test_the_model_map_wins_over_the_rename() -> None:
    context = RuleContext(
        base_url=CONTEXT.base_url,
        api_key_env=CONTEXT.api_key_env,
        model_map={"zai-org/glm-5": "z-ai/glm-5.1", "same": "same"},
    )
    found = replacement_for("zai-org/glm-5", context)
    assert found is not None and found.model == "z-ai/glm-5.1"
    assert replacement_for("same", context) is None
