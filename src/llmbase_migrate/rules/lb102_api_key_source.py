"""The API key is not the LLMBase key.

Without ``api_key`` the SDK reads ``$OPENAI_API_KEY``; LLMBase needs an
``llmbase_...`` inference key, read from ``$LLMBASE_API_KEY`` (the
``api-key-env`` setting). Reported on a client that talks to LLMBase or that a
migration moves there (see LB101):

- a missing ``api_key`` (unless a ``**kwargs`` dict the analyzer cannot read is
  passed, which may hold it);
- ``api_key=None`` (falls back to ``$OPENAI_API_KEY``);
- a read of a variable named for another vendor (``OPENAI_API_KEY``,
  ``OPENROUTER_API_KEY``, ``AZURE_OPENAI_API_KEY``, ``GROQ_API_KEY``...), also
  as ``os.getenv("OPENAI_API_KEY") or ""``;
- an expression that cannot be evaluated but is named for another vendor's key
  (``settings.OPENAI_API_KEY``, ``config["openrouter_api_key"]``);
- a placeholder literal (``"EMPTY"``, ``"ollama"``) on a client being moved: the
  server it pointed at took any key, LLMBase does not.

Generic names (``API_KEY``, ``LLM_API_KEY``) and LLMBase-named ones are accepted,
and so is a placeholder on a client that already calls LLMBase (a test double, or a
proxy that adds the key). A literal that looks like a real key is LB103's; a
chat-agent key is LB104's. Assignments ``openai.api_key = ...`` are judged the same
way; Azure clients are LB106's. A client meant to stay where it is (a local
server, another vendor's own API: LB107) is not reported: its key is right for it.
When where a client points cannot be known (``base_url=settings.base_url``), a key
named for another vendor is still reported, without a fix: the message says to
point the client at LLMBase first.

Where it is reported: where the wrong value is written. A value reached through
names (``KEY = os.getenv("OPENAI_API_KEY")`` then ``OpenAI(api_key=KEY)``, an
``os.getenv`` in a variable, a parameter's default, a fallback chain) is reported at
each literal or environment read it comes from, naming the client it reaches
(``(reaches OpenAI() on line 6)``), once for all the clients it reaches, even when
the fix edits the client instead (the value is read for something else too); at the
client when the value is not written in this module.

Fix: the client's one fix (see LB101). On a client that talks to LLMBase it
replaces the key at the call (or in ``openai.api_key = ...``, or in
``with_options(api_key=...)``) with ``os.environ["LLMBASE_API_KEY"]``, or adds it,
with ``import os`` when the module lacks it. On a client being moved, the same fix
also points it at LLMBase. A value read through a constant is replaced at the call:
the constant is left for whatever else reads it (the migration report lists it when
nothing else does). No fix when ``os`` is bound to anything but the os module
somewhere in the module (or imported only below the call), for a key in a ``**``
dict defined away from the call (the dict may serve other calls), for an assignment
with several targets, and never when the client would not then certainly talk to
LLMBase: LLMBase's key must not reach another host.

Fix safety: safe when, after it, the client certainly talks to LLMBase with
LLMBase's key and nothing else changes meaning; on a client being moved, the
safety is that of LB101's fix (the same fix), which says why when it is unsafe.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts
from llmbase_migrate.rules._client_plan import module_plans
from llmbase_migrate.rules._sources import merge_reaches
from llmbase_migrate.rules.base import (
    Applicability,
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
    yield from merge_reaches(_reports(facts, ctx))


def _reports(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    plans = module_plans(facts, ctx)
    for setup in facts.clients:
        plan = plans.of(setup)
        if plan is not None and plan.key is not None:
            for span, message in plan.key.places:
                yield Report(span, message, plan.fix)
        for later in plan.later_keys if plan is not None else ():
            yield Report(later.span, later.message)
    module = plans.module_client
    if module is not None and module.key is not None:
        for span, message in module.key.places:
            yield Report(span, message, module.fix)


EXAMPLES = (
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI(base_url="https://llm-proxy.acme-corp.io/v1", api_key="anything")
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
        title="a placeholder key on a client being moved: the same fix moves both",
        line=2,
        message="'anything' is a placeholder",
        applicability=Applicability.SAFE,
        fixed="""
        from openai import OpenAI
        import os

        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        def make(settings):
            return OpenAI(base_url=settings.base_url, api_key=os.environ["OPENAI_API_KEY"])
        """,
        title="where the client points is not known: reported, never fixed",
        message="make it LLMBase's first",
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        local = OpenAI(base_url="http://127.0.0.1:8080/v1", api_key=os.environ["OPENAI_API_KEY"])
        """,
        title="a client that stays on a local server keeps its key",
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
        title="no api_key on a client that calls LLMBase",
        line=2,
        message="reads $OPENAI_API_KEY",
        applicability=Applicability.SAFE,
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
        applicability=Applicability.SAFE,
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
        import os
        from openai import OpenAI
        def make_client(api_key=None):
            api_key = api_key or os.getenv("OPENAI_API_KEY")
            return OpenAI(base_url="https://api.llmbase.ai/v1", api_key=api_key)
        """,
        title="a parameter rebound by its own fallback: the caller's key or OpenAI's (unsafe)",
        line=4,
        message="may come from $OPENAI_API_KEY",
        applicability=Applicability.UNSAFE,
        fixed="""
        import os
        from openai import OpenAI
        def make_client(api_key=None):
            api_key = api_key or os.getenv("OPENAI_API_KEY")
            return OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import openai
        from app.config import settings
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key=settings.OPENAI_API_KEY)
        """,
        title="a setting named for OpenAI, not known here: replaced, unsafe (no longer read)",
        message="OPENAI_API_KEY",
        applicability=Applicability.UNSAFE,
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
        title="the module client's key, with its base URL set elsewhere: no fix",
        line=3,
        message="set it to LLMBase's first",
    ),
    Invalid(
        """
        import os
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        openai.api_key = os.environ["OPENAI_API_KEY"]
        """,
        title="the module client's key, its base URL LLMBase's",
        line=4,
        applicability=Applicability.SAFE,
        fixed="""
        import os
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
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
        applicability=Applicability.UNSAFE,
        fixed="""
        import openai
        from app.config import settings
        import os

        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key="EMPTY")
        real = client.with_options(api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
)
