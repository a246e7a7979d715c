"""A secret is written in the source.

A literal that looks like a real key (a known prefix such as ``sk-``, ``sk-or-v1-``,
``llmbase_``, ``gsk_`` followed by enough characters, or a long opaque token) as
``api_key=``, as ``openai.api_key = ...``, as the default of an environment read,
or in an ``Authorization: Bearer ...`` header of ``default_headers``/
``extra_headers``. Read it from ``os.environ["LLMBASE_API_KEY"]`` instead, and
rotate the leaked key. Placeholders (``"EMPTY"``, ``"x"``, ``"ollama"``,
``"<KEY>"``, ``"sk-..."``, ``"your-api-key"``) are not secrets.

The key is never printed whole: messages show it masked (``sk-p…gH``).

Fix (unsafe: the program then needs ``$LLMBASE_API_KEY`` set): the value holding
the literal becomes ``os.environ["LLMBASE_API_KEY"]`` (the ``api-key-env``
setting), adding ``import os`` when needed; an environment read with the key as its
default is replaced whole (a default is evaluated even when the variable is set, so
``os.getenv("X", os.environ[...])`` would raise). A key in a constant of the module
is replaced in the constant's definition when every read of the constant is a key
being fixed; a constant read anywhere else gets no fix, since replacing the call
alone would leave the key in the source. A Bearer header literal written at the
call becomes ``"Bearer " + os.environ["LLMBASE_API_KEY"]``. The removed key is
masked in diffs and never appears in the fix's message. No fix on an Azure client
(its key is not an LLMBase key: LB106 replaces the client, key included), for a
chat-agent key on a client of the agent API, when ``os`` is bound to anything but
the os module in the module, or for a key in a ``**`` dict defined away from the
call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ClientKind,
    FieldOrigin,
    ModuleFacts,
    Span,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.analysis.visitor import Visitor
from llmbase_migrate.fixes.builders import string_literal
from llmbase_migrate.fixes.clients import environ_read, replace_expression, secrets_in
from llmbase_migrate.rules._judge import is_agent_url, openai_clients
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
from llmbase_migrate.secrets import is_chat_agent_key, looks_like_secret, mask

RULE = RuleSpec(
    code="LB103",
    name="hardcoded-api-key",
    summary="an API key is written as a literal in the source",
    severity=Severity.ERROR,
    fix=Applicability.UNSAFE,
)

_BEARER = re.compile(r"\s*bearer\s+", re.I)


@dataclass(frozen=True, slots=True)
class _Leak:
    """A key-holding value: ``value_node`` at the call or assignment, and ``literal``
    the string node holding the key (there, or in a constant)."""

    span: Span
    text: str
    value_node: cst.BaseExpression
    literal: cst.CSTNode | None
    # False when the position itself rules out a fix
    fixable: bool


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    leaks: list[_Leak] = []
    agent_module = any(
        assignment.attribute in ("base_url", "api_base")
        and assignment.value.kind is ValueKind.STRING
        and is_agent_url(assignment.value.text or "")
        for assignment in facts.module_assignments
    )
    for setup in facts.clients:
        api_key = setup.arguments.named("api_key")
        if api_key is None:
            continue
        text = _secret(api_key.value)
        if text is None:
            continue
        base_url = setup.arguments.named("base_url")
        agent_client = (
            base_url is not None
            and base_url.value.kind is ValueKind.STRING
            and is_agent_url(base_url.value.text or "")
        )
        fixable = (
            setup.kind is ClientKind.OPENAI
            # a TTS or image client keeps its provider: LLMBase's variable is wrong there
            and not setup.endpoint_only
            and not (agent_client and is_chat_agent_key(text))
            and (
                api_key.origin is FieldOrigin.KEYWORD
                or (
                    facts.source is not None
                    and facts.source.contains(setup.node, api_key.value_node)
                )
            )
        )
        leaks.append(
            _Leak(api_key.span, text, api_key.value_node, _literal(api_key.value), fixable)
        )
    for assignment in facts.module_assignments:
        if assignment.attribute == "api_key":
            text = _secret(assignment.value)
            if text is None:
                continue
            fixable = len(assignment.node.targets) == 1 and not (
                agent_module and is_chat_agent_key(text)
            )
            leaks.append(
                _Leak(
                    assignment.span,
                    text,
                    assignment.value_node,
                    _literal(assignment.value),
                    fixable,
                )
            )
    for leak in leaks:
        fix = None
        if facts.source is not None and leak.fixable:
            fix = _fix(facts.source, leak, leaks, ctx)
        yield Report(
            leak.span,
            f"hardcoded API key ({mask(leak.text)}); read it from "
            f"os.environ[{ctx.api_key_env!r}] and rotate the leaked key",
            fix,
        )
    for header in facts.header_secrets:
        if looks_like_secret(header.value):
            fix = None
            if facts.source is not None:
                fix = _header_fix(facts, facts.source, header.span, header.value, ctx)
            yield Report(
                header.span,
                f"the Authorization header holds a hardcoded key ({mask(header.value)}); "
                f"build it from os.environ[{ctx.api_key_env!r}]",
                fix,
            )


def _secret(value: Value) -> str | None:
    """The key a value holds: a literal, or an environment read's literal default."""
    literal = value
    if value.kind is ValueKind.ENV and value.default is not None:
        literal = value.default
    if literal.kind is ValueKind.STRING and looks_like_secret(literal.text or ""):
        return literal.text or ""
    return None


def _literal(value: Value) -> cst.CSTNode | None:
    if value.kind is ValueKind.ENV and value.default is not None:
        return value.default.origin
    return value.origin


def _fix(source: SourceMap, leak: _Leak, leaks: Sequence[_Leak], ctx: RuleContext) -> Fix | None:
    literal = leak.literal
    if not isinstance(literal, (cst.SimpleString, cst.ConcatenatedString)):
        return None  # an f-string of constants, say: the key is not in one place
    if source.contains(leak.value_node, literal):
        target: cst.BaseExpression = leak.value_node
    else:
        target_or_none = _constant_value(source, leak, leaks, literal)
        if target_or_none is None:
            return None
        target = target_or_none
    read = environ_read(source, ctx.api_key_env, source.span(target).line)
    if read is None:
        return None
    edit = replace_expression(source, target, read.code)
    if edit is None:
        return None
    return Fix(
        Applicability.UNSAFE,
        f"read the key from ${ctx.api_key_env}",
        (edit,),
        add_imports=read.add_imports,
        secrets=tuple(dict.fromkeys((leak.text, *secrets_in(literal)))),
    )


def _constant_value(
    source: SourceMap, leak: _Leak, leaks: Sequence[_Leak], literal: cst.CSTNode
) -> cst.BaseExpression | None:
    """The value bound to the constant holding the key, when the value at the call is
    that constant and every read of it is a key being fixed."""
    if not isinstance(leak.value_node, cst.Name):
        return None
    target = source.binding_of(literal)
    if target is None or target.value != leak.value_node.value:
        return None
    uses = source.uses_of(target)
    if uses is None or leak.value_node not in uses:
        return None
    fixed = [other.value_node for other in leaks if other.fixable]
    if not all(any(source.contains(node, use) for node in fixed) for use in uses):
        return None
    return _bound_value(source.module, target)


def _bound_value(module: cst.Module, target: cst.Name) -> cst.BaseExpression | None:
    """The value assigned to the name node ``target`` (``target = value``)."""
    finder = _BoundValueFinder(target)
    module.visit(finder)
    return finder.value


class _BoundValueFinder(Visitor):
    def __init__(self, target: cst.Name) -> None:
        super().__init__()
        self.target = target
        self.value: cst.BaseExpression | None = None

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and node.targets[0].target is self.target:
            self.value = node.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.target is self.target:
            self.value = node.value


def _header_fix(
    facts: ModuleFacts, source: SourceMap, span: Span, text: str, ctx: RuleContext
) -> Fix | None:
    """``"Bearer sk-..."`` written in a call's headers -> ``"Bearer " + os.environ[...]``."""
    holders = [setup.node for setup in openai_clients(facts.clients)]
    if not is_chat_agent_key(text):
        # a chat call's client may be the agent API's, where this key belongs
        holders += [call.node for call in facts.chat_calls]
    literal = _string_at(source, holders, span)
    if literal is None:
        return None
    read = environ_read(source, ctx.api_key_env, span.line)
    if read is None:
        return None
    bearer = _BEARER.match(text)
    code = read.code
    if bearer is not None:
        code = f"{string_literal(bearer.group(0), literal)} + {read.code}"
    edit = replace_expression(source, literal, code)
    if edit is None:
        return None
    return Fix(
        Applicability.UNSAFE,
        f"read the key from ${ctx.api_key_env}",
        (edit,),
        add_imports=read.add_imports,
        secrets=tuple(dict.fromkeys((text, *secrets_in(literal)))),
    )


def _string_at(
    source: SourceMap, holders: Sequence[cst.CSTNode], span: Span
) -> cst.SimpleString | None:
    """The plain string literal at ``span`` inside one of ``holders``."""
    for holder in holders:
        holder_span = source.span(holder)
        if not (
            (holder_span.line, holder_span.column)
            <= (span.line, span.column)
            < (holder_span.end_line, holder_span.end_column)
        ):
            continue
        finder = _StringFinder(source, span)
        holder.visit(finder)
        if finder.found is not None:
            return finder.found
    return None


class _StringFinder(Visitor):
    def __init__(self, source: SourceMap, span: Span) -> None:
        super().__init__()
        self.source = source
        self.span = span
        self.found: cst.SimpleString | None = None

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.found is None and self.source.span(node) == self.span and not node.prefix:
            self.found = node


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Valid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")
        """,
        title="a placeholder is not a secret",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key="sk-or-v1-0123456789abcdef0123456789abcdef",
        )
        """,
        title="an OpenRouter key",
        line=4,
        message="sk-o…ef",
        fixed="""
        from openai import OpenAI
        import os

        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        """,
    ),
    Invalid(
        """
        import openai
        KEY = "llmbase_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
        openai.api_key = KEY
        """,
        title="a module constant on the module client",
        line=3,
        fixed="""
        import openai
        import os

        KEY = os.environ["LLMBASE_API_KEY"]
        openai.api_key = KEY
        """,
    ),
    Invalid(
        """
        import openai
        client = openai.OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key="unused",
            default_headers={"Authorization": "Bearer sk-proj-AbCdEfGhIjKlMnOpQrStUvWx"},
        )
        """,
        title="a Bearer header",
        line=5,
        message="Authorization header",
        fixed="""
        import openai
        import os

        client = openai.OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key="unused",
            default_headers={"Authorization": "Bearer " + os.environ["LLMBASE_API_KEY"]},
        )
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.getenv("OPENAI_API_KEY", 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123'),
        )
        """,
        title="the default of an environment read: the read is replaced whole",
        line=5,
        fixed="""
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123"
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=KEY)
        print(KEY[:4])
        """,
        title="a constant read elsewhere too: no fix (the key would stay in the source)",
        line=3,
    ),
    Invalid(
        """
        from openai import AzureOpenAI
        client = AzureOpenAI(
            azure_endpoint="https://acme.openai.azure.com",
            api_key="0123456789abcdef0123456789abcdef",
            api_version="2024-06-01",
        )
        """,
        title="an Azure client: no fix (LB106 replaces it, key included)",
        line=4,
    ),
)
