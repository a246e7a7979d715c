"""A chat request's model ID that LLMBase does not serve under that name.

LLMBase answers ``404 Model not found`` for IDs that are not in its catalog
(``GET /v1/models``). Three kinds of ID are reported:

* IDs the configuration's ``model-map`` maps to another one (``"gpt-4o-mini" =
  "deepseek/deepseek-v4-flash"``): the project's own choice of replacement, so they
  are reported whatever the catalog says (mapping an ID to itself keeps it);
* documented renames: the catalog's list of former IDs, and Z.ai's models without
  a catalog (``zai-org/glm-5`` is now ``z-ai/glm-5``, and ``zai-org/<x>`` is
  ``z-ai/<x>`` when the catalog, if there is one, lists it);
* with a catalog, any other ID it does not list; the message names the closest
  IDs it does list (``llmbase-migrate models`` shows them all).

The model may be written at the call, in a module constant, as a literal default
of a parameter, or as the default of an environment read (``os.getenv("MODEL",
"gpt-4o-mini")``: what the request sends when the variable is unset). Pre-1.0
``openai.ChatCompletion.create`` calls are checked too. Models the code computes
at run time are not (LB303 lists them).

Where it is reported: where the ID is written: at the request, or at the constant,
parameter default, ``os.getenv`` default, constructor argument (``Bot(model=...)``
kept as ``self.model``) or field default it comes from, naming the request it
reaches, once for all the requests it reaches (even when the fix rewrites the
request instead, because the constant serves something else too). An ID written in another module is reported there when that
module is part of the run, else at the request with ``(set in path:line)``.

Fix (safe) for the first two kinds: the ID is rewritten to its replacement where
it is written: at the call, or in the constant (or ``os.getenv`` default) it comes
from when every use of that constant is the model of a call being fixed to the
same ID; otherwise the model at the call is replaced with the new ID and the
constant left alone. A model-map target the catalog does not list is still
written (the project chose it), and the message says so. Models that reach the
call through a ``**`` dict, or from an environment read whose constant is used
elsewhere too, are reported without a fix; so are IDs merely missing from the
catalog, since a close match is a guess.

Fix safety: safe when the new ID is the project's own ``model-map`` choice or a
documented rename, written where the ID is written (the call, or a constant read
only by requests being fixed to the same ID): every request that sent the old ID
sends the new one, nothing else changes. Unsafe when the ID comes through an
attribute (``config.model``) and the fix writes the new ID at the call: the
attribute may hold something else at run time, and the call no longer reads it.
No fix for a choice or fallback chain (``model or DEFAULT``), which a literal at
the call would cut short.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ChatCall,
    Field,
    FieldOrigin,
    ModuleFacts,
    SourceLocation,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edits import change_string, string_literal
from llmbase_migrate.rules._capabilities import sent_models
from llmbase_migrate.rules._client_plan import migrating_calls
from llmbase_migrate.rules._sources import merge_reaches, reaches
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
    code="LB301",
    name="unknown-model",
    summary="a model ID LLMBase does not serve (not in the catalog, renamed, or in model-map)",
    severity=Severity.ERROR,
    fix=Applicability.SAFE,
)

# Documented renames of model ID prefixes: old prefix -> current prefix.
RENAMED_PREFIXES: Mapping[str, str] = {"zai-org/": "z-ai/"}


@dataclass(frozen=True, slots=True)
class Replacement:
    """The ID to send instead of a model ID, and why (a message clause)."""

    model: str
    reason: str


def replacement_for(model: str, ctx: RuleContext) -> Replacement | None:
    """What to send instead of ``model``, or None when nothing is known against it.

    The one place that decides (LB302 and LB205 judge the replacement, since that
    is what the request will send once LB301's fix is applied). ``model-map`` comes
    first, whatever the catalog says: the user asked. Then the catalog's renames,
    then the documented prefix renames, which with a catalog apply only to IDs it
    does not list and only when it lists the new ID.
    """
    catalog = ctx.catalog
    mapped = ctx.model_map.get(model)
    if mapped is not None:
        if mapped == model:
            return None
        reason = f'model-map maps it to "{mapped}"'
        if catalog is not None and mapped not in catalog:
            reason += ", which LLMBase's catalog does not list either"
        return Replacement(mapped, reason)
    if catalog is not None:
        if model in catalog:
            return None
        renamed = catalog.renames.get(model)
        if renamed is not None and renamed != model:
            reason = f'it is a former LLMBase ID, now "{renamed}"'
            if renamed not in catalog:
                reason += ", which LLMBase's catalog does not list either"
            return Replacement(renamed, reason)
    for old, new in RENAMED_PREFIXES.items():
        if model.startswith(old) and len(model) > len(old):
            target = new + model[len(old) :]
            if catalog is None or target in catalog:
                return Replacement(target, f'it is a former LLMBase ID, now "{target}"')
    return None


def unknown_reason(model: str, ctx: RuleContext) -> str | None:
    """Why ``model``, which has no replacement, is wrong: the catalog does not list
    it (with the closest IDs it does list). None without a catalog or when listed."""
    catalog = ctx.catalog
    if catalog is None or model in catalog or ctx.model_map.get(model) == model:
        return None
    reason = "LLMBase's model catalog does not list it (the API answers 404 Model not found)"
    closest = catalog.closest(model)
    if closest:
        return reason + "; closest: " + ", ".join(f'"{candidate}"' for candidate in closest)
    return reason + "; see llmbase-migrate models for the IDs it lists"


@dataclass(frozen=True, slots=True)
class _ModelUse:
    call: ChatCall
    field: Field
    model: str
    # the ID to write instead (a fix), if one is known
    replacement: Replacement | None
    reason: str
    # how the ID reaches the request, for the message ("" when written as a string)
    condition: str
    # the literal to rewrite for a fallback written at the call (``cfg.model or "x"``)
    fallback: cst.CSTNode | None = None
    # written in another module: reported there (and fixed by hand), not at the call
    location: SourceLocation | None = None
    # the value the ID comes from: the field's, or one of its alternatives
    value: Value | None = None
    # the literal the ID is written in, when it is in this module
    literal: cst.CSTNode | None = None


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    uses = list(_model_uses(migrating_calls(facts, ctx), ctx))
    reports = []
    for use in uses:
        fix = None
        if facts.source is not None and use.location is None:
            fix = _fix(facts.source, use, uses)
        where = f" (set in {use.location})" if use.location is not None else ""
        message = (
            f'{use.condition}model "{use.model}"{where} is not the LLMBase model ID to use: '
            f"{use.reason}"
        )
        span = use.field.span
        literal = use.literal
        if (
            facts.source is not None
            and literal is not None
            and use.location is None
            and not facts.source.contains(use.field.value_node, literal)
        ):
            # ``MODEL = "gpt-4o"`` read by the request: reported at the constant (the
            # fix may edit the request instead, when the constant serves others too)
            span = facts.source.span(literal)
            message += reaches((span,), use.field.span, "the request")
        reports.append(Report(span, message, fix, source=use.location))
    yield from merge_reaches(reports)


def _model_uses(calls: Sequence[ChatCall], ctx: RuleContext) -> Iterator[_ModelUse]:
    for call in calls:
        for sent in sent_models(call):
            replacement = replacement_for(sent.model, ctx)
            reason = (
                replacement.reason if replacement is not None else unknown_reason(sent.model, ctx)
            )
            if reason is not None:
                yield _ModelUse(
                    call,
                    sent.field,
                    sent.model,
                    replacement,
                    reason,
                    sent.condition,
                    sent.fallback,
                    sent.location,
                    sent.value,
                    sent.literal,
                )


def _fix(source: SourceMap, use: _ModelUse, uses: Sequence[_ModelUse]) -> Fix | None:
    if use.replacement is None:
        return None
    field, target = use.field, use.replacement.model
    if field.origin is not FieldOrigin.KEYWORD:
        return None
    message = f'use "{target}"'
    if use.fallback is not None:
        # ``cfg.model or "gpt-4o"``: only a fallback written at the call is rewritten.
        if not isinstance(use.fallback, cst.SimpleString) or not source.contains(
            field.value_node, use.fallback
        ):
            return None
        edit = source.replace_text(use.fallback, string_literal(target, use.fallback))
        return Fix(Applicability.SAFE, message, (edit,))
    same_target = [
        other.field.value_node
        for other in uses
        if other.replacement is not None
        and other.replacement.model == target
        and other.field.origin is FieldOrigin.KEYWORD
        and other.fallback is None
        and other is not use
    ]
    value = use.value if use.value is not None else field.value
    change = change_string(source, field.value_node, value, target, fixed_nodes=same_target)
    if change is None:
        return None
    if not change.in_place and field.value.kind is not ValueKind.STRING:
        # replacing a choice or a fallback chain whole would drop its other branches
        return None
    if not change.in_place and not isinstance(field.value_node, (cst.Name, cst.SimpleString)):
        # ``config.model`` may be set otherwise at run time than the code shows
        written = cst.Module([]).code_for_node(field.value_node)
        return Fix(
            Applicability.UNSAFE,
            message,
            (change.edit,),
            reason=f"{written} is no longer read here",
        )
    return Fix(Applicability.SAFE, message, (change.edit,))


EXAMPLES = (
    Valid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        OpenAI().chat.completions.create(model=os.environ["LLM_MODEL"], messages=[])
        """,
        title="a model read from the environment without a default",
    ),
    Valid(
        """
        import litellm
        litellm.completion(model="gpt-4o-mini", messages=[])
        """,
        title="not the OpenAI SDK",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="gpt-4o-mini", messages=[])
        """,
        title="a literal mapped by model-map",
        message='model-map maps it to "deepseek/deepseek-v4-flash"',
        fixed="""
        from openai import OpenAI
        OpenAI().chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model='zai-org/glm-5',  # the coding model
            messages=[],
        )
        """,
        title="the documented rename, quotes and comment kept",
        line=4,
        message='former LLMBase ID, now "z-ai/glm-5"',
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model='z-ai/glm-5',  # the coding model
            messages=[],
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        CLASSIFIER_MODEL = "openai/gpt-4o"
        def classify(client: OpenAI, text):
            return client.chat.completions.create(model=CLASSIFIER_MODEL, messages=[text])
        """,
        title="a constant used once is changed where it is defined",
        line=2,
        fixed="""
        from openai import OpenAI
        CLASSIFIER_MODEL = "z-ai/glm-5.1"
        def classify(client: OpenAI, text):
            return client.chat.completions.create(model=CLASSIFIER_MODEL, messages=[text])
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        MODEL = "gpt-4o-mini"
        client.chat.completions.create(model=MODEL, messages=[])
        client.chat.completions.create(model=MODEL, messages=[], stream=True)
        """,
        title="a constant every use of which is fixed to the same ID",
        line=3,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        MODEL = "deepseek/deepseek-v4-flash"
        client.chat.completions.create(model=MODEL, messages=[])
        client.chat.completions.create(model=MODEL, messages=[], stream=True)
        """,
    ),
    Invalid(
        """
        import tiktoken
        from openai import OpenAI
        client = OpenAI()
        MODEL = "gpt-4o-mini"
        encoding = tiktoken.encoding_for_model(MODEL)
        client.chat.completions.create(model=MODEL, messages=[])
        """,
        title="a constant another call uses too stays; the chat call gets the new ID",
        line=4,
        fixed="""
        import tiktoken
        from openai import OpenAI
        client = OpenAI()
        MODEL = "gpt-4o-mini"
        encoding = tiktoken.encoding_for_model(MODEL)
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model=os.getenv("LLM_MODEL", "gpt-4o-mini"),
            messages=[],
        )
        """,
        title="the default of an environment read",
        line=5,
        message='when $LLM_MODEL is unset, model "gpt-4o-mini"',
        fixed="""
        import os
        from openai import OpenAI
        client = OpenAI()
        client.chat.completions.create(
            model=os.getenv("LLM_MODEL", "deepseek/deepseek-v4-flash"),
            messages=[],
        )
        """,
    ),
    Invalid(
        """
        import os
        import openai
        MODEL = os.getenv("LLM_MODEL", "zai-org/glm-5")
        reply = openai.ChatCompletion.create(model=MODEL, messages=[])
        """,
        title="an environment default in a constant, on a pre-1.0 call",
        line=3,
        fixed="""
        import os
        import openai
        MODEL = os.getenv("LLM_MODEL", "z-ai/glm-5")
        reply = openai.ChatCompletion.create(model=MODEL, messages=[])
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, settings):
            return client.chat.completions.create(model=settings.model or "openai/gpt-4o", messages=[])
        """,
        title="a fallback written at the call",
        line=3,
        message="when model is empty",
        fixed="""
        from openai import OpenAI
        def ask(client: OpenAI, settings):
            return client.chat.completions.create(model=settings.model or "z-ai/glm-5.1", messages=[])
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        MODEL = "gpt-4o-mini"
        client.chat.completions.create(model=MODEL, messages=[])
        client.chat.completions.create(**{"model": MODEL, "messages": []})
        """,
        title="the constant also reaches a ** dict: the call is fixed, the dict is not",
        line=3,
        count=2,
        fixed="""
        from openai import OpenAI
        client = OpenAI()
        MODEL = "gpt-4o-mini"
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        client.chat.completions.create(**{"model": MODEL, "messages": []})
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        MODEL = os.getenv("LLM_MODEL", "gpt-4o-mini")
        print(f"chatting with {MODEL}")
        OpenAI().chat.completions.create(model=MODEL, messages=[])
        """,
        title="an environment read used elsewhere too: reported without a fix",
        line=3,
    ),
    Invalid(
        """
        from openai import OpenAI
        params = {"model": "gpt-4o-mini", "messages": []}
        OpenAI().chat.completions.create(**params)
        """,
        title="inside a ** dict: reported without a fix",
        line=2,
    ),
    Valid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, text: str, model: str = "google/gemma-4-26b-a4b-it"):
            return client.chat.completions.create(model=model, messages=[text])
        """,
        title="a parameter default the catalog lists",
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="deepseek/deepseek-v4", messages=[])
        """,
        title="an ID the catalog does not list: the closest IDs, no fix",
        message=(
            'model "deepseek/deepseek-v4" is not the LLMBase model ID to use: LLMBase\'s model'
            " catalog does not list it (the API answers 404 Model not found); closest:"
            ' "deepseek/deepseek-v3.2", "deepseek/deepseek-v4-flash"'
        ),
    ),
    Invalid(
        """
        from openai import OpenAI
        def ask(client: OpenAI, text: str, model: str = "gemma-3-27b-it"):
            return client.chat.completions.create(model=model, messages=[text])
        """,
        title="a parameter default the catalog does not list",
        line=2,
        message='closest: "google/gemma-4-26b-a4b-it"',
    ),
    Invalid(
        """
        from openai import OpenAI
        OpenAI().chat.completions.create(model="claude-3-5-sonnet", messages=[])
        """,
        title="nothing close: where to find the IDs",
        message="see llmbase-migrate models",
    ),
    Invalid(
        """
        from openai import OpenAI
        class Bot:
            def __init__(self, model):
                self.model = model
                self.client = OpenAI()
            def ask(self, text):
                return self.client.chat.completions.create(model=self.model, messages=[text])
        bot = Bot(model="gpt-4o")
        """,
        title="a constructor argument kept on self",
        line=8,
        message='model "gpt-4o"',
    ),
    Valid(
        """
        import sys
        from openai import OpenAI
        class Bot:
            def __init__(self, model):
                self.model = model
                self.client = OpenAI()
            def ask(self, text):
                return self.client.chat.completions.create(model=self.model, messages=[text])
        bot = Bot(model=sys.argv[1])
        """,
        title="a constructor argument not known statically",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        def ask(text, model=None):
            if model is None:
                model = "gpt-4o"
            return client.chat.completions.create(model=model, messages=[text])
        """,
        title="a default filled in when the parameter is None",
        line=5,
        message='model "gpt-4o"',
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        def ask(text, model=None):
            model = model or "gpt-4o"
            return client.chat.completions.create(model=model, messages=[text])
        """,
        title="a parameter rebound by its own fallback",
        line=4,
        message='when model is empty, model "gpt-4o"',
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI()
        DEFAULT_MODEL = os.getenv("CHAT_MODEL") or "gpt-4o-mini"
        def ask(text, model=None):
            return client.chat.completions.create(model=model or DEFAULT_MODEL, messages=[text])
        """,
        title="a chain of fallbacks: the literal at its end",
        line=4,
        message='when model is empty and $CHAT_MODEL is unset, model "gpt-4o-mini"',
    ),
    Invalid(
        """
        from openai import OpenAI
        class AppConfig:
            def __init__(self):
                self.model = "openai/gpt-4o"
        def run(client: OpenAI, config: AppConfig, text):
            return client.chat.completions.create(model=config.model, messages=[text])
        """,
        title="an instance attribute, through a parameter annotated with its class (unsafe)",
        line=4,
        message='model "openai/gpt-4o"',
        applicability=Applicability.UNSAFE,
        fixed="""
        from openai import OpenAI
        class AppConfig:
            def __init__(self):
                self.model = "openai/gpt-4o"
        def run(client: OpenAI, config: AppConfig, text):
            return client.chat.completions.create(model="z-ai/glm-5.1", messages=[text])
        """,
    ),
    Invalid(
        """
        from dataclasses import dataclass
        from openai import OpenAI
        @dataclass
        class Adapter:
            model: str
            def ask(self, text):
                return OpenAI().chat.completions.create(model=self.model, messages=[text])
        def build(model=None):
            return Adapter(model=model or "gpt-4o")
        """,
        title="a dataclass field, as the module's constructions set it",
        line=9,
        message='when model is empty, model "gpt-4o"',
    ),
    Valid(
        """
        from dataclasses import dataclass
        from openai import OpenAI
        @dataclass
        class Adapter:
            model: str = "gpt-4o"
            def ask(self, text):
                return OpenAI().chat.completions.create(model=self.model, messages=[text])
        adapter = Adapter("google/gemma-4-26b-a4b-it")
        """,
        title="a dataclass built by position: which field is set is not read",
    ),
    Valid(
        """
        from dataclasses import dataclass
        from openai import OpenAI
        @dataclass
        class Settings:
            model: str = "gpt-4o"
        settings = Settings("google/gemma-4-26b-a4b-it")
        OpenAI().chat.completions.create(model=settings.model, messages=[])
        """,
        title="a field default an instance may override by position: not known",
    ),
)
