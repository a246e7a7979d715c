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

OpenRouter's request extensions go the same way: ``usage`` (LLMBase reports usage
on every response), ``include_reasoning`` and ``reasoning`` (LLMBase takes
``reasoning_effort``).

Found as keywords of the call, as keys of ``extra_body`` (a dict literal,
``dict(...)`` or a name bound to one), and as keys of a dict splatted with
``**params`` (including ``params["provider"] = ...`` and ``params.update(...)``
on that name). Only chat requests on the OpenAI SDK are checked: ``provider=`` on
any other call is not this.

Fix (safe): the fields are removed, keywords and ``extra_body`` entries alike, and
``extra_body`` goes when nothing is left in it. When the call has ``models=[...]``
but no ``model``, the first entry becomes ``model`` (unsafe: it picks one of the
fallbacks); ``reasoning={"effort": "high"}`` becomes ``reasoning_effort="high"``
(unsafe: the model must support it). A field of a ``**`` dict written in the module
(``params = {"provider": ...}`` or ``dict(provider=...)``, then ``create(**params)``)
is removed where the dict is written. Fields added by a later statement
(``params["provider"] = ...``) are reported without a fix.

Fix safety: removing a field is safe: LLMBase rejects the request with it. A field of
a ``**`` dict that something else reads too is removed by an unsafe fix (the other
reader may want it); promoting ``models`` to ``model`` and ``reasoning`` to
``reasoning_effort`` are unsafe, as said above.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from llmbase_migrate.analysis.facts import ChatCall, Field, FieldOrigin, ModuleFacts
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edits import (
    call_without_fields,
    is_mapping,
    remove_fields,
    with_keyword,
    without_entries,
)
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
    code="LB201",
    name="vendor-routing-field",
    summary="a gateway routing field (provider, models, route, plugins, ...) in a chat request",
    severity=Severity.ERROR,
    fix=Applicability.SAFE,
)

ROUTING_FIELDS = {
    "provider": "choose the LLMBase model ID instead",
    "models": "use one model ID; LLMBase fails over internally",
    "route": "use one model ID; LLMBase fails over internally",
    "plugins": "use LLMBase request fields such as tools or response_format",
    "transforms": "LLMBase has no prompt transforms",
    "debug": "it is not part of LLMBase's direct inference contract",
    # OpenRouter's request extensions, which LLMBase has its own way to express
    "usage": "LLMBase reports usage on every response, in a stream's final chunk too",
    "include_reasoning": "use reasoning_effort, or chat_template_kwargs thinking flags",
    "reasoning": "use reasoning_effort (low, medium, high) on models that support it",
}


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in migrating_calls(facts, ctx):
        routing = [field for field in request_fields(call) if field.name in ROUTING_FIELDS]
        if not routing:
            continue
        fixes = _fixes(facts.source, call, routing) if facts.source is not None else {}
        for field in routing:
            yield Report(
                field.span,
                f"{where(field)} is a gateway routing field LLMBase rejects; "
                f"remove it ({ROUTING_FIELDS[field.name]})",
                fixes.get(id(field)),
            )


def _fixes(source: SourceMap, call: ChatCall, routing: list[Field]) -> dict[int, Fix]:
    """One fix removing every removable routing field of the call, shared by their
    findings; ``models`` gets its own when it must become ``model``."""
    fixes: dict[int, Fix] = {}
    has_model = any(field.name == "model" for field in call.arguments.fields)
    promote = [
        field
        for field in routing
        if field.name == "models" and not has_model and call.arguments.complete
    ]
    effort = [
        field
        for field in routing
        if field.name == "reasoning"
        and _reasoning_effort(field) is not None
        and call.arguments.named("reasoning_effort") is None
        and call.arguments.complete
    ]
    removable = [
        field
        for field in routing
        if field not in promote
        and field not in effort
        and call_without_fields(call.node, [field]) is not None
    ]
    if removable:
        edit = remove_fields(source, call.node, removable)
        if edit is not None:
            names = ", ".join(sorted({field.name for field in removable}))
            shared = Fix(Applicability.SAFE, f"remove {names}", (edit,))
            fixes.update((id(field), shared) for field in removable)
    for field in routing:
        if field.origin is FieldOrigin.SPLAT and id(field) not in fixes:
            splat_fix = _remove_from_dict(source, call, field)
            if splat_fix is not None:
                fixes[id(field)] = splat_fix
    for field in promote[:1]:
        fix = _promote_first_model(source, call, field)
        if fix is not None:
            fixes[id(field)] = fix
    for field in effort[:1]:
        fix = _reasoning_to_effort(source, call, field)
        if fix is not None:
            fixes[id(field)] = fix
    return fixes


def _remove_from_dict(source: SourceMap, call: ChatCall, field: Field) -> Fix | None:
    """A field of a ``**`` dict, removed where the dict is written (``params =
    {...}`` or ``dict(...)`` in this module): safe when the request is the only place
    that reads the dict, unsafe when something else reads it too."""
    holder = source.binding_of(field.node)
    if holder is None:
        return None
    mapping = source.bound_value(holder)
    if not isinstance(mapping, (cst.Dict, cst.Call)) or not is_mapping(mapping):
        return None
    if not source.contains(mapping, field.node):
        return None
    elements = mapping.elements if isinstance(mapping, cst.Dict) else mapping.args
    element = next(
        (
            item
            for item in elements
            if (isinstance(item, cst.DictElement) and item.key is field.node)
            or (isinstance(item, cst.Arg) and item.keyword is field.node)
        ),
        None,
    )
    if element is None:
        return None
    edit = source.replace(mapping, without_entries(mapping, [element]))
    if edit is None:
        return None
    uses = source.uses_of(holder)
    only_here = uses is not None and all(source.contains(call.node, use) for use in uses)
    return Fix(
        Applicability.SAFE if only_here else Applicability.UNSAFE,
        f"remove {field.name} from {holder.value}",
        (edit,),
        reason=None
        if only_here
        else f"{holder.value} is read elsewhere too, where {field.name} may be wanted",
    )


def _reasoning_effort(field: Field) -> cst.BaseExpression | None:
    """The ``"effort"`` of an OpenRouter ``reasoning`` object that holds nothing else."""
    value = field.value_node
    if not isinstance(value, cst.Dict) or len(value.elements) != 1:
        return None
    (element,) = value.elements
    if (
        isinstance(element, cst.DictElement)
        and isinstance(element.key, cst.SimpleString)
        and element.key.evaluated_value == "effort"
        and isinstance(element.value, cst.SimpleString)
    ):
        return element.value
    return None


def _reasoning_to_effort(source: SourceMap, call: ChatCall, field: Field) -> Fix | None:
    """``extra_body={"reasoning": {"effort": "high"}}``: ``reasoning_effort="high"``
    (unsafe: the model must support it, which only the catalog can tell)."""
    effort = _reasoning_effort(field)
    without = call_without_fields(call.node, [field])
    if effort is None or without is None:
        return None
    edit = source.replace(call.node, with_keyword(without, "reasoning_effort", effort))
    if edit is None:
        return None
    return Fix(Applicability.UNSAFE, "pass the reasoning effort as reasoning_effort", (edit,))


def _promote_first_model(source: SourceMap, call: ChatCall, field: Field) -> Fix | None:
    """``models=[a, b]`` without ``model``: ``model=a``."""
    value = field.value_node
    if not isinstance(value, (cst.List, cst.Tuple)) or not value.elements:
        return None
    first = value.elements[0]
    if not isinstance(first, cst.Element):
        return None
    without = call_without_fields(call.node, [field])
    if without is None:
        return None
    edit = source.replace(call.node, with_keyword(without, "model", first.value))
    if edit is None:
        return None
    return Fix(Applicability.UNSAFE, "use the first entry of models as model", (edit,))


EXAMPLES = (
    Invalid(
        """
        import openai
        def ask(client: openai.OpenAI, prompt: str):
            params = dict(model="deepseek/deepseek-v4-flash", messages=[prompt], provider={"order": ["x"]})
            return client.chat.completions.create(**params)
        """,
        title="a field of a ** dict only the request reads: removed where the dict is written",
        line=3,
        message='"provider" in a ** dict',
        applicability=Applicability.SAFE,
        fixed="""
        import openai
        def ask(client: openai.OpenAI, prompt: str):
            params = dict(model="deepseek/deepseek-v4-flash", messages=[prompt])
            return client.chat.completions.create(**params)
        """,
    ),
    Invalid(
        """
        import logging, openai
        def ask(client: openai.OpenAI, prompt: str):
            params = {"model": "deepseek/deepseek-v4-flash", "messages": [prompt], "route": "fallback"}
            logging.info("request: %s", params)
            return client.chat.completions.create(**params)
        """,
        title="a ** dict read elsewhere too: the removal is unsafe",
        message='"route" in a ** dict',
        applicability=Applicability.UNSAFE,
        fixed="""
        import logging, openai
        def ask(client: openai.OpenAI, prompt: str):
            params = {"model": "deepseek/deepseek-v4-flash", "messages": [prompt]}
            logging.info("request: %s", params)
            return client.chat.completions.create(**params)
        """,
    ),
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
            messages=messages,  # the whole history
            provider={"order": ["deepinfra"]},
            extra_body={"debug": {"echo_upstream_body": True}, "top_k": 40},
        )
        """,
        title="keywords and extra_body entries together; comments stay",
        line=6,
        message="provider=",
        count=2,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-flash",
            messages=messages,  # the whole history
            extra_body={"top_k": 40},
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(messages=[], extra_body={"models": ["z-ai/glm-5.1", "qwen/qwen3-coder"]})
        """,
        title="models without model: the first entry becomes model (unsafe)",
        line=3,
        message='extra_body["models"]',
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(messages=[], model="z-ai/glm-5.1")
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-pro",
            messages=[],
            extra_body={"reasoning": {"effort": "high"}, "usage": {"include": True}},
        )
        """,
        title="OpenRouter's reasoning object becomes reasoning_effort (unsafe); usage goes",
        line=6,
        message='extra_body["reasoning"]',
        count=2,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="deepseek/deepseek-v4-pro",
            messages=[],
            reasoning_effort="high",
        )
        """,
    ),
    Invalid(
        """
        import openai
        def ask(client: openai.AsyncOpenAI, prompt: str):
            params = {"model": "deepseek/deepseek-v4-flash", "messages": [prompt]}
            params["route"] = "fallback"
            return client.chat.completions.create(**params)
        """,
        title="a key added to a ** dict: reported without a fix",
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
        fixed="""
        import openai
        class Bot:
            def __init__(self):
                self.client = openai.OpenAI()
            def reply(self, text):
                return self.client.chat.completions.create(model="m", messages=[])
        """,
    ),
)
