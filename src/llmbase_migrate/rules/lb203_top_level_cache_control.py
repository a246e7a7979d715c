"""``cache_control`` at the top level of a chat request.

Anthropic-style ``cache_control`` as a request field is not how LLMBase caches:
send a stable ``prompt_cache_key`` instead, and keep the long static part of the
prompt first in ``messages``. ``cache_control`` inside message content parts is
another matter and is not reported.

Fix (unsafe): ``cache_control`` becomes ``prompt_cache_key="<key>"`` where it is
written (a keyword stays a keyword, an ``extra_body`` entry stays an entry, so
the fix never needs a newer SDK than the code already uses). The key is the
configured ``prompt-cache-key``, else the module's dotted path (``app/example.py``
gives ``"app.example"``), else ``"default"`` (code from stdin without a file
name). When the request already sends a ``prompt_cache_key``, ``cache_control`` is
only removed. Unsafe because the key decides which requests share a cache: one
key per module may be coarser or finer than the application wants. A
``cache_control`` in a ``**`` dict or in an ``extra_body`` held in a name, or a
request with a ``**`` dict that may already hold ``prompt_cache_key``, is reported
without a fix.

Fix safety: unsafe, as said above: the cache key chosen decides which requests
share a cache, which the code does not say.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from llmbase_migrate.analysis.facts import ChatCall, Field, ModuleFacts
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edits import remove_fields, renamed_field, replace_node, string_literal
from llmbase_migrate.fixes.requests import prompt_cache_key, removable
from llmbase_migrate.rules._client_plan import migrating_calls
from llmbase_migrate.rules._judge import request_fields, where
from llmbase_migrate.rules.base import (
    Applicability,
    Fix,
    Invalid,
    Report,
    RuleContext,
    RuleSpec,
    Severity,
    Valid,
)

RULE = RuleSpec(
    code="LB203",
    name="top-level-cache-control",
    summary="cache_control at the top level of a chat request (use prompt_cache_key)",
    severity=Severity.ERROR,
    fix=Applicability.UNSAFE,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in migrating_calls(facts, ctx):
        found = [field for field in request_fields(call) if field.name == "cache_control"]
        if not found:
            continue
        fixes = _fixes(facts.source, call, found, ctx) if facts.source is not None else {}
        for field in found:
            yield Report(
                field.span,
                f"{where(field)} is not an LLMBase request field; "
                'use a stable prompt_cache_key="..." instead',
                fixes.get(id(field)),
            )


def _fixes(
    source: SourceMap, call: ChatCall, found: list[Field], ctx: RuleContext
) -> dict[int, Fix]:
    """One fix for the call's cache_control fields: the first becomes prompt_cache_key
    (any other is removed in the next round, once the key is there), or all are
    removed when the request already has a key."""
    covered = removable(call, found)
    if not covered:
        return {}
    if any(field.name == "prompt_cache_key" for field in call.arguments.fields):
        edit = remove_fields(source, call.node, covered)
        message = "remove cache_control (the request already sends prompt_cache_key)"
    elif call.arguments.complete and call.arguments.extra_body_complete:
        key = prompt_cache_key(ctx.prompt_cache_key, ctx.path)
        # In the quote style of the entry's key, if it is one.
        value = cst.SimpleString(string_literal(key, covered[0].node))
        edit = replace_node(
            source, call.node, renamed_field(call.node, covered[0], "prompt_cache_key", value)
        )
        message = f"replace cache_control with prompt_cache_key={string_literal(key)}"
    else:
        return {}
    if edit is None:
        return {}
    fix = Fix(Applicability.UNSAFE, message, (edit,))
    return {id(field): fix for field in covered}


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}],
            prompt_cache_key="support-bot",
        )
        """,
        title="inside a message part",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[],
            extra_body={"cache_control": {"type": "ephemeral"}},
        )
        """,
        title="an extra_body entry stays in extra_body; the key comes from the module path",
        line=5,
        message="prompt_cache_key",
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[],
            extra_body={"prompt_cache_key": "app.example"},
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[{"role": "system", "content": POLICY}, *history],
            cache_control={"type": "ephemeral"},  # cache the policy
            max_tokens=400,
        )
        """,
        title="a keyword becomes a keyword; its comment stays",
        line=6,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[{"role": "system", "content": POLICY}, *history],
            prompt_cache_key="app.example",  # cache the policy
            max_tokens=400,
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[],
            prompt_cache_key="support-bot",
            extra_body={"cache_control": {"type": "ephemeral"}, "top_k": 20},
        )
        """,
        title="a key is already sent: cache_control is only removed",
        line=6,
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[],
            prompt_cache_key="support-bot",
            extra_body={"top_k": 20},
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, **options):
            return client.chat.completions.create(
                model="m", messages=[], cache_control={"type": "ephemeral"}, **options
            )
        """,
        title="options that may already hold prompt_cache_key: reported without a fix",
        line=4,
    ),
    Invalid(
        """
        from openai import OpenAI
        REQUEST = {"model": "m", "cache_control": {"type": "ephemeral"}}
        OpenAI().chat.completions.create(messages=[], **REQUEST)
        """,
        title="inside a ** dict: reported without a fix",
        line=2,
    ),
)
