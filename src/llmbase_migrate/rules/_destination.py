"""Where a client sends its requests, and whose key it sends: the two halves of a
client that a migration must move together.

A base URL or key value (as the analyzer resolved it) becomes the tuple of every
place it may stand for: ``os.getenv("LLM_URL", "https://openrouter.ai/api/v1")`` may
be whatever ``$LLM_URL`` holds, or OpenRouter. Hosts are classified by what LLMBase
does for them: it replaces OpenAI and gateways (and any other public
OpenAI-compatible host), and leaves alone local servers and other vendors' own APIs.
"""

from __future__ import annotations

import enum
import fnmatch
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from llmbase_migrate.analysis.facts import Value, ValueKind
from llmbase_migrate.rules._judge import is_agent_url, is_chat_agent_env, normalize_url, vendor_of
from llmbase_migrate.secrets import (
    INFERENCE_KEY_PREFIX,
    is_chat_agent_key,
    looks_like_secret,
    mask,
    vendor_prefixed,
)


class Place(enum.Enum):
    """What a destination is to a migration."""

    LLMBASE = "LLMBase"
    AGENT_API = "LLMBase's agent API"
    OPENAI = "OpenAI"
    GATEWAY = "a gateway"
    # a public host this tool does not know: an OpenAI-compatible proxy or service
    OTHER = "another OpenAI-compatible host"
    VENDOR = "another vendor's own API"
    LOCAL = "a local or private server"
    KEPT = "a host the keep-hosts setting keeps"
    # ``*.test``, ``*.example``, ``*.invalid``: a test double's
    TEST = "a reserved test domain"
    UNKNOWN = "a place not known statically"


# Places a migration moves to LLMBase.
MIGRATED = frozenset({Place.OPENAI, Place.GATEWAY, Place.OTHER})
# Places a client is meant to stay at (listed by LB107, moved only on request).
STAYING = frozenset({Place.VENDOR, Place.LOCAL, Place.KEPT, Place.TEST})


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One place a client may send requests to; ``label`` names it in messages
    (``openrouter.ai``, ``$OPENAI_BASE_URL``)."""

    place: Place
    label: str


class KeyKind(enum.Enum):
    LLMBASE = "an LLMBase key"
    CHAT_AGENT = "an LLMBase chat-agent key"
    VENDOR = "another vendor's key"
    PLACEHOLDER = "a placeholder"
    UNKNOWN = "a key not known statically"


@dataclass(frozen=True, slots=True)
class Credential:
    """One key a client may send; ``label`` names its source (``$OPENAI_API_KEY``,
    ``settings.OPENAI_API_KEY``, a masked literal). ``hardcoded``: a literal that
    looks like a real key (LB103's)."""

    kind: KeyKind
    label: str
    hardcoded: bool = False


LLMBASE_KEY_LABEL = "LLMBase's key"

# Hosts by registered domain (a host matches the domain or any subdomain of it).
_OPENAI_DOMAINS = ("openai.com", "openai.azure.com")
_GATEWAY_DOMAINS = (
    "openrouter.ai",
    "portkey.ai",
    "helicone.ai",
    "gateway.ai.cloudflare.com",
    "ai-gateway.vercel.sh",
    "aimlapi.com",
    "requesty.ai",
    "unify.ai",
)
_VENDOR_DOMAINS = (
    "anthropic.com",
    "groq.com",
    "together.xyz",
    "together.ai",
    "deepseek.com",
    "fireworks.ai",
    "mistral.ai",
    "googleapis.com",
    "x.ai",
    "perplexity.ai",
    "moonshot.cn",
    "moonshot.ai",
    "aliyuncs.com",
    "bigmodel.cn",
    "huggingface.co",
    "nvidia.com",
    "cerebras.ai",
    "sambanova.ai",
    "hyperbolic.xyz",
    "deepinfra.com",
    "novita.ai",
    "siliconflow.cn",
    "siliconflow.com",
    "anyscale.com",
    "lepton.ai",
    "minimax.chat",
    "minimaxi.com",
    "baichuan-ai.com",
    "volces.com",
    "lingyiwanwu.com",
    "01.ai",
    "cohere.ai",
    "cohere.com",
    "replicate.com",
    "nebius.ai",
    "nebius.com",
    "octoai.cloud",
)
_LOCAL_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home.arpa")
# RFC 2606/6761 top-level names reserved for tests. ``example.com`` is not one of
# them here: samples use it as a stand-in for the user's own gateway.
_TEST_SUFFIXES = (".test", ".example", ".invalid")
_LOCAL_HOSTS = frozenset({"localhost", "host.docker.internal", "gateway.docker.internal"})

# Vendor tokens of identifiers (``names.VENDOR_TOKENS``) grouped by what they name.
_OPENAI_TOKENS = frozenset({"OPENAI", "AZURE"})
_GATEWAY_TOKENS = frozenset({"OPENROUTER", "LITELLM", "PORTKEY", "HELICONE"})
_LOCAL_TOKENS = frozenset({"OLLAMA", "VLLM", "LMSTUDIO"})


def _under(host: str, domains: Sequence[str]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def host_of(url: str) -> str | None:
    """The lower-cased host of a URL, or None when it has none."""
    text = url.strip()
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _kept(url: str, host: str, keep_hosts: Sequence[str]) -> bool:
    """Whether a ``keep-hosts`` pattern names the URL's host (``host:port`` when the
    pattern has a port)."""
    if not keep_hosts:
        return False
    try:
        port = urlsplit(url if "://" in url else "//" + url).port
    except ValueError:
        port = None
    with_port = f"{host}:{port}" if port is not None else host
    return any(
        fnmatch.fnmatchcase(with_port if ":" in pattern else host, pattern.lower())
        for pattern in keep_hosts
    )


def _is_private(host: str) -> bool:
    if host in _LOCAL_HOSTS or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # A name without a dot is a machine on the local network or a container
        # (``http://vllm:8000/v1`` in a compose file), never a public host.
        return "." not in host
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or (address.is_unspecified)
    )


def classify_url(url: str, base_url: str, keep_hosts: Sequence[str] = ()) -> Endpoint:
    """What the base URL ``url`` is to a migration to ``base_url`` (LLMBase's)."""
    if normalize_url(url) == normalize_url(base_url):
        return Endpoint(Place.LLMBASE, url)
    if is_agent_url(url):
        return Endpoint(Place.AGENT_API, url)
    host = host_of(url)
    if host is None:
        return Endpoint(Place.UNKNOWN, repr(url))
    if host == host_of(base_url):
        return Endpoint(Place.LLMBASE, host)
    if _kept(url, host, keep_hosts):
        return Endpoint(Place.KEPT, host)
    if _is_private(host):
        return Endpoint(Place.LOCAL, host)
    if host.endswith(_TEST_SUFFIXES):
        return Endpoint(Place.TEST, host)
    if _under(host, _OPENAI_DOMAINS):
        return Endpoint(Place.OPENAI, host)
    if _under(host, _GATEWAY_DOMAINS):
        return Endpoint(Place.GATEWAY, host)
    if _under(host, _VENDOR_DOMAINS):
        return Endpoint(Place.VENDOR, host)
    return Endpoint(Place.OTHER, host)


def place_of_identifier(identifier: str, label: str) -> Endpoint | None:
    """What a setting named ``identifier`` (``OPENROUTER_BASE_URL``) points at, by its
    name; None for generic and LLMBase-named identifiers."""
    vendor = vendor_of(identifier)
    if vendor is None:
        return None
    if vendor in _OPENAI_TOKENS:
        return Endpoint(Place.OPENAI, label)
    if vendor in _GATEWAY_TOKENS:
        return Endpoint(Place.GATEWAY, label)
    if vendor in _LOCAL_TOKENS:
        return Endpoint(Place.LOCAL, label)
    return Endpoint(Place.VENDOR, label)


def names_llmbase(identifier: str | None) -> bool:
    return bool(identifier) and "LLMBASE" in (identifier or "").upper()


OPENAI_DEFAULT = Endpoint(Place.OPENAI, "api.openai.com (or $OPENAI_BASE_URL)")


def destinations(
    value: Value | None, base_url: str, keep_hosts: Sequence[str] = ()
) -> tuple[Endpoint, ...]:
    """Every place a base URL value may send requests to (``value`` None: the option
    is not given, so the SDK's default). An empty string or None falls back to the
    SDK's default too."""
    if value is None or value.kind is ValueKind.NONE:
        return (OPENAI_DEFAULT,)
    if value.kind is ValueKind.EITHER:
        return tuple(
            dict.fromkeys(
                endpoint
                for alternative in value.alternatives
                for endpoint in destinations(alternative, base_url, keep_hosts)
            )
        )
    if value.kind is ValueKind.STRING:
        if not (value.text or "").strip():
            return (OPENAI_DEFAULT,)
        written = classify_url(value.text or "", base_url, keep_hosts)
        if value.parameter is not None:
            # the default of a parameter: what other callers pass is not known
            return (written, Endpoint(Place.UNKNOWN, f"what callers pass as {value.parameter}"))
        return (written,)
    fallback: tuple[Endpoint, ...] = ()
    if value.default is not None:
        fallback = destinations(value.default, base_url, keep_hosts)
    if value.kind is ValueKind.ENV:
        variable = value.env_var
        if variable is None:
            # a name chosen at run time may be any vendor's: nothing is known
            return (Endpoint(Place.UNKNOWN, "a variable whose name is computed"),)
        label = f"${variable}"
        named = place_of_identifier(variable, label)
        if named is not None:
            return (named, *fallback)
        if names_llmbase(variable) and not is_chat_agent_env(variable):
            return (Endpoint(Place.LLMBASE, label), *fallback)
        return (Endpoint(Place.UNKNOWN, label), *fallback)
    identifier = value.identifier
    label = identifier or "an expression"
    if identifier:
        named = place_of_identifier(identifier, label)
        if named is not None and _names_a_url(identifier):
            return (named, *fallback)
    return (Endpoint(Place.UNKNOWN, label), *fallback)


def _names_a_url(identifier: str) -> bool:
    upper = identifier.upper()
    return any(word in upper for word in ("URL", "BASE", "ENDPOINT", "HOST", "API_BASE"))


def credentials(value: Value | None, api_key_env: str) -> tuple[Credential, ...]:
    """Every key an ``api_key`` value may send (``value`` None: not given, so the SDK
    reads ``$OPENAI_API_KEY``)."""
    if value is None or value.kind is ValueKind.NONE:
        return (Credential(KeyKind.VENDOR, "$OPENAI_API_KEY"),)
    if value.kind is ValueKind.EITHER:
        return tuple(
            dict.fromkeys(
                key
                for alternative in value.alternatives
                for key in credentials(alternative, api_key_env)
            )
        )
    if value.kind is ValueKind.STRING:
        text = value.text or ""
        if is_chat_agent_key(text):
            return (Credential(KeyKind.CHAT_AGENT, mask(text), hardcoded=True),)
        if not looks_like_secret(text):
            return (Credential(KeyKind.PLACEHOLDER, repr(text)),)
        if text.startswith(INFERENCE_KEY_PREFIX):
            return (Credential(KeyKind.LLMBASE, mask(text), hardcoded=True),)
        kind = KeyKind.VENDOR if vendor_prefixed(text) else KeyKind.UNKNOWN
        return (Credential(kind, mask(text), hardcoded=True),)
    if value.kind is ValueKind.ENV:
        variable = value.env_var
        fallback: tuple[Credential, ...] = ()
        default = value.default
        if (
            default is not None
            and default.kind is not ValueKind.NONE
            # ``os.getenv("KEY", "")``: no key when unset, not another one
            and not (default.kind is ValueKind.STRING and not default.text)
        ):
            fallback = credentials(default, api_key_env)
        if variable is None:
            return (Credential(KeyKind.UNKNOWN, "a variable whose name is computed"),)
        return (_named_key(variable, f"${variable}", api_key_env), *fallback)
    identifier = value.identifier
    named = _named_key(identifier, identifier, api_key_env) if identifier else None
    first = named or Credential(KeyKind.UNKNOWN, "an expression")
    if value.default is not None and value.default.kind is not ValueKind.NONE:
        # ``cfg.api_key or os.getenv("OPENAI_API_KEY")``: either may be sent
        return tuple(dict.fromkeys((first, *credentials(value.default, api_key_env))))
    return (first,)


def _named_key(identifier: str, label: str, api_key_env: str) -> Credential:
    if is_chat_agent_env(identifier):
        return Credential(KeyKind.CHAT_AGENT, label)
    if identifier == api_key_env or names_llmbase(identifier):
        return Credential(KeyKind.LLMBASE, label)
    if vendor_of(identifier) is not None:
        return Credential(KeyKind.VENDOR, label)
    return Credential(KeyKind.UNKNOWN, label)
