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
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts, OptionSite
from llmbase_migrate.rules._judge import base_url_problem, module_selects_azure, openai_clients
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB101",
    name="base-url",
    summary="the client's base URL is missing or is not LLMBase's",
    severity=Severity.ERROR,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    for setup in openai_clients(facts.clients):
        base_url = setup.arguments.named("base_url")
        if base_url is None:
            if setup.site is OptionSite.CONSTRUCTOR and setup.arguments.complete:
                yield Report(
                    setup.span,
                    f"{setup.callee.rsplit('.', 1)[-1]}() has no base_url, so it calls "
                    f"api.openai.com (or $OPENAI_BASE_URL); set base_url={ctx.base_url!r}",
                )
            continue
        problem = base_url_problem(base_url.value, ctx)
        if problem is not None:
            yield Report(base_url.span, problem)
    azure_module = module_selects_azure(facts)
    for assignment in facts.module_assignments:
        if azure_module:
            break
        if assignment.attribute == "api_base":
            yield Report(
                assignment.span,
                "openai.api_base is the pre-1.0 setting, ignored by the 1.x SDK; "
                f"write openai.base_url = {ctx.base_url.rstrip('/') + '/'!r}",
            )
        elif assignment.attribute == "base_url":
            problem = base_url_problem(assignment.value, ctx, module_client=True)
            if problem is not None:
                yield Report(assignment.span, problem)


EXAMPLES = (
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
    ),
    Invalid(
        """
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("OPENAI_BASE_URL", "https://api.llmbase.ai/v1"))
        """,
        title="another vendor's variable",
        message="$OPENAI_BASE_URL",
    ),
    Invalid(
        """
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("LLMBASE_BASE_URL"))
        """,
        title="an env read that falls back to None",
        message="give it the default",
    ),
    Invalid(
        """
        import openai
        openai.api_base = "https://api.llmbase.ai/v1"
        """,
        title="the pre-1.0 module setting",
        line=2,
        message="pre-1.0",
    ),
    Invalid(
        """
        import openai
        openai.base_url = "https://api.llmbase.ai/v1"
        """,
        title="module client without the trailing slash",
        message="trailing '/'",
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
)
