"""A gateway's routing field in a chat request.

Gateways that span many vendors (OpenRouter and the like) take marketplace routing
controls; LLMBase's direct inference uses its own model registry and rejects
them. Remove them before sending requests to LLMBase:

=============  ==============================================================
field          LLMBase equivalent
=============  ==============================================================
``provider``   choose the LLMBase model ID
``models``     one model ID; LLMBase fails over internally
``route``      one model ID; LLMBase fails over internally
``plugins``    supported request fields such as ``tools`` or ``response_format``
``transforms`` none (OpenRouter's prompt transforms)
``debug``      none: not part of the public direct inference contract
=============  ==============================================================

Found as keywords of the call, as keys of ``extra_body`` (a dict literal,
``dict(...)`` or a name bound to one), and as keys of a dict splatted with
``**params`` (including ``params["provider"] = ...`` and ``params.update(...)``
on that name). Only chat requests on the OpenAI SDK are checked: ``provider=`` on
any other call is not this.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules._judge import request_fields, where
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB201",
    name="vendor-routing-field",
    summary="a gateway routing field (provider, models, route, plugins, ...) in a chat request",
    severity=Severity.ERROR,
)

ROUTING_FIELDS = {
    "provider": "choose the LLMBase model ID instead",
    "models": "use one model ID; LLMBase fails over internally",
    "route": "use one model ID; LLMBase fails over internally",
    "plugins": "use LLMBase request fields such as tools or response_format",
    "transforms": "LLMBase has no prompt transforms",
    "debug": "it is not part of LLMBase's direct inference contract",
}


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in facts.chat_calls:
        for field in request_fields(call):
            advice = ROUTING_FIELDS.get(field.name)
            if advice is not None:
                yield Report(
                    field.span,
                    f"{where(field)} is a gateway routing field LLMBase rejects; "
                    f"remove it ({advice})",
                )


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
    ),
    Valid(
        """
        import litellm
        litellm.completion(model="gpt-4o", messages=[], provider="openai")
        """,
        title="litellm is not the OpenAI SDK",
    ),
    Valid(
        """
        from huggingface_hub import InferenceClient
        client = InferenceClient(provider="together")
        client.chat.completions.create(model="m", messages=[], provider="together")
        """,
        title="a look-alike client",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            extra_body={"provider": {"order": ["deepinfra"]}, "transforms": ["middle-out"]},
        )
        """,
        line=6,
        message='extra_body["provider"]',
        count=2,
    ),
    Invalid(
        """
        import openai
        def ask(client: openai.AsyncOpenAI, prompt: str):
            params = {"model": "deepseek/deepseek-v4-flash", "messages": [prompt]}
            params["route"] = "fallback"
            return client.chat.completions.create(**params)
        """,
        title="a key added to a ** dict",
        line=4,
        message='"route" in a ** dict',
    ),
    Invalid(
        """
        import openai
        class Bot:
            def __init__(self):
                self.client = openai.OpenAI()
            def reply(self, text):
                return self.client.chat.completions.create(model="m", messages=[], models=["a", "b"])
        """,
        title="a client kept on self",
        line=6,
        message="models=",
    ),
)
