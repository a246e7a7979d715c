"""``service_tier`` in a chat request.

OpenAI's flex/priority processing tiers are not part of LLMBase's public direct
inference contract; remove the field. Found in the same places as LB201's fields
(keywords, ``extra_body``, ``**`` dicts).

Fix (safe): the field is removed, as a keyword or as an ``extra_body`` entry
written at the call; ``extra_body`` goes when nothing is left in it. A
``service_tier`` that reaches the call through a ``**`` dict or an ``extra_body``
held in a name is reported without a fix, since that dict may be used elsewhere.

Fix safety: safe. LLMBase has no processing tiers, so the request it answers is
the same without the field; only fields written at the call are removed, never a
dict another call may share.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.fixes.requests import removal_fix
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
    code="LB202",
    name="service-tier",
    summary="service_tier in a chat request",
    severity=Severity.ERROR,
    fix=Applicability.SAFE,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in migrating_calls(facts, ctx):
        found = [field for field in request_fields(call) if field.name == "service_tier"]
        if not found:
            continue
        fixes: dict[int, Fix] = {}
        if facts.source is not None:
            removal = removal_fix(facts.source, call, found, Applicability.SAFE)
            if removal is not None:
                fix, covered = removal
                fixes.update((id(field), fix) for field in covered)
        for field in found:
            yield Report(
                field.span,
                f"{where(field)} is not part of LLMBase's direct inference contract; remove it",
                fixes.get(id(field)),
            )


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], temperature=0.2)
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], service_tier="flex")
        """,
        message="service_tier=",
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[])
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        reply = client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=messages,  # the whole history
            service_tier="priority",  # we pay for speed
            max_tokens=512,
        )
        """,
        title="a multi-line call: the other lines and their comments stay",
        line=6,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        reply = client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=messages,  # the whole history
            max_tokens=512,
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        reply = client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=messages,
            service_tier="flex",  # cheaper batch processing
        )
        """,
        title="the last argument: its comment goes with it",
        line=6,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        reply = client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=messages,
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            extra_body={"service_tier": "flex"},
        )
        """,
        title="the last extra_body entry: extra_body goes too",
        line=6,
        message='extra_body["service_tier"]',
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            extra_body={
                "top_k": 20,  # keep
                "service_tier": "flex",  # OpenAI only
            },
        )
        """,
        title="other extra_body entries stay, with their comments",
        line=8,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            extra_body={
                "top_k": 20,  # keep
            },
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        options = dict(model="m", messages=[], service_tier="priority")
        client.chat.completions.create(**options)
        """,
        title="inside a ** dict: reported without a fix",
        line=3,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        BODY = {"service_tier": "flex"}
        client.chat.completions.create(model="m", messages=[], extra_body=BODY)
        """,
        title="an extra_body held in a name: reported without a fix",
        line=3,
    ),
)
