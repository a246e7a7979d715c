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
  reported, unless its name is another vendor's (``settings.OPENROUTER_BASE_URL``)
  or it falls back to a URL (``settings.base_url or "https://openrouter.ai/api/v1"``).

Only clients that a migration moves are reported: those pointing at OpenAI, a
gateway (OpenRouter...) or another public OpenAI-compatible host. A client meant
to stay where it is (a local or private server such as ``localhost:11434``,
another vendor's own API such as api.groq.com, a host named in ``keep-hosts``, or
LLMBase's agent API) is LB107's, off by default; so is every request made through
it. A client used only for endpoints LLMBase does not serve (a TTS or image
client) stays too. A client used for chat *and* for such endpoints is reported
here: it must not move, so a second client for LLMBase takes its chat requests.

A constructor that receives a ``**kwargs`` dict the analyzer cannot read is not
reported for a *missing* base URL: it may be in there.

The SDK's module-level client is configured with assignments
(``openai.base_url = ...``), checked where they are. Two traps there:
``openai.api_base`` is the pre-1.0 name that the 1.x SDK ignores, and
``openai.base_url`` must end with ``/`` because the module client joins paths
without adding one (``.../v1chat/completions``), unlike ``OpenAI(base_url=...)``.
A module that sets ``openai.api_key`` but not ``openai.base_url`` and makes chat
requests through the module client is reported at the key's assignment. Azure
clients are LB106's.

Where it is reported: where the wrong value is written. A value reached through
names (``URL = "https://openrouter.ai/api/v1"`` then ``OpenAI(base_url=URL)``, an
``os.getenv`` in a variable, a parameter's default, a fallback chain) is reported at
each literal or environment read it comes from, naming the client it reaches
(``(reaches OpenAI() on line 6)``), once for all the clients it reaches, even when
the fix edits the client instead (the value is read for something else too); at the
client when the value is not written in this module.

Fix: the client moves as a unit. The fix of this finding is the client's one fix
(the same fix as its LB102 or LB103 finding): the base URL becomes LLMBase's and
the key becomes ``os.environ["LLMBASE_API_KEY"]`` (the ``api-key-env`` setting) in
the same edit. A missing ``base_url`` is added in the layout the call already has;
a literal is rewritten where it is written, in its quote style (at the call, in
the ``os.getenv`` default, in the ``or`` fallback, in a parameter's default, or in
a constant of the module when every read of the constant is a base URL being
fixed); an unset ``os.getenv("LLMBASE_BASE_URL")`` gets the default; anything else
is replaced by LLMBase's URL at the call. ``openai.api_base = ...`` becomes
``openai.base_url = "https://api.llmbase.ai/v1/"``, except in a module that still
makes 0.x calls (``openai.ChatCompletion.create``, LB501): there ``api_base`` is
the setting those calls read, so only its value changes (to LLMBase's URL without
the slash, which the 0.x SDK adds itself); a missing module base URL is a
new ``openai.base_url = ...`` line below the key's. A client that also serves
endpoints LLMBase does not serve keeps them: the fix adds
``llmbase_client = OpenAI(base_url=..., api_key=os.environ["LLMBASE_API_KEY"])``
below it (same constructor, same scope; ``self.llmbase_client`` for a client kept
on ``self``) and sends the chat requests made through it to the new client. No
fix for a value in a ``**`` dict defined away from the call (the dict may serve
other calls), or an assignment with several targets.

Fix safety: the fix is safe only when, after it, the client certainly sends its
requests to LLMBase and certainly sends LLMBase's key (no key reaches a host it
did not reach before, and no other key reaches LLMBase), and when each edit keeps
what the code meant; a client whose uses in the module include endpoints LLMBase
does not serve is never moved. It is unsafe, and says why in its reason, when the
client makes no chat request in its module but leaves it (returned by a factory or
passed to another call: its uses there are not seen);
when it stops reading a variable or expression (``$OPENROUTER_BASE_URL``,
``settings.base_url``, a constant also read elsewhere), when the key cannot change
with the base URL (a key the tool cannot follow, such as ``api_key=get_key()``: the
message says the key must change with it), when a key it replaces is no longer
read (a setting named for OpenAI), when it removes a hardcoded key, and always for
the second client. A client with no use seen whose holder or factory is named for
an endpoint LLMBase does not serve (``self.tts``, ``get_embedding_client()``), and
a client built with a mock transport or pointed at a reserved test domain
(``*.test``, ``*.example``, ``*.invalid``), stay where they are. A key that would reach anything but LLMBase is never
written.
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
    code="LB101",
    name="base-url",
    summary="the client's base URL is missing or is not LLMBase's",
    severity=Severity.ERROR,
    fix=Applicability.SAFE,
)


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    yield from merge_reaches(_reports(facts, ctx))


def _reports(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    plans = module_plans(facts, ctx)
    for setup in facts.clients:
        plan = plans.of(setup)
        if plan is not None and plan.base_url is not None:
            for span, message in plan.base_url.places:
                yield Report(span, message, plan.fix)
        for later in plan.later_base_urls if plan is not None else ():
            yield Report(later.span, later.message)
    module = plans.module_client
    if module is not None and module.base_url is not None:
        for span, message in module.base_url.places:
            yield Report(span, message, module.fix)


_CHAT = 'client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])'

EXAMPLES = (
    Invalid(
        f"""
        from openai import OpenAI
        client = OpenAI()
        {_CHAT}
        """,
        title="no base_url at all: base URL and key move together (safe)",
        line=2,
        message="has no base_url",
        applicability=Applicability.SAFE,
        fixed=f"""
        from openai import OpenAI
        import os

        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        {_CHAT}
        """,
    ),
    Invalid(
        f"""
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://openrouter.ai/api/v1",
            api_key=os.environ["OPENROUTER_API_KEY"],
        )
        {_CHAT}
        """,
        title="OpenRouter's URL and key: one fix for both",
        line=4,
        message="'https://openrouter.ai/api/v1', not LLMBase's",
        applicability=Applicability.SAFE,
        fixed=f"""
        import os
        from openai import OpenAI
        client = OpenAI(
            base_url="https://api.llmbase.ai/v1",
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        {_CHAT}
        """,
    ),
    Invalid(
        """
        import openai
        client = openai.OpenAI(api_key="API_KEY")
        """,
        title="a placeholder key goes too, in the same fix",
        line=2,
        message="has no base_url",
        applicability=Applicability.SAFE,
        fixed="""
        import openai
        import os

        client = openai.OpenAI(api_key=os.environ["LLMBASE_API_KEY"], base_url="https://api.llmbase.ai/v1")
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        def make_client():
            return OpenAI(base_url="https://openrouter.ai/api/v1", api_key=get_key())
        """,
        title="a key the tool cannot follow is replaced with the URL (unsafe)",
        message="its key (get_key) must change with it",
        applicability=Applicability.UNSAFE,
        fixed="""
        from openai import OpenAI
        import os

        def make_client():
            return OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        f"""
        import os
        from openai import OpenAI
        proxy = os.environ.get("MY_PROXY_URL")
        client = OpenAI(base_url=proxy)
        {_CHAT}
        """,
        title="a variable that may point anywhere is replaced, never given LLMBase's key (unsafe)",
        line=3,
        message="$MY_PROXY_URL unset means base_url=None",
        applicability=Applicability.UNSAFE,
        fixed=f"""
        import os
        from openai import OpenAI
        proxy = os.environ.get("MY_PROXY_URL")
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        {_CHAT}
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        client = OpenAI(base_url=os.getenv("LLM_URL", "https://openrouter.ai/api/v1"), api_key=os.environ["LLMBASE_API_KEY"])
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
        title="LLMBase's key already: only the fallback changes (safe)",
        applicability=Applicability.SAFE,
        fixed="""
        import os
        from openai import OpenAI
        client = OpenAI(base_url=os.getenv("LLM_URL", "https://api.llmbase.ai/v1"), api_key=os.environ["LLMBASE_API_KEY"])
        client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        plain = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        def answer(question):
            return plain.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        def embed(text):
            return plain.embeddings.create(model="text-embedding-3-small", input=text)
        """,
        title="a client that also serves embeddings stays; a second client takes the chat requests",
        line=3,
        message="also calls embeddings",
        applicability=Applicability.UNSAFE,
        fixed="""
        import os
        from openai import OpenAI
        plain = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        llmbase_client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        def answer(question):
            return llmbase_client.chat.completions.create(model="deepseek/deepseek-v4-flash", messages=[])
        def embed(text):
            return plain.embeddings.create(model="text-embedding-3-small", input=text)
        """,
    ),
    Invalid(
        """
        import openai
        class Assistant:
            def __init__(self):
                self.client = openai.AsyncOpenAI(timeout=20)
            async def ask(self, text):
                return await self.client.chat.completions.create(model="z-ai/glm-5.1", messages=[])
            async def speak(self, text):
                return await self.client.audio.speech.create(model="tts-1", voice="alloy", input=text)
        """,
        title="a client kept on self: the new one is kept on self too",
        message="also calls audio",
        fixed="""
        import openai
        import os

        class Assistant:
            def __init__(self):
                self.client = openai.AsyncOpenAI(timeout=20)
                self.llmbase_client = openai.AsyncOpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"], timeout=20)
            async def ask(self, text):
                return await self.llmbase_client.chat.completions.create(model="z-ai/glm-5.1", messages=[])
            async def speak(self, text):
                return await self.client.audio.speech.create(model="tts-1", voice="alloy", input=text)
        """,
    ),
    Valid(
        """
        from openai import OpenAI
        local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
        local.chat.completions.create(model="llama3.2", messages=[])
        """,
        title="a local server stays where it is (LB107 lists it)",
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        groq = OpenAI(base_url="https://api.groq.com/openai/v1", api_key=os.environ["GROQ_API_KEY"])
        groq.chat.completions.create(model="llama-3.3-70b-versatile", messages=[])
        """,
        title="another vendor's own API stays where it is",
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        VLLM_URL = os.getenv("VLLM_URL", "http://10.0.0.7:8000/v1")
        client = OpenAI(base_url=VLLM_URL, api_key="EMPTY")
        """,
        title="a private address, even behind a variable",
    ),
    Valid(
        """
        import os
        from openai import OpenAI
        class Bot:
            def __init__(self):
                self.client = OpenAI(base_url=self.url, api_key=os.environ["LLMBASE_API_KEY"])
            def use_local(self):
                self.url = "http://localhost:8000/v1"
        """,
        title="a value a later method assigns is not what built the client",
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
            def ask(self, text):
                return self.client.chat.completions.create(model="z-ai/glm-5.1", messages=[])
        """,
        title="a literal parameter default reached through self: fixed at the default",
        line=4,
        message="openrouter.ai",
        applicability=Applicability.SAFE,
        fixed="""
        import os
        from openai import OpenAI
        class Gateway:
            def __init__(self, base_url: str = "https://api.llmbase.ai/v1"):
                self.base_url = base_url
                self.client = OpenAI(base_url=self.base_url, api_key=os.environ["LLMBASE_API_KEY"])
            def ask(self, text):
                return self.client.chat.completions.create(model="z-ai/glm-5.1", messages=[])
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
        f"""
        from openai import AsyncOpenAI as Client
        OPENROUTER = "https://openrouter.ai/api/v1"
        client = Client(
            base_url=OPENROUTER,
        )
        {_CHAT}
        """,
        title="a module constant naming another gateway",
        line=2,
        message="'https://openrouter.ai/api/v1', not LLMBase's",
        applicability=Applicability.SAFE,
        fixed=f"""
        from openai import AsyncOpenAI as Client
        import os

        OPENROUTER = "https://api.llmbase.ai/v1"
        client = Client(
            base_url=OPENROUTER,
            api_key=os.environ["LLMBASE_API_KEY"],
        )
        {_CHAT}
        """,
    ),
    Invalid(
        f"""
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("OPENAI_BASE_URL", "https://api.llmbase.ai/v1"))
        {_CHAT}
        """,
        title="another vendor's variable is no longer read (unsafe)",
        message="$OPENAI_BASE_URL",
        applicability=Applicability.UNSAFE,
        fixed=f"""
        import os
        import openai
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        {_CHAT}
        """,
    ),
    Invalid(
        f"""
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("LLMBASE_BASE_URL"), api_key=os.environ["LLMBASE_API_KEY"])
        {_CHAT}
        """,
        title="an env read that falls back to None gets LLMBase's URL as its default",
        message="give it the default",
        applicability=Applicability.SAFE,
        fixed=f"""
        import os
        import openai
        client = openai.OpenAI(base_url=os.getenv("LLMBASE_BASE_URL", "https://api.llmbase.ai/v1"), api_key=os.environ["LLMBASE_API_KEY"])
        {_CHAT}
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
        applicability=Applicability.SAFE,
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
        applicability=Applicability.SAFE,
        fixed="""
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        """,
    ),
    Invalid(
        """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        def ask(text):
            return openai.chat.completions.create(model="z-ai/glm-5.1", messages=[])
        """,
        title="the module client's key set here, its base URL nowhere: a line is added",
        line=3,
        message="openai.base_url is not",
        applicability=Applicability.SAFE,
        fixed="""
        import os
        import openai
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        openai.base_url = "https://api.llmbase.ai/v1/"
        def ask(text):
            return openai.chat.completions.create(model="z-ai/glm-5.1", messages=[])
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
        f"""
        from openai import OpenAI
        HOST = "llm.acme-corp.io"
        client = OpenAI(base_url=f"https://{{HOST}}/v1")
        {_CHAT}
        """,
        title="an f-string of constants",
        message="'https://llm.acme-corp.io/v1'",
        applicability=Applicability.UNSAFE,
        fixed=f"""
        from openai import OpenAI
        import os

        HOST = "llm.acme-corp.io"
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        {_CHAT}
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
        applicability=Applicability.UNSAFE,
        fixed="""
        import os
        from openai import AsyncOpenAI
        endpoint = os.getenv("AZURE_OPENAI_ENDPOINT")
        client = AsyncOpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        def make(cfg):
            base_url = cfg.base_url or "https://api.openai.com/v1"
            return OpenAI(base_url=base_url, api_key=os.environ["LLMBASE_API_KEY"])
        """,
        title="a fallback after or, with LLMBase's key: the fallback changes (safe)",
        line=4,
        message="when base_url is empty",
        applicability=Applicability.SAFE,
        fixed="""
        import os
        from openai import OpenAI
        def make(cfg):
            base_url = cfg.base_url or "https://api.llmbase.ai/v1"
            return OpenAI(base_url=base_url, api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        from openai import OpenAI
        def make(cfg):
            base_url = cfg.base_url or "https://api.openai.com/v1"
            return OpenAI(base_url=base_url, api_key=cfg.api_key)
        """,
        title="a fallback after or, with a key not known: both replaced (unsafe)",
        line=3,
        message="its key (api_key) must change with it",
        applicability=Applicability.UNSAFE,
        fixed="""
        from openai import OpenAI
        import os

        def make(cfg):
            base_url = cfg.base_url or "https://api.openai.com/v1"
            return OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        """,
    ),
    Invalid(
        """
        import openai
        base = dict(base_url="https://openrouter.ai/api/v1")
        client = openai.OpenAI(**base)
        """,
        title="a constructor keyword in a dict() splat: no fix (the dict may serve others)",
        line=2,
        message="openrouter.ai",
    ),
    Invalid(
        f"""
        import os
        from openai import OpenAI
        client = OpenAI(
            api_key=os.environ["LLMBASE_API_KEY"],
            timeout=30,  # seconds
        )
        {_CHAT}
        """,
        title="no base_url in a multi-line call: added in its layout, comments stay",
        line=3,
        message="has no base_url",
        applicability=Applicability.SAFE,
        fixed=f"""
        import os
        from openai import OpenAI
        client = OpenAI(
            api_key=os.environ["LLMBASE_API_KEY"],
            timeout=30,  # seconds
            base_url="https://api.llmbase.ai/v1",
        )
        {_CHAT}
        """,
    ),
    Invalid(
        f"""
        import os
        from openai import OpenAI
        client = OpenAI(base_url='https://openrouter.ai/api/v1', api_key=os.environ['LLMBASE_API_KEY'])
        {_CHAT}
        """,
        title="a literal is rewritten in its quote style (safe)",
        message="'https://openrouter.ai/api/v1', not LLMBase's",
        applicability=Applicability.SAFE,
        fixed=f"""
        import os
        from openai import OpenAI
        client = OpenAI(base_url='https://api.llmbase.ai/v1', api_key=os.environ['LLMBASE_API_KEY'])
        {_CHAT}
        """,
    ),
    Invalid(
        f"""
        import os
        from openai import OpenAI
        UPSTREAM = "https://api.openai.com/v1"
        client = OpenAI(base_url=UPSTREAM, api_key=os.environ["LLMBASE_API_KEY"])
        print("calling", UPSTREAM)
        {_CHAT}
        """,
        title="a constant read elsewhere too: the call site is replaced (unsafe)",
        line=3,
        applicability=Applicability.UNSAFE,
        fixed=f"""
        import os
        from openai import OpenAI
        UPSTREAM = "https://api.openai.com/v1"
        client = OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        print("calling", UPSTREAM)
        {_CHAT}
        """,
    ),
    Invalid(
        """
        import os
        from openai import OpenAI
        GATEWAY = "https://openrouter.ai/api/v1"
        chat = OpenAI(base_url=GATEWAY, api_key=os.environ["LLMBASE_API_KEY"])
        fast = OpenAI(base_url=GATEWAY, api_key=os.environ["LLMBASE_API_KEY"], timeout=5)
        """,
        title="a constant read only by base URLs being fixed is reported and edited once",
        line=3,
        message="(reaches OpenAI() on lines 4, 5)",
        fixed="""
        import os
        from openai import OpenAI
        GATEWAY = "https://api.llmbase.ai/v1"
        chat = OpenAI(base_url=GATEWAY, api_key=os.environ["LLMBASE_API_KEY"])
        fast = OpenAI(base_url=GATEWAY, api_key=os.environ["LLMBASE_API_KEY"], timeout=5)
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
        applicability=Applicability.UNSAFE,
        fixed="""
        import os
        import openai
        openai.base_url = "https://api.llmbase.ai/v1/"
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        """,
    ),
    Invalid(
        """
        import os
        import openai
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        fast = client.with_options(base_url=None, timeout=5)
        """,
        title="with_options is fixed like a constructor; the key it inherits is LLMBase's",
        message="base_url=None",
        applicability=Applicability.SAFE,
        fixed="""
        import os
        import openai
        client = openai.OpenAI(base_url="https://api.llmbase.ai/v1", api_key=os.environ["LLMBASE_API_KEY"])
        fast = client.with_options(base_url="https://api.llmbase.ai/v1", timeout=5)
        """,
    ),
    Invalid(
        """
        import os
        import openai
        openai.api_base = "https://openrouter.ai/api/v1"
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        reply = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        title="a module still written for the 0.x SDK keeps api_base; only its value changes",
        message="openrouter.ai",
        applicability=Applicability.SAFE,
        fixed="""
        import os
        import openai
        openai.api_base = "https://api.llmbase.ai/v1"
        openai.api_key = os.environ["LLMBASE_API_KEY"]
        reply = openai.ChatCompletion.create(model="gpt-4o", messages=[])
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
