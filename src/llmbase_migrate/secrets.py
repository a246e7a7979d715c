"""Recognising API keys in literals, and making sure none is ever printed whole."""

from __future__ import annotations

import re

CHAT_AGENT_KEY_PREFIX = "llmbase_chat_"
INFERENCE_KEY_PREFIX = "llmbase_"

# Prefixes of real provider keys; the rest of the key must be long enough to be real.
_KNOWN_PREFIXES = (
    "sk-proj-",
    "sk-or-v1-",
    "sk-ant-",
    "sk-svcacct-",
    "sk-admin-",
    "sk-",
    "llmbase_chat_",
    "llmbase_",
    "gsk_",
    "xai-",
    "pplx-",
    "hf_",
    "fw_",
    "nvapi-",
    "r8_",
    "AIza",
    "csk-",
    "tgp_v1_",
)
_MIN_SUFFIX = 16
_MIN_OPAQUE_LENGTH = 24
_OPAQUE_TOKEN = re.compile(r"[A-Za-z0-9_\-.+/=]+")
_PLACEHOLDER_WORDS = re.compile(
    r"your|example|placeholder|dummy|changeme|change[-_]?me|replace|insert|fake|"
    r"xxxx|\.\.\.|todo|test|sample|secret[-_]?key|api[-_]?key|token|none|null|empty|"
    r"not[-_]?needed|not[-_]?used|redacted|\*\*\*",
    re.I,
)
# Anything that looks like a key inside free text (messages, URLs, diffs).
# Not inside a longer word: ``ask_llmbase_route`` is an identifier, not a key.
_KEY_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    + "|".join(re.escape(prefix) for prefix in _KNOWN_PREFIXES)
    + r")[A-Za-z0-9_\-]{8,}"
)


def looks_like_secret(text: str) -> bool:
    """True for a literal that is probably a real credential, not a placeholder.

    Placeholders local servers and docs use ("EMPTY", "ollama", "sk-...", "<KEY>",
    "your-api-key") are not secrets: migrating them is LB102's business, not a leak.
    """
    candidate = text.strip()
    if candidate.lower().startswith("bearer "):
        candidate = candidate[7:].strip()
    if not candidate or any(ch.isspace() for ch in candidate) or "<" in candidate:
        return False
    if "{" in candidate or "$" in candidate:
        return False
    for prefix in _KNOWN_PREFIXES:
        if candidate.startswith(prefix):
            rest = candidate[len(prefix) :]
            return len(rest) >= _MIN_SUFFIX and not _is_placeholder_body(rest)
    if len(candidate) < _MIN_OPAQUE_LENGTH or not _OPAQUE_TOKEN.fullmatch(candidate):
        return False
    has_digit = any(ch.isdigit() for ch in candidate)
    has_alpha = any(ch.isalpha() for ch in candidate)
    return has_digit and has_alpha and not _is_placeholder_body(candidate)


def _is_placeholder_body(text: str) -> bool:
    if _PLACEHOLDER_WORDS.search(text):
        return True
    # "xxxxxxxxxxxxxxxxxxxx", "0000000000000000": one repeated character.
    return len(set(text.replace("-", "").replace("_", ""))) <= 2


def is_chat_agent_key(text: str) -> bool:
    candidate = text.strip()
    if candidate.lower().startswith("bearer "):
        candidate = candidate[7:].strip()
    return candidate.startswith(CHAT_AGENT_KEY_PREFIX)


def vendor_prefixed(text: str) -> bool:
    """True for a key carrying another provider's prefix (``sk-``, ``gsk_``...)."""
    candidate = text.strip()
    return any(
        candidate.startswith(prefix)
        for prefix in _KNOWN_PREFIXES
        if not prefix.startswith(INFERENCE_KEY_PREFIX)
    )


def mask(secret: str) -> str:
    """``sk-proj-abcdef...XYgH`` -> ``sk-p…gH``: enough to recognise, never enough to use."""
    text = secret.strip()
    prefix = ""
    if text.lower().startswith("bearer "):
        prefix, text = text[:7], text[7:].strip()
    if len(text) <= 8:
        return prefix + "…"
    return f"{prefix}{text[:4]}…{text[-2:]}"


def redact(text: str) -> str:
    """Mask every key-looking run in free text; a last line of defence for output."""
    return _KEY_IN_TEXT.sub(lambda match: mask(match.group(0)), text)


def redact_exact(text: str, secrets: tuple[str, ...]) -> str:
    """:func:`redact`, plus every occurrence of the given secrets masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, mask(secret))
    return redact(text)
