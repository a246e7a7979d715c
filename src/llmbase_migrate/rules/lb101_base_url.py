"""The client does not send its requests to LLMBase.

An ``OpenAI()``/``AsyncOpenAI()`` client without ``base_url`` talks to
api.openai.com, or to whatever ``$OPENAI_BASE_URL`` says: on LLMBase it needs
``base_url="https://api.llmbase.ai/v1"`` (the ``base-url`` setting). Literals,
constants of the module and environment reads are resolved:

- ``os.environ["LLMBASE_BASE_URL"]`` is fine: it cannot silently fall back;
- ``os.getenv("LLMBASE_BASE_URL", "https://api.llmbase.ai/v1")`` is fine;
- ``os.getenv("LLMBASE_BASE_URL")`` is reported: unset, it gives ``None`` and the
  SDK falls back to api.openai.com;
- a variable named for another vendor (``OPENAI_BASE_URL``, ``OPENROUTER_BASE_URL``)
  is reported whatever its default;
- an expression that cannot be known statically (``settings.base_url``) is not
  reported, unless its name is another vendor's (``settings.OPENROUTER_BASE_URL``).

A constructor that receives a ``**kwargs`` dict the analyzer cannot read is not
reported for a *missing* base URL: it may be in there.

The SDK's module-level client is configured with assignments
(``openai.base_url = ...``), checked where they are; uses of the module client are
not reported, because its configuration may live in another module. Two traps
there: ``openai.api_base`` is the pre-1.0 name that the 1.x SDK ignores, and
``openai.base_url`` must end with ``/`` because the module client joins paths
without adding one (``.../v1chat/completions``), unlike ``OpenAI(base_url=...)``.

A client whose base URL is LLMBase's agent API (``https://llmbase.ai/api/v1/agents``)
is deliberate and not reported. Azure clients are LB106's.

Fix: a missing ``base_url`` is added to the constructor (``base_url=
"https://api.llmbase.ai/v1"``, from the ``base-url`` setting), in the layout the
call already has. A string literal is rewritten where it is written, in its quote
style: at the call, in the ``os.getenv`` default, in the ``or`` fallback, or in a
constant of the module when every read of the constant is a base URL being fixed
to the same value. An unset ``os.getenv("LLMBASE_BASE_URL")`` gets the default.
These are safe, and so is ``base_url=None`` replaced. Anything else is replaced by
the literal at the call, which is unsafe: another vendor's variable, an expression
(``settings.OPENROUTER_BASE_URL``, an f-string), a constant also read elsewhere.
``openai.api_base = ...`` becomes ``openai.base_url = "https://api.llmbase.ai/v1/"``
and ``openai.base_url`` gets its trailing ``/`` (safe for literals; an environment
read is replaced, unsafe, since its value may lack the ``/``). No fix for a value
in a ``**`` dict defined away from the call (the dict may serve other calls) or an
assignment with several targets. ``with_options(base_url=...)`` is fixed like a
constructor; a missing base URL is never reported there (the client it derives
from has one).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ClientSetup,
    FieldOrigin,
    ModuleAssignment,
    ModuleFacts,
    OptionSite,
    Span,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.builders import change_string, string_literal, with_keyword
from llmbase_migrate.fixes.clients import environ_read, references_name, replace_expression
from llmbase_migrate.rules._judge import (
    base_url_problem,
    is_agent_url,
    module_selects_azure,
    openai_clients,
    placeholder_key,
    vendor_of,
)
from llmbase_migrate.rules.base import (
    Applicability,
    Edit,
    Fix,
    ImportChange,
    Invalid,
    Report,
    RuleContext,
    RuleSpec,
    Severity,
    Valid,
)

RULE = RuleSpec(
    code="LB101",
    name="base-url",
    summary="the client's base URL is missing or is not LLMBase's",
    severity=Severity.ERROR,
    fix=Applicability.SAFE,
)

_MESSAGE = "set base_url to LLMBase"


@dataclass(frozen=True, slots=True)
class _Problem:
    """A base URL to fix: where it is reported, and the value it must become."""

    span: Span
    message: str
    value_node: cst.BaseExpression
    value: Value
    wanted: str
    # the call or assignment the value belongs to
    holder: cst.CSTNode
    origin: FieldOrigin = FieldOrigin.KEYWORD
    # ``openai.api_base = ...``: the target whose attribute becomes ``base_url``
    rename: cst.Name | None = None
    refused: bool = False


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    source = facts.source
    problems: list[_Problem] = []
    for setup in openai_clients(facts.clients):
        base_url = setup.arguments.named("base_url")
        if base_url is None:
            if setup.site is OptionSite.CONSTRUCTOR and setup.arguments.complete:
                yield Report(
                    setup.span,
                    f"{setup.callee.rsplit('.', 1)[-1]}() has no base_url, so it calls "
                    f"api.openai.com (or $OPENAI_BASE_URL); set base_url={ctx.base_url!r}",
                    _add_base_url(source, setup, ctx) if source is not None else None,
                )
            continue
        problem = base_url_problem(base_url.value, ctx)
        if problem is not None:
            problems.append(
                _Problem(
                    base_url.span,
                    problem,
                    base_url.value_node,
                    base_url.value,
                    _wanted(base_url.value, ctx, module_client=False),
                    setup.node,
                    base_url.origin,
                )
            )
    if not module_selects_azure(facts) and not facts.module_client_endpoint_only:
        for assignment in facts.module_assignments:
            if assignment.attribute == "api_base":
                problems.append(
                    _Problem(
                        assignment.span,
                        "openai.api_base is the pre-1.0 setting, ignored by the 1.x SDK; "
                        f"write openai.base_url = {ctx.base_url.rstrip('/') + '/'!r}",
                        assignment.value_node,
                        assignment.value,
                        _wanted(assignment.value, ctx, module_client=True),
                        assignment.node,
                        rename=_api_base_name(assignment),
                        refused=len(assignment.node.targets) != 1,
                    )
                )
            elif assignment.attribute == "base_url":
                problem = base_url_problem(assignment.value, ctx, module_client=True)
                if problem is not None:
                    problems.append(
                        _Problem(
                            assignment.span,
                            problem,
                            assignment.value_node,
                            assignment.value,
                            _wanted(assignment.value, ctx, module_client=True),
                            assignment.node,
                            refused=len(assignment.node.targets) != 1,
                        )
                    )
    for item in problems:
        fix = None
        if source is not None and not item.refused:
            fix = _fix_value(source, item, problems)
        yield Report(item.span, item.message, fix)


def _wanted(value: Value, ctx: RuleContext, *, module_client: bool) -> str:
    """The base URL a value must become: LLMBase's, or the agent URL it names with
    the module client's trailing slash."""
    literal = value
    if value.kind is not ValueKind.STRING and value.default is not None:
        literal = value.default
    if literal.kind is ValueKind.STRING and is_agent_url(literal.text or ""):
        text = literal.text or ""
        return text.rstrip("/") + "/" if module_client else text
    return ctx.base_url.rstrip("/") + "/" if module_client else ctx.base_url


def _api_base_name(assignment: ModuleAssignment) -> cst.Name | None:
    if len(assignment.node.targets) != 1:
        return None
    target = assignment.node.targets[0].target
    if isinstance(target, cst.Attribute) and target.attr.value == "api_base":
        return target.attr
    return None


def _add_base_url(source: SourceMap, setup: ClientSetup, ctx: RuleContext) -> Fix | None:
    """Add ``base_url``; a placeholder key written in the call (``api_key="EMPTY"``)
    is replaced in the same edit, since LLMBase needs a real one (LB102 reports it,
    and two edits at the end of one call could not both apply in one round)."""
    call = setup.node
    add_imports: tuple[ImportChange, ...] = ()
    api_key = setup.arguments.named("api_key")
    if (
        api_key is not None
        and isinstance(api_key.node, cst.Arg)
        and isinstance(api_key.value_node, (cst.SimpleString, cst.ConcatenatedString))
        and placeholder_key(api_key.value) is not None
    ):
        read = environ_read(source, ctx.api_key_env, source.span(call).line)
        if read is not None:
            key = cst.parse_expression(read.code)
            call = call.with_changes(
                args=[
                    arg.with_changes(value=key) if arg is api_key.node else arg for arg in call.args
                ]
            )
            add_imports = read.add_imports
    new_call = with_keyword(call, "base_url", cst.SimpleString(string_literal(ctx.base_url)))
    edit = source.replace(setup.node, new_call)
    if edit is None:
        return None
    return Fix(Applicability.SAFE, _MESSAGE, (edit,), add_imports=add_imports)


def _fix_value(source: SourceMap, item: _Problem, problems: Sequence[_Problem]) -> Fix | None:
    """The fix making ``item``'s value hold ``item.wanted`` (see the module docs)."""
    if item.origin is not FieldOrigin.KEYWORD and not source.contains(item.holder, item.value_node):
        return None
    change = _value_edit(source, item, problems)
    if change is None:
        return None
    edit, safe = change
    edits = [] if edit is None else [edit]
    message = _MESSAGE
    if item.rename is not None:
        edits.append(source.replace_text(item.rename, "base_url"))
        message = "write openai.base_url instead of openai.api_base"
    if not edits:
        return None
    removed = (ImportChange("os"),) if not safe and references_name(item.value_node, "os") else ()
    return Fix(
        Applicability.SAFE if safe else Applicability.UNSAFE,
        message,
        tuple(edits),
        remove_imports=removed,
    )


def _value_edit(
    source: SourceMap, item: _Problem, problems: Sequence[_Problem]
) -> tuple[Edit | None, bool] | None:
    """The edit giving ``item`` its wanted value (None: the value is right already)
    and whether it is safe; None when no edit can be trusted."""
    value, node, wanted = item.value, item.value_node, item.wanted
    literal_code = string_literal(wanted)
    fixed_nodes = [
        other.value_node
        for other in problems
        if other is not item and other.wanted == wanted and not other.refused
    ]
    if value.kind is ValueKind.STRING:
        if value.text == wanted:
            return None, True
        change = change_string(source, node, value, wanted, fixed_nodes=fixed_nodes)
        if change is not None:
            return change.edit, change.in_place
        return _replaced(source, node, literal_code, safe=False)
    if value.kind is ValueKind.NONE:
        safe = isinstance(node, cst.Name) and node.value == "None"
        return _replaced(source, node, literal_code, safe=safe)
    if value.kind is ValueKind.ENV and item.rename is None and not vendor_of(value.env_var):
        # Keep reading the variable; what is wrong is its fallback.
        if value.default is not None and value.default.kind is ValueKind.NONE:
            edit = _with_default(source, node, literal_code)
            if edit is not None:
                return edit, True
        elif value.default is not None and value.default.kind is ValueKind.STRING:
            change = change_string(source, node, value, wanted, fixed_nodes=fixed_nodes)
            if change is not None:
                return change.edit, change.in_place
    if (
        value.kind is ValueKind.UNKNOWN
        and item.rename is None
        and value.default is not None
        and value.default.kind is ValueKind.STRING
        and value.default.text != wanted
    ):
        # ``cfg.base_url or "https://api.openai.com/v1"``: the fallback is wrong.
        change = change_string(source, node, value.default, wanted, fixed_nodes=fixed_nodes)
        if change is not None:
            return change.edit, change.in_place
    return _replaced(source, node, literal_code, safe=False)


def _replaced(
    source: SourceMap, node: cst.BaseExpression, code: str, *, safe: bool
) -> tuple[Edit, bool] | None:
    edit = replace_expression(source, node, code)
    return (edit, safe) if edit is not None else None


def _with_default(source: SourceMap, node: cst.BaseExpression, default: str) -> Edit | None:
    """``os.getenv("X")`` (or ``os.environ.get("X")``, ``os.getenv("X", None)``) with
    ``default`` as its fallback; None for any other shape."""
    if not isinstance(node, cst.Call) or not node.args or node.args[0].keyword is not None:
        return None
    if any(arg.star for arg in node.args):
        return None
    literal = cst.parse_expression(default)
    if len(node.args) == 1:
        first = node.args[0]
        new_args = [
            first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(literal, comma=first.comma),
        ]
        return source.replace(node, node.with_changes(args=new_args))
    if len(node.args) == 2:
        second = node.args[1]
        if (
            (second.keyword is None or second.keyword.value == "default")
            and isinstance(second.value, cst.Name)
            and second.value.value == "None"
        ):
            return source.replace(second.value, literal)
    return None


EXAMPLES = (
    Invalid(
        """
        import openai
        client = openai.OpenAI(api_key="API_KEY")
        """,
        title="a placeholder key goes in the same edit (LLMBase needs a real key)",
        line=2,
        message="has no base_url",
        fixed="""
        import openai
        import os

        client = openai.OpenAI(api_key=os.environ["LLMBASE_API_KEY"], base_url="https://api.llmbase.ai/v1")
        """,
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        def make_client(base_url=None, api_key=None):
            return OpenAI(base_url=base_url, api_key=api_key or os.environ["LLMBASE_API_KEY"])
        """,
        title="a parameter whose default is None is the caller's to set",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        class Gateway:
            def __init__(self, base_url: str = "https://openrouter.ai/api/v1"):
                self.base_url = base_url
                self.client = OpenAI(base_url=self.base_url, api_key=os.environ["LLMBASE_API_KEY"])
        """,
        title="a literal parameter default reached through self: fixed at the default",
        line=6,
        message="openrouter.ai",
        fixed="""
        import os
        from openai import OpenAI
        class Gateway:
            def __init__(self, base_url: str = "https://api.llmbase.ai/v1"):
                self.base_url = base_url
                self.client = OpenAI(base_url=self.base_url, api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Valid(
        """
        import openai
        class Narrator:
            def __init__(self):
                self.voice = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"])  # TTS only
            def speak(self, text):
                return self.voice.audio.speech.create(model="tts-1", voice="alloy", input=text)
        """,
        title="a client used only for an endpoint LLMBase does not serve stays on OpenAI",
    ),
    Valid(
        """
        import openai
        openai.api_base = "https://api.openai.com/v1"
        openai.Image.create(prompt="a cat")
        """,
        title="the module client used only for images stays on OpenAI",
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
        title="the documented setup",
    ),
    Valid(
        """
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("LLMBASE_BASE_URL", "https://api.llmbase.ai/v1"))
        """,
        title="an LLMBase-named variable defaulting to LLMBase",
    ),
    Valid(
        """
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        """,
        title="module client with the trailing slash",
    ),
    Valid(
        """
        from openai import OpenAI
        def make(settings):
            return OpenAI(base_url=settings.base_url)
        """,
        title="an expression that cannot be known",
    ),
    Valid(
        """
        from openai import OpenAI
        def make(**options):
            return OpenAI(**options)
        """,
        title="options passed through an unknown dict",
    ),
    Valid(
        """
        from langchain_openai import ChatOpenAI
        llm = ChatOpenAI(base_url="https://openrouter.ai/api/v1")
        """,
        title="LangChain is not the OpenAI SDK",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        """,
        title="no base_url at all",
        line=2,
        message="has no base_url",
        fixed="""
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1")
        """,
    ),
    Invalid(
        """
        from openai import AsyncOpenAI as Client
        OPENROUTER = "https://openrouter.ai/api/v1"
        client = Client(
            base_url=OPENROUTER,
        )
        """,
        title="a module constant naming another gateway",
        line=4,
        message="'https://openrouter.ai/api/v1', not LLMBase's",
        fixed="""
        from openai import AsyncOpenAI as Client
        OPENROUTER = "https://api.llmbase.ai/v1"
        client = Client(
            base_url=OPENROUTER,
        )
        """,
    ),
    Invalid(
        """
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("OPENAI_BASE_URL", "https://api.llmbase.ai/v1"))
        """,
        title="another vendor's variable",
        message="$OPENAI_BASE_URL",
        fixed="""
        import openai
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1")
        """,
    ),
    Invalid(
        """
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("LLMBASE_BASE_URL"))
        """,
        title="an env read that falls back to None",
        message="give it the default",
        fixed="""
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("LLMBASE_BASE_URL", "https://api.llmbase.ai/v1"))
        """,
    ),
    Invalid(
        """
        import openai
        openai.api_base = "https://api.llmbase.ai/v1"
        """,
        title="the pre-1.0 module setting",
        line=2,
        message="pre-1.0",
        fixed="""
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        """,
    ),
    Invalid(
        """
        import openai
        openai.base_url = "https://api.llmbase.ai/v1"
        """,
        title="module client without the trailing slash",
        message="trailing '/'",
        fixed="""
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        """,
    ),
    Valid(
        """
        import openai, os
        openai.api_type = "azure"
        openai.api_base = os.environ["AZURE_OPENAI_ENDPOINT"]
        """,
        title="module settings of an Azure module are LB106's",
    ),
    Invalid(
        """
        from openai import OpenAI
        HOST = "10.0.0.7"
        client = OpenAI(base_url=f"http://{HOST}:8000/v1")
        """,
        title="an f-string of constants",
        message="'http://10.0.0.7:8000/v1'",
        fixed="""
        from openai import OpenAI
        HOST = "10.0.0.7"
        client = OpenAI(base_url="https://api.llmbase.ai/v1")
        """,
    ),
    Invalid(
        """
        import os
        from openai import AsyncOpenAI
        endpoint = os.getenv("AZURE_OPENAI_ENDPOINT")
        client = AsyncOpenAI(base_url=f"{endpoint}/openai/v1/")
        """,
        title="an f-string around another vendor's setting",
        message="AZURE_OPENAI_ENDPOINT",
        fixed="""
        import os
        from openai import AsyncOpenAI
        endpoint = os.getenv("AZURE_OPENAI_ENDPOINT")
        client = AsyncOpenAI(base_url="https://api.llmbase.ai/v1")
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        def make(cfg):
            base_url = cfg.base_url or "https://api.openai.com/v1"
            return OpenAI(base_url=base_url)
        """,
        title="a fallback after or",
        line=4,
        message="when base_url is empty",
        fixed="""
        from openai import OpenAI
        def make(cfg):
            base_url = cfg.base_url or "https://api.llmbase.ai/v1"
            return OpenAI(base_url=base_url)
        """,
    ),
    Invalid(
        """
        import openai
        base = dict(base_url="http://localhost:8000/v1")
        client = openai.OpenAI(**base)
        """,
        title="a constructor keyword in a dict() splat",
        line=2,
        message="localhost",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            api_key=os.environ["LLMBASE_API_KEY"],
            timeout=30,  # seconds
        )
        """,
        title="no base_url in a multi-line call: added in its layout, comments stay",
        line=3,
        message="has no base_url",
        fixed="""
        import os
        from openai import OpenAI
        client = OpenAI(
            api_key=os.environ["LLMBASE_API_KEY"],
            timeout=30,  # seconds
            base_url="https://api.llmbase.ai/v1",
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(base_url='https://openrouter.ai/api/v1', timeout=30)
        """,
        title="a literal is rewritten in its quote style (safe)",
        message="'https://openrouter.ai/api/v1', not LLMBase's",
        fixed="""
        from openai import OpenAI
        client = OpenAI(base_url='https://api.llmbase.ai/v1', timeout=30)
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        UPSTREAM = "https://api.openai.com/v1"
        client = OpenAI(base_url=UPSTREAM)
        print("calling", UPSTREAM)
        """,
        title="a constant read elsewhere too: the call site is replaced (unsafe)",
        line=3,
        fixed="""
        from openai import OpenAI
        UPSTREAM = "https://api.openai.com/v1"
        client = OpenAI(base_url="https://api.llmbase.ai/v1")
        print("calling", UPSTREAM)
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        TOGETHER = "https://api.together.xyz/v1"
        chat = OpenAI(base_url=TOGETHER)
        embed = OpenAI(base_url=TOGETHER)
        """,
        title="a constant read only by base URLs being fixed is edited once",
        line=3,
        count=2,
        fixed="""
        from openai import OpenAI
        TOGETHER = "https://api.llmbase.ai/v1"
        chat = OpenAI(base_url=TOGETHER)
        embed = OpenAI(base_url=TOGETHER)
        """,
    ),
    Invalid(
        """
        import os
        import openai
        openai.api_base = os.environ["LLMBASE_BASE_URL"]
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        """,
        title="api_base from the environment: its value may lack the slash (unsafe)",
        message="pre-1.0",
        fixed="""
        import os
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        """,
    ),
    Invalid(
        """
        import openai
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1")
        fast = client.with_options(base_url=None, timeout=5)
        """,
        title="with_options is fixed like a constructor",
        message="base_url=None",
        fixed="""
        import openai
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1")
        fast = client.with_options(base_url="https://api.llmbase.ai/v1", timeout=5)
        """,
    ),
    Invalid(
        """
        import openai
        openai.api_base = base = "https://api.openai.com/v1"
        """,
        title="an assignment with several targets: no fix",
        message="pre-1.0",
    ),
)
