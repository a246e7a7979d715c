"""Names of the OpenAI SDK's entry points and of the SDKs that merely look like it."""

from __future__ import annotations

from llmbase_migrate.analysis.facts import ClientKind

OPENAI_PACKAGE = "openai"

# Qualified names a client is constructed through. ``Client``/``AsyncClient`` are the
# SDK's own aliases; the private paths appear in code that imports from them.
CLIENT_CONSTRUCTORS: dict[str, ClientKind] = {
    "openai.OpenAI": ClientKind.OPENAI,
    "openai.AsyncOpenAI": ClientKind.OPENAI,
    "openai.Client": ClientKind.OPENAI,
    "openai.AsyncClient": ClientKind.OPENAI,
    "openai._client.OpenAI": ClientKind.OPENAI,
    "openai._client.AsyncOpenAI": ClientKind.OPENAI,
    "openai.AzureOpenAI": ClientKind.AZURE,
    "openai.AsyncAzureOpenAI": ClientKind.AZURE,
    "openai.lib.azure.AzureOpenAI": ClientKind.AZURE,
    "openai.lib.azure.AsyncAzureOpenAI": ClientKind.AZURE,
}

# Names a parameter annotation may use to say "this is an OpenAI client".
CLIENT_TYPE_NAMES = frozenset(name.rsplit(".", 1)[1] for name in CLIENT_CONSTRUCTORS)

# Methods that return a client configured like their receiver.
CLIENT_DERIVING_METHODS = frozenset({"with_options", "copy"})

# Resource path segments that only change how a response is returned.
RESPONSE_WRAPPERS = frozenset({"with_raw_response", "with_streaming_response"})

CHAT_PATHS = frozenset(
    {
        ("chat", "completions", "create"),
        ("chat", "completions", "parse"),
        ("chat", "completions", "stream"),
        ("beta", "chat", "completions", "parse"),
        ("beta", "chat", "completions", "stream"),
        ("beta", "chat", "completions", "create"),
    }
)
CHAT_METHODS = frozenset(path[-1] for path in CHAT_PATHS)

# Resources LLMBase does not serve, as paths from the client. ``completions`` alone is
# the legacy text-completions endpoint; ``chat.completions`` never matches it because
# paths are compared from the client outwards.
UNSUPPORTED_RESOURCES: tuple[tuple[str, ...], ...] = (
    ("embeddings",),
    ("images",),
    ("audio",),
    ("moderations",),
    ("files",),
    ("uploads",),
    ("batches",),
    ("fine_tuning",),
    ("vector_stores",),
    ("responses",),
    ("realtime",),
    ("conversations",),
    ("containers",),
    ("evals",),
    ("videos",),
    ("webhooks",),
    ("completions",),
    ("beta", "assistants"),
    ("beta", "threads"),
    ("beta", "vector_stores"),
    ("beta", "realtime"),
    ("beta", "chatkit"),
)
UNSUPPORTED_RESOURCE_NAMES = frozenset(path[-1] for path in UNSUPPORTED_RESOURCES)

# Methods called on a resource (``client.embeddings.create``).
RESOURCE_METHODS = frozenset(
    {
        "create",
        "list",
        "retrieve",
        "delete",
        "update",
        "cancel",
        "content",
        "retrieve_content",
        "generate",
        "edit",
        "create_variation",
        "parse",
        "stream",
        "connect",
        "submit_tool_outputs",
        "create_and_run",
        "create_and_poll",
        "upload",
        "upload_and_poll",
        "unwrap",
        "verify_signature",
        "wait_for_processing",
        "transcriptions",
        "translations",
        "speech",
        "jobs",
        "runs",
        "messages",
        "input_items",
        "items",
        "file_batches",
        "checkpoints",
        "parts",
        "sessions",
        "client_secrets",
        "remix",
        "download_content",
    }
)

# Pre-1.0 module-level API classes (``openai.ChatCompletion.create``).
LEGACY_APIS = frozenset(
    {
        "ChatCompletion",
        "Completion",
        "Embedding",
        "Image",
        "Moderation",
        "Audio",
        "Edit",
        "FineTune",
        "FineTuningJob",
        "File",
        "Model",
        "Engine",
        "Customer",
        "Deployment",
    }
)
LEGACY_CHAT_APIS = frozenset({"ChatCompletion"})

# Top-level packages of SDKs whose clients mirror the OpenAI interface but are not it.
OTHER_SDK_PACKAGES = frozenset(
    {
        "anthropic",
        "groq",
        "together",
        "mistralai",
        "cohere",
        "google",
        "vertexai",
        "huggingface_hub",
        "litellm",
        "langchain",
        "langchain_openai",
        "langchain_community",
        "langchain_core",
        "langchain_groq",
        "langchain_anthropic",
        "llama_index",
        "ollama",
        "fireworks",
        "cerebras",
        "portkey_ai",
        "replicate",
        "boto3",
        "zhipuai",
        "dashscope",
        "azure",
        "cerebras_cloud_sdk",
        "openrouter",
        "xai_sdk",
        "sambanova",
        "ai21",
        "voyageai",
        "instructor",
        "pydantic_ai",
        "dspy",
        "haystack",
        "semantic_kernel",
        "autogen",
        "autogen_ext",
        "crewai",
    }
)

# SDK-level keyword arguments of request methods: never part of the JSON body.
REQUEST_OPTION_KEYWORDS = frozenset(
    {"extra_headers", "extra_query", "extra_body", "timeout", "idempotency_key"}
)

# Identifier fragments that name another vendor's credentials or endpoints.
VENDOR_TOKENS = (
    "OPENAI",
    "OPENROUTER",
    "AZURE",
    "ANTHROPIC",
    "CLAUDE",
    "GROQ",
    "TOGETHER",
    "MISTRAL",
    "DEEPSEEK",
    "FIREWORKS",
    "PERPLEXITY",
    "PPLX",
    "GEMINI",
    "GOOGLE",
    "XAI",
    "GROK",
    "CEREBRAS",
    "DEEPINFRA",
    "ANYSCALE",
    "NVIDIA",
    "NIM",
    "HUGGINGFACE",
    "HF",
    "COHERE",
    "MOONSHOT",
    "KIMI",
    "DASHSCOPE",
    "QWEN",
    "ZHIPU",
    "GLM",
    "SILICONFLOW",
    "NOVITA",
    "HYPERBOLIC",
    "LEPTON",
    "OLLAMA",
    "VLLM",
    "LITELLM",
    "PORTKEY",
    "HELICONE",
    "REPLICATE",
    "SAMBANOVA",
    "OCTOAI",
    "VOLCENGINE",
    "ARK",
    "BAICHUAN",
    "MINIMAX",
    "YI",
    "LMSTUDIO",
)
