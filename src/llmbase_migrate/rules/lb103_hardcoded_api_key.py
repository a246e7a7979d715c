"""A secret is written in the source.

A literal that looks like a real key (a known prefix such as ``sk-``, ``sk-or-v1-``,
``llmbase_``, ``gsk_`` followed by enough characters, or a long random-looking token:
hex, base64, a UUID) as
``api_key=``, as ``openai.api_key = ...``, as the default of an environment read,
or in an ``Authorization: Bearer ...`` header of ``default_headers``/
``extra_headers``. Read it from ``os.environ["LLMBASE_API_KEY"]`` instead, and
rotate the leaked key. Placeholders (``"EMPTY"``, ``"x"``, ``"ollama"``,
``"<KEY>"``, ``"sk-..."``, ``"your-api-key"``) are not secrets. A leaked key is
reported on every client, including those that stay off LLMBase.

The key is never printed whole: messages show it masked (``sk-p…gH``).

Where it is reported: at the literal, which is what leaks. A key reached through
names (``KEY = "sk-..."`` then ``OpenAI(api_key=KEY)``) is reported at the constant,
naming the client it reaches (``(reaches OpenAI() on line 6)``), once for all the
clients it reaches.

Fix: the key is part of the client, so the fix of a key given to a client is the
client's one fix (see LB101): the value holding the literal becomes
``os.environ["LLMBASE_API_KEY"]`` (the ``api-key-env`` setting), adding ``import os``
when needed, and a client that a migration moves is pointed at LLMBase in the same
fix. An environment read with the key as its default is replaced whole (a default
is evaluated even when the variable is set, so ``os.getenv("X", os.environ[...])``
would raise). A key in a constant of the module is replaced in the constant's
definition when every read of the constant is a key being fixed; a constant read
anywhere else gets no fix, since replacing the call alone would leave the key in
the source. A Bearer header literal written at the call becomes
``"Bearer " + os.environ["LLMBASE_API_KEY"]`` when the client already talks to
LLMBase. The removed key is masked in diffs and never appears in the fix's message;
the migration report lists it under "Rotate this key". No fix when LLMBase's key
would then reach another host: another vendor's key on a client that stays where
it is (a local server, another vendor's API, or a destination not known here), an
Azure client's key (LB106 replaces the client, key included, and this finding gets
that same fix), a chat-agent key on a client of the agent API; nor when ``os`` is
bound to anything but the os module in the module, or for a key in a ``**`` dict
defined away from the call.

Fix safety: always unsafe. The program then needs ``$LLMBASE_API_KEY`` set where it
runs, and the leaked key must be rotated by a person: the fix removes it from the
source, not from the repository's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import libcst as cst

from llmbase_migrate.analysis.facts import ModuleFacts, Span, Value, ValueKind
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.analysis.visitor import Visitor
from llmbase_migrate.fixes.bindings import environ_read, secrets_in
from llmbase_migrate.fixes.edits import replace_expression, string_literal
from llmbase_migrate.rules._client_draft import Verdict
from llmbase_migrate.rules._client_plan import module_plans
from llmbase_migrate.rules._sources import merge_reaches, reaches, source_spans
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
from llmbase_migrate.secrets import INFERENCE_KEY_PREFIX, is_chat_agent_key, looks_like_secret, mask

RULE = RuleSpec(
    code="LB103",
    name="hardcoded-api-key",
    summary="an API key is written as a literal in the source",
    severity=Severity.ERROR,
    fix=Applicability.UNSAFE,
)

_BEARER = re.compile(r"\s*bearer\s+", re.I)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    yield from merge_reaches(_reports(facts, ctx))


def _reports(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    plans = module_plans(facts, ctx)
    for setup in facts.clients:
        api_key = setup.arguments.named("api_key")
        text = _secret(api_key.value) if api_key is not None else None
        if api_key is None or text is None:
            continue
        plan = plans.of(setup)
        fix = plan.fix if plan is not None and plan.moves_key else None
        to_llmbase = plan is not None and plan.verdict in _TO_LLMBASE
        message = _message(text, ctx, to_llmbase=to_llmbase)
        # ``KEY = "sk-..."`` then ``OpenAI(api_key=KEY)``: the literal is what leaks
        spans = source_spans(
            facts.source,
            api_key.value,
            api_key.value_node,
            api_key.span,
            lambda found: _secret(found) is not None,
        )
        callee = setup.callee.rsplit(".", 1)[-1]
        for span in spans:
            yield Report(span, message + reaches(spans, api_key.span, f"{callee}()"), fix)
    module = plans.module_client
    for assignment in facts.module_assignments:
        text = _secret(assignment.value) if assignment.attribute == "api_key" else None
        if text is None:
            continue
        fix = module.fix if module is not None and module.moves_key else None
        to_llmbase = module is not None and module.verdict in _TO_LLMBASE
        yield Report(assignment.span, _message(text, ctx, to_llmbase=to_llmbase), fix)
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


# Clients whose key is, or becomes, LLMBase's.
_TO_LLMBASE = frozenset({Verdict.READY, Verdict.MOVE, Verdict.AZURE})


def _message(text: str, ctx: RuleContext, *, to_llmbase: bool) -> str:
    if not to_llmbase:
        # LLMBase's variable would send LLMBase's key to this client's host
        return (
            f"hardcoded API key ({mask(text)}); read it from an environment variable of "
            "its own and rotate the leaked key"
        )
    return (
        f"hardcoded API key ({mask(text)}); read it from os.environ[{ctx.api_key_env!r}] "
        "and rotate the leaked key"
    )


def _secret(value: Value) -> str | None:
    """The key a value holds: a literal, or an environment read's literal default."""
    literal = value
    if value.kind is ValueKind.ENV and value.default is not None:
        literal = value.default
    if literal.kind is ValueKind.STRING and looks_like_secret(literal.text or ""):
        return literal.text or ""
    return None


def _header_fix(
    facts: ModuleFacts, source: SourceMap, span: Span, text: str, ctx: RuleContext
) -> Fix | None:
    """``"Bearer sk-..."`` written in a call's headers -> ``"Bearer " + os.environ[...]``,
    on a client (or a request through clients) that certainly talks to LLMBase; an
    LLMBase key may be read from the environment wherever it is sent."""
    plans = module_plans(facts, ctx)
    llmbase_key = _bearer_key(text).startswith(INFERENCE_KEY_PREFIX)
    if is_chat_agent_key(text):
        return None  # the agent API's key, or LB104's

    def ready(plan_verdict: Verdict | None) -> bool:
        return plan_verdict is Verdict.READY or (
            llmbase_key and plan_verdict not in (Verdict.STAYS, Verdict.ENDPOINTS, None)
        )

    holders: list[cst.CSTNode] = []
    for setup in facts.clients:
        plan = plans.of(setup)
        if ready(plan.verdict if plan is not None else None):
            holders.append(setup.node)
    for call in facts.chat_calls:
        verdicts = [plans.clients[node].verdict for node in call.clients if node in plans.clients]
        if verdicts and all(ready(verdict) for verdict in verdicts):
            holders.append(call.node)
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
        reason=(f"it removes a hardcoded key: ${ctx.api_key_env} must be set, and the key rotated"),
    )


def _bearer_key(text: str) -> str:
    bearer = _BEARER.match(text)
    return text[bearer.end() :] if bearer is not None else text.strip()


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
        title="a constant read elsewhere too: reported at the literal, no fix (it would stay)",
        line=2,
        message="(reaches OpenAI() on line 3)",
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
        title="an Azure client: the fix is LB106's, which replaces the client, key included",
        line=4,
        applicability=Applicability.UNSAFE,
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
        from openai import OpenAI
        local = OpenAI(base_url="http://localhost:8000/v1", api_key="sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123")
        """,
        title="another vendor's key on a client that stays: reported, no fix (LLMBase's key must not go there)",
        line=2,
        message="sk-p…23",
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(api_key="sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123")
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
        title="a client being moved: the key and the base URL change in one fix",
        line=3,
        applicability=Applicability.UNSAFE,
        fixed="""
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["LLMBASE_API_KEY"], base_url="https://api.llmbase.ai/v1")
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
    ),
)
