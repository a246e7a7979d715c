"""Text from the network, made safe for a terminal.

A catalog entry or an error message is whatever the server sent: an ``ESC ] ... BEL``
in a model ID would retitle the terminal, a C1 ``CSI`` recolour it, a right-to-left
override reorder what is shown. Catalog strings are made printable as they are
loaded, server messages as they are read, and the CLI passes every warning, error
and ``doctor`` line through :func:`printable` again; JSON that quotes an answer
verbatim (``models --json``) goes through :func:`escape_unprintable_json`.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` without the characters a terminal could act on: what
    ``str.isprintable`` refuses (C0 and C1 controls, DEL, bidi overrides and other
    format characters, line breaks, unassigned code points)."""
    if text.isprintable():
        return text
    return "".join(char for char in text if char.isprintable())


def escape_unprintable_json(document: str) -> str:
    """JSON text with every unprintable character inside its strings written as a
    ``\\uXXXX`` escape (``json.dumps(ensure_ascii=False)`` leaves DEL, C1 and format
    characters raw). The line breaks between values are kept."""
    return "\n".join(
        line if line.isprintable() else "".join(map(_escaped, line))
        for line in document.split("\n")
    )


def _escaped(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
