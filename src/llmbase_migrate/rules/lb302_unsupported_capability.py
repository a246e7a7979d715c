"""A chat request that uses a capability its model does not advertise.

LLMBase's advanced request features are model-dependent, and a request using one
the model does not advertise in ``GET /v1/models?metadata=true`` gets ``400
invalid_request_error`` and does not run; fallback cannot make it valid. What a
call uses, and what the catalog must list for its model:

=====================================================  ===================================
the call uses                                          the model's catalog entry lists
=====================================================  ===================================
``tools``, ``tool_choice``                             ``tools`` in ``supported_features``
``response_format={"type": "json_object"}``            ``json_mode``
``response_format={"type": "json_schema", ...}``,      ``structured_outputs``
``.parse(response_format=Model)``
``logprobs``, ``top_logprobs``                         ``logprobs``
``reasoning_effort``                                   ``reasoning_effort`` in
                                                       ``supported_parameters``
``chat_template_kwargs`` turning on                    ``reasoning``
``enable_thinking``/``thinking``/``preserve_thinking``
``{"type": "image_url", ...}`` parts in ``messages``   ``image`` in ``input_modalities``
(``{"type": "file", ...}`` parts)                      (``file``)
=====================================================  ===================================

Fields count however they are written: keywords, ``extra_body`` entries, ``**``
dict entries. Values that send nothing (``None``, ``NOT_GIVEN``, ``tools=[]``,
``logprobs=False``, a thinking flag set to ``False``) need nothing. A
``response_format`` or ``chat_template_kwargs`` held in a variable, and messages
not written at the call (``messages=history``), cannot be read and are not judged
(see ``_capabilities``).

The model is the one the call sends when it is statically known (a literal, a
constant, a literal default); when LB301 would replace it (``model-map``, a
rename), the replacement is judged, since that is what the request will send.
Nothing is reported without a catalog, for models the catalog does not list
(LB301's business), or when the model's entry does not say (a catalog without
capability metadata, such as the bundled snapshot, makes this rule silent). The
message names up to three models that do have the capability, cheapest prompt
price first, preferring models that have everything else the request uses too.

No fix: which model to use instead, or whether to drop the feature, is a
person's choice.

Fix safety: there is no fix (see above).
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.catalog.index import CatalogIndex
from llmbase_migrate.rules._capabilities import Need, NeedKind, models_supporting, needs, sent_model
from llmbase_migrate.rules._client_plan import migrating_calls
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid
from llmbase_migrate.rules.lb301_unknown_model import replacement_for

RULE = RuleSpec(
    code="LB302",
    name="unsupported-capability",
    summary="a request feature (tools, JSON, logprobs, reasoning, images) its model lacks",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    catalog = ctx.catalog
    if catalog is None:
        return
    for call in migrating_calls(facts, ctx):
        sent = sent_model(call)
        if sent is None:
            continue
        replacement = replacement_for(sent.model, ctx)
        model = replacement.model if replacement is not None else sent.model
        info = catalog.get(model)
        if info is None:
            continue
        wanted = needs(call)
        shown = f'"{model}"'
        if replacement is not None:
            shown += f' (what "{sent.model}" becomes)'
        for need in wanted:
            if need.supported_by(info) is not False:
                continue
            yield Report(
                sent.field.span,
                f"{sent.condition}model {shown} {_lacks(need)}; LLMBase rejects such "
                f"requests (400 invalid_request_error). {_alternatives(catalog, need, wanted, model)}",
            )


def _lacks(need: Need) -> str:
    listed = f'does not list "{need.name}" in its {need.kind.value}'
    if need.kind is NeedKind.PARAMETER and need.usage == need.name:
        return listed
    return f"{listed}, needed by {need.usage}"


def _alternatives(catalog: CatalogIndex, need: Need, wanted: list[Need], model: str) -> str:
    """Up to three models that have ``need``, preferring those that have everything
    the request uses (the one suggestion that makes the whole request valid)."""
    if len(wanted) > 1:
        complete = models_supporting(catalog, wanted, exclude=[model])
        if complete:
            names = ", ".join(f'"{info.id}"' for info in complete)
            return f"Models with everything this request uses, cheapest first: {names}"
    found = models_supporting(catalog, [need], exclude=[model])
    if not found:
        return f"No model in the catalog lists it ({catalog.source} catalog)"
    names = ", ".join(f'"{info.id}"' for info in found)
    return f"Models that do, cheapest first: {names}"


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[],
            tools=[{"type": "function", "function": {"name": "lookup"}}],
            tool_choice="auto",
            response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": {}}},
            reasoning_effort="high",
        )
        """,
        title="the model advertises everything the call uses",
    ),
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="z-ai/glm-5", messages=[], tools=TOOLS, logprobs=True)
        """,
        title="capabilities unknown (no supported_features in its entry): nothing to judge",
    ),
    Valid(
        """
        import openai
        from openai import NOT_GIVEN, OpenAI
        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v3.2",
            messages=[],
            tools=NOT_GIVEN,
            tool_choice=openai.NOT_GIVEN,
            logprobs=False,
            reasoning_effort=None,
            extra_body={"chat_template_kwargs": {"enable_thinking": False}},
        )
        """,
        title="values that send nothing need nothing",
    ),
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="gpt-4o-2024-08-06", messages=[], tools=[])
        """,
        title="a model the catalog does not list is LB301's",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        params = {"model": "deepseek/deepseek-v3.2", "tool_choice": "auto"}
        client.chat.completions.create(messages=[], tools=TOOLS, **params)
        """,
        title="tools on a model without the tools feature, through a ** dict; reported once",
        line=3,
        message='does not list "tools" in its supported_features, needed by tools;',
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="openai/gpt-oss-120b", messages=[], tools=[{"type": "function"}])
        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v3.2", messages=[], tools=[{"type": "function"}]
        )
        """,
        title="the three cheapest models that have it are named",
        line=4,
        message=(
            'Models that do, cheapest first: "openai/gpt-oss-120b", '
            '"google/gemma-4-26b-a4b-it", "deepseek/deepseek-v4-flash"'
        ),
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="openai/gpt-oss-120b",
            messages=[],
            response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": {}}},
        )
        """,
        title="json_schema needs structured_outputs",
        line=3,
        message="needed by response_format json_schema",
    ),
    Invalid(
        """
        from openai import OpenAI
        from pydantic import BaseModel
        class Answer(BaseModel):
            text: str
        MODEL = "openai/gpt-oss-120b"
        def ask(client: OpenAI):
            return client.beta.chat.completions.parse(model=MODEL, messages=[], response_format=Answer)
        """,
        title=".parse() with a pydantic model, the model ID in a constant",
        line=7,
        message='model "openai/gpt-oss-120b" does not list "structured_outputs"',
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="paddlepaddle/paddleocr-vl-0.9b",
            messages=[],
            response_format={"type": "json_object"},
        )
        """,
        title="a model known to support no features",
        message="needed by response_format json_object",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v4-flash", messages=[], logprobs=True, top_logprobs=5
        )
        """,
        title="logprobs, reported once",
        line=3,
        message='"logprobs" in its supported_features, needed by logprobs;',
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model=os.getenv("LLM_MODEL", "google/gemma-4-26b-a4b-it"),
            messages=[],
            reasoning_effort="high",
        )
        """,
        title="reasoning_effort needs the parameter; the environment default is judged",
        line=4,
        message=(
            'when $LLM_MODEL is unset, model "google/gemma-4-26b-a4b-it" does not list '
            '"reasoning_effort" in its supported_parameters;'
        ),
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v3.2",
            messages=[],
            extra_body={"chat_template_kwargs": {"enable_thinking": True}},
        )
        """,
        title="thinking flags need the reasoning feature",
        line=3,
        message='needed by extra_body["chat_template_kwargs"] enable_thinking',
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is on this receipt?"},
                        {"type": "image_url", "image_url": {"url": "https://example.com/r.png"}},
                    ],
                }
            ],
        )
        """,
        title="an image part on a text-only model",
        line=3,
        message='does not list "image" in its input_modalities',
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": u}}]}],
            tools=[{"type": "function"}],
        )
        """,
        title="model-map's replacement is judged; everything the request uses is sought",
        line=3,
        message=(
            '"deepseek/deepseek-v4-flash" (what "gpt-4o-mini" becomes) does not list "image"'
            ' in its input_modalities, needed by "image_url" parts in messages; LLMBase'
            " rejects such requests (400 invalid_request_error). Models with everything this"
            ' request uses, cheapest first: "google/gemma-4-26b-a4b-it"'
        ),
    ),
)
