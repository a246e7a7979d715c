"""The API key is not the LLMBase key.

Without ``api_key`` the SDK reads ``$OPENAI_API_KEY``; LLMBase needs an
``llmbase_...`` inference key, read from ``$LLMBASE_API_KEY`` (the
``api-key-env`` setting). Reported:

- a missing ``api_key`` (unless a ``**kwargs`` dict the analyzer cannot read is
  passed, which may hold it);
- ``api_key=None`` (falls back to ``$OPENAI_API_KEY``);
- a read of a variable named for another vendor (``OPENAI_API_KEY``,
  ``OPENROUTER_API_KEY``, ``AZURE_OPENAI_API_KEY``, ``GROQ_API_KEY``...), also
  as ``os.getenv("OPENAI_API_KEY") or ""``;
- an expression that cannot be evaluated but is named for another vendor's key
  (``settings.OPENAI_API_KEY``, ``config["openrouter_api_key"]``).

Generic names (``API_KEY``, ``LLM_API_KEY``) and LLMBase-named ones are accepted,
and so are placeholder literals (``"EMPTY"``, ``"dummy"``): they are what test
doubles and local servers use, and a migrated client's base URL already says
where requests go.
A literal that looks like a real key is LB103's; a chat-agent key is LB104's.
Assignments ``openai.api_key = ...`` are judged the same way; Azure clients are
LB106's.

Fix (safe): ``api_key=os.environ["LLMBASE_API_KEY"]`` (the ``api-key-env``
setting) is added to the constructor or replaces the value at the call (or in
``openai.api_key = ...``, or ``with_options(api_key=...)``), and ``import os`` is
added when the module lacks it. A value read through a constant is replaced at the
call: the constant is left for whatever else reads it. No fix when ``os`` is bound to anything but the os module
somewhere in the module (or imported only below the call), for a key in a ``**``
dict defined away from the call (the dict may serve other calls), or for an
assignment with several targets.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from llmbase_migrate.analysis.facts import (
    ClientSetup,
    FieldOrigin,
    ModuleFacts,
    OptionSite,
    Value,
    ValueKind,
)
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.builders import with_keyword
from llmbase_migrate.fixes.clients import (
    environ_read,
    replace_expression,
    secrets_in,
)
from llmbase_migrate.rules._judge import (
    base_url_problem,
    is_chat_agent_env,
    module_selects_azure,
    openai_clients,
    placeholder_key,
    vendor_of,
)
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
    code="LB102",
    name="api-key-source",
    summary="the API key is missing or comes from another vendor's variable",
    severity=Severity.ERROR,
    fix=Applicability.SAFE,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    source = facts.source
    for setup in openai_clients(facts.clients):
        api_key = setup.arguments.named("api_key")
        if api_key is None:
            if setup.site is OptionSite.CONSTRUCTOR and setup.arguments.complete:
                yield Report(
                    setup.span,
                    f"{setup.callee.rsplit('.', 1)[-1]}() has no api_key, so it reads "
                    f"$OPENAI_API_KEY; pass api_key=os.environ[{ctx.api_key_env!r}]",
                    _add_api_key(source, setup, ctx) if source is not None else None,
                )
            continue
        problem = _problem(api_key.value, ctx) or _placeholder_problem(
            api_key.value, _moves_to_llmbase(setup, ctx), ctx
        )
        if problem is None:
            continue
        fix = None
        if source is not None and (
            api_key.origin is FieldOrigin.KEYWORD or source.contains(setup.node, api_key.value_node)
        ):
            fix = _replace_value(source, api_key.value_node, ctx)
        yield Report(api_key.span, problem, fix)
    if module_selects_azure(facts) or facts.module_client_endpoint_only:
        return
    module_moves = any(
        assignment.attribute in ("base_url", "api_base")
        and (
            assignment.attribute == "api_base"
            or base_url_problem(assignment.value, ctx, module_client=True) is not None
        )
        for assignment in facts.module_assignments
    )
    for assignment in facts.module_assignments:
        if assignment.attribute != "api_key":
            continue
        problem = _problem(assignment.value, ctx) or _placeholder_problem(
            assignment.value, module_moves, ctx
        )
        if problem is None:
            continue
        fix = None
        if source is not None and len(assignment.node.targets) == 1:
            fix = _replace_value(source, assignment.value_node, ctx)
        yield Report(assignment.span, problem, fix)


def _add_api_key(source: SourceMap, setup: ClientSetup, ctx: RuleContext) -> Fix | None:
    read = environ_read(source, ctx.api_key_env, source.span(setup.node).line)
    if read is None:
        return None
    new_call = with_keyword(setup.node, "api_key", cst.parse_expression(read.code))
    edit = source.replace(setup.node, new_call)
    if edit is None:
        return None
    return Fix(Applicability.SAFE, _message(ctx), (edit,), add_imports=read.add_imports)


def _replace_value(source: SourceMap, node: cst.BaseExpression, ctx: RuleContext) -> Fix | None:
    read = environ_read(source, ctx.api_key_env, source.span(node).line)
    if read is None:
        return None
    edit = replace_expression(source, node, read.code)
    if edit is None:
        return None
    return Fix(
        Applicability.SAFE,
        _message(ctx),
        (edit,),
        add_imports=read.add_imports,
        secrets=secrets_in(node),
    )


def _message(ctx: RuleContext) -> str:
    return f"read the key from ${ctx.api_key_env}"


def _moves_to_llmbase(setup: ClientSetup, ctx: RuleContext) -> bool:
    """LB101 reports this client's base URL: migrating it points the client at LLMBase."""
    base_url = setup.arguments.named("base_url")
    if base_url is None:
        return setup.site is OptionSite.CONSTRUCTOR and setup.arguments.complete
    return base_url_problem(base_url.value, ctx) is not None


def _placeholder_problem(value: Value, moves: bool, ctx: RuleContext) -> str | None:
    """A placeholder key (``"EMPTY"``, ``"ollama"``) suits the local server a client
    calls now, not LLMBase, where migrating the base URL sends it. On a client that
    already calls LLMBase it is left alone (a test double, or a proxy adds the key)."""
    text = placeholder_key(value) if moves else None
    if text is None:
        return None
    return (
        f"api_key {text!r} is a placeholder; once the client calls LLMBase it needs an "
        f"inference key: use os.environ[{ctx.api_key_env!r}]"
    )


def _problem(value: Value, ctx: RuleContext) -> str | None:
    wanted = f"os.environ[{ctx.api_key_env!r}]"
    if value.kind is ValueKind.NONE:
        return f"api_key=None falls back to $OPENAI_API_KEY; use {wanted}"
    if value.kind is ValueKind.ENV:
        variable = value.env_var
        if variable is None or is_chat_agent_env(variable) or variable == ctx.api_key_env:
            return None
        vendor = vendor_of(variable)
        if vendor is None:
            return None
        return (
            f"api_key is read from ${variable}, another vendor's key ({vendor}) that LLMBase "
            f"rejects; use {wanted}"
        )
    vendor = vendor_of(value.identifier)
    if vendor is None or is_chat_agent_env(value.identifier):
        return None
    return (
        f"api_key comes from {value.identifier}, another vendor's key ({vendor}) that "
        f"LLMBase rejects; use {wanted}"
    )


EXAMPLES = (
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")
        """,
        title="a placeholder key on a client LB101 moves to LLMBase",
        line=2,
        message="'EMPTY' is a placeholder",
        fixed="""
        from openai import OpenAI
        import os

        client = OpenAI(base_url="http://localhost:8000/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Valid(
        """
        from openai import OpenAI
        images = OpenAI()
        images.images.generate(model="dall-e-3", prompt="a cat")
        """,
        title="a client used only for images keeps OpenAI's key",
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
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.getenv("LLM_API_KEY"))
        """,
        title="a generic variable name",
    ),
    Valid(
        """
        from groq import Groq
        client = Groq()
        """,
        title="another SDK",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1")
        """,
        title="no api_key",
        line=2,
        message="reads $OPENAI_API_KEY",
        fixed="""
        from openai import OpenAI
        import os

        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.getenv("OPENROUTER_API_KEY") or "",
        )
        """,
        title="another gateway's key",
        line=5,
        message="$OPENROUTER_API_KEY",
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
        import openai
        from app.config import settings
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key=settings.OPENAI_API_KEY)
        """,
        title="a setting named for OpenAI",
        message="OPENAI_API_KEY",
        fixed="""
        import openai
        from app.config import settings
        import os

        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        """,
        title="module client configuration",
        line=3,
        fixed="""
        import os
        import openai
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        """,
    ),
    Valid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key="dummy")
        """,
        title="a placeholder in a test double",
    ),
    Invalid(
        """
        import os
        import openai
        client = openai.AsyncOpenAI(
            base_url="https://api.llmbase.ai/v1",
            max_retries=2,
        )
        """,
        title="no api_key in a multi-line call; os already imported",
        line=3,
        fixed="""
        import os
        import openai
        client = openai.AsyncOpenAI(
            base_url="https://api.llmbase.ai/v1",
            max_retries=2,
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=None)
        """,
        title="api_key=None",
        message="api_key=None",
        fixed="""
        from openai import OpenAI
        import os

        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        def make(os):
            return OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["OPENAI_API_KEY"])
        """,
        title="os is not the os module here: no fix",
        message="OPENAI_API_KEY",
    ),
    Invalid(
        """
        import openai
        from app.config import settings
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key="EMPTY")
        real = client.with_options(api_key=settings.OPENAI_API_KEY)
        """,
        title="with_options is fixed like a constructor",
        message="OPENAI_API_KEY",
        line=4,
        fixed="""
        import openai
        from app.config import settings
        import os

        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key="EMPTY")
        real = client.with_options(api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
)
