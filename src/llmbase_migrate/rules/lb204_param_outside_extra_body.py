"""A sampling or template parameter passed where the OpenAI SDK rejects it.

LLMBase accepts ``top_k``, ``min_p``, ``repetition_penalty`` and
``chat_template_kwargs``, but ``chat.completions.create()`` has no such keyword
arguments: the SDK raises ``TypeError`` before any request is sent. Pass them in
``extra_body``, which the SDK merges into the JSON body::

    client.chat.completions.create(..., extra_body={"top_k": 20})

The thinking flags ``enable_thinking``, ``thinking`` and ``preserve_thinking`` are
read from ``extra_body["chat_template_kwargs"]``: reported as keywords, in ``**``
dicts, and bare at the top level of ``extra_body``.

Fix (safe): the keywords move into ``extra_body``, all misplaced ones of a call
together: merged into an ``extra_body`` dict literal (or ``dict(...)`` call)
written at the call, or written as a new ``extra_body={...}`` where the first of
them stood. Thinking flags move into ``chat_template_kwargs`` inside
``extra_body`` (merged into a dict written there, or created). Reported without
a fix: fields in a ``**`` dict; an ``extra_body`` held in a name or built by an
expression; a call with a ``**`` dict that may already pass ``extra_body``; a key
``extra_body`` (or its ``chat_template_kwargs``) already holds, since which value
was meant cannot be known; and pre-1.0 ``openai.ChatCompletion.create`` calls,
which take these keywords as they are and have no ``extra_body`` (LB501 first).

Fix safety: safe. The SDK raises ``TypeError`` on these keywords, so no request
was sent before; after the fix the same values reach the same JSON body through
``extra_body``. Where a value already in ``extra_body`` would collide, there is no
fix.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from llmbase_migrate.analysis.facts import ChatCall, Field, FieldOrigin, ModuleFacts
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edits import (
    Mapping,
    dict_of,
    is_mapping,
    mapping_entry,
    mapping_keys,
    replace_node,
    with_entry_value,
    with_mapping_entries,
    without_arguments,
    without_entries,
)
from llmbase_migrate.rules._client_plan import migrating_calls
from llmbase_migrate.rules._judge import request_fields
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
    code="LB204",
    name="param-outside-extra-body",
    summary="top_k, min_p, repetition_penalty or chat_template_kwargs outside extra_body",
    severity=Severity.ERROR,
    fix=Applicability.SAFE,
)

EXTRA_BODY_PARAMS = frozenset({"top_k", "min_p", "repetition_penalty", "chat_template_kwargs"})
THINKING_FLAGS = frozenset({"enable_thinking", "thinking", "preserve_thinking"})
TEMPLATE_KWARGS = "chat_template_kwargs"


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for call in migrating_calls(facts, ctx):
        misplaced: list[tuple[Field, str]] = []
        for field in request_fields(call):
            direct = field.origin is not FieldOrigin.EXTRA_BODY
            how = f"{field.name}=" if field.origin is FieldOrigin.KEYWORD else f'"{field.name}"'
            if field.name in EXTRA_BODY_PARAMS and direct:
                message = (
                    f"the OpenAI SDK rejects {how} (TypeError); "
                    f'pass it as extra_body={{"{field.name}": ...}}'
                )
            elif field.name in THINKING_FLAGS and direct:
                message = (
                    f"the OpenAI SDK rejects {how} (TypeError); pass it as "
                    f'extra_body={{"chat_template_kwargs": {{"{field.name}": ...}}}}'
                )
            elif field.name in THINKING_FLAGS:
                message = (
                    f'LLMBase reads {field.name} from extra_body["chat_template_kwargs"], '
                    "not from the top level of extra_body"
                )
            else:
                continue
            misplaced.append((field, message))
        if not misplaced:
            continue
        fixes: dict[int, Fix] = {}
        if facts.source is not None and not call.legacy:
            fixes = _fixes(facts.source, call, [field for field, _ in misplaced])
        for field, message in misplaced:
            yield Report(field.span, message, fixes.get(id(field)))


def _fixes(source: SourceMap, call: ChatCall, misplaced: list[Field]) -> dict[int, Fix]:
    """One fix moving every movable misplaced field of the call, shared by their findings."""
    arguments = call.arguments
    holder_field = arguments.named("extra_body")
    holder: cst.Arg | None = None
    body: Mapping | None = None
    if holder_field is not None:
        value = holder_field.value_node
        if (
            holder_field.origin is not FieldOrigin.KEYWORD
            or not isinstance(holder_field.node, cst.Arg)
            or not is_mapping(value)
            or (isinstance(value, cst.Call) and not arguments.extra_body_complete)
        ):
            return {}
        assert isinstance(value, (cst.Dict, cst.Call))
        holder, body = holder_field.node, value
    elif not arguments.complete:
        return {}
    known = {field.name for field in arguments.fields if field.origin is FieldOrigin.EXTRA_BODY}

    to_body: list[Field] = []
    to_template: list[Field] = []
    for field in misplaced:
        if field.origin is FieldOrigin.KEYWORD and isinstance(field.node, cst.Arg):
            if field.name in THINKING_FLAGS:
                to_template.append(field)
            elif field.name not in known:
                to_body.append(field)
        elif (
            field.origin is FieldOrigin.EXTRA_BODY
            and body is not None
            and field.container is body
            and field.element is not None
        ):
            to_template.append(field)

    # Where the thinking flags go: a chat_template_kwargs keyword being moved, one
    # written in extra_body, or a new one (only when extra_body is known not to hold it).
    template: Mapping | None = None
    template_in_body: cst.CSTNode | None = None
    moved_template = next((field for field in to_body if field.name == TEMPLATE_KWARGS), None)
    if moved_template is not None:
        if is_mapping(moved_template.value_node):
            template = _as_mapping(moved_template.value_node)
    elif TEMPLATE_KWARGS in known:
        entry = mapping_entry(body, TEMPLATE_KWARGS) if body is not None else None
        if entry is not None and is_mapping(entry[1]):
            template_in_body, template = entry[0], _as_mapping(entry[1])
    elif arguments.extra_body_complete:
        template = dict_of([])
    template_keys = mapping_keys(template) if template is not None else None
    # A flag given twice (as a keyword and in extra_body) or already set: which
    # value was meant cannot be known.
    written = [field.name for field in to_template]
    flags = [
        field
        for field in to_template
        if template_keys is not None
        and field.name not in template_keys
        and written.count(field.name) == 1
    ]
    moved = [*to_body, *flags]
    if not moved:
        return {}

    flag_entries = [(field.name, field.value_node) for field in flags]
    body_entries: list[tuple[str, cst.BaseExpression]] = []
    for field in to_body:
        value = field.value_node
        if field is moved_template and flag_entries and template is not None:
            value = with_mapping_entries(template, flag_entries)
        body_entries.append((field.name, value))
    if flag_entries and moved_template is None and template is not None:
        if template_in_body is not None:
            assert body is not None
            body = with_entry_value(
                body, template_in_body, with_mapping_entries(template, flag_entries)
            )
        else:
            body_entries.append((TEMPLATE_KWARGS, with_mapping_entries(template, flag_entries)))

    keywords = [field.node for field in moved if field.origin is FieldOrigin.KEYWORD]
    keyword_ids = {id(node) for node in keywords}
    if body is not None and holder is not None:
        nested = [
            field.element
            for field in flags
            if field.origin is FieldOrigin.EXTRA_BODY and field.element is not None
        ]
        body = with_mapping_entries(without_entries(body, nested), body_entries)
        replaced, replacement = holder, holder.with_changes(value=body)
    else:
        replaced = next(arg for arg in call.node.args if id(arg) in keyword_ids)
        replacement = replaced.with_changes(
            keyword=cst.Name("extra_body"), value=dict_of(body_entries)
        )
        keywords = [node for node in keywords if node is not replaced]
    args = [replacement if arg is replaced else arg for arg in call.node.args]
    new_call = without_arguments(call.node.with_changes(args=args), keywords)
    edit = replace_node(source, call.node, new_call)
    if edit is None:
        return {}
    names = ", ".join(field.name for field in moved)
    fix = Fix(Applicability.SAFE, f"move {names} into extra_body", (edit,))
    return {id(field): fix for field in moved}


def _as_mapping(node: cst.BaseExpression) -> Mapping:
    assert isinstance(node, (cst.Dict, cst.Call))
    return node


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
        title="several keywords move together into a new extra_body",
        line=5,
        message="TypeError",
        count=2,
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m",
            messages=[],
            extra_body={"top_k": 40, "repetition_penalty": 1.05},
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], min_p=0.05, stream=True)
        """,
        title="extra_body takes the keyword's place",
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], extra_body={"min_p": 0.05}, stream=True)
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="qwen/qwen3-coder",
            messages=messages,  # newest last
            top_k=20,  # from the model card
            extra_body={
                "min_p": 0.05,
            },
            max_tokens=1024,
        )
        """,
        title="merged into an extra_body written at the call; comments stay",
        line=6,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model="qwen/qwen3-coder",
            messages=messages,  # newest last
            extra_body={
                "min_p": 0.05,
                "top_k": 20,
            },
            max_tokens=1024,
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m", messages=[], repetition_penalty=1.1, extra_body=dict(top_k=20)
        )
        """,
        title="merged into extra_body=dict(...)",
        line=3,
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m", messages=[], extra_body=dict(top_k=20, repetition_penalty=1.1)
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], extra_body={"enable_thinking": True})
        """,
        title="a thinking flag outside chat_template_kwargs",
        message='extra_body["chat_template_kwargs"]',
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], extra_body={"chat_template_kwargs": {"enable_thinking": True}})
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="google/gemma-4-26b-a4b-it",
            messages=[],
            enable_thinking=False,
            extra_body={"top_k": 20, "chat_template_kwargs": {"preserve_thinking": True}},
        )
        """,
        title="a thinking flag keyword joins chat_template_kwargs in extra_body",
        line=5,
        message="chat_template_kwargs",
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="google/gemma-4-26b-a4b-it",
            messages=[],
            extra_body={"top_k": 20, "chat_template_kwargs": {"preserve_thinking": True, "enable_thinking": False}},
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="google/gemma-4-26b-a4b-it",
            messages=[],
            chat_template_kwargs={"enable_thinking": True},
            thinking=True,
        )
        """,
        title="a flag joins a chat_template_kwargs keyword moved with it",
        line=5,
        count=2,
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="google/gemma-4-26b-a4b-it",
            messages=[],
            extra_body={"chat_template_kwargs": {"enable_thinking": True, "thinking": True}},
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        SAMPLING = {"min_p": 0.05}
        OpenAI().chat.completions.create(model="m", messages=[], top_k=40, extra_body=SAMPLING)
        """,
        title="an extra_body held in a name: reported without a fix",
        line=3,
    ),
    Invalid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, **options):
            return client.chat.completions.create(model="m", messages=[], top_k=40, **options)
        """,
        title="options that may already pass extra_body: reported without a fix",
        line=3,
    ),
    Invalid(
        """
        from openai import OpenAI
        params = {"model": "m", "messages": [], "top_k": 40}
        OpenAI().chat.completions.create(**params)
        """,
        title="inside a ** dict: reported without a fix",
        line=2,
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="m", messages=[], top_k=40, extra_body={"top_k": 20})
        """,
        title="extra_body already holds the key: which value was meant is unknown, no fix",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(
            model="m", messages=[], thinking=True, extra_body={"thinking": False}
        )
        """,
        title="a flag given twice: which value was meant is unknown, no fix",
        line=3,
        count=2,
    ),
    Invalid(
        """
        import openai
        openai.ChatCompletion.create(model="m", messages=[], top_k=40)
        """,
        title="a pre-1.0 call takes the keyword as it is: no fix before LB501's",
    ),
)
