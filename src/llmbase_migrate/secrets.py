"""Recognising API keys in literals, and making sure none is ever printed whole.

:func:`redact` is the output boundary: every line the tool prints about the user's
code (messages, every line of a diff, JSON fix edits, the migration report) passes
through it, so whatever :func:`looks_like_secret` calls a key (LB103's own test) is
masked wherever it appears, and so are credentials in URLs (userinfo, and query or
fragment values named like a key or looking like one).
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit, urlunsplit

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
_MIN_SECRET_LENGTH = min(len(prefix) for prefix in _KNOWN_PREFIXES) + _MIN_SUFFIX
# Whitespace, and what templates and placeholders are made of ("<KEY>", "{key}", "$KEY").
_NOT_IN_A_KEY = re.compile(r"[\s<{$]")
_MIN_OPAQUE_LENGTH = 24
_OPAQUE_TOKEN = re.compile(r"[A-Za-z0-9_\-.+/=]+")
# What follows a provider's prefix in its keys.
_KEY_BODY = re.compile(r"[A-Za-z0-9_\-]+")
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[A-Za-z]")
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
    if candidate[:7].lower() == "bearer ":
        candidate = candidate[7:].strip()
    # Cheap refusals first: redact() asks this of every long word it prints.
    if len(candidate) < _MIN_SECRET_LENGTH or _NOT_IN_A_KEY.search(candidate):
        return False
    if candidate.startswith(_KNOWN_PREFIXES):
        prefix = next(prefix for prefix in _KNOWN_PREFIXES if candidate.startswith(prefix))
        rest = candidate[len(prefix) :]
        # ``llmbase_client.chat.completions.create`` is a dotted name, not a key
        return (
            len(rest) >= _MIN_SUFFIX
            and _KEY_BODY.fullmatch(rest) is not None
            and not _is_placeholder_body(rest)
        )
    if len(candidate) < _MIN_OPAQUE_LENGTH or not _OPAQUE_TOKEN.fullmatch(candidate):
        return False
    return (
        _DIGIT.search(candidate) is not None
        and _LETTER.search(candidate) is not None
        and _looks_random(candidate)
        and not _is_placeholder_body(candidate)
    )


# Model IDs and identifiers are words and short versions ("deepseek-v4-flash",
# "claude-3-5-sonnet-20241022"); a key has a long run that is neither.
_SEGMENT_SEPARATORS = re.compile(r"[-_./+=]+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _looks_random(candidate: str) -> bool:
    if _UUID.fullmatch(candidate):
        return True
    return any(_random_segment(part) for part in _SEGMENT_SEPARATORS.split(candidate))


def _random_segment(segment: str) -> bool:
    """Hex or base64 noise: letters and digits interleaved, or (base64) the character
    class changing at more than every other character."""
    if len(segment) < 8:
        return False
    kinds = [_kind(char) for char in segment]
    pairs = list(itertools.pairwise(kinds))
    letter_digit = sum(
        1 for a, b in pairs if a != b and "digit" in (a, b) and "other" not in (a, b)
    )
    if letter_digit >= 3:
        return True
    if len(segment) < 16 or not {"upper", "lower", "digit"} <= set(kinds):
        return False
    changes = sum(1 for a, b in pairs if a != b)
    return changes / len(pairs) >= 0.5


def _kind(char: str) -> str:
    if char.isdigit():
        return "digit"
    if char.isupper():
        return "upper"
    return "lower" if char.islower() else "other"


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


# A quoted string on one line (a literal in a diff line, a value quoted in a message).
_QUOTED = re.compile(r"""(?P<quote>["'])(?P<body>[^"'\r\n]+)(?P=quote)""")
# A bare token (a Bearer value, a key outside quotes) long enough to be a key; ``=``
# only as base64 padding, so ``api_key=KEY`` splits into a name and a key.
_TOKEN = re.compile(rf"(?<![A-Za-z0-9_\-.+/])[A-Za-z0-9_\-.+/]{{{_MIN_SECRET_LENGTH},}}=*")
# Punctuation that ends a sentence or a parenthesis is not part of the URL before it.
_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]*://[^\s\"'`<>]+?(?=[),.;:]*(?:[\s\"'`<>]|$))")
URL_MASK = "***"
# Query and fragment parameters that carry credentials by name (``key``, ``api_key``,
# ``access_token``, ``sig``, ``client_secret``, ``x-api-key``...).
_SECRET_PARAMETER = re.compile(
    r"(?i)(?:^|[-_.])(?:api[-_]?key|key|token|secret|password|passwd|pwd|pass|sig|"
    r"signature|auth|authorization|credentials?|session)$"
)
_PARAMETER = re.compile(r"(?P<name>[^&;=]*)(?P<equals>=?)(?P<value>[^&;]*)")


def redact(text: str) -> str:
    """Mask everything in free text that would be a secret: credentials in URLs, quoted
    or bare values :func:`looks_like_secret` calls a key, Bearer tokens, and runs
    starting with a known key prefix. The output boundary; masking twice changes
    nothing."""
    text = _URL.sub(lambda match: mask_url(match.group(0)), text)
    text = _QUOTED.sub(_mask_quoted, text)
    text = _TOKEN.sub(_mask_token, text)
    return _KEY_IN_TEXT.sub(lambda match: mask(match.group(0)), text)


def _mask_quoted(match: re.Match[str]) -> str:
    body = match.group("body")
    if not looks_like_secret(body):
        return match.group(0)
    quote = match.group("quote")
    return f"{quote}{mask(body)}{quote}"


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    return mask(token) if looks_like_secret(token) else token


def redact_exact(text: str, secrets: tuple[str, ...]) -> str:
    """:func:`redact`, plus every occurrence of the given secrets masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, mask(secret))
    return redact(text)


def url_has_credentials(url: str) -> bool:
    """True when ``url`` carries a user name or password, or a query or fragment value
    that is a credential by its name or its look."""
    return strip_url_credentials(url) != url.strip()


def mask_url(url: str) -> str:
    """``https://user:pw@host/v1?api_key=K`` -> ``https://***@host/v1?api_key=***``."""
    return _rewrite_url(url, drop=False)


def strip_url_credentials(url: str) -> str:
    """``url`` without its userinfo and credential parameters: what may be written into
    source, cached, compared or requested."""
    return _rewrite_url(url, drop=True)


def _rewrite_url(url: str, *, drop: bool) -> str:
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return URL_MASK if "@" in text else text
    _userinfo, at, host = parts.netloc.rpartition("@")
    netloc = host if drop or not at else f"{URL_MASK}@{host}"
    query = _rewrite_parameters(parts.query, drop=drop)
    fragment = _rewrite_parameters(parts.fragment, drop=drop)
    if (netloc, query, fragment) == (parts.netloc, parts.query, parts.fragment):
        return text
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def _rewrite_parameters(text: str, *, drop: bool) -> str:
    """A query (or fragment) with each credential value masked, or dropped whole."""
    if not text:
        return text
    kept: list[str] = []
    for piece in re.split(r"([&;])", text):
        if piece in ("&", ";"):
            kept.append(piece)
            continue
        match = _PARAMETER.fullmatch(piece)
        if match is None or not _is_credential(match.group("name"), match.group("value")):
            kept.append(piece)
        elif not drop:
            kept.append(f"{match.group('name')}{match.group('equals')}{URL_MASK}")
        elif kept:
            kept.pop()  # the separator before it
    while kept and kept[0] in ("&", ";"):
        kept.pop(0)
    return "".join(kept)


def _is_credential(name: str, value: str) -> bool:
    if not value or value == URL_MASK:
        return False
    return bool(_SECRET_PARAMETER.search(name)) or looks_like_secret(value)
