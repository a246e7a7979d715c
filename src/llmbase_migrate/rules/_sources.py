"""Where a finding about a value belongs: where the value is written.

``KEY = os.getenv("OPENAI_API_KEY")`` then ``OpenAI(api_key=KEY)``: what a migrating
user edits is the environment read, so the finding is reported there, naming the
call it reaches. A value written at the call is reported at the call, as are
values this module cannot place (another module's: those carry a
:class:`~llmbase_migrate.analysis.facts.SourceLocation` instead).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import libcst as cst

from llmbase_migrate.analysis.facts import SourceLocation, Span, Value, ValueKind
from llmbase_migrate.analysis.source_map import SourceMap
from llmbase_migrate.fixes.edit import Fix
from llmbase_migrate.rules.base import Report


def value_sources(value: Value) -> Iterator[Value]:
    """The values ``value`` may be read from, each judged on its own: the
    alternatives of a choice, and what an unknown value falls back to (``cfg.url or
    "https://..."``). An environment read is one source, its default included."""
    if value.kind is ValueKind.EITHER:
        for alternative in value.alternatives:
            yield from value_sources(alternative)
    elif value.kind is ValueKind.UNKNOWN:
        if value.default is not None:
            yield from value_sources(value.default)
    else:
        yield value


def source_places(
    source: SourceMap | None,
    value: Value,
    value_node: cst.CSTNode,
    at: Span,
    wrong: Callable[[Value], bool],
) -> tuple[tuple[Span, Value | None], ...]:
    """Where to report what is ``wrong`` with a value read at ``value_node`` (whose
    finding would be at ``at``): each wrong source written elsewhere in this module,
    with that source's value, and ``at`` (with None: the value as a whole) for those
    written there or not placed. Never empty."""
    if source is None:
        return ((at, None),)
    placed: list[tuple[cst.CSTNode, Value]] = []
    at_sink = False
    for found in value_sources(value):
        if not wrong(found):
            continue
        node = found.written
        if node is None or found.location is not None or source.contains(value_node, node):
            at_sink = True
        else:
            placed.append((node, found))
    # an environment read and the literal default inside it are one place
    outermost = [
        (node, found)
        for node, found in placed
        if not any(other is not node and source.contains(other, node) for other, _ in placed)
    ]
    places: dict[Span, Value | None] = {}
    if at_sink or not outermost:
        places[at] = None
    for node, found in outermost:
        places.setdefault(source.span(node), found)
    return tuple(places.items())


def source_spans(
    source: SourceMap | None,
    value: Value,
    value_node: cst.CSTNode,
    at: Span,
    wrong: Callable[[Value], bool],
) -> tuple[Span, ...]:
    """The spans of :func:`source_places`."""
    return tuple(span for span, _ in source_places(source, value, value_node, at, wrong))


def reaches(spans: tuple[Span, ...], at: Span, what: str) -> str:
    """The message suffix of a finding reported away from the call it is about."""
    if spans == (at,):
        return ""
    return f" (reaches {what} on line {at.line})"


_REACHES = re.compile(r" \(reaches (?P<what>.+?) on line (?P<line>\d+)\)$")


def merge_reaches(reports: Iterable[Report]) -> Iterator[Report]:
    """One report per place and problem: a constant that reaches several clients
    is reported once, naming them all. Reports whose fixes differ stay apart (each
    carries its own fix)."""
    groups: dict[tuple[Span, str, Fix | None, SourceLocation | None], list[tuple[str, int]]]
    groups = {}
    for report in reports:
        found = _REACHES.search(report.message)
        if found is None:
            groups.setdefault((report.span, report.message, report.fix, report.source), [])
            continue
        prefix = report.message[: found.start()]
        groups.setdefault((report.span, prefix, report.fix, report.source), []).append(
            (found["what"], int(found["line"]))
        )
    for (span, message, fix, source), reached in groups.items():
        if reached:
            whats = {what for what, _ in reached}
            what = whats.pop() if len(whats) == 1 else "the clients"
            lines = sorted({line for _, line in reached})
            where = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"
            message += f" (reaches {what} on {where})"
        yield Report(span, message, fix, source=source)
