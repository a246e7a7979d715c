"""Use of an API resource LLMBase does not serve.

LLMBase serves chat completions, the model list and the balance. Embeddings,
images, audio, moderations, files, uploads, batches, fine-tuning, vector stores,
the Responses API, realtime, conversations, containers, evals, videos, webhooks,
assistants and threads, and the legacy text ``completions`` endpoint have no
LLMBase equivalent: keep such calls on a provider that serves them, or move them
to ``chat.completions``. ``models.list()`` and ``models.retrieve()`` are fine.

A client already where such a call belongs is not reported: one that stays off
LLMBase (a local server, another vendor's own API, a ``keep-hosts`` host; see
LB107), or one used only for such endpoints whose base URL is written out
(``OpenAI(base_url="https://api.voyageai.com/v1")`` for embeddings). A client used
only for them but built without a base URL is still reported: where it sends them
depends on ``$OPENAI_BASE_URL``, which a migration may point at LLMBase.

Reported at the resource attribute, on clients the analyzer resolved and on the
module client (``openai.embeddings.create``); on a receiver it cannot resolve, only
a full call such as ``x.embeddings.create(...)`` in a module that imports
``openai`` counts, so other libraries' ``.embeddings`` attributes are left alone.

Fix safety: there is no fix. LLMBase serves no replacement for these endpoints;
the call must stay on a provider that serves it, which is a person's choice (the
client-setup rules keep such clients where they are).
"""

from __future__ import annotations

from collections.abc import Iterator

from llmbase_migrate.analysis.facts import ModuleFacts, Receiver
from llmbase_migrate.rules._client_plan import module_plans
from llmbase_migrate.rules.base import Invalid, Report, RuleContext, RuleSpec, Severity, Valid

RULE = RuleSpec(
    code="LB401",
    name="unsupported-endpoint",
    summary="an API resource LLMBase does not serve (embeddings, images, audio, ...)",
    severity=Severity.ERROR,
)

_ADVICE = {
    "responses": "use chat.completions.create with messages",
    "completions": "use chat.completions.create with messages",
    "embeddings": "keep embeddings on a provider that serves them",
}


def check(facts: ModuleFacts, ctx: RuleContext) -> Iterator[Report]:
    plans = module_plans(facts, ctx) if any(use.clients for use in facts.endpoint_uses) else None
    for use in facts.endpoint_uses:
        if plans is not None and use.clients and plans.stays_with_endpoints(use.clients):
            continue
        owner = "openai" if use.receiver is Receiver.MODULE else "client"
        label = "legacy text completions" if use.resource == "completions" else use.resource
        advice = _ADVICE.get(use.resource, "keep this call on a provider that serves it")
        yield Report(
            use.span,
            f"{owner}.{use.resource}: LLMBase does not serve {label}; {advice}",
        )


EXAMPLES = (
    Valid(
        """
        import os
        from openai import OpenAI
        embedder = OpenAI(base_url="https://api.mistral.ai/v1", api_key=os.environ["MISTRAL_API_KEY"])
        vectors = embedder.embeddings.create(model="mistral-embed", input=["a", "b"])
        """,
        title="a client whose literal base URL serves embeddings is already where it should be",
    ),
    Valid(
        """
        from openai import OpenAI
        local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
        local.embeddings.create(model="nomic-embed-text", input="hello")
        local.chat.completions.create(model="llama3.2", messages=[])
        """,
        title="a local server stays where it is, with all it serves",
    ),
    Valid(
        """
        from openai import OpenAI
        client = OpenAI()
        ids = [model.id for model in client.models.list()]
        client.chat.completions.create(model=ids[0], messages=[])
        """,
    ),
    Valid(
        """
        import openai
        class Retriever:
            def search(self, query):
                return self.embeddings.embed_query(query)
        """,
        title="another library's embeddings attribute",
    ),
    Invalid(
        """
        from openai import OpenAI
        client = OpenAI()
        vector = client.embeddings.create(model="text-embedding-3-small", input="hi")
        """,
        line=3,
        message="does not serve embeddings",
    ),
    Invalid(
        """
        import openai
        async def transcribe(client: openai.AsyncOpenAI, audio):
            return await client.audio.transcriptions.create(model="whisper-1", file=audio)
        """,
        title="through an annotated parameter",
        line=3,
    ),
    Invalid(
        """
        import openai
        assistant = openai.beta.assistants.create(model="gpt-4o")
        """,
        title="assistants on the module client",
        message="openai.beta.assistants",
    ),
)
