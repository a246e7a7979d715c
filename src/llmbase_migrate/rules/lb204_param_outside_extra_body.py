"""A sampling or template parameter passed where the OpenAI SDK rejects it.

LLMBase accepts ``top_k``, ``min_p``, ``repetition_penalty`` and
``chat_template_kwargs``, but ``chat.completions.create()`` has no such keyword
arguments: the SDK raises ``TypeError`` before any request is sent. Pass them in
``extra_body``, which the SDK merges into the JSON body::

    client.chat.completions.create(..., extra_body={"top_k": 20})

The thinking flags ``enable_thinking``, ``thinking`` and ``preserve_thinking`` are
read from ``extra_body["chat_template_kwargs"]``: reported as keywords, in ``**``
dicts, and bare at the top level of ``extra_body``.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import FieldOrigin, ModuleFacts
from llmbase_migrate.rules._judge import request_fields
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB204",
    name="param-outside-extra-body",
    summary="top_k, min_p, repetition_penalty or chat_template_kwargs outside extra_body",
    severity=Severity.ERROR,
)

EXTRA_BODY_PARAMS = frozenset({"top_k", "min_p", "repetition_penalty", "chat_template_kwargs"})
THINKING_FLAGS = frozenset({"enable_thinking", "thinking", "preserve_thinking"})


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in facts.chat_calls:
        for field in request_fields(call):
            direct = field.origin is not FieldOrigin.EXTRA_BODY
            how = f"{field.name}=" if field.origin is FieldOrigin.KEYWORD else f'"{field.name}"'
            if field.name in EXTRA_BODY_PARAMS and direct:
                yield Report(
                    field.span,
                    f"the OpenAI SDK rejects {how} (TypeError); "
                    f'pass it as extra_body={{"{field.name}": ...}}',
                )
            elif field.name in THINKING_FLAGS and direct:
                yield Report(
                    field.span,
                    f"the OpenAI SDK rejects {how} (TypeError); pass it as "
                    f'extra_body={{"chat_template_kwargs": {{"{field.name}": ...}}}}',
                )
            elif field.name in THINKING_FLAGS:
                yield Report(
                    field.span,
                    f'LLMBase reads {field.name} from extra_body["chat_template_kwargs"], '
                    "not from the top level of extra_body",
                )


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="google/gemma-4-26b-a4b-it",
            messages=[],
            extra_body={"top_k": 20, "chat_template_kwargs": {"enable_thinking": False}},
        )
        """,
    ),
    Valid(
        """
        from vllm import SamplingParams
        params = SamplingParams(top_k=20, min_p=0.05, repetition_penalty=1.1)
        """,
        title="same names on an unrelated call",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[],
            top_k=40,
            repetition_penalty=1.05,
        )
        """,
        line=5,
        message="TypeError",
        count=2,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], extra_body={"enable_thinking": True})
        """,
        title="a thinking flag outside chat_template_kwargs",
        message='extra_body["chat_template_kwargs"]',
    ),
)
